"""Results in plain words, for the results page and the page where staff apply them.

A frozen result stores its options as keys ("current", "proposal:<id>", "support", "oppose").
Templates never parse those: this module turns each question into what a person would say —
which proposal, by whom, its wording against the current wording, votes and share — and checks
the staff's decisions field by field, so each problem can be shown beside the field it is about.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from compact.models import Commitment, Version
from core.charts import BarChart, bar_chart
from core.text import word_diff

from .models import Proposal, Result, Round, Vote
from .selectors import default_choice, results_for, results_readable_by

PROPOSAL_PREFIX = "proposal:"


@dataclass
class OptionView:
    key: str
    label: str  # what the option is, in words: "Keep the current wording", "Proposal #4 by …"
    count: int
    percent: int
    leading: bool
    wording: str = ""  # the wording this option would give, when it is a wording
    diff: str = ""  # that wording marked against the current wording
    chosen: bool = False  # the option that stands, once staff have applied the results


@dataclass
class QuestionView:
    result: Result
    position: int
    heading: str
    context: str  # where in the compact: "Creating the right environment: What The Academy will do"
    current_text: str
    options: list[OptionView]
    total_votes: int
    turnout_percent: int
    is_tie: bool
    # What accepting gives: the leading option, or the status quo when nobody voted.
    accept_label: str = ""
    # The form's state: submitted values, or the defaults.
    decision: str = ""
    chosen_option: str = ""
    reason: str = ""
    errors: dict[str, str] = field(
        default_factory=dict
    )  # field name ("decision", "option", "reason") → message
    # Unique on the page: "question-3"; the PDF, which prints several rounds, adds the round.
    chart_id: str = ""

    @property
    def pk(self) -> int:
        return self.result.pk

    @property
    def overriding(self) -> bool:
        return self.decision == Result.Decision.OVERRIDE

    @property
    def chosen_label(self) -> str:
        option = next((o for o in self.options if o.key == self.chosen_option), None)
        return option.label if option else ""

    @cached_property
    def chart(self) -> BarChart:
        """The totals as bars, for the results page and the question's own page."""
        return question_chart(self, id=self.chart_id, title=f"Question {self.position}: votes at close")


def question_chart(question: QuestionView, *, id: str, title: str) -> BarChart:
    """A question's totals as bars, one per option in the results' order. Each bar is named in
    words ("Keep the current wording", "Proposal #12: “We will…”", "Support: add it"); the option
    that stands once the results are applied, or else the one most voted for, is drawn darker and
    says so in words ("— chosen", "— most votes"). The description gives every figure, for a
    reader who cannot see the drawing."""
    options = question.options
    emphasised = next((i for i, o in enumerate(options) if o.chosen), None)
    if emphasised is None:
        emphasised = next((i for i, o in enumerate(options) if o.leading), None)
    suffixes: dict[int, str] = {}
    for index, option in enumerate(options):
        if option.chosen:
            suffixes[index] = "— chosen"
        elif option.leading:
            suffixes[index] = "— most votes"
    total = question.total_votes
    return bar_chart(
        id=id,
        title=title,
        description=f"{total} vote{'' if total == 1 else 's'} in all. "
        + " ".join(f"{o.label}: {o.count} ({o.percent}%)." for o in options),
        items=[(_bar_label(option), option.count) for option in options],
        emphasise=[] if emphasised is None else [emphasised],
        suffixes=suffixes,
    )


@dataclass(frozen=True)
class PrintedChange:
    """One line of a version's change log as the PDF prints it, with the votes it cites drawn."""

    summary: str
    chart: BarChart | None


def printed_change_log(*, version: Version) -> list[PrintedChange]:
    """Why a version reads as it does, line by line, for its PDF: each line with the chart of the
    votes behind it, where there were votes and the round's results are open data (a round for
    invited leaders keeps its totals to them, `selectors.results_readable_by`, and the PDF is
    public). One query, and two or so for each round whose results are drawn (`questions`)."""
    entries = list(version.change_log.select_related("round"))
    rounds = {entry.round_id: entry.round for entry in entries}
    drawn: dict[int, QuestionView] = {}
    for round in rounds.values():
        if results_readable_by(round=round, user=None):
            drawn.update((question.pk, question) for question in questions(round, results_for(round)))
    printed = []
    for entry in entries:
        question = drawn.get(entry.result_id) if entry.result_id else None
        chart = None
        if question is not None and question.total_votes:
            chart = question_chart(
                question,
                id=f"round-{entry.round_id}-question-{question.position}",
                title=f"Votes at close on question {question.position} of “{entry.round.title}”: "
                + "; ".join(f"{o.label}, {o.count} ({o.percent}%)" for o in question.options),
            )
        printed.append(PrintedChange(summary=entry.summary, chart=chart))
    return printed


