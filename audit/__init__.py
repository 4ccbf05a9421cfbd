"""The audit trail. `audit.record(action=..., ...)` is the one way services write to it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Model

    from accounts.models import User

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
    # here, not at the top: Django imports this package (the app) before the app registry is
    # ready, when no models can load yet.
    from .models import AuditEvent

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


def _label(actor):
    if actor is None or not actor.is_authenticated:
        return "the system"
    # here, not at the top: accounts.roles loads models, which cannot happen while Django imports
    # this package (the app) before the app registry is ready.
    from accounts.roles import is_academy_staff

    # Staff act in their name; anyone else is named by account number, so the record keeps no
    # personal data that erasing an account would have to reach.
    if is_academy_staff(actor):
        return f"{actor.full_name or actor.email} (staff, user {actor.pk})"
    return f"user {actor.pk}"


def _compact_id_of(target):
    # here, not at the top: a module-level `apps` in this package is replaced by the submodule
    # audit.apps as soon as Django imports it.
    from django.apps import apps

    if target._meta.label_lower == "compact.compact":
        return target.pk
    if hasattr(target, "compact_id"):
        return target.compact_id
    version_id = getattr(target, "version_id", None)
    if version_id is None and getattr(target, "round_id", None) is not None:
        Round = apps.get_model("consultation", "Round")
        version_id = Round.objects.filter(pk=target.round_id).values_list("version_id", flat=True).first()
    if version_id is None:
        return None
    Version = apps.get_model("compact", "Version")
    return Version.objects.filter(pk=version_id).values_list("compact_id", flat=True).first()
