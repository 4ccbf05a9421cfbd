"""A closed round's totals as bar charts: on the results page, on each question's page and in the
PDF's change log. The figures drawn are read back from the SVG and compared with the tally, and
with the table beside each chart; a reader who may not see the totals sees no chart."""

import io
import re

import pytest
from django.urls import reverse
from lxml import html
from pypdf import PdfReader

from compact import pdf, verification
from compact import services as compact_services
from consultation import selectors, services
from consultation.models import Proposal, Result, Round, Vote
from tests.charts import bar_figures, chart_text
from tests.factories import LeaderFactory, draft_version

from .factories import open_round

pytestmark = pytest.mark.django_db

WORDING_A = "We will protect time for every leader’s development – and say so in their job plan."
WORDING_B = "We will “listen first” & act on what <staff> tell us."
NEW_TEXT = "We will publish what we heard — every quarter, in plain words & figures."


def vote(round, n, **kwargs):
    for _ in range(n):
        services.cast_vote(actor=LeaderFactory(), round=round, **kwargs)


def consulted(round):
    """A round with realistic votes: a commitment with two rewordings (9 votes), a new commitment
    (6 votes) and a commitment nobody proposed changing."""
    first, *_ = round.version.commitments.order_by("theme__position", "party__position", "position")
    a = services.propose(
        actor=LeaderFactory(full_name="Siân O’Connor"),
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=first,
        text=WORDING_A,
        rationale="Time, not words.",
    )
    b = services.propose(
        actor=LeaderFactory(full_name="Tomás <Reyes> & Co"),
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=first,
        text=WORDING_B,
        rationale="Listening “first”.",
    )
    new = services.propose(
        actor=LeaderFactory(full_name="Ada Lovelace"),
        round=round,
        kind=Proposal.Kind.NEW_COMMITMENT,
        theme=first.theme,
        party=first.party,
        text=NEW_TEXT,
        rationale="Openness.",
    )
    vote(round, 3, commitment=first, choice=Vote.Choice.CURRENT)
    vote(round, 5, commitment=first, choice=a)
    vote(round, 1, commitment=first, choice=b)
    vote(round, 4, proposal=new, choice=Vote.Choice.SUPPORT)
    vote(round, 2, proposal=new, choice=Vote.Choice.OPPOSE)
    return first, a, b, new


@pytest.fixture
def closed(staff):
    round = open_round(staff=staff)
    first, a, b, new = consulted(round)
    services.close_round(round=round, actor=staff, reason="The board meets early – 3 March.")
    round.refresh_from_db()
    return round, first, a, b, new


def tally(round):
    """Each question's counts as the frozen results hold them, by chart id."""
    return {
        f"question-{result.position}": [option["count"] for option in result.options]
        for result in selectors.results_for(round)
    }


def table_beside(page, chart_id):
    """(option, votes, share) for each row of the table beside the chart."""
    tree = html.fromstring(page)
    figures = tree.xpath(
        f'//div[contains(@class, "app-result-figures")][.//title[@id="{chart_id}-title"]]//table//tbody/tr'
    )
    return [
        (
            row.xpath("./th")[0].text_content(),
            int(row.xpath("./td")[0].text_content()),
            row.xpath("./td")[1].text_content(),
        )
        for row in figures
    ]


def shares_drawn(page, chart_id):
    return re.findall(r"votes?, (\d+)%", chart_text(page, chart_id))


