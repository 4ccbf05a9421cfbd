"""The audit trail's writes: `record` is the one way services write to it (inside their own
transaction), `redact` the one way erasure changes it. Apart from the app's package so that
importing `audit` (as Django does before the app registry is ready) loads no model."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Model, Q, TextField
from django.db.models.functions import Cast

from accounts.models import User
from accounts.roles import is_academy_staff

from .models import AuditEvent


def record(
    *,
    action: str,
    actor: User | AnonymousUser | None = None,
    target: Model | None = None,
    compact_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event inside the caller's transaction (so it exists only if the change does).

    `target` is the object acted on; the compact it belongs to is found from it unless given.
    `before` and `after` are small dicts of the fields that changed.
    """
    if compact_id is None and target is not None:
        compact_id = _compact_id_of(target)
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=_label(actor),
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        compact_id=compact_id,
        before=before or {},
        after=after or {},
    )


def _label(actor: User | AnonymousUser | None) -> str:
    if actor is None or not actor.is_authenticated:
        return "the system"
    # Everyone, staff too, by account number: the record keeps no name that erasing an account
    # would have to reach. The staff pages look names up as they show the trail (presenters).
    if is_academy_staff(actor):
        return f"staff, user {actor.pk}"
    return f"user {actor.pk}"


# What a value about an erased person's own object reads as, once redacted.
ERASED = "(erased)"


def redact(*, account_id: int, texts: Iterable[str], objects: Iterable[tuple[str, str]]) -> int:
    """Erasure's one way to change the trail: take an erased person's name and addresses out.

    `texts` are the person's names and e-mail addresses; wherever one appears in an event's
    wording (actor label, before, after) it becomes "user <number>". Events the admin wrote about
    the person's own `objects` (label, id) keep their fields' names but no text value. Who, when,
    what and which object never change (the trigger on PostgreSQL checks it). Returns how many
    events changed, and records that (by number only) as an event of its own.
    """
    label = f"user {account_id}"
    objects = [(object_type, str(object_id)) for object_type, object_id in objects]
    own_objects = set(objects)
    texts = sorted({t.strip() for t in texts if t and len(t.strip()) >= 3}, key=len, reverse=True)
    own = Q(pk__in=[])
    for object_type, object_id in objects:
        own |= Q(object_type=object_type, object_id=object_id)
    mentions = Q(pk__in=[])
    events = AuditEvent.objects.annotate(
        _before=Cast("before", TextField()), _after=Cast("after", TextField())
    )
    for text in texts:
        # JSON as stored: SQLite keeps non-ASCII letters escaped ("\u00e9"), PostgreSQL as they are.
        for form in {text, json.dumps(text)[1:-1]}:
            mentions |= (
                Q(actor_label__icontains=form) | Q(_before__icontains=form) | Q(_after__icontains=form)
            )
    candidates = events.filter((own & Q(action__startswith="admin.")) | mentions)
    pattern = re.compile("|".join(re.escape(t) for t in texts), re.IGNORECASE) if texts else None

    def scrub(value: Any, *, whole: bool) -> Any:
        if isinstance(value, dict):
            return {key: scrub(item, whole=whole) for key, item in value.items()}
        if isinstance(value, list):
            return [scrub(item, whole=whole) for item in value]
        if isinstance(value, str):
            if whole and value not in ("(changed)", "(not kept)", "(hidden)"):
                return ERASED
            return pattern.sub(label, value) if pattern else value
        return value

    changed = 0
    with _redacting(connection):
        for event in candidates.iterator():
            whole = event.action.startswith("admin.") and (event.object_type, event.object_id) in own_objects
            wording = {
                "actor_label": scrub(event.actor_label, whole=False),
                "before": scrub(event.before, whole=whole),
                "after": scrub(event.after, whole=whole),
            }
            if wording != {"actor_label": event.actor_label, "before": event.before, "after": event.after}:
                changed += AuditEvent.objects.filter(pk=event.pk)._redact_wording(**wording)
    record(action="audit.redacted", after={"account": account_id, "events": changed})
    return changed


class _redacting:
    """Switches the trigger's `audit.redacting` on for this transaction only, and off again."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def _set(self, value: str) -> None:
        if self.connection.vendor == "postgresql":
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT set_config('audit.redacting', %s, true)", [value])

    def __enter__(self) -> None:
        self._set("on")

    def __exit__(self, *exc: object) -> None:
        self._set("off")


def _compact_id_of(target: Model) -> int | None:
    """The compact an audited object belongs to, for the compact's trail. Models are looked up
    by name: the trail records every app's objects and imports none of them."""
    if target._meta.label_lower == "compact.compact":
        return int(target.pk)
    compact_id: int | None = getattr(target, "compact_id", None)
    if compact_id is not None:
        return compact_id
    version_id = getattr(target, "version_id", None)
    round_id = getattr(target, "round_id", None)
    if version_id is None and round_id is not None:
        Round = apps.get_model("consultation", "Round")
        version_id = Round.objects.filter(pk=round_id).values_list("version_id", flat=True).first()
    if version_id is None:
        return None
    Version = apps.get_model("compact", "Version")
    found: int | None = Version.objects.filter(pk=version_id).values_list("compact_id", flat=True).first()
    return found


def objects_referring_to(*, label: str, pk: int) -> set[tuple[str, str]]:
    """Objects whose events name this one by reference in their values (the admin records a
    chosen object as "accounts.user 12"): a person's addresses, say, even deleted ones."""
    wanted = json.dumps(f"{label} {pk}")  # quoted, so "accounts.user 1" does not find "... 12"
    rows = (
        AuditEvent.objects.annotate(_before=Cast("before", TextField()), _after=Cast("after", TextField()))
        .filter(Q(_before__contains=wanted) | Q(_after__contains=wanted))
        .exclude(object_type="")
        .values_list("object_type", "object_id")
        .distinct()
    )
    return set(rows)
