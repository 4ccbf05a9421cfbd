from django import template

from consultation.models import Round

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
