"""Who may reflect, and recording reflections and sessions."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import has_verified_email
from compact.errors import DomainError, NotAllowed
from compact.models import Compact
from compact.services import require_academy_staff
from signatories.selectors import has_confirmed_tie_to_compact

from .models import Reflection, ReflectionSession

MAX_TEXT = 3000
# The daily limit is counted over the last 24 hours, not the calendar day: no midnight burst.
LIMIT_WINDOW = timedelta(hours=24)


def reflections_per_day() -> int:
    return int(getattr(settings, "REFLECTIONS_PER_DAY", 5))


def may_reflect(*, user: User | AnonymousUser | None, compact: Compact) -> bool:
    """Signatories of any version of the compact, and members of an organisation that signed it,
    by a signature that counts publicly (confirmed, verified for its organisation, not held).

    A member is someone who confirmed a signature for that organisation: the organisation typed on
    a profile is the person's own say-so and proves nothing.
    """
    if not (user and user.is_authenticated and has_verified_email(user)):
        return False
    return has_confirmed_tie_to_compact(user, compact)


@transaction.atomic
def reflect(
    *,
    actor: User,
    compact: Compact,
    kind: str,
    text: str,
    visibility: str = Reflection.Visibility.NAMED,
    commitment_key: UUID | str | None = None,
) -> Reflection:
    if not may_reflect(user=actor, compact=compact):
        raise NotAllowed("Reflections are recorded by signatories and members of organisations that signed.")
    version = compact.versions.published().first()
    if version is None:
        raise DomainError("This compact has no published version to reflect on.")
    text = text.strip()
    if not text:
        raise DomainError("Write your reflection.")
    if len(text) > MAX_TEXT:
        raise DomainError(f"Keep your reflection to {MAX_TEXT} characters or fewer.")
    if kind not in Reflection.Kind.values:
        raise DomainError("Choose whether this is something to celebrate or a concern to discuss.")
    if visibility not in Reflection.Visibility.values:
        raise DomainError("Choose who may read your reflection.")
    if commitment_key and not version.commitments.filter(key=commitment_key).exists():
        raise DomainError("Choose a commitment of the published version.")
    _within_daily_limit(actor)
    reflection = Reflection.objects.create(
        compact=compact,
        version=version,
        commitment_key=commitment_key or None,
        author=actor,
        kind=kind,
        text=text,
        visibility=visibility,
    )
    # Round pages on the compact show which commitments drew concerns: cached under this number.
    Compact.objects.bump_generation(compact_id=compact.pk)
    return reflection


def _within_daily_limit(actor: User) -> None:
    """A person records at most REFLECTIONS_PER_DAY reflections in any 24 hours, on all compacts.

    The author's row is locked first, so two posts at once are counted one after the other and
    neither slips past the limit. The limit lives here, with the reflection, not in the cache:
    a cache that forgets must not let a flood through."""
    User.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True).first()
    limit = reflections_per_day()
    since = timezone.now() - LIMIT_WINDOW
    if Reflection.objects.filter(author=actor, created_at__gte=since).count() >= limit:
        raise DomainError(
            f"You have recorded {limit} reflections in the last 24 hours, which is the most we take "
            "from one person in a day. Keep your text and try again tomorrow."
        )


@transaction.atomic
def record_session(
    *, actor: User, compact: Compact, held_on: date, title: str, outcomes: str
) -> ReflectionSession:
    require_academy_staff(actor=actor)
    if not title.strip() or not outcomes.strip():
        raise DomainError("Give the session a title and write down the outcomes discussed.")
    return ReflectionSession.objects.create(
        compact=compact, held_on=held_on, title=title.strip(), outcomes=outcomes.strip(), created_by=actor
    )
