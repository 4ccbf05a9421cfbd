"""Reads for the signatories list: a fixed number of queries whatever the number of signatures."""

from django.db.models import Count, Q

from .models import Organisation, Signature
from .services import public_filter


def public_signatures(version, query=""):
    signatures = Signature.objects.public().filter(version=version).select_related("organisation")
    return public_filter(signatures, query).order_by("-confirmed_at", "-id")


def public_counts(version):
    """How many have signed, by kind and by region of organisation (personal signatures apart)."""
    signatures = Signature.objects.public().filter(version=version)
    kinds = dict(Organisation.Kind.choices)
    regions = dict(Organisation.Region.choices)
    by_kind = [
        (kinds.get(row["organisation__kind"], "Signed personally"), row["n"])
        for row in signatures.values("organisation__kind").annotate(n=Count("id")).order_by("-n")
    ]
    by_region = [
        (regions.get(row["organisation__region"], "Region not given"), row["n"])
        for row in signatures.values("organisation__region").annotate(n=Count("id")).order_by("-n")
    ]
    return {
        "total": sum(n for _, n in by_kind),
        "organisations": signatures.exclude(organisation=None).values("organisation").distinct().count(),
        "by_kind": by_kind,
        "by_region": by_region,
    }


def has_confirmed_tie_to_compact(user, compact):
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
