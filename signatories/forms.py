from django import forms

from compact.errors import DomainError

from .models import Organisation
from .services import MAX_NAME_LENGTH, OrganisationMismatch, find_organisation, normalise_ods_code


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
    # No default: the person chooses (a re-signer finds their earlier choice filled in).
    on_behalf = forms.ChoiceField(
        label="How are you signing?",
        choices=ON_BEHALF,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you sign personally or on behalf of an organisation."},
    )
    organisation = forms.ModelChoiceField(
        label="Organisation that has already signed",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Not in this list – I will enter it below",
        help_text="Choose yours if it is listed, so its signatories appear together.",
    )
    organisation_name = forms.CharField(
        label="Organisation name",
        max_length=200,
        error_messages={"max_length": "The organisation's name must be 200 characters or fewer."},
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization", "spellcheck": "false"}),
        help_text="If it is not listed above. An organisation with the same name or ODS code is found, not duplicated.",
    )
    organisation_kind = forms.ChoiceField(
        label="Kind of organisation", choices=[("", "Choose…"), *Organisation.Kind.choices], required=False
    )
    ods_code = forms.CharField(
        label="ODS code (optional)",
        max_length=10,
        required=False,
        help_text="For example, RX1.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "spellcheck": "false"}),
    )
    # Asked only when the name and the ODS code typed point at different organisations.
    which_organisation = forms.ChoiceField(
        label="Which organisation do you sign for?",
        choices=[("suggested", "The listed organisation"), ("different", "My code is different")],
        widget=forms.RadioSelect,
        required=False,
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

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only organisations that others may see: this version's confirmed, verified signers'.
        self.fields["organisation"].queryset = (
            organisations if organisations is not None else Organisation.objects.none()
        )
        self.mismatch = None

    def clean_ods_code(self):
        try:
            return normalise_ods_code(code=self.cleaned_data.get("ods_code", ""))
        except DomainError as error:
            raise forms.ValidationError(error.message) from None

    def clean(self):
        cleaned = super().clean()
        cleaned["existing_organisation"] = None
        if cleaned.get("on_behalf") != "organisation":
            return cleaned
        # A choice from the list wins over what was typed.
        if cleaned.get("organisation"):
            cleaned["existing_organisation"] = cleaned["organisation"]
            return cleaned
        if "ods_code" in self.errors or "organisation_name" in self.errors:
            return cleaned
        # What was typed is looked up among listed organisations, so "harbour nhs trust" or its
        # ODS code joins the organisation already there; if they disagree, the person is asked.
        try:
            existing = find_organisation(
                name=cleaned.get("organisation_name", ""), ods_code=cleaned.get("ods_code", "")
            )
        except OrganisationMismatch as mismatch:
            existing = self._answer_to(mismatch)
            if existing is None:
                return cleaned
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

    def _answer_to(self, mismatch):
        """The listed organisation if the person chose it for this very question; otherwise the
        question (or, having said their code differs, a request to change it), saving nothing."""
        organisation = mismatch.organisation
        self.mismatch = mismatch
        self.fields["which_organisation"].choices = [
            ("suggested", f"I sign for {organisation.name}"),
            ("different", "My organisation is different: I have corrected the name or ODS code"),
        ]
        answer = self.cleaned_data.get("which_organisation")
        about_this = self.data.get("suggested") == str(organisation.pk)
        if about_this and answer == "suggested":
            return organisation
        if about_this and answer == "different" and getattr(mismatch, "lookalike", False):
            # Still the same look: a second organisation nobody could tell apart is not made.
            self.add_error(
                "organisation_name",
                f"The name still looks like {organisation.name}, spelt with different characters. "
                f"Type your organisation's name in ordinary letters, or choose {organisation.name}.",
            )
            return None
        if about_this and answer == "different":
            self.add_error(
                "ods_code",
                f"{organisation.ods_code} is the ODS code of {organisation.name}. "
                "Enter your organisation's own code, or leave it empty.",
            )
            return None
        self.add_error("which_organisation", mismatch.message)
        return None


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing? (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
