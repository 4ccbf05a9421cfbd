from django import template

from consultation.models import Round
from core.text import mostly_rewritten

register = template.Library()


@register.simple_tag
def open_rounds(compact):
    """Rounds of a compact that leaders can take part in now (the public page links to them)."""
    return [
        round
        for round in Round.objects.filter(version__compact=compact, status=Round.Status.OPEN).select_related(
            "version"
        )
        if round.is_open
    ]


@register.simple_tag
def rounds_of(version):
    return list(version.rounds.order_by("-opens_at"))


@register.filter
def rewritten(current, proposed):
    """`{% if current|rewritten:proposed %}`: most words changed, so show both wordings whole."""
    return mostly_rewritten(current or "", proposed or "")