@dataclass
class Outcome:
    """A closed round's answer to one question, for the pages leaders voted on: the totals, what
    staff decided and why, and (once the results are applied) what stands."""

    question: QuestionView
    applied: bool
    decision: str  # what staff decided, in a sentence ("" until they apply the results)
    reason: str  # staff's reason, when they did not simply accept the leading option
    adopted: str  # what stands, in a sentence ("" until applied)
    adopted_wording: str  # the wording that stands, when the question was about a wording
    leading_label: str  # the option most voted for ("" when nobody voted or a tie)


def outcome(*, round: Round, result: Result) -> Outcome:
    """The outcome of one question, in words (two queries, as `questions`)."""
    question = questions(round, [result])[0]
    labels = {option.key: option.label for option in question.options}
    leading = labels.get(result.leading_option, "") if result.leading_option else ""
    applied = round.status == Round.Status.APPLIED and bool(result.decision)
    if not applied:
        return Outcome(question, False, "", "", "", "", leading)
    chosen = result.chosen_option
    if result.decision == Result.Decision.OVERRIDE:
        decision = (
            "The vote was tied, so academy staff chose which option stands."
            if result.is_tie
            else "Academy staff chose an option other than the one most leaders voted for."
        )
        reason = result.override_reason
    elif result.leading_option:
        decision, reason = "Academy staff accepted the option most leaders voted for.", ""
    else:
        decision, reason = "Nobody voted, so things stay as they were.", ""
    wording = ""
    if result.commitment_id:
        option = next((o for o in question.options if o.key == chosen), None)
        wording = question.current_text if chosen == "current" else (option.wording if option else "")
        adopted = (
            "The current wording stands."
            if chosen == "current"
            else f"{labels.get(chosen, 'A proposal')} is adopted."
        )
    else:
        proposal = result.proposal
        adding = proposal is not None and proposal.kind == Proposal.Kind.NEW_COMMITMENT
        if chosen == Vote.Choice.SUPPORT:
            adopted = "The new commitment is added." if adding else "The commitment is removed."
            wording = proposal.text if adding and proposal is not None else ""
        else:
            adopted = "The new commitment is not added." if adding else "The commitment stays."
    return Outcome(question, True, decision, reason, adopted, wording, leading)


def vote_label(vote: Vote | None) -> str:
    """A person's own vote, as they would say it: "keep the current wording", "proposal #4"."""
    if vote is None:
        return ""
    if vote.chosen_proposal_id:
        return f"proposal #{vote.chosen_proposal_id}"
    return vote.get_choice_display().lower()


def _percent(share: float | None) -> int:
    return round(100 * (share or 0))


def _percent_of(count: int, total: int) -> int:
    """A count's share of the votes, as the chart writes it on its bar (core.charts): from the
    counts themselves, not from the stored share (rounded to four places), so the two never differ."""
    return round(100 * count / total) if total else 0


def _bar_label(option: OptionView) -> str:
    """An option named on its bar: a proposed wording by its number and its first words."""
    if option.key.startswith(PROPOSAL_PREFIX) and option.wording:
        number = option.key.removeprefix(PROPOSAL_PREFIX)
        return f"Proposal #{number}: “{_short(option.wording, words=8)}”"
    return option.label


def _proposal_name(proposal: Proposal) -> str:
    author = (
        proposal.author.display_name if proposal.author_id and proposal.author else "a former participant"
    )
    return f"Proposal #{proposal.pk} by {author}"


def questions(round: Round, results: Sequence[Result]) -> list[QuestionView]:
    """One QuestionView per result, in two queries whatever the number of proposals."""
    proposal_ids = {
        int(option["option"].removeprefix(PROPOSAL_PREFIX))
        for result in results
        for option in result.options
        if option["option"].startswith(PROPOSAL_PREFIX)
    } | {result.proposal_id for result in results if result.proposal_id}
    found = Proposal.objects.filter(round=round, pk__in=proposal_ids).select_related("author")
    proposals = {proposal.pk: proposal for proposal in found}
    return [_question(result, proposals) for result in results]


