"""An Atom feed per compact: versions published, consultation rounds opened and closed."""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.timezone import localtime

from compact.selectors import publicly_visible_compacts
from core.addresses import absolute

from . import selectors


@dataclass
class Subject:
    compact: object
    request: object


class CompactFeed(Feed):
    feed_type = Atom1Feed
    author_name = "Leadership Compact"

    def get_object(self, request, slug):
        # The request rides along (one Feed instance serves every request) so that entry ids can
        # be absolute addresses, as Atom asks.
        return Subject(get_object_or_404(publicly_visible_compacts(), slug=slug), request)

    def title(self, subject):
        return f"{subject.compact.title}: versions and consultation rounds"

    def subtitle(self, subject):
        return subject.compact.summary or f"News of the {subject.compact.title}."

    # Absolute addresses, from SITE_URL: Feed would otherwise put the request's Host header
    # (get_current_site without the sites framework) in front of a path.
    def link(self, subject):
        return absolute(subject.compact.get_absolute_url())

    def feed_url(self, subject):
        return absolute(reverse("api:feed", kwargs={"slug": subject.compact.slug}))

    def items(self, subject):
        events = selectors.feed_events(subject.compact)
        for event in events:
            event.guid = self.item_link(event) + f"#{event.kind}"
        return events

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
            return absolute(event.version.get_absolute_url())
        return absolute(event.round.get_absolute_url())

    def item_guid(self, event):
        # A round opens and closes at the same address: two entries need two ids.
        return event.guid

    item_guid_is_permalink = False

    def item_pubdate(self, event):
        return event.when

    def item_updateddate(self, event):
        return event.when
