"""Fingerprints issued before layouts existed still verify after the migration that added them.

The version below is built with the models as they stood at migration 0005, its hash computed by
a frozen copy of the serialisation of that time, and stored as ratified; the layouts migration is
then applied and `verify_compacts` must find the text unchanged.
"""

import hashlib
import json
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("compact", "0005_review_cycle")]
AFTER = [("compact", "0006_layouts_headings_placement")]


def _hash_as_before(text):
    serialised = json.dumps(text, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(serialised.encode("utf-8")).hexdigest()


def _old_canonical_text(compact, version, sections, parties, themes, commitments):
    """The serialisation exactly as it was written before layouts (do not edit: it is the past)."""
    party_keys = {p.id: str(p.key) for p in parties}
    by_theme = {}
    for c in commitments:
        by_theme.setdefault(c.theme_id, []).append(
            {"key": str(c.key), "party": party_keys[c.party_id], "text": c.text}
        )
    return {
        "compact": compact.title,
        "vision": version.vision,
        "sections": [{"kind": s.kind, "heading": s.heading, "body": s.body} for s in sections],
        "parties": [{"key": str(p.key), "name": p.name} for p in parties],
        "themes": [
            {
                "key": str(t.key),
                "title": t.title,
                "description": t.description,
                "commitments": by_theme.get(t.id, []),
            }
            for t in themes
        ],
    }


@pytest.mark.django_db(transaction=True)
def test_a_version_ratified_before_layouts_still_verifies_after_the_migration(capsys):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Compact, Version = old.get_model("compact", "Compact"), old.get_model("compact", "Version")
    Party, Theme = old.get_model("compact", "Party"), old.get_model("compact", "Theme")
    Section, Commitment = old.get_model("compact", "Section"), old.get_model("compact", "Commitment")

    compact = Compact.objects.create(title="The “Riverside” Compact – 2025", slug="riverside-2025")
    version = Version.objects.create(compact=compact, number=1, vision="Care that’s <safe> & kind.")
    sections = [
        Section.objects.create(version=version, kind="why", heading="Why [1]", body="Because.", position=1)
    ]
    parties = [
        Party.objects.create(version=version, key=uuid.uuid4(), name="The Trust", position=1),
        Party.objects.create(version=version, key=uuid.uuid4(), name="Staff & leaders", position=2),
    ]
    themes = [Theme.objects.create(version=version, key=uuid.uuid4(), title="Listening", position=1)]
    commitments = [
        Commitment.objects.create(
            version=version,
            key=uuid.uuid4(),
            theme=themes[0],
            party=parties[i % 2],
            text=f"We’ll listen – {i}",
            position=i,
        )
        for i in range(1, 5)
    ]
    stored = _hash_as_before(_old_canonical_text(compact, version, sections, parties, themes, commitments))
    Version.objects.filter(pk=version.pk).update(status="ratified", content_hash=stored)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from compact.models import Version as CurrentVersion

    current = CurrentVersion.objects.get(pk=version.pk)
    assert current.layout == CurrentVersion.Layout.THEMES
    assert current.compute_content_hash() == stored
    call_command("verify_compacts")
    assert "All 1 frozen versions match" in capsys.readouterr().out