def test_the_results_page_draws_each_question_with_the_tallys_figures_and_the_table_agrees(client, closed):
    round, first, a, b, new = closed
    page = client.get(reverse("consultation:results", kwargs={"round_pk": round.pk})).content.decode()
    counted = tally(round)
    drawn = {chart_id: bar_figures(page, chart_id) for chart_id in counted if counted[chart_id] != [0]}
    # The tally, and the votes as cast: 3 for the current wording, 5 and 1 for the proposals.
    wording, support = selectors.vote_totals(round)
    for chart_id, values in counted.items():
        if sum(values):
            assert [value for _, value in drawn[chart_id]] == values
            rows = table_beside(page, chart_id)
            assert [votes for _, votes, _ in rows] == values
            assert [share.rstrip("%") for _, _, share in rows] == shares_drawn(page, chart_id)
    wording_chart = next(figures for figures in drawn.values() if len(figures) == 3)
    assert wording_chart == [
        ("Keep the current wording", wording[(first.pk, None)]),
        (
            f"Proposal #{a.pk}: “We will protect time for every leader’s development…” — most votes",
            wording[(first.pk, a.pk)],
        ),
        (f"Proposal #{b.pk}: “We will “listen first” & act on what…”", wording[(first.pk, b.pk)]),
    ]
    support_chart = next(figures for figures in drawn.values() if len(figures) == 2 and figures[0][1] == 4)
    assert support_chart == [
        ("Support: add it — most votes", support[(new.pk, "support")]),
        ("Oppose: do not add it", support[(new.pk, "oppose")]),
    ]
    assert "5 votes, 56%" in page and "4 votes, 67%" in page
    # Escaped once: the author's angle brackets are text, in the drawing and the table.
    assert "&lt;staff&gt;" in page and "<staff>" not in page


def test_the_option_that_stands_is_drawn_darker_and_says_chosen_in_words(client, staff, closed):
    round, first, a, b, new = closed
    wording = round.results.get(commitment=first)
    services.apply_results(
        actor=staff,
        round=round,
        decisions={wording.pk: (Result.Decision.OVERRIDE, "current", "Legal advice on “job plans”.")},
    )
    page = client.get(reverse("consultation:results", kwargs={"round_pk": round.pk})).content.decode()
    labels = [label for label, _ in bar_figures(page, f"question-{wording.position}")]
    assert labels[0] == "Keep the current wording — chosen"
    assert labels[1].endswith("— most votes")
    tree = html.fromstring(page)
    bold = tree.xpath(f'//svg[.//title[@id="question-{wording.position}-title"]]//text[@font-weight="bold"]')
    assert [t.text_content() for t in bold] == ["Keep the current wording — chosen"]
    assert "Chosen" in table_beside(page, f"question-{wording.position}")[0][0]


def test_each_question_page_draws_its_outcome_with_the_tallys_figures(client, closed):
    round, first, a, b, new = closed
    counted = tally(round)
    wording = round.results.get(commitment=first)
    supported = round.results.get(proposal=new)
    client.force_login(LeaderFactory())
    page = client.get(
        reverse("consultation:commitment", kwargs={"round_pk": round.pk, "pk": first.pk})
    ).content.decode()
    chart_id = f"question-{wording.position}"
    assert [value for _, value in bar_figures(page, chart_id)] == counted[chart_id] == [3, 5, 1]
    assert [votes for _, votes, _ in table_beside(page, chart_id)] == [3, 5, 1]
    assert "Votes at close" in page

    page = client.get(new.get_absolute_url()).content.decode()
    chart_id = f"question-{supported.position}"
    assert [value for _, value in bar_figures(page, chart_id)] == counted[chart_id] == [4, 2]
    assert [(o, v, s) for o, v, s in table_beside(page, chart_id)] == [
        ("Support: add it Most votes", 4, "67%"),
        ("Oppose: do not add it", 2, "33%"),
    ]


def test_a_question_nobody_voted_on_has_a_table_of_noughts_and_no_drawing(client, staff):
    round = open_round(staff=staff)
    first = round.version.commitments.order_by("pk").first()
    services.propose(
        actor=LeaderFactory(),
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=first,
        text="Nobody will vote on this.",
        rationale="Quiet.",
    )
    services.close_round(round=round, actor=staff, reason="Nobody came.")
    page = client.get(reverse("consultation:results", kwargs={"round_pk": round.pk})).content.decode()
    assert "app-chart--bars" not in page
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">0</td>' in page


