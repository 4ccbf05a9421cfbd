"""Workflows on a person's own account."""

from __future__ import annotations

import re

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit import services as audit
from compact.errors import NotAllowed
from notifications.services import forget
from signatories.models import Signature
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
    # Gathered first, while the rows that say them still exist.
    texts, objects = _identity(user)
    anonymise_signatures(signer=user)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    # An organisation sign-in link keeps the name and e-mail address the provider sent.
    SocialAccount.objects.filter(user=user).delete()
    forget(user=user)  # e-mail settings, follows, queued and sent notices, digest days
    user.full_name = user.job_title = user.organisation_name = user.leadership_role = ""
    user.email = f"erased-{user.pk}@invalid"
    user.set_unusable_password()  # also invalidates every session's auth hash
    user.is_active = False
    user.erased_at = timezone.now()
    user.save()
    _end_sessions(user)
    # The trail records people by number, but it may still quote them: events written before it
    # did, and what staff typed (a reason naming the person). The one narrow, audited way to
    # change it takes the name and addresses out; Django's admin log is scrubbed the same way.
    audit.redact(account_id=user.pk, texts=texts, objects=objects)
    _scrub_admin_log(user, texts=texts, objects=objects)
    audit.record(action="erase account", actor=user, target=user, after={"erased": True})
    return user


def _identity(user: User) -> tuple[set[str], set[tuple[str, str]]]:
    """What names the person (their name, every address they had, the names they signed with)
    and the objects that are theirs (the account, its addresses, sign-in links, authenticators,
    signatures, and any object the trail says was theirs, such as an address deleted since)."""
    texts = {user.full_name, user.email}
    texts |= set(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    texts |= set(Signature.objects.filter(signer=user).values_list("full_name", flat=True))
    objects = {("accounts.user", str(user.pk))}
    for model, rows in (
        (EmailAddress, EmailAddress.objects.filter(user=user)),
        (SocialAccount, SocialAccount.objects.filter(user=user)),
        (Authenticator, Authenticator.objects.filter(user=user)),
        (Signature, Signature.objects.filter(signer=user)),
    ):
        objects |= {(model._meta.label_lower, str(pk)) for pk in rows.values_list("pk", flat=True)}
    objects |= audit.objects_referring_to(label="accounts.user", pk=user.pk)
    return {t for t in texts if t}, objects


def _scrub_admin_log(user: User, *, texts: set[str], objects: set[tuple[str, str]]) -> None:
    """Django's admin log names objects by str(), which for a person is their name or address:
    entries about their objects, or quoting them, name the object by kind and number instead."""
    mentions = Q(pk__in=[])
    for label, object_id in objects:
        app_label, model = label.split(".")
        mentions |= Q(content_type__app_label=app_label, content_type__model=model, object_id=object_id)
    for text in texts:
        mentions |= Q(object_repr__icontains=text) | Q(change_message__icontains=text)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(texts, key=len, reverse=True)), re.IGNORECASE)
    entries = LogEntry.objects.filter(mentions).values_list(
        "pk", "content_type__model", "object_id", "change_message"
    )
    for pk, model_name, object_id, message in entries:
        LogEntry.objects.filter(pk=pk).update(
            object_repr=f"{model_name} {object_id}",
            change_message=pattern.sub(f"user {user.pk}", message) if texts else message,
        )


def _end_sessions(user: User) -> None:
    # Sessions carry no user column; the table is scanned once, which erasure can afford.
    doomed = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=doomed).delete()
