"""Who may do what. Every check here is also enforced by the services that change state.

Each answer is read from the database once per request and remembered on the request's user
object for the rest of it (Django's permission checks do the same), never across requests: a
person removed from academy staff is refused on their very next request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

ACADEMY_STAFF_GROUP = "Academy staff"
MANAGE_PERMISSION = "compact.manage_compacts"


def is_academy_staff(user: User | AnonymousUser | None) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    # ModelBackend keeps the person's permissions on this user object: read once a request.
    return user.has_perm(MANAGE_PERMISSION)


def has_verified_email(user: User | AnonymousUser | None) -> bool:
    if not (user and user.is_authenticated):
        return False
    known: bool | None = getattr(user, "_has_verified_email", None)
    if known is None:
        known = EmailAddress.objects.filter(user=user, verified=True).exists()
        user._has_verified_email = known  # type: ignore[attr-defined]  # for the rest of this request
    return known


def has_two_factor(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def needs_two_factor_setup(user):
    """Staff must have TOTP before they reach staff pages, where the deployment requires it."""
    return settings.STAFF_REQUIRE_MFA and not has_two_factor(user)


def has_staff_powers(user):
    """Academy staff, and anyone who may enter the admin: the accounts two-factor protects."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_staff or user.is_superuser or is_academy_staff(user)


def must_set_up_two_factor(user):
    """An account with staff powers and no TOTP, where the deployment requires two-factor.

    The answer is kept on the user object for the rest of the request: the gate asks once per
    request and pages ask again.
    """
    if not settings.STAFF_REQUIRE_MFA:
        return False
    cached = getattr(user, "_must_set_up_two_factor", None)
    if cached is None:
        cached = has_staff_powers(user) and not has_two_factor(user)
        if user is not None and user.is_authenticated:
            user._must_set_up_two_factor = cached
    return cached
