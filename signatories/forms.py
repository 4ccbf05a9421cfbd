from django import forms

from compact.errors import DomainError

from .models import Organisation
from .services import MAX_NAME_LENGTH, normalise_ods_code


class SignForm(forms.Form):
    ON_BEHALF = [("personal", "Personally"), ("organisation", "On behalf of an organisation")]

    full_name = forms.CharField(
        label="Your full name",
        max_length=MAX_NAME_LENGTH,
        error_messages={
            "required": "Enter your full name.",
            "max_length": f"Your full name must be {MAX_NAME_LENGTH} characters or fewer.",
        },
    )
    role = forms.CharField(
        label="Your role",
        max_length=MAX_NAME_LENGTH,
        help_text="For example, Chief executive.",
        error_messages={
            "required": "Enter your role.",
            "max_length": f"Your role must be {MAX_NAME_LENGTH} characters or fewer.",
        },
    )
    on_behalf = forms.ChoiceField(
        label="How are you signing?", choices=ON_BEHALF, widget=forms.RadioSelect, initial="personal"
    )
    organisation = forms.ModelChoiceField(
        label="Organisation that has already signed",
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label="Not in this list – I will enter it below",
        help_text="Choose yours if it is listed, so its signatories appear together.",
    )
    organisation_name = forms.CharField(
        label="Organisation name",
        max_length=200,
        error_messages={"max_length": "The organisation's name must be 200 characters or fewer."},
        required=False,
        help_text="If it is not listed above. An organisation with the same name or ODS code is found, not duplicated.",
    )
    organisation_kind = forms.ChoiceField(
        label="Kind of organisation", choices=[("", "Choose…"), *Organisation.Kind.choices], required=False
    )
    ods_code = forms.CharField(
        label="ODS code (optional)", max_length=10, required=False, help_text="For example, RX1."
    )
    region = forms.ChoiceField(
        label="Region", choices=[("", "Choose…"), *Organisation.Region.choices], required=False
    )
    consent = forms.BooleanField(
        label="I agree to my name, role and organisation being shown publicly as a signatory of this compact",
        required=True,
        error_messages={
            "required": "Agree to your name, role and organisation being shown publicly, or you cannot sign."
        },
    )

    def clean_ods_code(self):
        try:
            return normalise_ods_code(self.cleaned_data.get("ods_code", ""))
        except DomainError as error:
            raise forms.ValidationError(error.message) from None

    def clean(self):
        cleaned = super().clean()
        cleaned["existing_organisation"] = None
        if cleaned.get("on_behalf") == "organisation":
            from .services import find_organisation

            # A choice from the list wins over what was typed; otherwise what was typed is looked
            # up, so "harbour nhs trust" or its ODS code joins the organisation already there.
            existing = cleaned.get("organisation") or find_organisation(
                name=cleaned.get("organisation_name", ""), ods_code=cleaned.get("ods_code", "")
            )
            cleaned["existing_organisation"] = existing
            if existing is None:
                if not cleaned.get("organisation_name"):
                    self.add_error(
                        "organisation_name",
                        "Choose your organisation from the list, or enter the name of the organisation you sign for.",
                    )
                if not cleaned.get("organisation_kind"):
                    self.add_error("organisation_kind", "Choose what kind of organisation it is.")
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing? (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
