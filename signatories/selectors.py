"""Reads for the signatories list: a fixed number of queries whatever the number of signatures."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils.crypto import constant_time_compare, salted_hmac

from compact.caching import PAGE_TTL

from .models import Organisation, Signature
from .normalise import clean_name, name_key, name_skeleton

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from compact.models import Compact, Version


def clean_query(*, query: str) -> str:
    """A search as typed, minus what no name contains (NUL and other control characters, which
    PostgreSQL refuses in a query), limited to 100 characters."""
    return clean_name(query)[:100]


def public_filter(*, queryset: QuerySet[Signature], query: str) -> QuerySet[Signature]:
    """Signatures whose name, organisation or role contains the search."""
    query = clean_query(query=query)
    if not query:
        return queryset
    return queryset.filter(
        Q(full_name__icontains=query) | Q(organisation__name__icontains=query) | Q(role__icontains=query)
    )


def public_signatures(version: Version, query: str = "") -> QuerySet[Signature]:
    signatures = Signature.objects.public().filter(version=version).select_related("organisation")
    return public_filter(queryset=signatures, query=query).order_by("-confirmed_at", "-id")


def public_counts(version: Version) -> dict[str, Any]:
    """How many have signed, by kind and by region of organisation (personal signatures apart).

    Cached under the compact's generation (a column, read with the compact), which every
    confirmation, withdrawal and hiding raises: three aggregates over every signature are too
    dear to run on each page."""
    key = f"signatories:counts:{version.pk}:{version.compact.generation}"
    counts: dict[str, Any] | None = cache.get(key)
    if counts is None:
        counts = _count(version)
        cache.set(key, counts, PAGE_TTL)
    return counts


def _count(version: Version) -> dict[str, Any]:
    signatures = Signature.objects.public().filter(version=version)
    kinds = dict(Organisation.Kind.choices)
    regions = dict(Organisation.Region.choices)
    by_kind = [
        (kinds.get(row["organisation__kind"], "Signed personally"), row["n"])
        for row in signatures.values("organisation__kind").annotate(n=Count("id")).order_by("-n")
    ]
    # Signing personally (no organisation) and an organisation with no region both come out as
    # "Region not given": one row, not two rows of the same name.
    by_region_totals: dict[str, int] = {}
    for row in signatures.values("organisation__region").annotate(n=Count("id")):
        label = regions.get(row["organisation__region"], "Region not given")
        by_region_totals[label] = by_region_totals.get(label, 0) + row["n"]
    by_region = sorted(by_region_totals.items(), key=lambda item: (-item[1], item[0]))
    return {
        "total": sum(n for _, n in by_kind),
        "organisations": signatures.exclude(organisation=None).values("organisation").distinct().count(),
        "by_kind": by_kind,
        "by_region": by_region,
    }


def has_confirmed_tie_to_compact(user: User | AnonymousUser | None, compact: Compact) -> bool:
    """Whether the person has signed the compact, or belongs to an organisation that has.

    Belonging is proven, never declared: the person confirmed (from their e-mail) a signature on
    behalf of that organisation, on any compact. The organisation named on a profile proves
    nothing, since anyone may type any name there. One query.
    """
    if not (user and user.is_authenticated):
        return False
    confirmed = Signature.objects.public()
    signing_organisations = confirmed.filter(version__compact=compact, organisation__isnull=False).values(
        "organisation"
    )
    return (
        confirmed.filter(signer=user)
        .filter(Q(version__compact=compact) | Q(organisation__in=signing_organisations))
        .exists()
    )


def organisations_signed(version: Version) -> QuerySet[Organisation]:
    """Organisations with a signature on this version that counts (confirmed, and verified for
    its signer): what the sign page offers as "already signed"."""
    signed = Signature.objects.public().filter(version=version, organisation__isnull=False)
    return Organisation.objects.filter(listed=True, pk__in=signed.values("organisation_id")).order_by("name")


def earlier_signature(*, user: User | AnonymousUser | None, version: Version) -> Signature | None:
    """The person's latest public signature on an earlier version of the same compact: what a
    re-signer gave then, so the sign page can fill in exactly that (one query)."""
    if not (user and user.is_authenticated):
        return None
    return (
        Signature.objects.public()
        .filter(signer=user, version__compact_id=version.compact_id, version__number__lt=version.number)
        .select_related("organisation", "version")
        .order_by("-version__number")
        .first()
    )


def organisations_to_offer(*, version: Version, earlier: Signature | None) -> QuerySet[Organisation]:
    """What the sign page lists as "already signed": this version's public signers'
    organisations, and the one the person signed for last time (so it can be kept)."""
    organisations = organisations_signed(version)
    if earlier is not None and earlier.organisation_id:
        organisations = organisations | Organisation.objects.filter(pk=earlier.organisation_id)
    return organisations


def organisation_lookup(query: str, limit: int = 8) -> list[Mapping[str, object]]:
    """Listed organisations with a public signature (on any version) whose name contains, or whose
    ODS code starts with, what was typed: the look-up offers only what others can already see."""
    query = clean_query(query=query)
    if len(query) < 2:
        return []
    key = name_key(query)
    # By skeleton too: a name typed with a look-alike letter finds the organisation it looks like.
    # Only organisations with a public signature are offered: a name nobody signed for is no help.
    signed = Signature.objects.public().filter(organisation__isnull=False).values("organisation_id")
    matches = Organisation.objects.filter(listed=True, pk__in=signed).filter(
        Q(name_key__contains=key)
        | Q(name_skeleton__contains=name_skeleton(query))
        | Q(ods_code__startswith=query.upper())
    )
    return list(matches.order_by("name").values("id", "name", "ods_code", "kind", "region")[:limit])


class ListedOrganisation(NamedTuple):
    name: str
    region: str  # the region's label, or "" when staff recorded none


def listed_organisations() -> dict[str, ListedOrganisation]:
    """Every listed organisation's name and region, keyed by its name as compared
    (`normalise.name_key`: case, spacing and invisible characters aside). One query; there are
    a few thousand at most.

    Only listed ones: an unlisted organisation is one signer's claim, and must not decide where
    anyone else is counted. Consultation finds a leader's region here, by the organisation name
    in their details (`consultation.participation`)."""
    regions = dict(Organisation.Region.choices)
    rows = Organisation.objects.filter(listed=True).values_list("name_key", "name", "region")
    return {key: ListedOrganisation(name, regions.get(region, "")) for key, name, region in rows}


def regions() -> list[str]:
    """The regions' labels, in the order the service lists them."""
    return [str(label) for _, label in Organisation.Region.choices]


