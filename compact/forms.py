from django import forms

from .models import Commitment, Party, Section, Theme


class CompactForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, strip=True)
    summary = forms.CharField(
        label="Summary",
        max_length=300,
        required=False,
        strip=True,
        help_text="One line shown in the list of compacts.",
    )


class NewCompactForm(CompactForm):
    vision = forms.CharField(label="Shared vision", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    first_party = forms.CharField(
        label="First party",
        max_length=150,
        strip=True,
        help_text="For example, “The Academy and national bodies”.",
    )
    second_party = forms.CharField(
        label="Second party",
        max_length=150,
        strip=True,
        help_text="For example, “Leaders and their organisations”.",
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("first_party"), cleaned.get("second_party")
        if first and second and first.casefold() == second.casefold():
            self.add_error("second_party", "Give the second party a different name from the first.")
        return cleaned


class VisionForm(forms.Form):
    vision = forms.CharField(
        label="Shared vision",
        widget=forms.Textarea(attrs={"rows": 6}),
        strip=True,
        help_text="The shared purpose every party signs up to.",
    )


class PartyForm(forms.ModelForm):
    class Meta:
        model = Party
        fields = ["name"]
        labels = {"name": "Name of the party"}

    def __init__(self, *args, version, **kwargs):
        self.version = version
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = self.version.parties.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("This version already has a party with that name.")
        return name


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"description": "Optional. A sentence on what this theme is about."}

    def __init__(self, *args, version, **kwargs):
        self.version = version
        super().__init__(*args, **kwargs)

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if self.version.themes.filter(title__iexact=title).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("This version already has a theme with that title.")
        return title


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["kind", "heading", "body"]
        labels = {"kind": "What this section is about", "body": "Text"}
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, version, **kwargs):
        self.version = version
        super().__init__(*args, **kwargs)


class CommitmentForm(forms.ModelForm):
    class Meta:
        model = Commitment
        fields = ["theme", "party", "text"]
        labels = {"party": "Which party commits to this", "text": "Wording"}
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"text": "One sentence, written as the party’s promise."}

    def __init__(self, *args, version, **kwargs):
        self.version = version
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = version.themes.order_by("position", "id")
        self.fields["party"].queryset = version.parties.order_by("position", "id")
        self.fields["theme"].empty_label = None
        self.fields["party"].empty_label = None

    def clean_text(self):
        return self.cleaned_data["text"].strip()


class RemoveForm(forms.Form):
    """Only the confirmation button; the object comes from the URL."""


class PublishForm(forms.Form):
    note = forms.CharField(
        label="Publication note",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Shown under the title: what this version is and how it came about.",
    )
    review_due_on = forms.DateField(
        label="Review by (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When the compact should be revisited with the people who signed it. One year from today if left empty.",
    )