def test_a_reader_who_may_not_see_the_totals_sees_no_chart(client, staff):
    invited = LeaderFactory()
    round = open_round(staff=staff, participation=Round.Participation.INVITED, invited=[invited])
    first = round.version.commitments.order_by("pk").first()
    proposal = services.propose(
        actor=invited,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=first,
        text="We will listen – then act.",
        rationale="Plainer.",
    )
    services.cast_vote(actor=invited, round=round, commitment=first, choice=proposal)
    services.close_round(round=round, actor=staff, reason="Done.")
    url = reverse("consultation:commitment", kwargs={"round_pk": round.pk, "pk": first.pk})
    position = round.results.get(commitment=first).position

    for outsider in (None, LeaderFactory()):
        if outsider is not None:
            client.force_login(outsider)
        page = client.get(url).content.decode()
        assert (
            "app-chart" not in page and "Votes at close" not in page and "Most leaders voted for" not in page
        )
        assert "Only the leaders invited to this round, and academy staff, see its votes." in page

    client.force_login(invited)
    page = client.get(url).content.decode()
    assert bar_figures(page, f"question-{position}") == [
        ("Keep the current wording", 0),
        (f"Proposal #{proposal.pk}: “We will listen – then act.” — most votes", 1),
    ]


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return reader, re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def figures_alt_texts(content):
    import pikepdf

    with pikepdf.open(io.BytesIO(content)) as document:
        return [
            str(item.get("/Alt"))
            for item in document.objects
            if isinstance(item, pikepdf.Dictionary) and item.get("/S") == pikepdf.Name("/Figure")
        ]


def test_the_pdf_draws_the_votes_its_change_log_cites_and_still_verifies(client, staff, settings):
    settings.VERIFY_READ_SECONDS = 60  # a busy machine must not make a genuine PDF read as too costly
    version = draft_version()
    round = open_round(staff=staff, version=version)
    first, a, b, new = consulted(round)
    services.close_round(round=round, actor=staff, reason="The board meets early – 3 March.")
    draft = services.apply_results(actor=staff, round=round)
    compact_services.ratify(actor=staff, version=draft)
    published = compact_services.publish(actor=staff, version=draft, note="With leaders’ words.")

    content = pdf.render(published)
    _, text = pdf_text(content)
    assert "How this version came about" in text
    for entry in published.change_log.all():
        assert entry.summary in text
    assert "5 votes, 56%" in text and "3 votes, 33%" in text and "1 vote, 11%" in text
    assert "4 votes, 67%" in text and "2 votes, 33%" in text
    # Tagged as figures whose alternative text gives every figure.
    alts = figures_alt_texts(content)
    assert len(alts) == 2
    assert any("Keep the current wording, 3 (33%)" in alt and "Proposal #" in alt for alt in alts)
    assert any("Support: add it, 4 (67%)" in alt for alt in alts)
    # The change log and its charts are part of the sealed pages: the copy is genuine.
    # A fresh rendering, not a file the site issued: its words match the version it names.
    check = verification.check_pdf(content)
    assert check.text_matches and check.findings


def test_the_pdf_does_not_draw_the_votes_of_a_round_for_invited_leaders(staff):
    version = draft_version()
    invited = LeaderFactory.create_batch(3)
    round = open_round(
        staff=staff, version=version, participation=Round.Participation.INVITED, invited=invited
    )
    first = version.commitments.order_by("pk").first()
    proposal = services.propose(
        actor=invited[0],
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=first,
        text="We will listen – then act.",
        rationale="Plainer.",
    )
    for leader in invited:
        services.cast_vote(actor=leader, round=round, commitment=first, choice=proposal)
    services.close_round(round=round, actor=staff, reason="Done.")
    draft = services.apply_results(actor=staff, round=round)
    _, text = pdf_text(pdf.render(draft, draft=True))
    assert "How this version came about" in text and "3 of 3 votes" in text
    assert "3 votes, 100%" not in text
