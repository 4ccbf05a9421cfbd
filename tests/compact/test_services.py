import pytest

from compact import services
from compact.errors import DomainError, NotAllowed, VersionLocked
from compact.models import Commitment, Party, Theme, Version
from tests.factories import LeaderFactory, draft_version, published_version

pytestmark = pytest.mark.django_db


def test_staff_create_a_compact_as_a_draft_with_its_parties(staff):
    compact = services.create_compact(
        actor=staff,
        title="A compact for nurses",
        vision="Care for carers.",
        party_names=["Nurses", "Employers"],
    )
    version = compact.versions.get()
    assert version.number == 1 and version.status == Version.Status.DRAFT
    assert list(version.parties.values_list("name", flat=True)) == ["Nurses", "Employers"]
    assert compact.slug == "a-compact-for-nurses"


def test_leader_cannot_create_a_compact(leader):
    with pytest.raises(NotAllowed):
        services.create_compact(actor=leader, title="Mine", party_names=["A", "B"])


def test_new_draft_starts_from_the_latest_version_and_keeps_every_key(staff):
    published = published_version(staff=staff)
    draft = services.start_new_draft(actor=staff, compact=published.compact)
    assert draft.number == published.number + 1
    assert draft.based_on == published
    assert draft.status == Version.Status.DRAFT
    assert sorted(draft.commitments.values_list("key", "text")) == sorted(
        published.commitments.values_list("key", "text")
    )
    assert list(draft.themes.values_list("key", flat=True)) == list(
        published.themes.values_list("key", flat=True)
    )


def test_a_second_draft_is_refused_while_one_is_in_progress(staff):
    published = published_version(staff=staff)
    services.start_new_draft(actor=staff, compact=published.compact)
    with pytest.raises(DomainError, match="already being drafted"):
        services.start_new_draft(actor=staff, compact=published.compact)


def test_ratify_fixes_the_content_hash_and_records_who_and_when(staff):
    version = draft_version()
    services.ratify(actor=staff, version=version)
    version.refresh_from_db()
    assert version.status == Version.Status.RATIFIED
    assert version.content_hash == version.compute_content_hash()
    assert version.ratified_by == staff and version.ratified_at is not None


def test_ratify_refuses_a_draft_with_an_empty_theme_and_says_which(staff):
    version = draft_version()
    Theme.objects.create(version=version, title="Empty theme", position=99)
    with pytest.raises(DomainError, match="Empty theme"):
        services.ratify(actor=staff, version=version)


def test_ratify_refuses_a_version_in_consultation(staff):
    version = draft_version()
    Version.objects.filter(pk=version.pk).update(status=Version.Status.CONSULTATION)
    version.refresh_from_db()
    with pytest.raises(DomainError, match="consultation"):
        services.ratify(actor=staff, version=version)


def test_leader_cannot_ratify_or_publish(staff):
    version = draft_version()
    leader = LeaderFactory()
    with pytest.raises(NotAllowed):
        services.ratify(actor=leader, version=version)
    services.ratify(actor=staff, version=version)
    with pytest.raises(NotAllowed):
        services.publish(actor=leader, version=version)


def test_publishing_a_refreshed_version_supersedes_the_previous_one(staff):
    first = published_version(staff=staff)
    draft = services.start_new_draft(actor=staff, compact=first.compact)
    services.ratify(actor=staff, version=draft)
    services.publish(actor=staff, version=draft, note="Refreshed after the 2027 round.")
    first.refresh_from_db()
    draft.refresh_from_db()
    assert first.status == Version.Status.SUPERSEDED and first.superseded_at is not None
    assert draft.status == Version.Status.PUBLISHED
    assert draft.publication_note == "Refreshed after the 2027 round."


def test_only_a_ratified_version_can_be_published(staff):
    with pytest.raises(DomainError, match="ratified"):
        services.publish(actor=staff, version=draft_version())


def test_staff_cannot_edit_a_version_that_is_in_consultation(staff):
    version = draft_version()
    Version.objects.filter(pk=version.pk).update(status=Version.Status.CONSULTATION)
    commitment = version.commitments.first()
    with pytest.raises(VersionLocked, match="consultation"):
        services.change_part(actor=staff, part=commitment, text="New words")
    with pytest.raises(VersionLocked):
        services.update_vision(actor=staff, version=version, vision="New vision")


def test_added_commitment_goes_to_the_end_of_its_column(staff):
    version = draft_version(commitments_per_cell=2)
    theme, party = version.themes.first(), version.parties.first()
    added = services.add_part(
        actor=staff, version=version, model=Commitment, theme=theme, party=party, text="A third promise."
    )
    column = list(version.commitments.filter(theme=theme, party=party).order_by("position"))
    assert column[-1] == added


def test_moving_a_commitment_up_swaps_it_with_the_one_above(staff):
    version = draft_version(commitments_per_cell=3)
    theme, party = version.themes.first(), version.parties.first()
    before = list(version.commitments.filter(theme=theme, party=party).order_by("position"))
    services.move_part(actor=staff, part=before[2], direction="up")
    after = list(version.commitments.filter(theme=theme, party=party).order_by("position"))
    assert after == [before[0], before[2], before[1]]


def test_moving_the_first_part_up_changes_nothing(staff):
    version = draft_version()
    parties = list(version.parties.order_by("position"))
    services.move_part(actor=staff, part=parties[0], direction="up")
    assert list(version.parties.order_by("position")) == parties


def test_a_party_with_commitments_cannot_be_removed(staff):
    version = draft_version(parties=("A", "B", "C"))
    with pytest.raises(DomainError, match="still has commitments"):
        services.remove_part(actor=staff, part=version.parties.get(name="C"))


def test_a_compact_keeps_at_least_two_parties(staff):
    version = draft_version(themes=0)
    with pytest.raises(DomainError, match="at least 2 parties"):
        services.remove_part(actor=staff, part=version.parties.first())
    assert Party.objects.filter(version=version).count() == 2


def test_commitment_theme_must_come_from_the_same_version(staff):
    version = draft_version()
    other = draft_version()
    with pytest.raises(DomainError, match="this version"):
        services.add_part(
            actor=staff,
            version=version,
            model=Commitment,
            theme=other.themes.first(),
            party=version.parties.first(),
            text="Cross-version",
        )
