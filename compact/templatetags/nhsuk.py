"""Template helpers that render Django form widgets with NHS.UK frontend classes."""

from django import template

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
