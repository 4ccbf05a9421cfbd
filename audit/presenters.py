"""The audit trail in words a person would use: "Priya Shah confirmed their signature for Riverside
ICB" rather than "user 78 · confirm signature · signatories.signature 62 · status: pending".

Events store the object's type and id only (so the record holds no personal data an erasure would
have to reach); names are looked up as the page is shown, one query per kind of object, and an
object that has gone is described by its kind and number."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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
    return f"A comment by {author} in “{comment.round.title}”"


# label → (kind in words, related rows to load with it, how to describe one)
# The rows are of the model the label names, so each describer takes that model (hence Any).
DESCRIBERS: dict[str, tuple[str, tuple[str, ...], Callable[[Any], str]]] = {
    "compact.compact": ("Compact", (), lambda compact: f"The compact “{compact.title}”"),
    "compact.version": (
        "Version",
        ("compact",),
        lambda version: f"Version {version.number} of “{version.compact.title}”",
    ),
    "consultation.round": ("Round", (), lambda round: f"The consultation round “{round.title}”"),
    "consultation.comment": ("Comment", ("author", "round"), _comment),
    "signatories.signature": ("Signature", ("organisation",), _signature),
    "signatories.organisation": (
        "Organisation",
        (),
        lambda organisation: f"The organisation {organisation.name}",
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


# What each action did, as a verb in the past tense, and (for a signature) what it did when the
# person acting was the signer themself.
VERBS: dict[str, str] = {
    "confirm signature": "confirmed",
    "withdraw signature": "withdrew",
    "hide signature": "hid",
    "restore signature": "restored",
    "approve signature for organisation": "approved",
    "review flagged signature": "reviewed",
    "verify organisation": "verified",
    "unverify organisation": "withdrew the verification of",
    "set organisation e-mail domains": "set the e-mail domains of",
    "ratify": "ratified",
    "publish": "published",
    "import compact": "imported",
    "open round": "opened",
    "close round": "closed",
    "cancel round": "cancelled",
    "apply results": "applied the results of",
    "remind leaders who have not voted": "reminded the leaders who had not answered every question of",
    "hide comment": "hid",
    "restore comment": "restored",
    "erase account": "erased",
}

# Stored values, in words ("awaiting_organisation" → "awaiting its organisation").
VALUES: dict[str, str] = {
    "pending": "waiting for e-mail confirmation",
    "awaiting_organisation": "awaiting its organisation",
    "confirmed": "confirmed",
    "withdrawn": "withdrawn",
    "hidden": "hidden",
    "draft": "draft",
    "ratified": "ratified",
    "published": "published",
    "scheduled": "scheduled",
    "open": "open",
    "closed": "closed",
    "applied": "results applied",
    "cancelled": "cancelled",
}


@dataclass(frozen=True)
class Change:
    what: str  # "Status"
    before: str  # "" when the event recorded no earlier value
    after: str


def _words(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return VALUES.get(str(value), str(value))


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """Each recorded field once, its value before and after, in words."""
    keys = [*before, *(key for key in after if key not in before)]
    return [
        Change(
            what=key.replace("_", " ").replace("email", "e-mail").capitalize(),
            before=_words(before[key]) if key in before else "",
            after=_words(after[key]) if key in after else "",
        )
        for key in keys
    ]


def _actors(events: Sequence[AuditEvent]) -> dict[int, str]:
    """Each acting account's current display name (one query): a name changed or erased since is
    shown as it is now, never as it was stored."""
    ids = {event.actor_id for event in events if event.actor_id}
    if not ids:
        return {}
    user_model = apps.get_model("accounts.user")
    return {user.pk: user.display_name for user in user_model._base_manager.filter(pk__in=ids)}


def _signature_phrase(signature: Signature, actor_id: int | None) -> str:
    organisation = f" for {signature.organisation.name}" if signature.organisation is not None else ""
    if actor_id is not None and signature.signer_id == actor_id:
        return f"their signature{organisation}"
    name = signature.full_name or f"signatory {signature.pk}"
    return f"the signature of {name}{organisation}"


def sentences(events: Sequence[AuditEvent]) -> Sequence[AuditEvent]:
    """Set `event.sentence` ("Priya Shah confirmed their signature for Riverside ICB") and
    `event.changes` on each event, after `describe`: one more query for the people acting, one
    for the signatures named."""
    names = _actors(events)
    signature_ids = {
        int(event.object_id)
        for event in events
        if event.object_type == "signatories.signature" and event.object_id.isdigit()
    }
    signatures: dict[str, Signature] = {}
    if signature_ids:
        model = apps.get_model("signatories.signature")
        rows = model._base_manager.filter(pk__in=signature_ids).select_related("organisation")
        signatures = {str(row.pk): row for row in rows}
    for event in events:
        if event.actor_id:
            actor = names.get(event.actor_id, "A former account holder")
        else:
            actor = "The system" if event.actor_label == "the system" else event.actor_label
        verb = VERBS.get(event.action, event.action)
        signature = signatures.get(event.object_id) if event.object_type == "signatories.signature" else None
        if signature is not None:
            thing = _signature_phrase(signature, event.actor_id)
        else:
            subject: str = getattr(event, "subject", "")
            thing = subject[:1].lower() + subject[1:] if subject and not subject.startswith("“") else subject
        # Page-only values on the instance for the template (not model fields).
        event.sentence = f"{actor} {verb} {thing}".strip()  # type: ignore[attr-defined]
        event.changes = changes(event.before or {}, event.after or {})  # type: ignore[attr-defined]
    return events
