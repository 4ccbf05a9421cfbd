from django import forms

from .models import Commitment, Party, Section, Theme, Version


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
    vision_heading = forms.CharField(
        label="Heading of the vision (optional)",
        max_length=Version._meta.get_field("vision_heading").max_length,
        required=False,
        strip=True,
        help_text="As the compact words it, e.g. “Our shared vision”. Leave blank for no heading.",
    )
    vision = forms.CharField(
        label="Shared vision (optional)",
        widget=forms.Textarea(attrs={"rows": 6}),
        strip=True,
        required=False,
        help_text="The shared purpose every party signs up to. Leave blank if the compact has none.",
    )


class PartForm(forms.ModelForm):
    """A part of a draft; `part_fields()` is what the add/change services are given."""

    def __init__(self, *args, version, **kwargs):
        self.version = version
        super().__init__(*args, **kwargs)

    def part_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PartyForm(PartForm):
    class Meta:
        model = Party
        fields = ["name", "heading", "note", "closing"]
        labels = {
            "name": "Name of the party",
            "heading": "Column heading (optional)",
            "note": "Note under the column heading (optional)",
            "closing": "Closing line at the foot of the column (optional)",
        }
        widgets = {"note": forms.Textarea(attrs={"rows": 2}), "closing": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The drafting page's inline form changes the name and heading only: a note or closing
        # line it does not send is kept, not cleared.
        for name in ("note", "closing"):
            if self.is_bound and name not in self.data:
                del self.fields[name]
        self.fields["heading"].help_text = (
            "What the column is titled, e.g. “We give”, “What you can expect from us”; "
            "leave blank for the party’s name."
        )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = self.version.parties.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("This version already has a party with that name.")
        return name

    def clean_heading(self):
        return self.cleaned_data["heading"].strip()

    def part_fields(self):
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}
        for name in ("note", "closing"):
            if name in fields:
                fields[name] = fields[name].strip()
        return fields


class ThemeForm(PartForm):
    parties = forms.MultipleChoiceField(
        label="Whose commitments does this theme hold?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked = every party.",
    )

    class Meta:
        model = Theme
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"description": "Optional. A sentence on what this theme is about."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parties"].choices = [
            (str(party.key), party.name) for party in self.version.parties.order_by("position", "id")
        ]
        if self.instance.pk and not self.is_bound:
            self.initial["parties"] = [str(key) for key in self.instance.party_keys]

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if self.version.themes.filter(title__iexact=title).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("This version already has a theme with that title.")
        return title

    def part_fields(self):
        fields = super().part_fields()
        # Every party ticked is the same as none: the theme holds every party, now and later.
        chosen = list(self.cleaned_data["parties"])
        all_keys = [key for key, _ in self.fields["parties"].choices]
        fields["party_keys"] = [] if set(chosen) == set(all_keys) else chosen
        return fields


class SectionForm(PartForm):
    class Meta:
        model = Section
        fields = ["kind", "heading", "body", "placement"]
        labels = {
            "kind": "What this section is about",
            "heading": "Heading (optional)",
            "body": "Text",
            "placement": "Where it goes",
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 6}), "placement": forms.RadioSelect}


class CommitmentForm(PartForm):
    field_order = ["theme", "party", "text", "several", "row"]

    row = forms.IntegerField(
        label="Row (optional)",
        required=False,
        min_value=1,
        help_text=(
            "Commitments with the same row number are shown side by side as a pair. "
            "Leave blank for the next free row."
        ),
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "numeric"}),
    )
    several = forms.BooleanField(
        label="Each line is a separate commitment",
        required=False,
        help_text="Paste several commitments, one per line, to add them all to this column at once.",
    )

    class Meta:
        model = Commitment
        fields = ["theme", "party", "text"]
        labels = {"party": "Which party gives this", "text": "Wording"}
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"text": "One sentence, written as the party’s promise."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        version = self.version
        themes = version.themes.order_by("position", "id")
        if themes.exists():
            self.fields["theme"].queryset = themes
            self.fields["theme"].empty_label = None
            self.fields["theme"].required = True
        else:
            # No themes to choose from: the commitment goes in without one (the service says
            # so if this layout needs a theme).
            del self.fields["theme"]
        self.fields["party"].queryset = version.parties.order_by("position", "id")
        self.fields["party"].empty_label = None
        if version.layout != version.Layout.ROWS:
            del self.fields["row"]
        elif self.instance.pk and not self.is_bound:
            self.initial["row"] = self.instance.row
        if self.instance.pk:
            del self.fields["several"]

    @property
    def adds_several(self):
        return "several" in self.fields and bool(self.cleaned_data.get("several"))

    def clean_text(self):
        return self.cleaned_data["text"].strip()

    def lines(self):
        """The commitments the wording box holds: one, or one per non-empty line."""
        text = self.cleaned_data.get("text", "")
        if self.adds_several:
            return [line.strip() for line in text.splitlines() if line.strip()]
        return [text] if text else []

    def part_fields(self):
        fields = {"party": self.cleaned_data["party"], "text": self.cleaned_data["text"]}
        fields["theme"] = self.cleaned_data.get("theme")
        if "row" in self.fields:
            fields["row"] = self.cleaned_data.get("row")
        return fields


class LayoutForm(forms.Form):
    layout = forms.ChoiceField(
        label="How the compact is laid out",
        choices=Version.Layout.choices,
        widget=forms.RadioSelect,
    )


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
