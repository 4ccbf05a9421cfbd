"""Reads for the signatories list: a fixed number of queries whatever the number of signatures."""

from django.db.models import Count

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
