from django import forms


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


class ProfileForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150, strip=True)
    job_title = forms.CharField(label="Job title", max_length=150, strip=True)
    organisation_name = forms.CharField(label="Organisation", max_length=200, strip=True)
