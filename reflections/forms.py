from django import forms

from .models import Reflection


class ReflectionForm(forms.Form):
    commitment_key = forms.ChoiceField(label="What are you reflecting on?", required=False)
    kind = forms.ChoiceField(
        label="Kind of reflection", choices=Reflection.Kind.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label="Your reflection",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What is going well, or what worries you — about the promise, not a person.",
    )
    visibility = forms.ChoiceField(
        label="Who may read it",
        choices=Reflection.Visibility.choices,
        widget=forms.RadioSelect,
        initial=Reflection.Visibility.NAMED,
    )

    def __init__(self, *args, commitments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment_key"].choices = [("", "The compact as a whole")] + [
            (str(c.key), c.text[:90]) for c in commitments
        ]


class SessionForm(forms.Form):
    held_on = forms.DateField(label="Date of the session", widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label="Meeting title", max_length=200)
    outcomes = forms.CharField(label="Outcomes discussed", widget=forms.Textarea(attrs={"rows": 4}))
