"""Comparing versions follows each commitment by its key: added, removed, reworded, moved."""

import pytest
from django.urls import reverse

from compact import services
from compact.comparison import compare
from compact.models import Commitment
from consultation import services as consultation
from consultation.models import Proposal
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, ThemeFactory, published_version
from tests.signatories.factories import SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions(staff):
    v1 = published_version(staff=staff)
    v2 = services.start_new_draft(actor=staff, compact=v1.compact)
    return v1, v2


def kinds(comparison):
    return {
        change.key: change.kind
        for theme in comparison.themes
        for _, changes in theme.columns
        for change in changes
    }


def test_reworded_added_removed_and_moved_are_told_apart(staff, versions):
    v1, v2 = versions
    reworded, removed, moved, same = v2.commitments.order_by("pk")[:4]
    services.change_part(actor=staff, part=reworded, text="We will listen first, then act together.")
    services.remove_part(actor=staff, part=removed)
    other_theme = v2.themes.exclude(pk=moved.theme_id).first()
    services.change_part(actor=staff, part=moved, theme=other_theme)
    added = services.add_part(
        actor=staff, version=v2, model=Commitment, theme=same.theme, party=same.party, text="A new promise."
    )

    found = kinds(compare(v1, v2))
    assert found[reworded.key] == "reworded"
    assert found[removed.key] == "removed"
    assert found[moved.key] == "moved"
    assert found[added.key] == "added"
    assert found[same.key] == "unchanged"


def test_a_reworded_commitment_shows_a_word_diff_and_the_proposal_that_changed_it(staff, client, versions):
    v1, v2 = versions
    round = open_round(staff=staff, version=v2)
    target = v2.commitments.order_by("pk").first()
    author = LeaderFactory()
    proposal = consultation.propose(
        actor=author,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=target,
        text="We will keep every promise we make.",
        rationale="Plainer.",
    )
    consultation.cast_vote(actor=author, round=round, commitment=target, choice=proposal)
    consultation.close_round(round=round, actor=staff, reason="Done")
    v3 = consultation.apply_results(actor=staff, round=round)
    services.ratify(actor=staff, version=v3)
    services.publish(actor=staff, version=v3, note="Refreshed")

    page = client.get(
        reverse("compact:compare", kwargs={"slug": v1.compact.slug}) + "?from=1&to=3"
    ).content.decode()
    assert "Reworded" in page
    assert '<ins class="app-diff__added">' in page
    assert f"wording from proposal #{proposal.pk}" in page
    history = client.get(
        reverse("compact:commitment_history", kwargs={"slug": v1.compact.slug, "key": target.key})
    )
    text = history.content.decode()
    assert (
        "We will keep every promise we make." in text
        and target.text in text
        and f"Proposal #{proposal.pk}" in text
    )


def test_visitors_compare_only_public_versions(client, staff, versions):
    v1, v2 = versions
    services.change_part(actor=staff, part=v2.commitments.first(), text="A secret draft wording.")
    response = client.get(reverse("compact:compare", kwargs={"slug": v1.compact.slug}) + "?from=1&to=2")
    assert "A secret draft wording." not in response.content.decode()
    assert "only one version" in response.content.decode()


def test_staff_compare_a_draft_with_the_published_version(staff_client, staff, versions):
    v1, v2 = versions
    ThemeFactory(version=v2, title="A brand new theme")
    page = staff_client.get(
        reverse("compact:compare", kwargs={"slug": v1.compact.slug}) + "?from=1&to=2&all=1"
    )
    assert page.status_code == 200 and "Unchanged" in page.content.decode()


def test_the_refresh_invitation_links_to_what_changed(
    staff, versions, mailoutbox, django_capture_on_commit_callbacks
):
    v1, v2 = versions
    SignatureFactory(version=v1)
    services.ratify(actor=staff, version=v2)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(actor=staff, version=v2, note="Refreshed")
    invitation = next(m for m in mailoutbox if "refreshed" in m.subject)
    assert "/compare/?from=1&to=2" in invitation.body


def test_re_signing_is_prefilled_from_the_earlier_signature(client, staff, versions):
    v1, v2 = versions
    earlier = SignatureFactory(version=v1, full_name="Returning Signer", role="Chair of the board")
    services.ratify(actor=staff, version=v2)
    services.publish(actor=staff, version=v2, note="Refreshed")
    client.force_login(earlier.signer)
    page = client.get(reverse("signatories:sign", kwargs={"slug": v1.compact.slug})).content.decode()
    assert "You signed version 1" in page and "?from=1&amp;to=2" in page
    assert 'value="Returning Signer"' in page and 'value="Chair of the board"' in page
