"""Errors answer with readable NHS-styled pages, never Django's bare defaults."""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_unknown_address_gets_the_styled_page_not_found(client):
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "<title>Page not found – Leadership Compact</title>" in page and "nhsuk-header" in page


def test_a_leader_on_a_staff_page_is_told_why_in_the_styled_page(leader_client):
    response = leader_client.get(reverse("compact:staff_dashboard"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "You cannot see this page" in page and "Only academy staff can see this page." in page


def test_the_server_error_page_renders_without_a_request_or_a_database():
    # Django renders 500.html with no context processors: it must not need the request.
    page = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in page and "nhsuk-header" in page
    # Its header and footer still lead somewhere: home, privacy and checking a copy.
    assert 'href="/"' in page and 'href="/privacy/"' in page and 'href="/verify/"' in page


def test_a_malformed_request_gets_the_styled_bad_request_page(settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = Client().get("/", HTTP_HOST="evil.example.org")
    assert response.status_code == 400
    assert "Something was wrong with the request" in response.content.decode()
