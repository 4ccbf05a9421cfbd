"""Writes: preferences, follows, and turning an event into mail each person asked for.

Every e-mail sent through here is non-transactional and carries a one-click unsubscribe for its
kind (RFC 8058 headers and a link in the body). Transactional mail (e-mail verification, password
reset, signature confirmation) never passes through here, so it is never suppressed.
"""

import contextvars
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import is_academy_staff
from config import dispatch
from core.errors import DomainError

from . import selectors
from .kinds import ABOUT, DEFAULTS, DIGEST, STAFF_ONLY, Kind, Mode
from .models import DigestSent, Follow, PendingNotification, Preference

logger = logging.getLogger(__name__)

# Unsubscribe links last a year: long enough for an old e-mail, short enough to retire keys.
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 365


_MUTED = contextvars.ContextVar("notifications_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Nothing is queued or sent inside this block (the demo loader: it e-mails nobody)."""
    token = _MUTED.set(True)
    try:
        yield
    finally:
        _MUTED.reset(token)


# --- unsubscribe tokens -------------------------------------------------------------------------


def _salt(kind: str) -> str:
    # A salt per kind: a token for one kind can never be replayed against another.
    return f"notifications.unsubscribe.{kind}"


def unsubscribe_token(*, user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=_salt(kind), compress=True)


def unsubscribe_url(*, user: User, kind: str) -> str:
    path = reverse(
        "notifications:unsubscribe", kwargs={"kind": kind, "token": unsubscribe_token(user=user, kind=kind)}
    )
    url: str = settings.SITE_URL + path
    return url


def user_for_token(*, kind: str, token: str) -> User:
    """The person a token names, or DomainError if it was altered, is for another kind, or expired."""
    if kind not in Kind.values and kind != DIGEST:
        raise DomainError("This unsubscribe link is not one we sent.")
    try:
        data = signing.loads(token, salt=_salt(kind), max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.SignatureExpired:
        raise DomainError(
            "This unsubscribe link has expired. Sign in to change your e-mail settings."
        ) from None
    except signing.BadSignature:
        raise DomainError("This unsubscribe link is not one we sent, or it was changed.") from None
    if data.get("k") != kind:
        raise DomainError("This unsubscribe link is not one we sent, or it was changed.")
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None:
        raise DomainError("This account no longer exists, so it receives no e-mail.")
    return user


# --- preferences and follows --------------------------------------------------------------------


@transaction.atomic
def set_preference(*, user: User, kind: str, mode: str) -> None:
    if kind not in Kind.values:
        raise DomainError("Choose which e-mails you mean.")
    if mode not in Mode.values:
        raise DomainError("Choose straight away, a daily digest, or off.")
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
    they follow, the e-mails queued or sent to them and their digest days. An erased account
    receives no mail, so none of it serves a purpose any more."""
    for model in (Preference, Follow, PendingNotification, DigestSent):
        model.objects.filter(user_id=user.pk).delete()


# --- sending ------------------------------------------------------------------------------------


def _with_unsubscribe(message: EmailMessage, *, user: User, kind: str) -> EmailMessage:
    """Add the RFC 8058 one-click headers and a link at the foot of the body."""
    url = unsubscribe_url(user=user, kind=kind)
    message.extra_headers = {
        **(message.extra_headers or {}),
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    label = "the daily digest" if kind == DIGEST else ABOUT[kind]
    manage = settings.SITE_URL + reverse("accounts:profile") + "#notifications"
    message.body = (
        f"{message.body.rstrip()}\n\n--\n"
        f"Stop e-mails about {label}: {url}\n"
        f"Choose which e-mails you get: {manage}\n"
    )
    return message


def route_messages(*, kind: str, messages: Iterable[EmailMessage]) -> list[EmailMessage]:
    """The hook for mail another app already builds (one recipient per message): returns the
    messages to send now, with unsubscribe headers; digest ones are queued, switched-off ones
    dropped. A message to an address with no account is passed through untouched."""
    messages = list(messages)
    people = {
        u.email.lower(): u
        for u in get_user_model().objects.filter(email__in=[m.to[0].lower() for m in messages if m.to])
    }
    wanted = selectors.modes(kind=kind, user_ids=[u.pk for u in people.values()])
    now = []
    for message in messages:
        user = people.get(message.to[0].lower()) if message.to else None
        if user is None:
            now.append(message)
            continue
        mode = wanted[user.pk]
        if mode == Mode.IMMEDIATE:
            now.append(_with_unsubscribe(message, user=user, kind=kind))
        elif mode == Mode.DIGEST:
            PendingNotification.objects.get_or_create(
                user=user,
                kind=kind,
                key=message.subject[:200],
                defaults={"subject": message.subject[:300], "body": message.body},
            )
    return now


def notify(*, kind: str, users: Iterable[User], key: str, subject: str, body: str, url: str = "") -> int:
    """Tell these people of one event, each as they chose. Rows are written now (inside the
    caller's transaction); immediate ones are sent by a task once it commits."""
    if _MUTED.get():
        return 0
    people = [u for u in users if u.is_active]
    # Subjects carry people's names and round titles: one line, whatever was typed.
    subject = " ".join(subject.split())
    if kind in STAFF_ONLY:
        people = [u for u in people if is_academy_staff(u)]
    wanted = selectors.modes(kind=kind, user_ids=[u.pk for u in people])
    immediate = []
    for user in people:
        mode = wanted[user.pk]
        if mode == Mode.OFF:
            continue
        row, created = PendingNotification.objects.get_or_create(
            user=user,
            kind=kind,
            key=key[:200],
            defaults={
                "immediate": mode == Mode.IMMEDIATE,
                "subject": subject[:300],
                "body": body,
                "url": url,
            },
        )
        if created and row.immediate:
            immediate.append(row.pk)
    if immediate:
        dispatch.send_on_commit("notifications.tasks.send_immediate", immediate)
    return len(immediate)


def _message_for(row: PendingNotification) -> EmailMessage:
    body = row.body + (f"\n\n{row.url}" if row.url else "")
    message = EmailMessage(row.subject, body, settings.DEFAULT_FROM_EMAIL, [row.user.email])
    return _with_unsubscribe(message, user=row.user, kind=row.kind)


def send_immediate(*, ids: Iterable[int] | None = None) -> int:
    """Send unsent immediate rows (these ids, or all of them for the reconciler), once each."""
    with transaction.atomic():
        unsent = PendingNotification.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            immediate=True, sent_at__isnull=True
        )
        if ids is not None:
            unsent = unsent.filter(pk__in=ids)
        rows = list(unsent.select_related("user"))
        if not rows:
            return 0
        sent = get_connection().send_messages([_message_for(row) for row in rows]) or 0
        PendingNotification.objects.filter(pk__in=[r.pk for r in rows]).update(sent_at=timezone.now())
        return sent


def send_digests(*, today: date | None = None) -> int:
    """One e-mail per person per day at most, listing everything queued for their digest.
    Run twice, it sends nothing twice: the day's DigestSent row and each item's `sent_at` are
    written in the transaction that sends."""
    today = today or timezone.localdate()
    owed = (
        PendingNotification.objects.filter(immediate=False, sent_at__isnull=True)
        .exclude(user__in=DigestSent.objects.filter(day=today).values("user_id"))
        .values_list("user_id", flat=True)
        .distinct()
    )
    sent = 0
    for user_id in list(owed):
        with transaction.atomic():
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
            body = render_to_string(
                "notifications/email/digest.txt", {"user": user, "rows": rows, "count": len(rows)}
            )
            subject = f"Your daily digest: {len(rows)} update{'s' if len(rows) != 1 else ''}"
            message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            sent += _with_unsubscribe(message, user=user, kind=DIGEST).send()
            PendingNotification.objects.filter(pk__in=[r.pk for r in rows]).update(sent_at=timezone.now())
    return sent


__all__ = ["DEFAULTS", "notify", "route_messages", "set_preference", "unsubscribe", "follow", "unfollow"]
