"""Leaders and visitors can follow how the compact changed: the text a closed round consulted on
is public, an open round's participants can compare its draft with the published text, each
commitment links to its history, and no link leads to a page that turns the reader away."""

import pytest
from django.urls import reverse

from compact import services
from compact.models import Commitment
from consultation import services as consultation
from consultation.models import Proposal
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, StaffFactory, UserFactory, draft_version, published_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def consulted_then_published(staff):
    """Version 1 consulted on (one commitment reworded), version 2 made from it and published."""
    v1 = draft_version()
    round = open_round(staff=staff, version=v1)
    target = v1.commitments.order_by("pk").first()
    proposal = consultation.propose(
        actor=LeaderFactory(),
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=target,
        text="We will listen first, then act together.",
        rationale="Plainer.",
    )
    consultation.cast_vote(actor=LeaderFactory(), round=round, commitment=target, choice=proposal)
    consultation.close_round(round=round, actor=staff, reason="Enough heard.")
    v2 = consultation.apply_results(actor=staff, round=round)
    services.ratify(actor=staff, version=v2)
    services.publish(actor=staff, version=v2, note="Made with leaders.")
    return v1, v2, target


def test_visitor_compares_the_consulted_text_with_the_published_version(client, consulted_then_published):
    v1, v2, target = consulted_then_published
    compact = v2.compact
    page = client.get(compact.get_absolute_url()).content.decode()
    link = f"{reverse('compact:compare', kwargs={'slug': compact.slug})}?from=1&amp;to=2"
    assert f'href="{link}">See what changed from version 1</a>' in page

    page = client.get(link.replace("&amp;", "&")).content.decode()
    assert "There is only one version to read so far" not in page
    assert "We will listen first, then act together." in page and "1 reworded" in page

    response = client.get(v1.get_absolute_url())
    assert response.status_code == 200
    assert "The text leaders were consulted on" in response.content.decode()


def test_a_closed_rounds_page_compares_the_text_it_consulted_on_with_what_was_published(
    client, consulted_then_published
):
    v1, v2, target = consulted_then_published
    round = v1.rounds.get()
    page = client.get(round.get_absolute_url()).content.decode()
    compare = f"{reverse('compact:compare', kwargs={'slug': v1.compact.slug})}?from=1&amp;to=2"
    assert (
        f'href="{compare}">Compare the text this round consulted on with the published version 2</a>' in page
    )
    assert "Sign in to take part" not in page


def test_each_commitment_on_the_compact_page_links_to_its_history(client, consulted_then_published):
    v1, v2, target = consulted_then_published
    history = reverse("compact:commitment_history", kwargs={"slug": v2.compact.slug, "key": target.key})
    page = client.get(v2.compact.get_absolute_url()).content.decode()
    assert page.count('class="nhsuk-body-s app-history-link"') == v2.commitments.count()
    assert f'href="{history}"' in page
    page = client.get(history).content.decode()
    assert "Version 1</a> (consulted)" in page and "Version 2</a> (published)" in page
    assert "Reflections on keeping it" in page and "<title>History of" in page


def test_no_compare_link_when_there_is_no_earlier_version_to_read(client, staff):
    version = published_version(staff=staff)
    assert "See what changed" not in client.get(version.compact.get_absolute_url()).content.decode()


@pytest.fixture
def open_refresh(staff):
    """Version 1 published; version 2, with one commitment staff added, out for consultation."""
    v1 = published_version(staff=staff)
    v2 = services.start_new_draft(actor=staff, compact=v1.compact)
    anchor = v2.commitments.first()
    added = services.add_part(
        actor=staff,
        version=v2,
        model=Commitment,
        theme=anchor.theme,
        party=anchor.party,
        text="A new promise.",
    )
    round = open_round(staff=staff, version=v2)
    return v1, v2, round, added


def test_a_rounds_participants_can_compare_its_draft_with_the_published_text(client, open_refresh):
    v1, v2, round, added = open_refresh
    leader = LeaderFactory()
    client.force_login(leader)
    page = client.get(round.get_absolute_url()).content.decode()
    compare = f"{reverse('compact:compare', kwargs={'slug': v1.compact.slug})}?from=1&amp;to=2"
    assert f'href="{compare}">Compare this draft with the published version 1</a>' in page
    page = client.get(compare.replace("&amp;", "&")).content.decode()
    assert "A new promise." in page and "1 added" in page
    assert client.get(v2.get_absolute_url()).status_code == 200
    history = reverse("compact:commitment_history", kwargs={"slug": v1.compact.slug, "key": added.key})
    assert f'href="{history}"' in client.get(round.get_absolute_url()).content.decode()


@pytest.mark.parametrize("who", ["visitor", "unverified", "not invited"])
def test_people_outside_an_open_round_neither_read_its_draft_nor_get_links_to_it(client, staff, who):
    v1 = published_version(staff=staff)
    v2 = services.start_new_draft(actor=staff, compact=v1.compact)
    anchor = v2.commitments.first()
    added = services.add_part(
        actor=staff,
        version=v2,
        model=Commitment,
        theme=anchor.theme,
        party=anchor.party,
        text="A new promise.",
    )
    invited = {"participation": "invited", "invited": [LeaderFactory()]} if who == "not invited" else {}
    round = open_round(staff=staff, version=v2, **invited)
    if who == "unverified":
        client.force_login(UserFactory(verified=False))
    elif who == "not invited":
        client.force_login(LeaderFactory())
    page = client.get(round.get_absolute_url()).content.decode()
    assert "Compare this draft" not in page
    history = reverse("compact:commitment_history", kwargs={"slug": v1.compact.slug, "key": added.key})
    assert f'href="{history}"' not in page
    assert client.get(history).status_code == 404
    assert client.get(v2.get_absolute_url()).status_code == 404
    compare = client.get(reverse("compact:compare", kwargs={"slug": v1.compact.slug}) + "?to=2")
    assert "There is only one version to read so far" in compare.content.decode()


def test_comparison_leaves_out_party_headings_with_nothing_under_them(client, staff):
    v1 = published_version(staff=staff)
    v2 = services.start_new_draft(actor=staff, compact=v1.compact)
    academy = v2.parties.get(name="The Academy")
    target = v2.commitments.filter(party=academy).order_by("theme__position", "position").first()
    services.change_part(actor=staff, part=target, text="We will listen first, then act together.")
    client.force_login(StaffFactory())
    page = client.get(reverse("compact:compare", kwargs={"slug": v1.compact.slug})).content.decode()
    assert page.count('<h3 class="nhsuk-heading-s">The Academy</h3>') == 1
    assert '<h3 class="nhsuk-heading-s">Leaders</h3>' not in page


def test_only_people_who_can_use_the_admin_see_its_link_in_the_footer(client, staff):
    version = published_version(staff=staff)
    assert "Administration" not in client.get(version.compact.get_absolute_url()).content.decode()
    admin = UserFactory(is_staff=True)
    client.force_login(admin)
    assert "Administration" in client.get(version.compact.get_absolute_url()).content.decode()


def test_comparing_versions_with_no_change_says_so_in_a_sentence(staff_client, staff):
    v1 = published_version(staff=staff)
    services.start_new_draft(actor=staff, compact=v1.compact)
    page = staff_client.get(reverse("compact:compare", kwargs={"slug": v1.compact.slug})).content.decode()
    assert "From version 1 to version 2: no commitment changed; 8 unchanged." in page
    assert ": ;" not in page
