"""One-click unsubscribe tokens: signed, a salt per kind, a year's life.

Apart from the services so that the outbox, which puts the link in every non-transactional
e-mail, and the services, which write to the outbox, need not import each other.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse

from accounts.models import User
from core.errors import DomainError

from .kinds import DIGEST, Kind

# Unsubscribe links last a year: long enough for an old e-mail, short enough to retire keys.
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 365


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
