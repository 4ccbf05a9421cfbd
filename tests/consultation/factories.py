"""Rounds built through the real services, so tests start from states users can reach."""

from datetime import timedelta

from django.utils import timezone

from consultation import services
from consultation.models import Proposal, Round
from tests.factories import StaffFactory, draft_version


def open_round(*, version=None, staff=None, days=14, **kwargs):
    """An open round on a fresh draft (2 themes × 2 parties × 2 commitments unless given one)."""
    staff = staff or StaffFactory()
    version = version or draft_version()
    now = timezone.now()
    return services.schedule_round(
        actor=staff,
        version=version,
        title=kwargs.pop("title", "Spring consultation"),
        opens_at=kwargs.pop("opens_at", now - timedelta(minutes=1)),
        closes_at=kwargs.pop("closes_at", now + timedelta(days=days)),
        **kwargs,
    )


def scheduled_round(*, opens_in=timedelta(days=1), lasts=timedelta(days=14), **kwargs):
    now = timezone.now()
    return open_round(opens_at=now + opens_in, closes_at=now + opens_in + lasts, **kwargs)


def reload(round):
    return Round.objects.get(pk=round.pk)


def reword(round, leader, commitment, text="We will listen first, then act.", rationale="Clearer."):
    return services.propose(
        actor=leader,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text=text,
        rationale=rationale,
    )