def signatures_to_check() -> dict[str, int]:
    """For the staff dashboard: how many signatures wait in the queue, one query."""
    counts = Signature.objects.aggregate(
        awaiting=Count("id", filter=Q(status=Signature.Status.AWAITING_ORGANISATION)),
        flagged=Count("id", filter=Q(needs_review=True, status__in=Signature.ACTIVE)),
        held=Count("id", filter=Q(held_at__isnull=False, status__in=Signature.ACTIVE)),
    )
    return {
        "awaiting": counts["awaiting"] or 0,
        "flagged": counts["flagged"] or 0,
        "held": counts["held"] or 0,
    }


def staff_review_queue() -> tuple[QuerySet[Signature], QuerySet[Signature]]:
    """For staff: signatures waiting for their organisation's verification, and those flagged by
    the fraud signals and not yet reviewed, each with what staff need to decide (two queries)."""
    base = Signature.objects.select_related("organisation", "signer", "version__compact")
    awaiting = base.filter(status=Signature.Status.AWAITING_ORGANISATION).order_by("confirmed_at", "id")
    flagged = base.filter(needs_review=True, status__in=Signature.ACTIVE).order_by("-created_at", "-id")
    return awaiting, flagged


def held_signatures() -> QuerySet[Signature]:
    """For staff: signatures held back as part of a burst, oldest first, with why (one query)."""
    return (
        Signature.objects.held()
        .select_related("organisation", "signer", "version__compact")
        .order_by("held_at", "id")
    )


def lookalikes_of(organisations: Iterable[Organisation]) -> dict[int, list[Organisation]]:
    """For staff pages: each organisation's look-alikes (the same skeleton, spelt otherwise),
    listed ones first, so staff are warned before they approve or verify one. One query."""
    organisations = list(organisations)
    skeletons = {o.name_skeleton for o in organisations if o.name_skeleton}
    if not skeletons:
        return {}
    alike: dict[str, list[Organisation]] = {}
    for other in Organisation.objects.filter(name_skeleton__in=skeletons).order_by("-listed", "name"):
        alike.setdefault(other.name_skeleton, []).append(other)
    found = {
        o.pk: [other for other in alike.get(o.name_skeleton, []) if other.name_key != o.name_key]
        for o in organisations
    }
    return {pk: others for pk, others in found.items() if others}


# --- Badges ------------------------------------------------------------------------------------
_BADGE_SALT = "signatories.badge"


def _badge_token(slug: str, organisation_id: int, secret: str) -> str:
    return salted_hmac(
        _BADGE_SALT, f"{slug}:{organisation_id}", secret=secret, algorithm="sha256"
    ).hexdigest()[:24]


def badge_token(*, compact_slug: str, organisation_id: int) -> str:
    """The part of a badge's address nobody can guess: a keyed digest of the compact and the
    organisation. Organisation ids count up, so addresses by id alone let anyone walk every
    organisation's badge; this one is known only from a page that links it."""
    return _badge_token(compact_slug, organisation_id, settings.SECRET_KEY)


def badge_token_holds(*, compact_slug: str, organisation_id: int, token: str) -> bool:
    """Whether `token` is the badge token, under the secret key or one it replaced (so badges
    already embedded elsewhere keep working across a key rotation)."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(constant_time_compare(token, _badge_token(compact_slug, organisation_id, s)) for s in secrets)


def badge_path(*, compact_slug: str, organisation_id: int, svg: bool = False) -> str:
    """A badge's address (its page, or its image): the organisation's id and its token."""
    from django.urls import reverse

    kwargs = {
        "slug": compact_slug,
        "organisation_id": organisation_id,
        "token": badge_token(compact_slug=compact_slug, organisation_id=organisation_id),
    }
    return reverse("api:badge_svg" if svg else "api:badge", kwargs=kwargs)
