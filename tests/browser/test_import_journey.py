"""Staff import a whole compact from a file, check the preview, and take it to publication."""

import re
from pathlib import Path

import pytest

from tests.browser.test_journeys import DEMO_PASSWORD, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = Path(__file__).resolve().parents[1] / "compact" / "compacts"


@pytest.fixture
def staff_member(db):
    from tests.factories import StaffFactory

    staff = StaffFactory(email="staff@example.org")
    staff.set_password(DEMO_PASSWORD)
    staff.save()
    return staff


def test_staff_import_a_compact_from_a_file_preview_confirm_ratify_and_publish(
    visitor, staff_member, tmp_path
):
    from compact.models import Version

    page = visitor.page
    sign_in(visitor, "staff@example.org")
    visitor.go("/staff/")
    visitor.click(page.get_by_role("link", name="Import a compact from text"))

    # A file with a mistake: every problem is listed by line, and nothing is saved.
    good = (FIXTURES / "one_party_themes.md").read_text(encoding="utf-8")
    bad = tmp_path / "staff-compact.md"
    bad.write_text(
        good.replace("### Our staff\n\n- Take part", "### Our volunteers\n\n- Take part"), encoding="utf-8"
    )
    page.get_by_label("Upload a file").set_input_files(str(bad))
    visitor.click(page.get_by_role("button", name="Preview the compact"))
    line = bad.read_text(encoding="utf-8").split("\n").index("### Our volunteers") + 1
    assert f"Line {line}: “Our volunteers” is not one of the parties" in page.content()
    assert not Version.objects.exists()

    # Fixed in the box it now fills, then previewed as the public page will read.
    box = page.get_by_label("Or paste the outline")
    box.fill(box.input_value().replace("### Our volunteers", "### Our staff"))
    visitor.click(page.get_by_role("button", name="Preview the compact"))
    assert "Check the compact before you import it" in page.content()
    # Themes that belong to one party show that party's column only, full width.
    assert page.locator(".app-theme").count() == 6
    assert page.locator(".app-column").count() == 6
    assert not Version.objects.exists()

    visitor.click(page.get_by_role("button", name="Create the compact"))
    version = Version.objects.get()
    assert version.commitments.count() == 9

    visitor.click(page.get_by_role("link", name="Ratify this version"))
    visitor.click(page.get_by_role("button", name=re.compile("^Ratify version")))
    visitor.click(page.get_by_role("link", name="Publish this version"))
    page.get_by_label("Publication note").fill("Agreed with staff-side representatives.")
    visitor.click(page.get_by_role("button", name=re.compile("^Publish version")))
    content = page.content()
    assert "Agreed with staff-side representatives." in content
    assert (
        "Look out for colleagues’ wellbeing, and ask for help when we need it [see “Support at work”]."
        in content
    )
    assert page.get_by_role("link", name=re.compile("^Download as text")).count() == 1
    visitor.assert_unique_titles()
