"""Template helpers that render Django form widgets with NHS.UK frontend classes."""

from django import template

from core.text import render_prose

register = template.Library()


@register.filter
def nhsuk_widget(field, css_class):
    classes = [css_class]
    if field.errors and not css_class.endswith("__input"):
        classes.append(f"{css_class}--error")
    existing = field.field.widget.attrs.get("class")
    if existing:
        classes.append(existing)
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
    attrs = {"class": " ".join(classes)}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.filter
def prose(text, document_id=None):
    """The compact's own prose (vision, sections): the safe Markdown subset, with numbered notes."""
    return render_prose(text, document_id=document_id)


@register.filter
def column_class(count):
    """The NHS.UK grid column that gives `count` columns side by side."""
    return {
        1: "nhsuk-grid-column-full",
        2: "nhsuk-grid-column-one-half",
        3: "nhsuk-grid-column-one-third",
    }.get(count, "nhsuk-grid-column-one-quarter")


# Django's own wording for a few generic errors; the summary says which field they are about.
_GENERIC_STARTS = ("This field", "Enter a valid", "Ensure this value", "Select a valid", "Enter a whole")


def _field_href(field):
    # A set of radios or checkboxes is reached through its first option, as the NHS.UK pattern
    # does: the group's own element cannot take focus.
    if field.widget_type in ("radioselect", "checkboxselectmultiple"):
        return f"#{field.auto_id}_0"
    return f"#{field.id_for_label or field.auto_id}"


@register.simple_tag
def error_items(form=None, errors=None):
    """Every error of a form (or a list of {"href", "text"}) as the error summary lists it: each
    names its field and links to it. Errors about the whole form link to its first field."""
    items = [
        item if isinstance(item, dict) else {"href": "", "text": str(item)}
        for item in (errors if isinstance(errors, list | tuple) else [])
    ]
    if not getattr(form, "errors", None):
        return items
    visible = form.visible_fields()
    first = _field_href(visible[0]) if visible else ""
    for error in form.non_field_errors():
        items.append({"href": first, "text": error})
    for field in visible:
        for error in field.errors:
            text = f"{field.label}: {error}" if error.startswith(_GENERIC_STARTS) else error
            items.append({"href": _field_href(field), "text": text})
    for field in form.hidden_fields():
        for error in field.errors:
            items.append({"href": first, "text": error})
    return items
