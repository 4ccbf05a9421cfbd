"""An Atom feed per compact: versions published, consultation rounds opened and closed."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.timezone import localtime

from compact.selectors import publicly_visible_compacts

from . import selectors


class PlainTextSummaryFeed(Atom1Feed):
    """Atom with each summary declared as plain text.

    Django's Atom1Feed declares summaries ``type="html"``, so a reader renders "Use <angles> &
    tell us" as markup and the words in angle brackets vanish. The summaries here are plain text
    (publication notes, round descriptions), escaped once by the XML writer; declared as text,
    every reader shows them as written.
    """

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


def _site_address(path):
    """An address on the site's public name (SITE_URL), whatever host the request came in on:
    the ids a reader keys entries by, and the links, must not change with the address the feed was
    fetched at (Feed would otherwise put the request's Host header in front of a path)."""
    return settings.SITE_URL + path


class CompactFeed(Feed):
    feed_type = PlainTextSummaryFeed
    author_name = "Leadership Compact"

    def get_object(self, request, slug):
        return get_object_or_404(publicly_visible_compacts(), slug=slug)

    def title(self, compact):
        return f"{compact.title}: versions and consultation rounds"

    def subtitle(self, compact):
        return compact.summary or f"News of the {compact.title}."

    def link(self, compact):
        return _site_address(compact.get_absolute_url())

    def feed_guid(self, compact):
        return _site_address(compact.get_absolute_url())

    def feed_url(self, compact):
        return _site_address(reverse("api:feed", kwargs={"slug": compact.slug}))

    def items(self, compact):
        return selectors.feed_events(compact)

    def item_title(self, event):
        if event.kind == "published":
            return f"Version {event.version.number} published"
        verb = "opened" if event.kind == "opened" else "closed"
        return f"Consultation round {verb}: {event.round.title}"

    def item_description(self, event):
        if event.kind == "published":
            return (
                event.version.publication_note or f"Version {event.version.number} is now the published text."
            )
        round = event.round
        if event.kind == "opened":
            closes = date_format(localtime(round.closes_at), "j F Y")
            return f"{round.description} Open until {closes}.".strip()
        return f"The round on version {round.version.number} has closed; its totals are on the round page."

    def item_link(self, event):
        if event.kind == "published":
            return _site_address(event.version.get_absolute_url())
        return _site_address(event.round.get_absolute_url())

    def item_guid(self, event):
        # A round opens and closes at the same address: two entries need two ids.
        return self.item_link(event) + f"#{event.kind}"

    item_guid_is_permalink = False

    def item_pubdate(self, event):
        return event.when

    def item_updateddate(self, event):
        return event.when
