"""Reads: who hears of what, and how. Published for other apps (one query per call)."""

from collections.abc import Collection, Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import is_academy_staff

from .kinds import DEFAULTS, STAFF_ONLY, Kind, Mode
from .models import Follow, Outgoing, PendingNotification, Preference

TARGETS = ("round", "theme", "commitment")


def target_key(what: str, pk: int | str) -> str:
    if what not in TARGETS:
        raise ValueError(f"Cannot follow {what!r}")
    return f"{what}:{int(pk)}"


def modes(*, kind: str, user_ids: Collection[int]) -> dict[int, str]:
    """{user_id: mode} for these people and this kind, defaults filled in."""
    chosen = dict(
        Preference.objects.filter(kind=kind, user_id__in=list(user_ids)).values_list("user_id", "mode")
    )
    return {user_id: chosen.get(user_id, DEFAULTS[kind]) for user_id in user_ids}


def mode_for(*, user: User, kind: str) -> str:
    return modes(kind=kind, user_ids=[user.pk])[user.pk]


def recipients(*, kind: str, users: Iterable[User]) -> list[User]:
    """The people among `users` who have not switched this kind off."""
    people = list(users)
    wanted = modes(kind=kind, user_ids=[u.pk for u in people])
    return [u for u in people if wanted[u.pk] != Mode.OFF]


def settings_for(user: User) -> list[tuple[str, str, str]]:
    """[(kind, label, mode)] for the account page: staff-only kinds only for staff."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "mode"))
    staff = is_academy_staff(user)
    return [
        (kind.value, kind.label, chosen.get(kind.value, DEFAULTS[kind]))
        for kind in Kind
        if staff or kind not in STAFF_ONLY
    ]


def is_following(*, user: User | AnonymousUser | None, target: str) -> bool:
    if not (user and user.is_authenticated):
        return False
    return Follow.objects.filter(user=user, target=target).exists()


def followers(*, targets: Iterable[str]) -> QuerySet[User]:
    """Active people following any of these targets."""
    return get_user_model().objects.filter(
        is_active=True, pk__in=Follow.objects.filter(target__in=list(targets)).values("user_id")
    )


def unsent(*, user: User) -> QuerySet[PendingNotification]:
    return PendingNotification.objects.filter(user=user, sent_at__isnull=True)


def written(*, keys: Iterable[str]) -> set[str]:
    """Which of these outbox keys have a row already: an e-mail written for that person and event
    (sent or not), so a sender can say beforehand how many new ones it would write."""
    keys = list(keys)
    found: set[str] = set()
    for start in range(0, len(keys), 500):  # within every database's limit on parameters
        found.update(Outgoing.objects.filter(key__in=keys[start : start + 500]).values_list("key", flat=True))
    return found


def failed_mail_count() -> int:
    """For the staff dashboard: e-mails that failed every attempt and wait for staff to retry."""
    return Outgoing.objects.filter(status=Outgoing.Status.FAILED).count()
