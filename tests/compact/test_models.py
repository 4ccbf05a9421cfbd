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
    copy = copy_version(version, created_by=None)
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
