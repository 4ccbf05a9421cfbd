"""The silent trust signals of signing: a name signed twice goes to the staff queue, and a burst
of signatures from one e-mail domain or one client address is held until staff release it
(docs/trust.md). The signer is told nothing different."""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from audit import services as audit

from ..models import Organisation, Signature
from ..normalise import domain_matches, email_domain
from ._common import public_list_changed
from .organisations import SHARED_MAIL_DOMAINS

# A fraud signal staff see; the signer is told nothing different.
REASON_NAME = "The same name signed this version more than once"
# Holds (settings SIGNATURE_HOLD_PER_DOMAIN and SIGNATURE_HOLD_PER_ADDRESS, "N/period"): past N
# signatures of one version from one e-mail domain, or one client address, within the period,
# every standing signature of that burst is held until staff release it (docs/trust.md).
HOLD_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def client_key(*, address: str) -> str:
    """A keyed hash of the client address: enough to see a burst, useless to anyone who reads it."""
    if not address:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def flag_repeated_name(*, signature: Signature) -> None:
    """A silent fraud signal: a name signed twice puts both signatures in the staff queue.
    Nothing differs for the signer. (Bursts from one address or domain are held: hold_bursts.)"""
    same_name = Signature.objects.filter(
        version_id=signature.version_id, full_name__iexact=signature.full_name
    ).exclude(status=Signature.Status.WITHDRAWN)
    ids = list(same_name.values_list("pk", flat=True)[:500])
    if len(ids) < 2:
        return
    for flagged in Signature.objects.select_for_update().filter(pk__in=ids):
        if REASON_NAME not in flagged.review_reasons:
            flagged.review_reasons = [*flagged.review_reasons, REASON_NAME]
            flagged.needs_review = True
            flagged.save(update_fields=["review_reasons", "needs_review"])


def hold_threshold(*, setting: str) -> tuple[int, timedelta]:
    """A hold setting ("3/hour") as a count and a period. A setting that cannot be read is a
    deployment error, said at once rather than guessed round."""
    value = str(getattr(settings, setting, "3/hour"))
    count, _, period = value.partition("/")
    seconds = HOLD_PERIODS.get(period.strip().lower().removesuffix("s"))
    if not count.strip().isdigit() or seconds is None or int(count) < 1:
        raise ValueError(
            f'{setting} must look like "3/hour" (per second, minute, hour or day), not {value!r}.'
        )
    return int(count), timedelta(seconds=seconds)


def _period_words(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    return next(
        f"a{'n' if name == 'hour' else ''} {name}" for name, n in HOLD_PERIODS.items() if n == seconds
    )


def _recorded_domain(domain: str) -> bool:
    """Is the domain (or a parent) one staff recorded for a listed organisation? Staff vouched
    that the organisation owns its mail: a burst from it is colleagues at a signing event, each
    a real mailbox, not addresses minted at a catch-all domain."""
    recorded = Organisation.objects.filter(listed=True).values_list("email_domains", flat=True)
    return any(domain_matches(domain, one) for domains in recorded for one in domains or [])


def hold_bursts(*, signature: Signature) -> None:
    """Hold every standing signature of a burst: more than the setting's count of this version's
    signatures from one e-mail domain, or one client address, within its period.

    Public mail services (nhs.net, gmail.com: SHARED_MAIL_DOMAINS) are counted by address only:
    thousands of unrelated people share them, and each address there is a mailbox its owner had
    to open, unlike addresses at a catch-all domain, which cost nothing. Signers at a domain staff
    recorded for a listed organisation are never held. Signatures staff released stay released.
    """
    groups: list[tuple[Q, int, str]] = []
    if signature.client_key:
        limit, window = hold_threshold(setting="SIGNATURE_HOLD_PER_ADDRESS")
        since = signature.created_at - window
        reason = f"More than {limit} signatures from one address within {_period_words(window)}"
        groups.append((Q(client_key=signature.client_key, created_at__gte=since), limit, reason))
    domain = email_domain(signature.email_key)
    if domain and domain not in SHARED_MAIL_DOMAINS:
        limit, window = hold_threshold(setting="SIGNATURE_HOLD_PER_DOMAIN")
        since = signature.created_at - window
        # Not the domain itself: one person's own domain names them, and the reason outlives
        # their erasure (staff see the address beside it while it exists).
        reason = f"More than {limit} signatures from one e-mail domain within {_period_words(window)}"
        groups.append((Q(email_key__endswith="@" + domain, created_at__gte=since), limit, reason))
    reasons_for: dict[int, list[str]] = {}
    for query, limit, reason in groups:
        burst = Signature.objects.filter(query, version_id=signature.version_id)
        if burst.count() <= limit:
            continue
        # Those not yet held (and this one, which may be held already for the other reason):
        # once a burst is held, each later signature of it locks only itself.
        standing = burst.filter(status__in=Signature.ACTIVE, released_at__isnull=True).filter(
            Q(held_at__isnull=True) | Q(pk=signature.pk)
        )
        for pk in standing.values_list("pk", flat=True)[:500]:
            reasons_for.setdefault(pk, []).append(reason)
    vouched: dict[str, bool] = {}
    newly_held_public = False
    for held in Signature.objects.select_for_update().filter(pk__in=list(reasons_for)).order_by("pk"):
        held_domain = email_domain(held.email_key)
        if held_domain and vouched.setdefault(held_domain, _recorded_domain(held_domain)):
            continue
        reasons = [reason for reason in reasons_for[held.pk] if reason not in held.hold_reasons]
        if not reasons:
            continue
        was_public = held.held_at is None and held.status == Signature.Status.CONFIRMED
        was_held = held.held_at is not None
        held.held_at = held.held_at or timezone.now()
        held.hold_reasons = [*held.hold_reasons, *reasons]
        held.save(update_fields=["held_at", "hold_reasons"])
        audit.record(
            action="hold signature",
            target=held,
            before={"held": was_held},
            after={"held": True, "reasons": reasons},
        )
        newly_held_public = newly_held_public or was_public
    if newly_held_public:
        public_list_changed(version=signature.version, removed=True)
