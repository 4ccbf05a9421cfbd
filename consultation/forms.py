from django import forms
from django.contrib.auth import get_user_model

from .models import Comment, Proposal, Round
from .services import MAX_COMMENT_LENGTH, MAX_PROPOSAL_LENGTH, MAX_RATIONALE_LENGTH


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class RoundForm(forms.Form):
    title = forms.CharField(
        label="Title of the round",
        max_length=200,
        error_messages={"required": "Enter a title for the round."},
    )
    description = forms.CharField(
        label="What you are asking leaders", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    opens_at = forms.DateTimeField(
        label="Opens at",
        widget=DateTimeInput(),
        # The browser's own picker shows the time in its own way (24- or 12-hour), so no
        # example format here: only which clock it is.
        help_text="UK time.",
        error_messages={
            "required": "Enter when the round opens.",
            "invalid": "Enter the opening date and time.",
        },
    )
    closes_at = forms.DateTimeField(
        label="Closes at",
        widget=DateTimeInput(),
        error_messages={
            "required": "Enter when the round closes.",
            "invalid": "Enter the closing date and time.",
        },
    )
    participation = forms.ChoiceField(
        label="Who may take part",
        choices=Round.Participation.choices,
        widget=forms.RadioSelect,
        initial=Round.Participation.EVERY_LEADER,
    )
    invited_emails = forms.CharField(
        label="Invited leaders",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One e-mail address per line. Each must belong to a registered leader.",
    )
    show_running_totals = forms.BooleanField(
        label="Show vote totals while the round is open",
        required=False,
        help_text="Otherwise totals appear only after the round closes.",
    )

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "The closing time must be after the opening time.")
        emails = [
            line.strip().lower() for line in cleaned.get("invited_emails", "").splitlines() if line.strip()
        ]
        people = list(get_user_model().objects.filter(email__in=emails))
        unknown = sorted(set(emails) - {person.email.lower() for person in people})
        if unknown:
            self.add_error("invited_emails", "No leader is registered with: " + ", ".join(unknown))
        if cleaned.get("participation") == Round.Participation.INVITED and not emails:
            self.add_error("invited_emails", "Enter at least one e-mail address for an invited round.")
        cleaned["invited"] = people
        return cleaned


class CloseRoundForm(forms.Form):
    reason = forms.CharField(
        label="Why are you closing the round early?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Leaders see this on the round page.",
        error_messages={"required": "Give the reason for closing the round early; leaders will see it."},
    )


class ProposalForm(forms.Form):
    text = forms.CharField(
        label="Your wording",
        max_length=MAX_PROPOSAL_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        error_messages={"required": "Enter the wording you propose."},
    )
    rationale = forms.CharField(
        label="Why this change?",
        max_length=MAX_RATIONALE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Other leaders read this when they vote.",
        error_messages={"required": "Say why you propose this change."},
    )

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == Proposal.Kind.REMOVAL:
            del self.fields["text"]
            self.fields["rationale"].label = "Why should this commitment be removed?"
            self.fields["rationale"].error_messages["required"] = "Say why this commitment should be removed."
        else:
            self.fields["text"].required = True
            if kind == Proposal.Kind.NEW_COMMITMENT:
                self.fields["text"].label = "The new commitment"
                self.fields["text"].error_messages["required"] = "Enter the new commitment."


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Plain text. You can use *emphasis*, **bold**, lists and links. Your name, role and organisation are shown.",
        error_messages={"required": "Enter your comment."},
    )
    target = forms.ChoiceField(choices=Comment.Target.choices, widget=forms.HiddenInput)
    subject = forms.IntegerField(required=False, widget=forms.HiddenInput)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason."},
    )
