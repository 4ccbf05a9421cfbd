"""Who may do what. Every check here is also enforced by the services that change state."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings

ACADEMY_STAFF_GROUP = "Academy staff"
MANAGE_PERMISSION = "compact.manage_compacts"


def is_academy_staff(user):
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(MANAGE_PERMISSION))


def has_verified_email(user):
    if not (user and user.is_authenticated):
        return False
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def has_two_factor(user):
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def needs_two_factor_setup(user):
    """Staff must have TOTP before they reach staff pages, where the deployment requires it."""
    return settings.STAFF_REQUIRE_MFA and not has_two_factor(user)
