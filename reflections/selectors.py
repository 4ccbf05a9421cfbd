"""Reads for the reflections page: which reflections a reader may see, and how many there are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from django.db.models import Count, DateField, QuerySet
from django.db.models.functions import TruncMonth

from accounts.roles import is_academy_staff

from .models import Reflection

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from compact.models import Compact


def visible_reflections(*, user: User | AnonymousUser | None, compact: Compact) -> QuerySet[Reflection]:
    """What the reader may read: academy staff every reflection; anyone else those shown with
    their author's name, and their own shown only to staff."""
    reflections = Reflection.objects.filter(compact=compact).select_related("author")
    if is_academy_staff(user):
        return reflections
    if user and user.is_authenticated:
        return reflections.filter(visibility=Reflection.Visibility.NAMED) | reflections.filter(author=user)
    return reflections.filter(visibility=Reflection.Visibility.NAMED)


@dataclass(frozen=True)
class MonthCount:
    month: date  # the first of the month, in the site's time zone
    commitment_key: UUID | None  # None for the compact as a whole
    kind: str  # Reflection.Kind
    count: int


def counts_by_month(*, user: User | AnonymousUser | None, compact: Compact) -> list[MonthCount]:
    """How many reflections the reader may read were recorded each month, on each commitment, of
    each kind (one query, oldest month first). Counted from `visible_reflections`, so a chart
    never counts a reflection its reader could not read: one shown only to staff counts for staff
    (and its author), not for visitors."""
    rows = (
        visible_reflections(user=user, compact=compact)
        .annotate(month=TruncMonth("created_at", output_field=DateField()))
        .values("month", "commitment_key", "kind")
        .annotate(n=Count("id"))
        .order_by("month", "commitment_key", "kind")
    )
    return [MonthCount(row["month"], row["commitment_key"], row["kind"], row["n"]) for row in rows]
