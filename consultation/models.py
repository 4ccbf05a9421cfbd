"""Consultation: leaders comment on a draft, propose other wording and vote; the tally is frozen.

A round is held on one draft version. Its questions are of two kinds:
- a *wording question* per commitment that has rewording proposals: which wording should stand
  (the current one or one proposal);
- a *proposal question* per new-commitment or removal proposal: support or oppose.

Votes are secret to everyone but the voter: nothing outside this module's tally reads who voted
for what, and the tally only ever counts.
"""

import re
from datetime import datetime, timedelta
from typing import Any, TypedDict

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from compact.models import fields_but_generation


def fingerprint(text: str) -> str:
    """Wording compared for duplicates: case, spacing and final punctuation do not make it new."""
    return re.sub(r"\s+", " ", text).strip().rstrip(".!;:").strip().casefold()


# How long an author may change what they wrote; after that everyone reads the same words.
PROPOSAL_EDIT_WINDOW = timedelta(minutes=15)
COMMENT_EDIT_WINDOW = timedelta(minutes=15)


class RoundQuerySet(models.QuerySet["Round"]):
    def open_now(self) -> "RoundQuerySet":
        now = timezone.now()
        return self.filter(status=Round.Status.OPEN, opens_at__lte=now, closes_at__gt=now)

    def not_finished(self) -> "RoundQuerySet":
        return self.filter(status__in=[Round.Status.SCHEDULED, Round.Status.OPEN])

    def bump_generation(self, *, round_id: int) -> None:
        """Something every reader of the round page sees changed (a proposal or comment saved,
        hidden or withdrawn, the round opened, closed or applied): its cached parts are stale.

        Called by each such service inside its transaction, so the number commits with the
        change or not at all; the round page caches its shared part under it
        (consultation.round_page)."""
        self.filter(pk=round_id).update(generation=F("generation") + 1)


