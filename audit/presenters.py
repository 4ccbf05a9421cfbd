"""The audit trail in words a person would use: "Signature of Jane Smith (Riverside Hospitals)"
rather than "signatories.signature 62".

Events store the object's type and id only (so the record holds no personal data an erasure would
have to reach); names are looked up as the page is shown, one query per kind of object, and an
object that has gone is described by its kind and number."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.apps import apps

from .models import AuditEvent

if TYPE_CHECKING:
    from consultation.models import Comment
    from signatories.models import Signature


def _signature(signature: Signature) -> str:
    name = signature.full_name or f"Signatory {signature.pk}"
    organisation = f" ({signature.organisation.name})" if signature.organisation is not None else ""
    return f"Signature of {name}{organisation}"


def _comment(comment: Comment) -> str:
    author = comment.author.display_name if comment.author_id and comment.author else "a former participant"
    return f"Comment by {author} in “{comment.round.title}”"


# label → (kind in words, related rows to load with it, how to describe one)
# The rows are of the model the label names, so each describer takes that model (hence Any).
DESCRIBERS: dict[str, tuple[str, tuple[str, ...], Callable[[Any], str]]] = {
    "compact.compact": ("Compact", (), lambda compact: f"The compact “{compact.title}”"),
    "compact.version": (
        "Version",
        ("compact",),
        lambda version: f"Version {version.number} of “{version.compact.title}”",
    ),
    "consultation.round": ("Round", (), lambda round: f"Consultation round “{round.title}”"),
    "consultation.comment": ("Comment", ("author", "round"), _comment),
    "signatories.signature": ("Signature", ("organisation",), _signature),
    "signatories.organisation": (
        "Organisation",
        (),
        lambda organisation: f"Organisation {organisation.name}",
    ),
    "accounts.user": ("Account", (), lambda user: f"Account number {user.pk}"),
}


def describe(events: Sequence[AuditEvent]) -> Sequence[AuditEvent]:
    """Set `event.subject` on each event, in one query per kind of object on the page."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.object_type in DESCRIBERS and event.object_id.isdigit():
            wanted.setdefault(event.object_type, set()).add(int(event.object_id))
    found: dict[tuple[str, str], str] = {}
    for label, ids in wanted.items():
        _, related, describe_one = DESCRIBERS[label]
        model = apps.get_model(label)
        rows = model._base_manager.filter(pk__in=ids).select_related(*related)
        found.update({(label, str(row.pk)): describe_one(row) for row in rows})
    # Who acted, in words: the trail holds account numbers only (so erasure leaves no name in it);
    # staff are named as the page is shown, and an erased account is "A former participant".
    actor_ids = {event.actor_id for event in events if event.actor_id}
    User = apps.get_model("accounts", "User")
    actors = {user.pk: user for user in User._base_manager.filter(pk__in=actor_ids)} if actor_ids else {}
    for event in events:
        actor = actors.get(event.actor_id) if event.actor_id else None
        shown = actor.display_name if actor is not None else ""
        # A page-only value on the instance for the template (not a model field).
        event.actor_shown = f"{shown} ({event.actor_label})" if shown else event.actor_label  # type: ignore[attr-defined]
    for event in events:
        kind = DESCRIBERS.get(event.object_type, (event.object_type.split(".")[-1].capitalize(),))[0]
        fallback = f"{kind} {event.object_id}".strip() if event.object_type else ""
        # A page-only value on the instance for the template (not a model field).
        event.subject = found.get((event.object_type, event.object_id), fallback)  # type: ignore[attr-defined]
    return events
