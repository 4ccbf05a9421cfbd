"""Saving an imported outline: a new compact, or a new draft of an existing one.

One transaction: a file with any problem saves nothing. The preview builds the same version
inside a transaction it then rolls back, so what staff see is what the public page will show.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string

from audit import services as audit

from ..errors import DomainError
from ..models import Commitment, Compact, Party, Section, Theme, Version
from ..selectors import compact_layout
from ..services import require_academy_staff
from .order import default_order
from .parse import Problem, new_key, parse


class ImportRefused(DomainError):
    """The outline has problems; `problems` lists each with its line."""

    def __init__(self, problems):
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(f"The compact was not imported: {count} problem{'s' if count != 1 else ''} to fix.")


def _has_content(version):
    return bool(
        version.vision.strip()
        or version.sections.exists()
        or version.themes.exists()
        or version.commitments.exists()
    )


def target_problems(parsed, compact, *, slug=None):
    """Why this outline cannot become the next draft of `compact`, or a new compact.

    A new compact may not take a title already in use (unless an operator gives it a slug of its
    own): a confirm step submitted twice — a double click, a reload — then creates one compact,
    and the second submission is told where the first went."""
    if compact is None:
        title = parsed.title.strip()
        existing = Compact.objects.filter(title__iexact=title).first() if title and not slug else None
        if existing is None:
            return []
        return [
            Problem(
                parsed.title_line,
                f"A compact called “{existing.title}” already exists: import this file as its next "
                "draft, or change the title to make a new compact.",
                link=existing.get_absolute_url(),
                link_text=f"Go to “{existing.title}”",
            )
        ]
    problems = []
    if parsed.title.strip() and parsed.title.strip() != compact.title:
        problems.append(
            Problem(
                parsed.title_line,
                f"The title differs from the compact’s title “{compact.title}”: the title is part of "
                "every version’s text, so change it in the file (or rename the compact first).",
            )
        )
    in_progress = compact.versions.in_progress().first()
    if in_progress is not None and (in_progress.status != Version.Status.DRAFT or _has_content(in_progress)):
        problems.append(
            Problem(
                1,
                f"Version {in_progress.number} of “{compact.title}” is already being drafted and has text; "
                "an import never overwrites it. Finish or publish it first, or import as a new compact.",
            )
        )
    return problems


def _target_version(parsed, *, actor, compact, slug=None):
    if compact is None:
        compact = Compact.objects.create(
            title=parsed.title.strip(),
            slug=slug or Compact.unique_slug_for(parsed.title.strip()),
            summary=parsed.summary.strip(),
            created_by=actor,
        )
        return Version.objects.create(
            compact=compact,
            number=1,
            vision=parsed.vision,
            vision_heading=parsed.vision_heading,
            layout=parsed.layout,
            created_by=actor,
        ), None
    Compact.objects.select_for_update().get(pk=compact.pk)
    latest = compact.versions.exclude(status__in=Version.IN_PROGRESS).order_by("-number").first()
    empty_draft = compact.versions.in_progress().first()
    if empty_draft is not None:
        # An empty draft (a compact just created, or a draft whose text was all removed) is
        # filled in place; its parties, if any, are replaced by the file's.
        empty_draft.parties.all().delete()
        empty_draft.vision, empty_draft.layout = parsed.vision, parsed.layout
        empty_draft.vision_heading = parsed.vision_heading
        empty_draft.save(update_fields=["vision", "vision_heading", "layout"])
        return empty_draft, latest
    number = (compact.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = Version.objects.create(
        compact=compact,
        number=number,
        vision=parsed.vision,
        vision_heading=parsed.vision_heading,
        layout=parsed.layout,
        based_on=latest,
        created_by=actor,
    )
    return version, latest


def _build(parsed, *, actor, compact, slug=None):
    problems = parsed.problems + target_problems(parsed, compact, slug=slug)
    if problems:
        raise ImportRefused(problems)
    new_compact = compact is None
    version, previous = _target_version(parsed, actor=actor, compact=compact, slug=slug)
    if new_compact and _keys_in_use(parsed):
        # A fingerprint names one version of one compact. The file's keys belong to a compact
        # on this site (an export imported as a new compact, a copy to start from): the copy
        # gets keys of its own, so its text, and its fingerprint, are its own. On a site where
        # no compact holds them (a compact moved from another installation) they are kept, and
        # the fingerprint with them.
        _forget_keys(parsed)

    # Keys: as given in the file; else, on a new draft, carried over from the previous version
    # where the name, title or wording is the same (so history follows them); else new.
    used = {k for k in [p.key for p in parsed.parties] + [b.key for b in parsed.blocks] if k}
    used |= {c.key for b in parsed.blocks for c in b.commitments if c.key}
    earlier = {"party": {}, "theme": {}, "commitment": {}}
    if previous is not None:
        earlier["party"] = {p.name: str(p.key) for p in previous.parties.all()}
        earlier["theme"] = {t.title: str(t.key) for t in previous.themes.all()}
        earlier["commitment"] = {c.text: str(c.key) for c in previous.commitments.all()}

    def key_for(given, kind, match):
        if given:
            return given
        key = earlier[kind].get(match)
        if key and key not in used:
            used.add(key)
            return key
        return new_key()

    parties = {}
    for position, parsed_party in enumerate(parsed.parties, start=1):
        parties[parsed_party.name] = Party.objects.create(
            version=version,
            key=key_for(parsed_party.key, "party", parsed_party.name),
            name=parsed_party.name,
            heading=parsed_party.heading,
            note=parsed_party.note,
            closing=parsed_party.closing,
            position=position,
        )
    party_rank = {name: index for index, name in enumerate(parties)}
    Section.objects.bulk_create(
        Section(
            version=version,
            heading=section.heading,
            body=section.body,
            placement=section.placement,
            kind=section.kind,
            position=position,
        )
        for position, section in enumerate(parsed.sections, start=1)
    )
    commitments = []
    for position, block in enumerate(parsed.themes, start=1):
        theme = Theme.objects.create(
            version=version,
            key=key_for(block.key, "theme", block.title),
            title=block.title,
            description=block.description,
            party_keys=[str(parties[_name(parties, name)].key) for name in block.parties],
            position=position,
        )
        commitments += _commitments(version, theme, block, parties, party_rank, key_for)
    if parsed.loose is not None:
        commitments += _commitments(version, None, parsed.loose, parties, party_rank, key_for)
    Commitment.objects.bulk_create(commitments)
    return version


def _keys_in_use(parsed):
    keys = [p.key for p in parsed.parties] + [b.key for b in parsed.blocks]
    keys += [c.key for b in parsed.blocks for c in b.commitments]
    keys = [key for key in keys if key]
    return bool(keys) and (
        Party.objects.filter(key__in=keys).exists()
        or Theme.objects.filter(key__in=keys).exists()
        or Commitment.objects.filter(key__in=keys).exists()
    )


def _forget_keys(parsed):
    for part in [*parsed.parties, *parsed.blocks]:
        part.key = None
    for block in parsed.blocks:
        for commitment in block.commitments:
            commitment.key = None


def _name(parties, typed):
    return next(name for name in parties if name.casefold() == typed.casefold())


def _commitments(version, theme, block, parties, party_rank, key_for):
    items = block.commitments
    if any(item.order is not None for item in items):
        ordered = sorted(
            enumerate(items), key=lambda pair: (pair[1].order is None, pair[1].order or 0, pair[0])
        )
        items = [item for _, item in ordered]
    else:
        items = default_order(items, party_of=lambda i: i.party, party_rank=party_rank.__getitem__)
    return [
        Commitment(
            version=version,
            key=key_for(item.key, "commitment", item.text),
            theme=theme,
            party=parties[item.party],
            text=item.text,
            row=item.row if version.layout == Version.Layout.ROWS else None,
            position=position,
        )
        for position, item in enumerate(items, start=1)
    ]


@transaction.atomic
def import_compact(*, actor, text, compact=None, slug=None):
    """Save the outline as a new compact (version 1, a draft) or as `compact`'s next draft.

    `actor` is the staff member; None only for an operator at the command line, who may give a
    new compact its `slug` (then its title may be one already in use).
    Raises ImportRefused (nothing saved) when the outline has any problem.
    """
    if actor is not None:
        require_academy_staff(actor=actor)
        # One import at a time per person: the second of two submissions of one confirm step
        # waits for the first to commit, then finds its title in use and is refused.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).exists()
    if slug is not None and Compact.objects.filter(slug=slug).exists():
        raise ImportRefused([Problem(1, f"The slug “{slug}” is already used by another compact.")])
    parsed = parse(text)
    version = _build(parsed, actor=actor, compact=compact, slug=slug)
    audit.record(
        action="import compact",
        actor=actor,
        target=version,
        after={"version": version.number, "commitments": parsed.commitment_count, "layout": version.layout},
    )
    return version


class _Rollback(Exception):
    pass


def preview(*, actor, text, compact=None):
    """(parsed, html): the page as the public will read it, built and then rolled back.

    Raises ImportRefused when the outline has problems (then there is nothing to preview).
    """
    if actor is not None:
        require_academy_staff(actor=actor)
    parsed = parse(text)
    html = None
    try:
        with transaction.atomic():
            version = _build(parsed, actor=actor, compact=compact)
            html = render_to_string(
                "compact/staff/_import_preview.html",
                # `preview`: no link to a commitment's history, which a page not saved has not got.
                {
                    "compact": version.compact,
                    "version": version,
                    "layout": compact_layout(version),
                    "preview": True,
                },
            )
            raise _Rollback
    except _Rollback:
        pass
    return parsed, html
