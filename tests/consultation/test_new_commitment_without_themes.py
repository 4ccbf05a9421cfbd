"""A compact without themes still takes proposed new commitments: a leader proposes one for a
party, from the round page, and once supported it joins that party's column (in paired rows, a
row of its own for staff to pair)."""

import pytest
from django.urls import reverse

from compact import services as compact_services
from compact.errors import DomainError
from compact.models import Commitment, Version
from consultation import services
from consultation.models import Proposal
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory

pytestmark = pytest.mark.django_db


def draft_without_themes(staff, layout):
    compact = compact_services.create_compact(
        actor=staff,
        title=f"A {layout} compact",
        vision="Work that is good for everyone.",
        party_names=("The Trust", "Our staff"),
        layout=layout,
    )
    version = compact.versions.get()
    trust, staff_party = version.parties.order_by("position")
    for party, text in ((trust, "Protect time to learn."), (staff_party, "Come ready to learn.")):
        fields = {"row": 1} if layout == Version.Layout.ROWS else {}
        compact_services.add_part(
            actor=staff, version=version, model=Commitment, party=party, text=text, **fields
        )
    return version, trust


@pytest.mark.parametrize("layout", [Version.Layout.PARTIES, Version.Layout.ROWS])
def test_a_leader_proposes_a_new_commitment_for_a_party_and_it_is_added_when_supported(staff, layout):
    version, trust = draft_without_themes(staff, layout)
    round = open_round(staff=staff, version=version)
    author, *voters = LeaderFactory.create_batch(3)
    new = services.propose(
        actor=author,
        round=round,
        kind=Proposal.Kind.NEW_COMMITMENT,
        party=trust,
        text="Publish our training budget every year.",
        rationale="Openness.",
    )
    for voter in voters:
        services.cast_vote(actor=voter, round=round, proposal=new, choice="support")
    services.close_round(round=round, actor=staff, reason="Test")
    draft = services.apply_results(actor=staff, round=round)
    added = draft.commitments.get(text="Publish our training budget every year.")
    assert added.theme is None and added.party.key == trust.key
    assert added.row == (2 if layout == Version.Layout.ROWS else None)


def test_the_propose_page_opens_for_a_party_alone_and_saves_the_proposal(client, staff, leader):
    version, trust = draft_without_themes(staff, Version.Layout.PARTIES)
    round = open_round(staff=staff, version=version)
    client.force_login(leader)
    url = reverse("consultation:propose", kwargs={"round_pk": round.pk}) + f"?kind=new&party={trust.pk}"
    page = client.get(url)
    assert page.status_code == 200 and "For The Trust." in page.content.decode()
    response = client.post(
        reverse("consultation:propose", kwargs={"round_pk": round.pk}),
        {"kind": "new", "party": trust.pk, "text": "Say thank you.", "rationale": "Small things count."},
    )
    assert response.status_code == 302
    assert Proposal.objects.get(round=round, kind="new").theme is None


def test_a_draft_with_themes_still_asks_for_a_theme(staff, leader):
    from tests.factories import draft_version

    version = draft_version(themes=1)
    round = open_round(staff=staff, version=version)
    with pytest.raises(DomainError, match="Choose a theme"):
        services.propose(
            actor=leader,
            round=round,
            kind=Proposal.Kind.NEW_COMMITMENT,
            party=version.parties.first(),
            text="Something new.",
            rationale="Why not.",
        )
