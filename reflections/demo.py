"""Demo reflections: leader2 signed the published version and has a concern; others celebrate; one session."""

from datetime import date

from django.utils import timezone

from compact.models import Compact
from signatories.models import Signature

from .models import Reflection, ReflectionSession


def load(context):
    version, compact = context.get("published"), context.get("compact")
    if version is None or Reflection.objects.filter(compact=compact).exists():
        return
    leader2 = context["leaders"][1]
    if not Signature.objects.active().filter(version=version, signer=leader2).exists():
        Signature.objects.create(
            version=version,
            content_hash=version.content_hash,
            signer=leader2,
            full_name=leader2.full_name,
            role=leader2.job_title or "Leader",
            consent_to_publish=True,
            status=Signature.Status.CONFIRMED,
            confirmed_at=timezone.now(),
        )
    commitments = list(version.commitments.order_by("theme__position", "party__position", "position"))
    Reflection.objects.create(
        compact=compact,
        version=version,
        commitment_key=commitments[0].key,
        author=leader2,
        kind=Reflection.Kind.CONCERN,
        text="Protected development time disappeared again this winter. Can we talk about what would keep it?",
    )
    Reflection.objects.create(
        compact=compact,
        version=version,
        commitment_key=commitments[3].key,
        author=leader2,
        kind=Reflection.Kind.CELEBRATE,
        text="Our staff survey shows more people feel safe to speak up than a year ago.",
    )
    Reflection.objects.create(
        compact=compact,
        version=version,
        author=leader2,
        kind=Reflection.Kind.CELEBRATE,
        visibility=Reflection.Visibility.STAFF_ONLY,
        text="The compact gave our board a shared language.",
    )
    ReflectionSession.objects.create(
        compact=compact,
        held_on=date(2026, 10, 14),
        title="Autumn reflection session",
        created_by=context["staff"],
        outcomes="We agreed protected time is the promise most at risk, and asked the spring round to look at it.",
    )
    # Written here without the services, so the compact's cached pages are made stale here too.
    Compact.objects.bump_generation(compact_id=compact.pk)
    context["logins"] = [
        *[(email, text) for email, text in context["logins"] if email != leader2.email],
        (leader2.email, "leader who signed version 2 and reflects on it"),
    ]
