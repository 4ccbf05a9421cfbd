"""A wording that changes most words is shown whole, one above the other with the current one,
with the word diff a click away; a light edit stays one word diff."""

import pytest
from django.urls import reverse

from consultation import services
from consultation.models import Proposal
from core.text import changed_share, mostly_rewritten
from tests.factories import LeaderFactory

pytestmark = pytest.mark.django_db


def test_the_share_of_words_changed_counts_words_kept_in_order():
    assert changed_share("We will listen first.", "We will listen first.") == 0
    assert changed_share("We will listen first.", "We will listen, then act.") == pytest.approx(0.6)
    assert not mostly_rewritten("We will protect time for leaders.", "We will protect time for all leaders.")
    assert mostly_rewritten(
        "We will protect time for leaders.", "Leaders get funded development days every year."
    )


def propose(round, commitment, text):
    return services.propose(
        actor=LeaderFactory(),
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text=text,
        rationale="Because.",
    )


def test_a_rewrite_shows_both_wordings_whole_and_the_diff_in_a_details(client, round, commitment):
    rewrite = propose(
        round, commitment, "Leaders get funded development days every single year, without fail."
    )
    edit = propose(round, commitment, commitment.text.rstrip(".") + " together.")
    page = client.get(
        reverse("consultation:commitment", kwargs={"round_pk": round.pk, "pk": commitment.pk})
    ).content.decode()
    assert f"Show proposal #{rewrite.pk}’s changes word by word" in page
    assert f"Show proposal #{edit.pk}’s changes word by word" not in page
    proposal_page = client.get(rewrite.get_absolute_url()).content.decode()
    assert "Show the changes word by word" in proposal_page
    assert "Leaders get funded development days every single year, without fail." in proposal_page
    round_page = client.get(round.get_absolute_url()).content.decode()
    assert "Proposed wording (most words changed)" in round_page


def test_the_change_log_quotes_a_long_commitment_cut_at_a_word():
    from consultation.services.results import _quote

    text = (
        "We will give leaders the protected time, space and resources to develop themselves and their teams."
    )
    quoted = _quote(text)
    assert quoted.endswith("…”") and len(quoted) <= 62
    assert text.startswith(quoted[1:-2]) and text[len(quoted) - 3] == " "
