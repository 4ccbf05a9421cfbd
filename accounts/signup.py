"""allauth's sign-in and sign-up forms, adjusted.

Kept apart from accounts.forms: allauth builds its sign-up form on ACCOUNT_SIGNUP_FORM_CLASS from
that module, so that module cannot import allauth's forms.
"""

from allauth.account import forms as allauth_forms
from django.contrib.auth.hashers import make_password


class WithoutPlaceholders:
    """Labels say what a field is; a placeholder repeating the label disappears as the person
    types and fails contrast checks, so allauth's placeholders are removed. Labels are sentence
    case (the NHS style), where allauth's are title case."""

    labels = {"login": "Email address", "email": "Email address", "remember": "Remember me on this device"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            if name in self.labels:
                field.label = self.labels[name]


class LoginForm(WithoutPlaceholders, allauth_forms.LoginForm):
    pass


class SignupForm(WithoutPlaceholders, allauth_forms.SignupForm):
    def try_save(self, request):
        """For an address that already has an account allauth creates nothing and only sends an
        e-mail, so it answered in a tenth of the time a new account takes (hashing the password is
        most of that): the difference told anyone whether an address is registered. Hashing the
        password here too makes both answers do the same work: one hash, one e-mail."""
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class ResetPasswordForm(WithoutPlaceholders, allauth_forms.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(WithoutPlaceholders, allauth_forms.ResetPasswordKeyForm):
    pass


class ChangePasswordForm(WithoutPlaceholders, allauth_forms.ChangePasswordForm):
    pass


class SetPasswordForm(WithoutPlaceholders, allauth_forms.SetPasswordForm):
    pass


class AddEmailForm(WithoutPlaceholders, allauth_forms.AddEmailForm):
    pass
