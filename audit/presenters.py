"""The audit trail in words a person would use: "Signature of Jane Smith (Riverside Hospitals)"
rather than "signatories.signature 62".

Events store the object's type and id only (so the record holds no personal data an erasure would
have to reach); names are looked up as the page is shown, one query per kind of object, and an
object that has gone is described by its kind and number."""

from django.apps import apps


def _signature(signature):
    name = signature.full_name or f"Signatory {signature.pk}"
    organisation = f" ({signature.organisation.name})" if signature.organisation_id else ""
    return f"Signature of {name}{organisation}"


def _comment(comment):
    author = comment.author.display_name if comment.author_id and comment.author else "a former participant"
    return f"Comment by {author} in “{comment.round.title}”"


# label → (kind in words, related rows to load with it, how to describe one)
DESCRIBERS = {
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


def describe(events):
    """Set `event.subject` on each event, in one query per kind of object on the page."""
    wanted = {}
    for event in events:
        if event.object_type in DESCRIBERS and event.object_id.isdigit():
            wanted.setdefault(event.object_type, set()).add(int(event.object_id))
    found = {}
    for label, ids in wanted.items():
        _, related, describe_one = DESCRIBERS[label]
        model = apps.get_model(label)
        rows = model._base_manager.filter(pk__in=ids).select_related(*related)
        found.update({(label, str(row.pk)): describe_one(row) for row in rows})
    for event in events:
        kind = DESCRIBERS.get(event.object_type, (event.object_type.split(".")[-1].capitalize(),))[0]
        fallback = f"{kind} {event.object_id}".strip() if event.object_type else ""
        event.subject = found.get((event.object_type, event.object_id), fallback)
    return events
