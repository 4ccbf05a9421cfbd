"""Every changing URL refuses a POST without a CSRF token, and a GET to it changes nothing.

The actions and the role that may perform each come from the access matrix, so a URL added
there is checked here too.
"""

import pytest
from django.test import Client

from compact.models import PdfExport

from .test_access_matrix import ACTIONS, ROLES

pytestmark = pytest.mark.django_db


def _doer(action):
    """The first role the matrix says can make this change."""
    cells = [cell.strip() for cell in action.expected.split("|")]
    return next(role for role, cell in zip(ROLES, cells, strict=True) if cell.endswith("done"))


CHANGING = [pytest.param(a, id=a.name) for a in ACTIONS if a.method == "POST" and a.effect is not None]


def _client_for_doer(settings, world, action, **client_options):
    settings.STAFF_REQUIRE_MFA = True
    if action.name == "retry a failed PDF":
        PdfExport.objects.create(version=world.a_published, status=PdfExport.Status.FAILED)
    client = Client(**client_options)
    client.force_login(world.users[_doer(action)])
    return client


def test_every_changing_action_in_the_matrix_is_checked_here():
    assert len(CHANGING) >= 25


@pytest.mark.parametrize("action", CHANGING)
def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(settings, world, action):
    client = _client_for_doer(settings, world, action, enforce_csrf_checks=True)
    response = client.post(action.url(world), action.data(world) if action.data else {})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
    assert action.effect(world) is False


@pytest.mark.parametrize("action", CHANGING)
def test_a_get_to_a_changing_url_changes_nothing(settings, world, action):
    client = _client_for_doer(settings, world, action)
    # The query string carries the same fields a form would post: GET must still not act on them.
    response = client.get(action.url(world), action.data(world) if action.data else {})
    assert response.status_code in (200, 302, 404, 405)
    assert action.effect(world) is False


@pytest.mark.parametrize("action", CHANGING)
def test_the_same_post_with_its_token_succeeds(settings, world, action):
    """The control for the two tests above: with a token the doer's POST does change things."""
    client = _client_for_doer(settings, world, action, enforce_csrf_checks=True)
    url = action.url(world)
    client.get("/")  # the home page sets the CSRF cookie, as any page with a form would
    token = client.cookies["csrftoken"].value
    data = {**(action.data(world) if action.data else {}), "csrfmiddlewaretoken": token}
    response = client.post(url, data)
    assert response.status_code in (200, 302)
    assert action.effect(world) is True
