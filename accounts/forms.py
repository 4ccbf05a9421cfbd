from django import forms

from .models import User


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up: a leader's words are shown with their name and role."""

    full_name = forms.CharField(
        label="Full name", max_length=150, strip=True, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    job_title = forms.CharField(
        label="Job title",
        max_length=150,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    organisation_name = forms.CharField(
        label="Organisation",
        max_length=200,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.job_title = self.cleaned_data["job_title"]
        user.organisation_name = self.cleaned_data["organisation_name"]
        user.save(update_fields=["full_name", "job_title", "organisation_name"])


# The kinds of role as a leader chooses among them: each with examples, since "senior leader"
# means different things in different places; charts use the model's short labels.
ROLE_EXAMPLES = {
    User.LeadershipRole.BOARD: "chair, chief executive, executive or non-executive director",
    User.LeadershipRole.SENIOR: "director, deputy director, head of service",
    User.LeadershipRole.CLINICAL: "clinical director, lead nurse, lead allied health professional",
    User.LeadershipRole.MANAGER: "service, ward or practice manager, team leader",
}


def _role_choices() -> list[tuple[str, str]]:
    choices = [
        (role.value, f"{role.label} ({ROLE_EXAMPLES[role]})" if role in ROLE_EXAMPLES else role.label)
        for role in User.LeadershipRole
    ]
    return [*choices, ("", "I would rather not say")]


class ProfileForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150, strip=True)
    job_title = forms.CharField(label="Job title", max_length=150, strip=True)
    organisation_name = forms.CharField(label="Organisation", max_length=200, strip=True)
    leadership_role = forms.ChoiceField(
        label="Kind of role (optional)",
        choices=_role_choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=(
            "Staff count how many leaders of each kind take part in a consultation, in groups of "
            "5 or more and never who. It is not shown beside what you write."
        ),
    )
