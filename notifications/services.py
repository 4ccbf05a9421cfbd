"""Writes: preferences, follows, and turning an event into mail each person asked for.

Every e-mail routed through here is non-transactional and carries a one-click unsubscribe for its
kind (RFC 8058 headers and a link in the body). Transactional mail (e-mail verification, password
reset, signature confirmation) goes straight into the outbox (notifications/outbox.py), never
through here, so it is never suppressed.
"""

import contextvars
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import is_academy_staff
from core.errors import DomainError

from . import outbox, selectors
from .kinds import DEFAULTS, DIGEST, STAFF_ONLY, Kind, Mode, modes_for
from .models import DigestSent, Follow, Outgoing, PendingNotification, Preference
from .unsubscribe import unsubscribe_token, unsubscribe_url, user_for_token

logger = logging.getLogger(__name__)


_MUTED = contextvars.ContextVar("notifications_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Nothing is queued or sent inside this block (the demo loader: it e-mails nobody)."""
    token = _MUTED.set(True)
    try:
        yield
    finally:
        _MUTED.reset(token)


# --- preferences and follows --------------------------------------------------------------------


@transaction.atomic
def set_preference(*, user: User, kind: str, mode: str) -> None:
    if kind not in Kind.values:
        raise DomainError("Choose which e-mails you mean.")
    if mode not in Mode.values:
        raise DomainError("Choose straight away, a daily digest, or off.")
    if mode not in dict(modes_for(kind)):
        raise DomainError(f"{Kind(kind).label}: choose straight away or off.")
    Preference.objects.update_or_create(user=user, kind=kind, defaults={"mode": mode})
    if mode == Mode.OFF:
        # Switched off means off: what was waiting for the digest is not sent either.
        PendingNotification.objects.filter(user=user, kind=kind, sent_at__isnull=True).delete()


@transaction.atomic
def unsubscribe(*, user: User, kind: str) -> list[str]:
    """Switch one kind off; the digest's link switches off every kind now sent in the digest.
    Returns the labels switched off, for the confirmation page."""
    if kind == DIGEST:
        kinds = [k for k, _label, mode in selectors.settings_for(user) if mode == Mode.DIGEST]
    else:
        kinds = [kind]
    for each in kinds:
        set_preference(user=user, kind=each, mode=Mode.OFF)
    # Anything already queued for those kinds is not sent either.
    PendingNotification.objects.filter(user=user, kind__in=kinds, sent_at__isnull=True).delete()
    return [Kind(k).label for k in kinds]


def follow(*, user: User | AnonymousUser | None, what: str, pk: int) -> None:
    if not (user and user.is_authenticated):
        raise DomainError("Sign in to follow.")
    try:
        with transaction.atomic():
            Follow.objects.get_or_create(user=user, target=selectors.target_key(what, pk))
    except IntegrityError:  # the same button pressed twice at once
        pass


def unfollow(*, user: User, what: str, pk: int) -> None:
    Follow.objects.filter(user=user, target=selectors.target_key(what, pk)).delete()


def forget(*, user: AbstractBaseUser) -> None:
    """Everything this app holds about a person whose account is erased: their settings, what
    they follow, the e-mails queued or sent to them (the outbox too) and their digest days. An erased account
    receives no mail, so none of it serves a purpose any more."""
    for model in (Preference, Follow, PendingNotification, DigestSent, Outgoing):
        model.objects.filter(user_id=user.pk).delete()


# --- sending ------------------------------------------------------------------------------------
# Nothing here sends: each function writes rows to the outbox (notifications/outbox.py) in the
# caller's transaction, and the outbox's tasks send them once it commits.


def route(*, kind: str, letters: Iterable[outbox.Letter]) -> list[outbox.Letter]:
    """The hook for mail another app renders (one person per letter): returns the letters to put
    in the outbox now, with the unsubscribe headers and footer for `kind`; digest ones are queued
    for the daily digest, switched-off ones dropped. A letter to no account passes untouched."""
    letters = list(letters)
    if _MUTED.get():
        return []
    people = get_user_model().objects.in_bulk([x.user_id for x in letters if x.user_id])
    wanted = selectors.modes(kind=kind, user_ids=list(people))
    now = []
    for letter in letters:
        user = people.get(letter.user_id) if letter.user_id else None
        if user is None:
            now.append(letter)
            continue
        if not user.is_active or (kind in STAFF_ONLY and not is_academy_staff(user)):
            continue
        mode = wanted[user.pk]
        if mode == Mode.IMMEDIATE:
            now.append(outbox.unsubscribing(letter, user=user, kind=kind))
        elif mode == Mode.DIGEST and letter.rendered is not None:
            PendingNotification.objects.get_or_create(
                user=user,
                kind=kind,
                key=letter.key[:200],
                defaults={
                    "subject": letter.rendered.subject.removeprefix(outbox.SUBJECT_PREFIX)[:300],
                    "body": letter.rendered.text,
                },
            )
    return now


def notify(*, kind: str, users: Iterable[User], key: str, subject: str, body: str, url: str = "") -> int:
    """Tell these people of one event, each as they chose: an e-mail now (an outbox row) or an
    item in their daily digest, both written inside the caller's transaction."""
    if _MUTED.get():
        return 0
    people = [u for u in users if u.is_active]
    subject = " ".join(subject.split())
    if kind in STAFF_ONLY:
        people = [u for u in people if is_academy_staff(u)]
    wanted = selectors.modes(kind=kind, user_ids=[u.pk for u in people])
    letters = []
    for user in people:
        mode = wanted[user.pk]
        if mode == Mode.IMMEDIATE:
            rendered = outbox.render(
                template="notifications/email/notice",
                subject=subject,
                context={"user": user, "body": body, "url": url},
            )
            letter = outbox.Letter(
                key=f"{kind}:{key}:user:{user.pk}",
                kind=kind,
                about=key,
                to=user.email,
                user_id=user.pk,
                rendered=rendered,
            )
            letters.append(outbox.unsubscribing(letter, user=user, kind=kind))
        elif mode == Mode.DIGEST:
            PendingNotification.objects.get_or_create(
                user=user,
                kind=kind,
                key=key[:200],
                defaults={"immediate": False, "subject": subject[:300], "body": body, "url": url},
            )
    outbox.put(letters=letters)
    return len(letters)


def send_immediate(*, ids: Iterable[int] | None = None) -> int:
    """Immediate notices written before the outbox existed: moved into it, once each."""
    with transaction.atomic():
        unsent = PendingNotification.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            immediate=True, sent_at__isnull=True
        )
        if ids is not None:
            unsent = unsent.filter(pk__in=ids)
        rows = list(unsent.select_related("user"))
        letters = []
        for row in rows:
            rendered = outbox.render(
                template="notifications/email/notice",
                subject=row.subject,
                context={"user": row.user, "body": row.body, "url": row.url},
            )
            letter = outbox.Letter(
                key=f"{row.kind}:{row.key}:user:{row.user_id}",
                kind=row.kind,
                about=row.key,
                to=row.user.email,
                user_id=row.user_id,
                rendered=rendered,
            )
            letters.append(outbox.unsubscribing(letter, user=row.user, kind=row.kind))
        outbox.put(letters=letters)
        PendingNotification.objects.filter(pk__in=[r.pk for r in rows]).update(sent_at=timezone.now())
        return len(rows)


