"""NUL bytes are removed from every query and form value before any view sees them: PostgreSQL
refuses them in text, so `?q=%00` on a search and a NUL in a staff reason field were 500s."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from config.middleware import StripNulBytesMiddleware
from consultation.models import Comment
from tests.consultation.factories import open_round

pytestmark = pytest.mark.django_db


def _seen_by_view(request):
    seen = {}

    def view(req):
        seen["GET"], seen["POST"] = req.GET.dict(), req.POST.dict()
        return HttpResponse("ok")

    # As Django runs it: __call__ around the view, and process_view just before the view.
    def handler(req):
        return middleware.process_view(req, view, (), {}) or view(req)

    middleware = StripNulBytesMiddleware(handler)
    return middleware(request), seen


def test_a_nul_byte_in_a_query_value_or_name_never_reaches_the_view():
    response, seen = _seen_by_view(
        RequestFactory().get("/compacts/", {"q": "North\x00field", "pa\x00ge": "2"})
    )
    assert response.status_code == 200 and seen["GET"] == {"q": "Northfield", "page": "2"}


def test_a_nul_byte_in_a_form_value_is_removed_and_the_rest_of_what_was_typed_kept():
    response, seen = _seen_by_view(RequestFactory().post("/x/", {"reason": "Off\x00 topic", "other": "fine"}))
    assert seen["POST"] == {"reason": "Off topic", "other": "fine"}


def test_an_address_holding_a_nul_byte_is_a_400_page():
    response, seen = _seen_by_view(RequestFactory().get("/compacts/a\x00b/"))
    assert response.status_code == 400 and not seen
    assert "Something was wrong with the request" in response.content.decode()


def test_staff_hiding_a_comment_with_a_nul_in_the_reason_succeeds_without_it(staff_client):
    round = open_round()
    comment = Comment.objects.create(round=round, author=round.created_by, body="Words", target="vision")
    response = staff_client.post(
        f"/staff/moderation/comments/{comment.pk}/hide/", {"reason": "Off\x00 topic"}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.hidden_at is not None


@pytest.mark.postgres
def test_searching_for_a_nul_byte_on_postgresql_is_an_ordinary_search(client):
    from tests.factories import published_version

    version = published_version()
    url = f"/compacts/{version.compact.slug}/versions/{version.number}/signatories/?q=%00"
    assert client.get(url).status_code == 200