def _question(result: Result, proposals: Mapping[int, Proposal]) -> QuestionView:
    where: Commitment | Proposal
    commitment = result.commitment if result.commitment_id else None
    if commitment is not None:
        current = commitment.text
        heading = f"Which wording of “{_short(current)}” should stand?"
        labels = {"current": "Keep the current wording"}
        wordings = {"current": current}
        for option in result.options:
            if option["option"].startswith(PROPOSAL_PREFIX):
                proposal = proposals.get(int(option["option"].removeprefix(PROPOSAL_PREFIX)))
                labels[option["option"]] = _proposal_name(proposal) if proposal else "A withdrawn proposal"
                wordings[option["option"]] = option["label"]
        where = commitment
    else:
        proposal = (proposals.get(result.proposal_id) if result.proposal_id else None) or result.proposal
        if proposal is None:
            raise ValueError(f"Result {result.pk} is about neither a commitment nor a proposal.")
        if proposal.kind == Proposal.Kind.NEW_COMMITMENT:
            current = ""
            heading = f"{_proposal_name(proposal)}: add a new commitment"
            labels = {Vote.Choice.SUPPORT: "Support: add it", Vote.Choice.OPPOSE: "Oppose: do not add it"}
            wordings = {Vote.Choice.SUPPORT: proposal.text}
            where = proposal
        else:
            removed = proposal.commitment
            if removed is None:
                raise ValueError(f"Removal proposal {proposal.pk} names no commitment.")
            current = removed.text
            heading = f"{_proposal_name(proposal)}: remove “{_short(current)}”"
            labels = {Vote.Choice.SUPPORT: "Support: remove it", Vote.Choice.OPPOSE: "Oppose: keep it"}
            wordings = {}
            where = removed
    options = []
    for option in result.options:
        key = option["option"]
        wording = wordings.get(key, "")
        options.append(
            OptionView(
                key=key,
                label=labels.get(key, option["label"]),
                count=option["count"],
                percent=_percent_of(option["count"], result.total_votes),
                leading=key == result.leading_option,
                chosen=bool(result.decision) and key == result.chosen_option,
                wording=wording,
                diff=word_diff(current, wording) if current and wording and wording != current else "",
            )
        )
    question = QuestionView(
        result=result,
        position=result.position,
        heading=heading,
        context=_context(where),
        current_text=current,
        options=options,
        total_votes=result.total_votes,
        turnout_percent=_percent(result.turnout),
        is_tie=result.is_tie,
        chart_id=f"question-{result.position}",
    )
    default = default_choice(result)
    default_label = labels.get(default, "")
    if result.leading_option:
        question.accept_label = f"Accept the leaders’ choice: {default_label}"
    elif not result.is_tie:
        question.accept_label = f"Accept: nobody voted, so the status quo stands ({default_label.lower()})"
    question.decision = Result.Decision.OVERRIDE if result.is_tie else Result.Decision.ACCEPT
    question.chosen_option = default
    return question


def _context(where: Commitment | Proposal) -> str:
    """Where in the compact: a compact laid out without themes has no theme to name."""
    # The party's own column heading ("What The Academy and national bodies will do"): a
    # sentence made from its name ("what … commits to") reads wrongly for a plural name.
    party = where.party.column_heading if where.party is not None else ""
    if where.theme is None:
        return party
    return f"{where.theme.title}: {party}" if party else where.theme.title


def _short(text: str, words: int = 14) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def read_decisions(
    questions: Iterable[QuestionView], data: Mapping[str, Any]
) -> tuple[dict[int, tuple[str, str, str]], bool]:
    """Take each question's decision from a submitted form and check it, field by field.

    Returns the decisions in the form `services.apply_results` takes, and whether all are
    complete. The service checks again: this is so each problem is shown beside its field."""
    # `data` is the submitted form (request.POST).
    decisions: dict[int, tuple[str, str, str]] = {}
    complete = True
    for question in questions:
        pk = question.pk
        # As the service does, a question sent without a decision is accepted (unless it is a tie).
        decision = data.get(f"decision-{pk}", "" if question.is_tie else Result.Decision.ACCEPT)
        question.decision = decision
        question.chosen_option = data.get(f"option-{pk}", "")
        question.reason = data.get(f"reason-{pk}", "").strip()
        question.errors = {}
        if decision == Result.Decision.OVERRIDE:
            if question.chosen_option not in {option.key for option in question.options}:
                question.errors["option"] = (
                    f"Question {question.position}: choose the option that should stand."
                )
            if not question.reason and question.is_tie:
                # A tie has no leaders' choice to override: staff choose, and say why.
                question.errors["reason"] = (
                    f"Question {question.position} is a tie: say why the option you chose should stand."
                )
            elif not question.reason:
                question.errors["reason"] = (
                    f"Question {question.position}: give the reason for overriding the leaders’ choice."
                )
        elif decision == Result.Decision.ACCEPT and not question.is_tie:
            question.chosen_option = default_choice(question.result)
        elif question.is_tie:
            question.errors["decision"] = (
                f"Question {question.position} is a tie: choose which option stands and say why."
            )
        else:
            question.errors["decision"] = (
                f"Question {question.position}: accept the leaders’ choice or override it."
            )
        complete = complete and not question.errors
        decisions[pk] = (
            Result.Decision.OVERRIDE if decision == Result.Decision.OVERRIDE else Result.Decision.ACCEPT,
            question.chosen_option,
            question.reason,
        )
    return decisions, complete


def error_links(questions: Iterable[QuestionView]) -> list[dict[str, str]]:
    """The error summary's entries: each names its question and links to its field."""
    anchors = {"decision": "decision-{pk}-override", "option": "option-{pk}", "reason": "reason-{pk}"}
    return [
        {"href": "#" + anchors[name].format(pk=question.pk), "text": message}
        for question in questions
        for name, message in question.errors.items()
    ]