def send_digests(*, today: date | None = None) -> int:
    """One e-mail per person per day at most, listing everything queued for their digest.
    Run twice, it writes nothing twice: the day's DigestSent row, the outbox row (keyed by the
    person and the day) and each item's `sent_at` are written in one transaction."""
    today = today or timezone.localdate()
    owed = (
        PendingNotification.objects.filter(immediate=False, sent_at__isnull=True)
        .exclude(user__in=DigestSent.objects.filter(day=today).values("user_id"))
        .values_list("user_id", flat=True)
        .distinct()
    )
    written = 0
    for user_id in list(owed):
        with transaction.atomic():
            outbox.lock_timeout()
            rows = list(
                PendingNotification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(user_id=user_id, immediate=False, sent_at__isnull=True)
                .select_related("user")
            )
            if not rows:
                continue
            _, created = DigestSent.objects.get_or_create(user_id=user_id, day=today)
            if not created:
                continue
            user = rows[0].user
            count = len(rows)
            rendered = outbox.render(
                template="notifications/email/digest",
                subject=f"Your daily digest: {count} update{'s' if count != 1 else ''}",
                context={"user": user, "rows": rows, "count": count},
            )
            letter = outbox.Letter(
                key=f"digest:user:{user_id}:{today.isoformat()}",
                kind="digest",
                to=user.email,
                user_id=user_id,
                rendered=rendered,
            )
            outbox.put(letters=[outbox.unsubscribing(letter, user=user, kind=DIGEST)])
            PendingNotification.objects.filter(pk__in=[r.pk for r in rows]).update(sent_at=timezone.now())
            written += 1
    return written


__all__ = [
    "DEFAULTS",
    "unsubscribe_token",
    "unsubscribe_url",
    "user_for_token",
    "notify",
    "route",
    "set_preference",
    "unsubscribe",
    "follow",
    "unfollow",
]
