"""Paired rows on a phone (issue 28, item 9b): each pair is one card, each column's long heading
is shown once above the run of cards, and each card names its halves by the party's name. Before,
every card repeated both headings, and ten pairs with headings of a sentence each made a page
thousands of pixels long.

Set BROWSER_SHOTS to a folder to keep full-page screenshots."""

import pytest
from django.urls import reverse

from tests.browser.test_layout_shapes import WIDTHS, imported, opened, published
from tests.consultation.factories import open_round

pytestmark = pytest.mark.django_db(transaction=True)

ICB_HEADING = "What the Integrated Care Board will give to every partner organisation in the Estuary system"
PARTNER_HEADING = "What each partner organisation will give to the Integrated Care Board in return"


def shown(page, text):
    """How many elements of the pairs' tables show exactly `text` (visible, not counting their
    parents). The round page heads its "Propose a new commitment" columns too, outside them."""
    return page.evaluate(
        """(text) => Array.from(document.querySelectorAll("table.app-pairs *")).filter((el) => {
            const own = Array.from(el.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE)
              .map((n) => n.textContent).join("").trim();
            return own === text && el.getClientRects().length > 0
              && getComputedStyle(el).visibility !== "hidden" && el.offsetHeight > 1;
        }).length""",
        text,
    )


@pytest.mark.parametrize("size", list(WIDTHS))
def test_each_long_heading_shows_once_per_run_of_pairs(
    chromium, live_server, browser_settings, staff, leader, size
):
    version = published(staff, "estuary_partnership")
    draft = imported(staff, "estuary_partnership", title="The Estuary agreement, the next draft")
    round = open_round(staff=staff, version=draft)
    pages = {
        "public": (version.compact.get_absolute_url(), None),
        "round": (reverse("consultation:round", kwargs={"pk": round.pk}) + "?theme=all", leader),
    }
    pairs = version.commitments.values("row").distinct().count()
    for name, (path, login) in pages.items():
        context, page = opened(chromium, live_server, path, WIDTHS[size], f"estuary-{name}-{size}", login)
        assert page.locator("tr.app-pair").count() == pairs
        for heading in (ICB_HEADING, PARTNER_HEADING):
            assert shown(page, heading) == 1, (name, size, heading)
        labels = page.locator("tr.app-pair .app-pair__heading")
        if size == "phone":
            # Each card names its halves by the party's name, never by the long heading.
            visible = [
                labels.nth(i).inner_text() for i in range(labels.count()) if labels.nth(i).is_visible()
            ]
            assert visible == ["Estuary Integrated Care Board", "Partner organisations"] * pairs, name
            # The head stands above the first card, as a key to the run.
            head, first = (
                page.locator("thead").first.bounding_box(),
                page.locator("tr.app-pair").first.bounding_box(),
            )
            assert head["height"] > 0 and head["y"] + head["height"] <= first["y"] + 1, name
            # The party's name leads its heading in the key, so a card's label reads against it.
            assert page.locator("thead .app-pairs__party").first.is_visible(), name
            # A column's note and closing line say whose they are too.
            notes = page.locator(".app-column-notes .app-pair__heading")
            assert [notes.nth(i).inner_text() for i in range(notes.count())] == [
                "Estuary Integrated Care Board",
                "Partner organisations",
            ], name
        else:
            assert not any(labels.nth(i).is_visible() for i in range(labels.count())), name
            assert not page.locator("thead .app-pairs__party").first.is_visible(), name
        if name == "public" and size == "phone":
            # Ten pairs, a vision, a closing section, signing and sharing: about 5,150 px. With
            # both headings in every card (and the notes row squeezing the cards to half the
            # width) it was 7,700.
            height = page.evaluate("document.documentElement.scrollHeight")
            assert height < 6000, height
            # Each card is as wide as the page allows, not squeezed into a column of a table.
            card = page.locator("tr.app-pair").first.bounding_box()
            assert card["width"] > 300, card
        context.close()
