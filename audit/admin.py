from django.contrib import admin

from . import record
from .models import AuditEvent

# Fields whose values never go into the trail, only the fact that they changed.
SECRET_FIELDS = {"password", "password1", "password2", "secret", "data"}


def _plain(value):
    """A value as the trail keeps it: text, or a sorted list of text for a set of objects."""
    if value is None:
        return None
    if hasattr(value, "__iter__") and not isinstance(value, str | bytes | dict):
        return sorted(str(item) for item in value)
    if isinstance(value, bool | int | float):
        return value
    return str(value)


class AuditedAdmin(admin.ModelAdmin):
    """A model admin whose additions, changes and deletions each write an AuditEvent.

    The admin is a way round the services (and their audit events), so what it changes is written
    to the same trail: who, when, which object, and each changed field before and after (secrets
    only as "changed"). The event is written inside the admin's own transaction.
    """

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before, after = {}, {}
        for name in form.changed_data:
            if name in SECRET_FIELDS:
                before[name], after[name] = "(hidden)", "(changed)"
                continue
            before[name] = _plain(form.initial.get(name)) if change else None
            after[name] = _plain(form.cleaned_data.get(name))
        request._audit_admin_values = (before, after)

    def _record(self, request, obj, action, message):
        before, after = getattr(request, "_audit_admin_values", ({}, {}))
        request._audit_admin_values = ({}, {})
        if not after and message:
            # Pages that save without our form hooks (a user's password): the admin's own words.
            after = {"change": _plain(message)}
        record(action=action, actor=request.user, target=obj, before=before, after=after)

    def log_addition(self, request, obj, message):
        self._record(request, obj, "admin.added", message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._record(request, obj, "admin.changed", message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            record(action="admin.deleted", actor=request.user, target=obj, before={"object": str(obj)})
        return super().log_deletions(request, queryset)


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
