import json

from django.contrib import admin

from .models import AuditEvent
from .services import record

# Fields whose values never go into the trail, only the fact that they changed.
SECRET_FIELDS = {"password", "password1", "password2", "secret", "data"}
# What the trail writes for a value it keeps only by reference.
CHANGED = "(changed)"
NOT_KEPT = "(not kept)"


# Roles and permissions are named by what they are called: staff name them, and no person.
NAMED_BY_NAME = {"auth.group", "auth.permission"}


def reference(obj) -> str:
    """An object as the trail names it: its kind and number ("accounts.user 12"), never its
    name, which may be a person's and would outlive their erasure here (roles apart)."""
    if obj._meta.label_lower in NAMED_BY_NAME:
        return str(obj)
    return f"{obj._meta.label_lower} {obj.pk}"


def _by_reference(model, name, value):
    """A value as the trail keeps it. Flags, numbers, dates and choices are kept; objects by
    reference; free text (a name, an e-mail address, a job title, anything a person typed) only
    as "(changed)", so the trail holds nothing that erasing an account would have to reach."""
    if value is None:
        return None
    if isinstance(value, bool | int | float):
        return value
    if hasattr(value, "_meta") and hasattr(value, "pk"):
        return reference(value)
    if hasattr(value, "__iter__") and not isinstance(value, str | bytes | dict):
        items = list(value)
        if all(hasattr(item, "_meta") for item in items):  # chosen objects
            return sorted(reference(item) for item in items)
        if all(isinstance(item, int) for item in items):  # their numbers, as the form began
            return sorted(items)
        return CHANGED
    if hasattr(value, "isoformat"):
        return value.isoformat()
    try:
        field = model._meta.get_field(name)
    except Exception:  # a form-only field: nothing says its value is safe to keep
        return CHANGED
    if isinstance(value, str) and getattr(field, "choices", None):
        return value  # one of the field's own choices, not something a person typed
    return CHANGED


def _message_by_reference(message):
    """The admin's change message names fields; for inline objects it also quotes each object's
    name ("object"), which is dropped."""
    if isinstance(message, str):
        return message
    kept = []
    for entry in message or []:
        kept.append(
            {
                verb: {key: value for key, value in detail.items() if key != "object"}
                if isinstance(detail, dict)
                else detail
                for verb, detail in entry.items()
            }
            if isinstance(entry, dict)
            else entry
        )
    return kept


class AuditedAdmin(admin.ModelAdmin):
    """A model admin whose additions, changes and deletions each write an AuditEvent.

    The admin is a way round the services (and their audit events), so what it changes is written
    to the same trail: who, when, which object, and each changed field, with its value before and
    after only where the value names no one (a flag, a number, a choice, an object's reference);
    a name, an address or anything else typed is recorded as "(changed)". The event is written
    inside the admin's own transaction.
    """

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        model = form._meta.model
        before, after = {}, {}
        for name in form.changed_data:
            if name in SECRET_FIELDS:
                before[name], after[name] = "(hidden)", CHANGED
                continue
            old = _by_reference(model, name, form.initial.get(name)) if change else None
            new = _by_reference(model, name, form.cleaned_data.get(name))
            before[name] = NOT_KEPT if old == CHANGED else old
            after[name] = new
        request._audit_admin_values = (before, after)

    def _record(self, request, obj, action, message):
        before, after = getattr(request, "_audit_admin_values", ({}, {}))
        request._audit_admin_values = ({}, {})
        if not after and message:
            # Pages that save without our form hooks (a user's password): the admin's own words.
            after = {"change": _message_by_reference(message)}
        record(action=action, actor=request.user, target=obj, before=before, after=after)

    def log_addition(self, request, obj, message):
        self._record(request, obj, "admin.added", message)
        return _by_reference_in_log(super().log_addition(request, obj, message))

    def log_change(self, request, obj, message):
        self._record(request, obj, "admin.changed", message)
        return _by_reference_in_log(super().log_change(request, obj, message))

    def log_deletions(self, request, queryset):
        for obj in queryset:
            # The object's kind and number are the event's own; its name is not kept.
            record(action="admin.deleted", actor=request.user, target=obj, after={"deleted": True})
        return _by_reference_in_log(super().log_deletions(request, queryset))


def _by_reference_in_log(entries):
    """Django's own admin log (its "Recent actions" and each object's history) names the object
    by str(), a person's name or address for most of what this admin edits: it is named by kind
    and number instead, so it too keeps nothing that erasing an account would have to reach."""
    from django.contrib.admin.models import LogEntry

    for entry in entries if isinstance(entries, list | tuple) else [entries]:
        if not isinstance(entry, LogEntry):
            continue
        entry.object_repr = f"{entry.content_type.model} {entry.object_id}"
        message = entry.change_message
        if message.startswith("["):
            entry.change_message = json.dumps(_message_by_reference(json.loads(message)))
        LogEntry.objects.filter(pk=entry.pk).update(
            object_repr=entry.object_repr, change_message=entry.change_message
        )
    return entries


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model the admin may show but never change: its changes go through the staff pages,
    whose services check the rules (frozen text, who may act) and write the audit trail."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_id", "compact"]
    list_filter = ["action"]
