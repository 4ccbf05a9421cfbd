"""An append-only record of every decision that changes what the compact says or who stands behind it.

Rows are written once and never changed: save() refuses an update, the QuerySet refuses update()
and delete(), and on PostgreSQL a trigger refuses UPDATE and DELETE even from raw SQL. The foreign
keys hold no database constraint and never cascade, so nothing done elsewhere can alter a record.

One exception, for the right to erasure: `audit.redact` may rewrite the wording of an event (its
actor label and its before and after values, never who, when, what or which object) to take an
erased person's name out of it. It is the only caller of `_redact_wording`, and on PostgreSQL the
trigger lets that UPDATE through only while the transaction has switched `audit.redacting` on,
and only if no other column changes. Every redaction writes an event of its own.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnly(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnly("Audit events cannot be deleted.")

    def _redact_wording(self, *, actor_label: str, before: dict, after: dict) -> int:
        """For `audit.redact` only: the wording columns, nothing else (see the module's note)."""
        return super().update(actor_label=actor_label, before=before, after=after)


# The columns a redaction must leave as they were: who, when, what, which object.
_KEPT_COLUMNS = ("id", "actor_id", "at", "action", "object_type", "object_id", "compact_id")


class AuditEvent(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # Who it was at the time, in words: the record must read the same whatever happens to the account.
    actor_label = models.CharField(max_length=200)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    compact = models.ForeignKey(
        "compact.Compact",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["compact", "-at"], name="audit_compact_at")]
        triggers = [
            pgtrigger.Trigger(
                name="audit_events_are_append_only",
                when=pgtrigger.Before,
                operation=pgtrigger.Update | pgtrigger.Delete,
                # An erasure's redaction (audit.redact) is the one UPDATE let through: switched on
                # for its transaction only, and changing no column but the wording.
                func="IF TG_OP = 'UPDATE' AND current_setting('audit.redacting', true) = 'on' AND "
                + " AND ".join(f"NEW.{column} IS NOT DISTINCT FROM OLD.{column}" for column in _KEPT_COLUMNS)
                + " THEN RETURN NEW; END IF; "
                "RAISE EXCEPTION 'Audit events are append-only (% refused).', TG_OP;",
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label}: {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Audit events cannot be deleted.")
