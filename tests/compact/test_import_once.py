"""Importing is idempotent: the confirm step submitted twice (a double click, a reload) makes one
compact, and the second submission is told where the first went; the command refuses a title in
use unless told to add a version (--compact) or to make a new compact anyway (--slug)."""

import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from compact import interchange
from compact.interchange import ImportRefused
from compact.models import Compact

OUTLINE = Path(__file__).parent / "compacts" / "facing_columns.md"
TITLE = "The Northfield Community Health Staff Compact"


@pytest.mark.django_db
def test_confirming_the_same_import_twice_creates_one_compact_and_links_to_it(staff_client):
    form = {"compact": "", "text": OUTLINE.read_text("utf-8"), "action": "confirm"}
    url = reverse("compact:staff_import")
    first = staff_client.post(url, form)
    assert first.status_code == 302
    again = staff_client.post(url, form)
    assert again.status_code == 400
    html = again.content.decode()
    compact = Compact.objects.get()
    assert f"A compact called “{TITLE}” already exists" in html
    assert f'href="{compact.get_absolute_url()}"' in html
    assert Compact.objects.count() == 1


@pytest.mark.django_db
def test_a_title_in_use_is_refused_whatever_its_case(staff):
    interchange.import_compact(actor=staff, text=OUTLINE.read_text("utf-8"))
    with pytest.raises(ImportRefused) as refused:
        interchange.import_compact(
            actor=staff, text=OUTLINE.read_text("utf-8").replace(TITLE, TITLE.upper(), 1)
        )
    assert refused.value.problems[0].line == 1


@pytest.mark.django_db
def test_the_command_refuses_a_title_in_use_unless_given_a_compact_or_a_new_slug(tmp_path):
    path = tmp_path / "compact.md"
    path.write_text(OUTLINE.read_text("utf-8"), encoding="utf-8")
    call_command("import_compact", str(path))
    with pytest.raises(CommandError, match="(?s)already exists.*--slug NEW"):
        call_command("import_compact", str(path))
    call_command("import_compact", str(path), "--slug", "northfield-copy")
    assert Compact.objects.filter(title=TITLE).count() == 2
    with pytest.raises(CommandError, match="already used"):
        call_command("import_compact", str(path), "--slug", "northfield-copy")
    with pytest.raises(CommandError, match="not a slug"):
        call_command("import_compact", str(path), "--slug", "not a slug")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_confirms_at_once_by_one_person_create_one_compact(staff):
    outcomes = []
    barrier = threading.Barrier(2)

    def confirm():
        from django.db import connections

        try:
            barrier.wait()
            interchange.import_compact(actor=staff, text=OUTLINE.read_text("utf-8"))
            outcomes.append("created")
        except ImportRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "refused"]
    assert Compact.objects.count() == 1
