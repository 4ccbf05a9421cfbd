"""The sign page: what is filled in, what is offered, and what the person has signed already; and
the signatories page's map of where the signatures come from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from accounts.roles import has_verified_email
from core.charts import BarChart, TileMap, bar_chart, tile_map

from . import selectors, services
from .models import Organisation, Signature

if TYPE_CHECKING:
    from accounts.models import User
    from compact.models import Version


@dataclass
class SignPage:
    version: Version
    existing: Signature | None  # a standing signature on this version: a receipt, not a form
    own_existing: bool  # that signature is this account's (not the same mailbox's other account)
    earlier: Signature | None  # the person's signature on an earlier version
    verified: bool  # their e-mail address is verified: they may sign
    organisations: QuerySet[Organisation]
    initial: dict[str, Any] = field(default_factory=dict)


def sign_page(*, user: User, version: Version) -> SignPage:
    """Someone who signed an earlier version re-signs in one step: exactly what they gave then is
    filled in, personal staying personal. Otherwise only their name and role come from their
    profile: the organisation a profile names is never chosen for them (anyone may type any name
    there, and signing for an organisation is a choice the person makes)."""
    existing = services.active_signature_of(user=user, version=version)
    earlier = selectors.earlier_signature(user=user, version=version)
    initial: dict[str, Any] = {"full_name": user.full_name, "role": user.job_title}
    if earlier is not None:
        initial.update(full_name=earlier.full_name, role=earlier.role)
        if earlier.organisation_id:
            initial.update(on_behalf="organisation", organisation=earlier.organisation_id)
        else:
            initial.update(on_behalf="personal")
    return SignPage(
        version=version,
        existing=existing,
        own_existing=existing is not None and existing.signer_id == user.pk,
        earlier=earlier,
        verified=has_verified_email(user),
        organisations=selectors.organisations_to_offer(version=version, earlier=earlier),
        initial=initial,
    )


# --- Where the signatures come from ------------------------------------------------------------
# The NHS England regions as tiles, roughly where they lie (column, row; north at the top): the
# North West beside the North East and Yorkshire, the Midlands below with the East of England to
# its right, and the South West, London and the South East along the bottom. "National" has no
# place on a map and is said under it.
REGION_TILES: dict[str, tuple[int, int]] = {
    Organisation.Region.NORTH_WEST: (1, 0),
    Organisation.Region.NORTH_EAST_AND_YORKSHIRE: (2, 0),
    Organisation.Region.MIDLANDS: (1, 1),
    Organisation.Region.EAST_OF_ENGLAND: (2, 1),
    Organisation.Region.SOUTH_WEST: (0, 2),
    Organisation.Region.LONDON: (1, 2),
    Organisation.Region.SOUTH_EAST: (2, 2),
}
NO_REGION = "No region given"
UNIT = ("signature", "signatures")


@dataclass(frozen=True)
class SignaturesByRegion:
    total: int
    map: TileMap | None  # the regions as tiles, once any signature comes from one of them
    bars: BarChart | None  # otherwise what is known (national, no region given), as bars


def signatures_by_region(*, version: Version, by_region: Sequence[tuple[str, int]]) -> SignaturesByRegion:
    """The map of the signatories page from the public counts by region (label, count), as
    `selectors.public_counts` gives them: every region on the map, tiles in order of count (the
    table's order), then national organisations and those with no region given (signed personally,
    or for an organisation whose region was not given). With no signature in a region on the
    map, bars of what is known; with no signature at all, neither."""
    codes = {label: code for code, label in Organisation.Region.choices}
    counts: dict[str, int] = {}
    for label, n in by_region:
        code = codes.get(label, "")
        counts[code] = counts.get(code, 0) + n
    total = sum(counts.values())
    on_map = sorted(
        (
            (code, label, counts.get(code, 0))
            for code, label in Organisation.Region.choices
            if code in REGION_TILES
        ),
        key=lambda tile: (-tile[2], tile[1]),
    )
    off_map = [
        (code, label, counts[code])
        for code, label in [
            (Organisation.Region.NATIONAL.value, Organisation.Region.NATIONAL.label),
            ("", NO_REGION),
        ]
        if counts.get(code)
    ]
    if total == 0:
        return SignaturesByRegion(total=0, map=None, bars=None)
    placed = sum(n for _, _, n in on_map)
    said = "; ".join(f"{label}: {n:,}" for _, label, n in off_map)
    if placed == 0:
        bars = bar_chart(
            id="signatures-by-region",
            title=f"Signatures on version {version.number} by region",
            description="None of the signing organisations is in one of the NHS England regions. "
            + said
            + ".",
            items=[(label, n) for _, label, n in off_map],
            unit=UNIT,
        )
        return SignaturesByRegion(total=total, map=None, bars=bars)
    chart = tile_map(
        id="signatures-by-region",
        title=f"Signatures on version {version.number} by NHS England region",
        description=(
            f"A tile for each NHS England region, roughly where it lies, darker for more signatures and "
            f"labelled with its count: {placed:,} of {total:,} signatures are from organisations in a region."
            + (f" Not on the map: {said}." if said else "")
        ),
        tiles=[*on_map, *off_map],
        layout=REGION_TILES,
        unit=UNIT,
    )
    return SignaturesByRegion(total=total, map=chart, bars=None)
