"""The one error summary: every error names its field and links to it (the NHS.UK pattern)."""

from django import forms
from django.template import Context, Template

from compact.templatetags.nhsuk import error_items


class ExampleForm(forms.Form):
    title = forms.CharField(label="Title of the round")
    who = forms.ChoiceField(
        label="Who may take part", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    reason = forms.CharField(label="Reason", error_messages={"required": "Give the reason."})

    def clean(self):
        raise forms.ValidationError("Something about the whole form.")


def test_each_error_links_to_its_field_and_django_wording_names_the_field():
    form = ExampleForm(data={})
    assert not form.is_valid()
    items = error_items(form)
    assert {"href": "#id_title", "text": "Title of the round: This field is required."} in items
    # A set of radios is reached through its first option.
    assert {"href": "#id_who_0", "text": "Who may take part: This field is required."} in items
    # An error already written for people is left as it is.
    assert {"href": "#id_reason", "text": "Give the reason."} in items
    # An error about the whole form links to its first field.
    assert {"href": "#id_title", "text": "Something about the whole form."} in items


def test_the_summary_is_initialised_by_nhsuk_frontend_and_lists_extra_errors():
    html = Template('{% include "includes/error_summary.html" %}').render(
        Context({"summary_errors": [{"href": "#choice-current", "text": "Choose an option."}]})
    )
    assert 'data-module="nhsuk-error-summary"' in html and 'role="alert"' in html
    assert '<a href="#choice-current">Choose an option.</a>' in html
    assert Template('{% include "includes/error_summary.html" %}').render(Context({})).strip() == ""
