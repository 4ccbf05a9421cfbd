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
