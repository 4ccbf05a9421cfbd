"""The guide to the outline's format is a page of the site, rendered from docs/compact-format.md."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("compact:staff_import_format")


def test_staff_read_the_format_guide_linked_from_the_import_page(staff_client):
    assert URL in staff_client.get(reverse("compact:staff_import")).content.decode()
    html = staff_client.get(URL).content.decode()
    assert "<h1>The compact's plain-text format</h1>" in html
    assert "<table>" in html and "<code>Layout: themes</code>" in html
    assert "Facing columns, each with its own themes" in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_people_who_are_not_staff_cannot_read_the_staff_guide(leader_client):
    assert leader_client.get(URL).status_code in (302, 403)
