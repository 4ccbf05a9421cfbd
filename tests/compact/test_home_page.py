"""The home page tells leaders when a compact is open for consultation."""

import pytest
from django.urls import reverse

from compact import services
from tests.consultation.factories import open_round
from tests.factories import published_version

pytestmark = pytest.mark.django_db


def test_home_page_mentions_an_open_consultation_and_links_to_it(client, staff):
    v1 = published_version(staff=staff)
    page = client.get(reverse("home")).content.decode()
    assert "Consultation open" not in page

    draft = services.start_new_draft(actor=staff, compact=v1.compact)
    round = open_round(staff=staff, version=draft, title="Spring refresh")
    page = client.get(reverse("home")).content.decode()
    assert "Consultation open" in page
    assert f'<a href="{round.get_absolute_url()}">have your say in “Spring refresh”</a>' in page
