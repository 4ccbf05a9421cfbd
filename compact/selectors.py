"""Reads that pages need, each in a fixed number of queries whatever the size of the compact."""

from dataclasses import dataclass, field

from django.db.models import Q

from .models import Compact, Version


@dataclass
class ThemeRow:
    theme: object
    # One list of commitments per party, in party order: the columns of the row.
    columns: list = field(default_factory=list)


@dataclass
class CompactLayout:
    version: object
    parties: list
    sections: list
    rows: list

    @property
    def commitment_count(self):
        return sum(len(commitments) for row in self.rows for _, commitments in row.columns)


def compact_layout(version):
    """The version as it reads on paper: per theme a row, per party a column. Four queries."""
    parties = list(version.parties.order_by("position", "id"))
    sections = list(version.sections.order_by("position", "id"))
    themes = list(version.themes.order_by("position", "id"))
    cells = {}
    for commitment in version.commitments.order_by("position", "id"):
        cells.setdefault((commitment.theme_id, commitment.party_id), []).append(commitment)
    rows = [
        ThemeRow(theme=theme, columns=[(party, cells.get((theme.id, party.id), [])) for party in parties])
        for theme in themes
    ]
    return CompactLayout(version=version, parties=parties, sections=sections, rows=rows)


def compacts_for_home():
    """Every compact with its published version (or None), in two queries."""
    compacts = list(Compact.objects.order_by("title"))
    published = {v.compact_id: v for v in Version.objects.published().filter(compact__in=compacts)}
    return [(compact, published.get(compact.id)) for compact in compacts]


def readable_versions(user, compact):
    """The versions of a compact this person may read, oldest first, in two or three queries.

    Staff read every version; others the public ones, plus what consultation opens to them: the
    text of a round that has closed, and an open round's draft to the people taking part in it."""
    from accounts.roles import is_academy_staff

    versions = compact.versions.order_by("number")
    if not is_academy_staff(user):
        from consultation.selectors import versions_opened_by_rounds

        opened = versions_opened_by_rounds(compact, user)
        versions = versions.filter(
            Q(status__in=[Version.Status.PUBLISHED, Version.Status.SUPERSEDED]) | Q(pk__in=opened)
        )
    return list(versions)


def versions_with_failed_pdfs():
    """Versions whose latest PDF render failed after its retries: staff retry from the version page."""
    from .models import PdfExport

    failed = PdfExport.objects.filter(status=PdfExport.Status.FAILED).values("version_id")
    return list(
        Version.objects.filter(pk__in=failed).select_related("compact").order_by("compact__title", "number")
    )
