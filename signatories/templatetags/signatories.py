from django import template

from signatories.models import Signature
from signatories.selectors import public_counts

register = template.Library()


@register.simple_tag
def signatory_summary(version):
    """Counts and the latest few names for the compact page: three queries."""
    counts = public_counts(version)
    latest = list(
        Signature.objects.public()
        .filter(version=version)
        .select_related("organisation")
        .order_by("-confirmed_at")[:5]
    )
    return {**counts, "latest": latest}
