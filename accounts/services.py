"""Workflows on a person's own account."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

import audit
from compact.errors import NotAllowed
from notifications.services import forget
from signatories.services import anonymise_signatures

from .models import User


@transaction.atomic
def erase_account(*, actor: User, user: User) -> User:
    """Erase a person's identity (UK GDPR right to erasure) and keep what others rely on.

    Name and e-mail go everywhere (an organisation sign-in link and the e-mail settings, follows
    and notices go with them); the account can no longer sign in and every session ends.
    Their comments stay, shown as "A former participant", so threads still read; their votes
    stay in the totals; their signatures stay counted for their organisation as "Signatory <id>".
    No compact text changes, so no content hash does.
    """
    if actor.pk != user.pk:
        raise NotAllowed("You can only delete your own account.")
    anonymise_signatures(signer=user)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    # An organisation sign-in link keeps the name and e-mail address the provider sent.
    SocialAccount.objects.filter(user=user).delete()
    forget(user=user)  # e-mail settings, follows, queued and sent notices, digest days
    user.full_name = user.job_title = user.organisation_name = ""
    user.email = f"erased-{user.pk}@invalid"
    user.set_unusable_password()  # also invalidates every session's auth hash
    user.is_active = False
    user.erased_at = timezone.now()
    user.save()
    _end_sessions(user)
    audit.record(action="erase account", actor=user, target=user, after={"erased": True})
    return user


def _end_sessions(user: User) -> None:
    # Sessions carry no user column; the table is scanned once, which erasure can afford.
    doomed = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=doomed).delete()
