import pytest
from django.db import IntegrityError, transaction

from compact.errors import VersionLocked
from compact.models import Commitment, Version
from compact.services import copy_version
from tests.factories import (
    CommitmentFactory,
    PartyFactory,
    ThemeFactory,
    VersionFactory,
    draft_version,
    published_version,
)

pytestmark = pytest.mark.django_db


def test_ratified_version_refuses_a_change_to_its_vision():
    version = published_version()
    version.vision = "Something else entirely."
    with pytest.raises(VersionLocked):
        version.save()
    version.refresh_from_db()
    assert version.vision != "Something else entirely."


def test_ratified_version_cannot_go_back_to_draft():
    version = published_version()
    version.status = Version.Status.DRAFT
    with pytest.raises(VersionLocked):
        version.save()


def test_commitment_of_a_ratified_version_refuses_save_update_and_delete():
    version = published_version()
    commitment = version.commitments.first()
    commitment.text = "Rewritten after ratification."
    with pytest.raises(VersionLocked):
        commitment.save()
    with pytest.raises(VersionLocked):
        Commitment.objects.filter(pk=commitment.pk).update(text="Bulk rewrite")
    with pytest.raises(VersionLocked):
        commitment.delete()
    assert Commitment.objects.get(pk=commitment.pk).text != "Rewritten after ratification."


def test_publication_note_can_still_be_set_on_a_published_version():
    version = published_version()
    version.publication_note = "Corrected note."
    version.save()
    assert Version.objects.get(pk=version.pk).publication_note == "Corrected note."


def test_content_hash_is_the_same_for_the_same_text_and_changes_with_any_word():
    version = draft_version()
    first = version.compute_content_hash()
    assert first == version.compute_content_hash()
    assert len(first) == 64
    commitment = version.commitments.first()
    commitment.text = commitment.text + " Promptly."
    commitment.save()
    assert version.compute_content_hash() != first


def test_content_hash_changes_when_a_commitment_moves_theme():
    version = draft_version(themes=2)
    before = version.compute_content_hash()
    commitment = version.commitments.first()
    commitment.theme = version.themes.exclude(pk=commitment.theme_id).first()
    commitment.save()
    assert version.compute_content_hash() != before


def test_a_copied_version_has_the_same_text_and_keys_as_its_source():
    version = published_version()
    copy = copy_version(source=version, created_by=None)
    assert copy.number == version.number + 1
    assert copy.compute_content_hash() == version.content_hash
    assert set(copy.commitments.values_list("key", flat=True)) == set(
        version.commitments.values_list("key", flat=True)
    )


def test_only_one_version_of_a_compact_can_be_published():
    version = published_version()
    other = VersionFactory(
        compact=version.compact, number=2, status=Version.Status.RATIFIED, content_hash="a" * 64
    )
    other.status = Version.Status.PUBLISHED
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


def test_only_one_version_of_a_compact_can_be_in_progress():
    version = VersionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        VersionFactory(compact=version.compact, number=2)


def test_database_refuses_a_ratified_version_without_a_content_hash():
    version = VersionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Version.objects.filter(pk=version.pk).update(status=Version.Status.RATIFIED)


def test_two_versions_cannot_share_a_number():
    version = published_version()
    with pytest.raises(IntegrityError), transaction.atomic():
        VersionFactory(compact=version.compact, number=version.number)


def test_commitment_cannot_use_a_theme_from_another_version():
    version = VersionFactory()
    other_theme = ThemeFactory()
    with pytest.raises(ValueError):
        CommitmentFactory(version=version, theme=other_theme, party=PartyFactory(version=version))


def test_party_names_are_unique_within_a_version():
    version = VersionFactory()
    PartyFactory(version=version, name="Leaders")
    with pytest.raises(IntegrityError), transaction.atomic():
        PartyFactory(version=version, name="Leaders")


def test_a_long_title_gives_a_slug_that_ends_on_a_word():
    from compact.models import Compact

    title = "The Leadership Compact between the National Academy and the Integrated Care Systems of England"
    slug = Compact.unique_slug_for(title)
    assert len(slug) <= Compact.SLUG_LENGTH
    assert title.lower().replace(" ", "-").startswith(slug)
    assert slug == "the-leadership-compact-between-the-national-academy-and-the-integrated"


def test_a_version_with_the_original_layout_hashes_without_any_of_the_new_fields():
    # Fingerprints issued before layouts must verify unchanged: defaults stay out of the text.
    from compact.models import Section

    version = draft_version()
    Section.objects.create(version=version, heading="Why we need a compact", body="Because.", position=1)
    text = version.canonical_text()
    assert text["sections"] and text["parties"] and text["themes"]
    assert "layout" not in text and "commitments" not in text
    assert all(set(party) == {"key", "name"} for party in text["parties"])
    assert all("placement" not in section for section in text["sections"])
    assert all("parties" not in theme for theme in text["themes"])


def test_layout_headings_placement_theme_parties_and_rows_each_change_the_hash():
    from compact.models import Party, Section, Theme

    version = draft_version()
    baseline = version.compute_content_hash()
    party = Party.objects.filter(version=version).first()
    theme = Theme.objects.filter(version=version).first()
    section = Section.objects.create(version=version, heading="Notes", body="¹ A note.", position=9)
    with_section = version.compute_content_hash()
    assert with_section != baseline

    changes = [
        lambda: Version.objects.filter(pk=version.pk).update(layout=Version.Layout.ROWS),
        lambda: Party.objects.filter(pk=party.pk).update(heading="We give"),
        lambda: Section.objects.filter(pk=section.pk).update(placement=Section.Placement.AFTER),
        lambda: Theme.objects.filter(pk=theme.pk).update(party_keys=[str(party.key)]),
        lambda: Commitment.objects.filter(version=version).update(row=1),
    ]
    seen = {with_section}
    for change in changes:
        change()
        version.refresh_from_db()
        fingerprint = version.compute_content_hash()
        assert fingerprint not in seen
        seen.add(fingerprint)
