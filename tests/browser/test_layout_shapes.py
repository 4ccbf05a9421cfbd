"""Real compacts keep their shape in the browser: facing columns face each other on a wide screen
and follow one another on a phone; a pair stays on one line; the round page keeps the layout.

Set BROWSER_SHOTS to a folder to keep full-page screenshots of each page at each width."""

from pathlib import Path

import pytest
from django.urls import reverse

from compact import interchange, services
from tests.browser.conftest import shot as save_shot
from tests.consultation.factories import open_round

pytestmark = pytest.mark.django_db(transaction=True)

COMPACTS = Path(__file__).parent.parent / "compact" / "compacts"
WIDTHS = {"wide": 1280, "phone": 375}


def imported(staff, name, title=None):
    text = (COMPACTS / f"{name}.md").read_text("utf-8")
    if title:  # a second compact from the same outline needs a title of its own
        text = f"# {title}\n" + text.split("\n", 1)[1]
    return interchange.import_compact(actor=staff, text=text)


def published(staff, name):
    version = imported(staff, name)
    services.ratify(actor=staff, version=version)
    return services.publish(actor=staff, version=version)


def opened(chromium, live_server, path, width, shot, login=None):
    context = chromium.new_context(viewport={"width": width, "height": 900})
    if login is not None:
        from django.test import Client

        client = Client()
        client.force_login(login)
        cookie = client.cookies["sessionid"]
        context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + path)
    save_shot(page, shot)
    return context, page


def boxes(page, selector):
    return [page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())]


@pytest.mark.parametrize("size", list(WIDTHS))
def test_facing_columns_face_each_other_on_a_wide_screen_and_stack_on_a_phone(
    chromium, live_server, browser_settings, staff, leader, size
):
    version = published(staff, "facing_columns")
    draft = imported(staff, "facing_columns", title="Facing columns, the next draft")
    round = open_round(staff=staff, version=draft)
    pages = {
        "public": (version.compact.get_absolute_url(), None),
        "round": (reverse("consultation:round", kwargs={"pk": round.pk}) + "?theme=all", leader),
    }
    for name, (path, login) in pages.items():
        context, page = opened(chromium, live_server, path, WIDTHS[size], f"facing-{name}-{size}", login)
        first, second = boxes(page, ".app-facing__column")
        if size == "wide":
            assert abs(first["y"] - second["y"]) < 4, name
            assert second["x"] >= first["x"] + first["width"] - 1, name
        else:
            assert second["y"] >= first["y"] + first["height"] - 1, name
            assert abs(first["x"] - second["x"]) < 4, name
        context.close()


@pytest.mark.parametrize("name", ["paired_rows", "rows_with_notes_no_vision"])
@pytest.mark.parametrize("size", list(WIDTHS))
def test_each_pair_stays_on_one_line_on_the_public_and_round_pages(
    chromium, live_server, browser_settings, staff, leader, size, name
):
    version = published(staff, name)
    draft = imported(staff, name, title="Paired rows, the next draft")
    round = open_round(staff=staff, version=draft)
    pages = {
        "public": (version.compact.get_absolute_url(), None),
        "round": (reverse("consultation:round", kwargs={"pk": round.pk}) + "?theme=all", leader),
    }
    for page_name, (path, login) in pages.items():
        context, page = opened(chromium, live_server, path, WIDTHS[size], f"{name}-{page_name}-{size}", login)
        rows = page.locator("tr.app-pair")
        assert rows.count() == version.commitments.values("row").distinct().count()
        for i in range(rows.count()):
            cells = [c.bounding_box() for c in rows.nth(i).locator("td").all()]
            assert len(cells) == 2
            if size == "wide":
                assert abs(cells[0]["y"] - cells[1]["y"]) < 4, (page_name, i)
            else:
                # On a phone the pair is one card: its halves one under the other, together.
                row = rows.nth(i).bounding_box()
                assert all(row["y"] - 1 <= c["y"] <= row["y"] + row["height"] for c in cells), (page_name, i)
        context.close()