class Round(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        APPLIED = "applied", "Results applied"
        # Closed before it ever opened: nobody took part, there are no results to apply, and the
        # draft is free for another round.
        CANCELLED = "cancelled", "Cancelled before it opened"

    class Participation(models.TextChoices):
        EVERY_LEADER = "everyone", "Every leader with a verified e-mail address"
        INVITED = "invited", "Only the leaders invited"

    version = models.ForeignKey("compact.Version", on_delete=models.PROTECT, related_name="rounds")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    participation = models.CharField(
        max_length=20, choices=Participation.choices, default=Participation.EVERY_LEADER
    )
    invited = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="invited_rounds")
    show_running_totals = models.BooleanField(
        default=False, help_text="Show vote totals while the round is open (otherwise only after it closes)."
    )
    accepting_proposals = models.BooleanField(
        default=True, help_text="Staff can stop new proposals while votes and comments go on."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_early_reason = models.TextField(blank=True)
    # Number of people who could take part, fixed at close: the denominator of turnout.
    eligible_count = models.PositiveIntegerField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    draft_created = models.OneToOneField(
        "compact.Version", null=True, blank=True, on_delete=models.PROTECT, related_name="created_by_round"
    )
    # E-mails go out at most once each; these record that they did.
    opening_notice_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    decision_notices_sent_at = models.DateTimeField(null=True, blank=True)
    # The scheduler's last failure on this round, shown to staff; cleared when a step succeeds.
    scheduler_error = models.TextField(blank=True)
    scheduler_failed_at = models.DateTimeField(null=True, blank=True)
    # Raised by every change to what all readers of the round page see (`bump_generation`).
    generation = models.PositiveBigIntegerField(default=1, editable=False)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="round_closes_after_opening"
            ),
            # One round at a time on a version: two open rounds would split its votes.
            models.UniqueConstraint(
                fields=["version"],
                condition=Q(status__in=["scheduled", "open", "closed"]),
                name="one_unfinished_round_per_version",
            ),
            models.CheckConstraint(
                condition=~Q(status="applied") | Q(applied_at__isnull=False),
                name="applied_round_has_applied_at",
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        kwargs["update_fields"] = fields_but_generation(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consultation:round", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        """Open by status *and* by the clock: a round past its closing time takes nothing more,
        even before the scheduler has caught up with it."""
        now = timezone.now()
        return self.status == self.Status.OPEN and self.opens_at <= now < self.closes_at

    @property
    def has_results(self) -> bool:
        return self.status in (self.Status.CLOSED, self.Status.APPLIED)

    @property
    def totals_visible(self) -> bool:
        return self.has_results or (self.status == self.Status.OPEN and self.show_running_totals)


class ProposalQuerySet(models.QuerySet["Proposal"]):
    def standing(self) -> "ProposalQuerySet":
        """Proposals that are questions in the round: not withdrawn by their authors."""
        return self.exclude(status=Proposal.Status.WITHDRAWN)


class Proposal(models.Model):
    class Kind(models.TextChoices):
        REWORDING = "rewording", "New wording for a commitment"
        NEW_COMMITMENT = "new", "A new commitment"
        REMOVAL = "removal", "Remove a commitment"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WITHDRAWN = "withdrawn", "Withdrawn"
        ACCEPTED = "accepted", "Accepted"
        NOT_TAKEN = "not_taken", "Not taken forward"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    commitment = models.ForeignKey(
        "compact.Commitment", null=True, blank=True, on_delete=models.PROTECT, related_name="proposals"
    )
    theme = models.ForeignKey(
        "compact.Theme", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    party = models.ForeignKey(
        "compact.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(blank=True)
    text_fingerprint = models.CharField(max_length=600, blank=True, editable=False)
    rationale = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProposalQuerySet.as_manager()

    # Set on proposals read for a round's pages, never stored: its wording marked against the
    # commitment's, and its wording votes so far.
    diff: str
    total: int

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="proposal_has_what_its_kind_needs",
                condition=(
                    Q(kind="rewording", commitment__isnull=False) & ~Q(text="")
                    # A new commitment names its party; its theme where the draft has themes.
                    | Q(kind="new", party__isnull=False, commitment__isnull=True) & ~Q(text="")
                    | Q(kind="removal", commitment__isnull=False, text="")
                ),
            ),
            # The same wording twice splits the vote; the second author is pointed to the first.
            models.UniqueConstraint(
                fields=["round", "commitment", "text_fingerprint"],
                condition=Q(kind="rewording") & ~Q(status__in=["withdrawn", "hidden"]),
                name="rewording_unique_per_commitment",
            ),
            models.UniqueConstraint(
                fields=["round", "theme", "party", "text_fingerprint"],
                condition=Q(kind="new") & ~Q(status__in=["withdrawn", "hidden"]),
                name="new_commitment_unique_per_column",
            ),
            models.UniqueConstraint(
                fields=["round", "commitment"],
                condition=Q(kind="removal") & ~Q(status__in=["withdrawn", "hidden"]),
                name="one_removal_proposal_per_commitment",
            ),
        ]

    def __str__(self) -> str:
        return f"Proposal #{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.text_fingerprint = fingerprint(self.text)[:600]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("consultation:proposal", kwargs={"round_pk": self.round_id, "pk": self.pk})

    @property
    def editable_until(self) -> datetime:
        """The wording may change for a short while after proposing, the same for everyone, so
        whether it can still change says nothing about whether anyone has voted on it."""
        return self.created_at + PROPOSAL_EDIT_WINDOW

    @property
    def is_editable_now(self) -> bool:
        return self.status == self.Status.OPEN and timezone.now() <= self.editable_until

    @property
    def is_support_question(self) -> bool:
        """New-commitment and removal proposals are voted on as support / oppose."""
        return self.kind in (self.Kind.NEW_COMMITMENT, self.Kind.REMOVAL)


class Vote(models.Model):
    """One leader's answer to one question of a round. Changeable until close; secret."""

    class Choice(models.TextChoices):
        CURRENT = "current", "Keep the current wording"
        PROPOSAL = "proposal", "The proposed wording"
        SUPPORT = "support", "Support"
        OPPOSE = "oppose", "Oppose"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The question: a commitment's wording, or a new-commitment/removal proposal.
    commitment = models.ForeignKey(
        "compact.Commitment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    question_proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.CASCADE, related_name="support_votes"
    )
    choice = models.CharField(max_length=20, choices=Choice.choices)
    # For a wording question answered with a proposal: which one.
    chosen_proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.CASCADE, related_name="wording_votes"
    )
    cast_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="vote_answers_exactly_one_question",
                condition=(
                    Q(commitment__isnull=False, question_proposal__isnull=True)
                    | Q(commitment__isnull=True, question_proposal__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="vote_choice_fits_its_question",
                condition=(
                    Q(commitment__isnull=False, choice="current", chosen_proposal__isnull=True)
                    | Q(commitment__isnull=False, choice="proposal", chosen_proposal__isnull=False)
                    | Q(
                        question_proposal__isnull=False,
                        choice__in=["support", "oppose"],
                        chosen_proposal__isnull=True,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["round", "voter", "commitment"],
                condition=Q(commitment__isnull=False),
                name="one_wording_vote_per_leader_per_commitment",
            ),
            models.UniqueConstraint(
                fields=["round", "voter", "question_proposal"],
                condition=Q(question_proposal__isnull=False),
                name="one_vote_per_leader_per_proposal",
            ),
        ]
        indexes = [models.Index(fields=["round", "voter"], name="vote_round_voter")]

    def __str__(self) -> str:
        # Never the voter: votes are secret.
        return f"Vote #{self.pk} in round {self.round_id}"


class Comment(models.Model):
    class Target(models.TextChoices):
        # Stored as "vision" (its first name); it means the compact as a whole.
        WHOLE_COMPACT = "vision", "The whole compact"
        THEME = "theme", "A theme"
        COMMITMENT = "commitment", "A commitment"
        PROPOSAL = "proposal", "A proposal"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="comments"
    )
    target = models.CharField(max_length=20, choices=Target.choices)
    theme = models.ForeignKey(
        "compact.Theme", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    commitment = models.ForeignKey(
        "compact.Commitment", null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(max_length=5000)
    # The sanitised rendering of `body`; the only form of it ever put on a page.
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.TextField(blank=True)
    # The author is told once per hiding; the reconciler sends it if the broker lost the task.
    hidden_notice_sent_at = models.DateTimeField(null=True, blank=True)

    # Set on top-level comments read for a page (`selectors.comment_threads`), never stored.
    thread_replies: "list[Comment]"

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="comment_target_matches_its_subject",
                condition=(
                    Q(target="vision", theme__isnull=True, commitment__isnull=True, proposal__isnull=True)
                    | Q(target="theme", theme__isnull=False, commitment__isnull=True, proposal__isnull=True)
                    | Q(
                        target="commitment",
                        theme__isnull=True,
                        commitment__isnull=False,
                        proposal__isnull=True,
                    )
                    | Q(
                        target="proposal", theme__isnull=True, commitment__isnull=True, proposal__isnull=False
                    )
                ),
            ),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""), name="hidden_comment_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["round", "target"], name="comment_round_target")]

    def __str__(self) -> str:
        return f"Comment #{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_visible(self) -> bool:
        return not (self.is_deleted or self.is_hidden)

    @property
    def is_editable_now(self) -> bool:
        return self.is_visible and timezone.now() - self.created_at <= COMMENT_EDIT_WINDOW

    def anchor(self) -> str:
        return f"comment-{self.pk}"

    def subject_url(self) -> str:
        """The page the comment is shown on: its commitment's, proposal's, theme's, or the round's
        discussion."""
        round_pk = self.round_id
        if self.target == Comment.Target.COMMITMENT:
            return reverse("consultation:commitment", kwargs={"round_pk": round_pk, "pk": self.commitment_id})
        if self.target == Comment.Target.PROPOSAL:
            return reverse("consultation:proposal", kwargs={"round_pk": round_pk, "pk": self.proposal_id})
        if self.target == Comment.Target.THEME:
            return reverse("consultation:theme", kwargs={"round_pk": round_pk, "theme_pk": self.theme_id})
        return reverse("consultation:discussion", kwargs={"round_pk": round_pk})

    def get_absolute_url(self) -> str:
        return f"{self.subject_url()}#{self.anchor()}"


class Report(models.Model):
    """Someone signed in thinks a comment breaks the rules; staff see it in the moderation queue."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_person_per_comment")
        ]

    def __str__(self) -> str:
        return f"Report on comment #{self.comment_id}"


class ResultOption(TypedDict):
    """One option of a frozen result, as `Result.options` stores it."""

    option: str  # "current", "proposal:<id>", "support" or "oppose"
    label: str  # the wording, or "Support" / "Oppose"
    count: int
    share: float  # of the votes cast on this question, to four places


class Result(models.Model):
    """The frozen tally of one question of a closed round, and staff's decision on it."""

    class Decision(models.TextChoices):
        UNDECIDED = "", "Not reviewed yet"
        ACCEPT = "accept", "Accept the leading option"
        OVERRIDE = "override", "Staff override"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="results")
    commitment = models.ForeignKey(
        "compact.Commitment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="results"
    )
    position = models.PositiveIntegerField(default=0)
    # [ResultOption, …]: {"option": "current" | "proposal:<id>" | "support" | "oppose", "label": …,
    # "count": n, "share": 0.42}
    options = models.JSONField(default=list)
    total_votes = models.PositiveIntegerField(default=0)
    turnout = models.FloatField(default=0)
    leading_option = models.CharField(max_length=40, blank=True)
    is_tie = models.BooleanField(default=False)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True, default="")
    chosen_option = models.CharField(max_length=40, blank=True)
    override_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                name="result_is_for_exactly_one_question",
                condition=Q(commitment__isnull=False, proposal__isnull=True)
                | Q(commitment__isnull=True, proposal__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["round", "commitment"],
                condition=Q(commitment__isnull=False),
                name="one_result_per_commitment",
            ),
            models.UniqueConstraint(
                fields=["round", "proposal"],
                condition=Q(proposal__isnull=False),
                name="one_result_per_proposal",
            ),
            models.CheckConstraint(
                condition=~Q(decision="override") | ~Q(override_reason=""), name="override_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"Result {self.position} of round {self.round_id}"

    def option(self, key: str) -> ResultOption | None:
        options: list[ResultOption] = self.options
        return next((option for option in options if option["option"] == key), None)


class ChangeLogEntry(models.Model):
    """Why the draft made from a round's results reads as it does: one line per question."""

    version = models.ForeignKey("compact.Version", on_delete=models.CASCADE, related_name="change_log")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="change_log")
    result = models.OneToOneField(Result, null=True, on_delete=models.SET_NULL, related_name="change")
    commitment_key = models.UUIDField(null=True, blank=True)
    proposal = models.ForeignKey(Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.TextField()
    changed_text = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "change log entries"

    def __str__(self) -> str:
        return self.summary
