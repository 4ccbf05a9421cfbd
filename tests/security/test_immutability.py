"""A frozen version's text cannot change, even past the ORM: PostgreSQL triggers refuse raw SQL
and QuerySet.update(), and `verify_compacts` proves every stored hash still matches its text."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from compact import services
from compact.models import Commitment, Party, Section, Theme, Version
from tests.factories import SectionFactory, StaffFactory, draft_version, published_version
from tests.triggers import bypassing_the_triggers


def _refused(sql, params=()):
    """Run SQL that the triggers must refuse; return the database's message."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(caught.value)


@pytest.mark.parametrize(
    "column, value", [("vision", "'Rewritten'"), ("number", "99"), ("content_hash", "'0'")]
)
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_raw_sql_cannot_change_the_text_of_a_published_version(column, value):
    version = published_version()
    message = _refused(f"UPDATE compact_version SET {column} = {value} WHERE id = %s", [version.pk])  # noqa: S608
    assert "its text cannot change" in message
    stored = Version.objects.get(pk=version.pk)
    assert stored.vision == version.vision and stored.number == version.number
    assert stored.content_hash == version.compute_content_hash()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_queryset_update_cannot_change_a_ratified_versions_vision_or_send_it_back_to_draft():
    staff = StaffFactory()
    version = draft_version()
    services.ratify(actor=staff, version=version)
    with pytest.raises(DatabaseError, match="its text cannot change"), transaction.atomic():
        Version.objects.filter(pk=version.pk).update(vision="Quietly changed")
    with pytest.raises(DatabaseError, match="its text cannot change"), transaction.atomic():
        Version.objects.filter(pk=version.pk).update(status="draft")
    assert Version.objects.get(pk=version.pk).status == "ratified"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_raw_sql_cannot_delete_a_published_version():
    version = published_version()
    assert "cannot be deleted" in _refused("DELETE FROM compact_version WHERE id = %s", [version.pk])
    assert Version.objects.filter(pk=version.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_published_version_can_still_be_superseded_and_annotated():
    staff = StaffFactory()
    first = published_version(staff=staff)
    Version.objects.filter(pk=first.pk).update(publication_note="Corrected note.")
    second = services.start_new_draft(actor=staff, compact=first.compact)
    services.ratify(actor=staff, version=second)
    services.publish(actor=staff, version=second)
    first.refresh_from_db()
    assert first.status == "superseded" and first.publication_note == "Corrected note."


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_raw_sql_cannot_insert_update_or_delete_the_parts_of_a_published_version():
    version = published_version()
    commitment = version.commitments.first()
    party, theme = commitment.party, commitment.theme
    assert "cannot change" in _refused(
        "UPDATE compact_commitment SET text = 'Rewritten' WHERE id = %s", [commitment.pk]
    )
    assert "cannot change" in _refused("DELETE FROM compact_commitment WHERE id = %s", [commitment.pk])
    assert "cannot change" in _refused("UPDATE compact_party SET name = 'Nobody' WHERE id = %s", [party.pk])
    assert "cannot change" in _refused("DELETE FROM compact_theme WHERE id = %s", [theme.pk])
    assert "cannot change" in _refused(
        "INSERT INTO compact_section (version_id, position, kind, heading, body) "
        "VALUES (%s, 9, 'other', 'Smuggled', 'In after ratification')",
        [version.pk],
    )
    assert "cannot change" in _refused(
        "INSERT INTO compact_commitment (version_id, position, key, theme_id, party_id, text) "
        "VALUES (%s, 9, gen_random_uuid(), %s, %s, 'Smuggled promise')",
        [version.pk, theme.pk, party.pk],
    )
    # Moving a draft's part into the frozen version is an insert into it, as far as the text goes.
    draft = draft_version()
    draft_theme = draft.themes.first()
    assert "cannot change" in _refused(
        "UPDATE compact_theme SET version_id = %s WHERE id = %s", [version.pk, draft_theme.pk]
    )
    assert Commitment.objects.get(pk=commitment.pk).text == commitment.text
    assert Party.objects.get(pk=party.pk).name == party.name
    assert Theme.objects.filter(pk=theme.pk).exists()
    assert not Section.objects.filter(version=version, heading="Smuggled").exists()
    assert Version.objects.get(pk=version.pk).compute_content_hash() == version.content_hash


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_triggers_leave_drafts_free_to_edit():
    version = draft_version()
    section = SectionFactory(version=version)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE compact_section SET body = 'Edited' WHERE id = %s", [section.pk])
        cursor.execute("UPDATE compact_version SET vision = 'Edited' WHERE id = %s", [version.pk])
    Section.objects.filter(pk=section.pk).delete()
    version.refresh_from_db()
    assert version.vision == "Edited"
    assert not Section.objects.filter(pk=section.pk).exists()


# --- verify_compacts ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_verify_compacts_passes_when_every_frozen_version_matches_its_hash(capsys):
    published_version()
    published_version()
    call_command("verify_compacts")
    assert "All 2 frozen versions match their content hash." in capsys.readouterr().out


@pytest.mark.django_db
def test_verify_compacts_fails_with_exit_code_1_and_names_the_version_whose_text_was_altered(capsys):
    intact = published_version()
    altered = published_version()
    # Only a hand edit past every guard could do this, so the test changes the stored hash the way
    # a restore from a bad backup would: outside the ORM and, on PostgreSQL, past the trigger.
    with (
        bypassing_the_triggers(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE compact_version SET content_hash = %s WHERE id = %s", ["f" * 64, altered.pk])
    with pytest.raises(CommandError) as caught:
        call_command("verify_compacts")
    assert caught.value.returncode == 1
    err = capsys.readouterr().err
    assert f"{altered.compact.slug} version {altered.number}" in err
    assert intact.compact.slug not in err


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_verify_compacts_catches_an_alteration_made_with_the_triggers_switched_off(capsys):
    version = published_version()
    commitment = version.commitments.first()
    with (
        bypassing_the_triggers(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE compact_commitment SET text = 'Altered' WHERE id = %s", [commitment.pk])
    with pytest.raises(CommandError) as caught:
        call_command("verify_compacts")
    assert caught.value.returncode == 1
    assert f"{version.compact.slug} version {version.number}" in capsys.readouterr().err
