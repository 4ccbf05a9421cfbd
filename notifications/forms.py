from django import forms

from .kinds import modes_for


class PreferencesForm(forms.Form):
    """One radio group per kind the person may receive (built from selectors.settings_for)."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label, mode in rows:
            self.fields[kind] = forms.ChoiceField(
                label=label, choices=modes_for(kind), initial=mode, widget=forms.RadioSelect
            )
