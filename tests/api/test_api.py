"""The open data API: what it returns (checked against its own schema), what it never returns,
and how it behaves as HTTP (conditional GET, CORS, no cookies, rate limits)."""

import hashlib
import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from compact import services as compact_services
from compact.models import Version
from tests.factories import draft_version

from .conftest import sign

SITE = settings.SITE_URL  # every absolute address is built from it, never from the request

pytestmark = pytest.mark.django_db


def version_url(version):
    return reverse("api:version", kwargs={"slug": version.compact.slug, "number": version.number})


def test_the_schema_is_openapi_3_and_lists_every_resource(client):
    response = client.get("/api/v1/schema.json")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/v1/schema.json", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for path in (
        "/api/v1/compacts/",
        "/api/v1/compacts/{slug}/",
        "/api/v1/compacts/{slug}/versions/{number}/",
        "/api/v1/compacts/{slug}/versions/{number}/signatories/",
        "/api/v1/compacts/{slug}/versions/{number}/signatories/counts/",
        "/api/v1/compacts/{slug}/rounds/",
        "/api/v1/rounds/{round_id}/questions/",
        "/api/v1/rounds/{round_id}/results/",
    ):
        assert path in paths
    # Read-only: no operation but GET.
    assert {method for operations in schema["paths"].values() for method in operations} == {"get"}


def test_compacts_list_names_each_compact_and_its_published_version(api_get, version):
    unpublished = draft_version().compact
    body = api_get(reverse("api:compacts")).json()
    rows = {row["slug"]: row for row in body["results"]}
    assert rows[version.compact.slug]["current_version"] == version.number
    assert unpublished.slug not in rows  # nothing of a compact with nothing public
    assert body["count"] == 1


def test_a_version_carries_its_full_text_in_order_and_its_fingerprint(api_get, version):
    body = api_get(version_url(version)).json()
    assert body["status"] == "published"
    assert body["content_hash"] == version.content_hash
    assert body["layout"] == "themes"
    text = body["text"]
    assert [p["name"] for p in text["parties"]] == ["The Academy", "Leaders"]
    first_theme = text["themes"][0]
    assert [c["text"] for c in first_theme["commitments"]] == [
        "The Academy promise 1.1.",
        "The Academy promise 1.2.",
        "Leaders promise 1.1.",
        "Leaders promise 1.2.",
    ]


def test_anyone_can_recompute_the_fingerprint_from_the_text_the_api_gives(api_get, version):
    body = api_get(version_url(version)).json()
    serialised = json.dumps(body["text"], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert hashlib.sha256(serialised.encode("utf-8")).hexdigest() == body["content_hash"]


def test_drafts_ratified_and_consulted_versions_are_not_public(api_get, staff):
    draft = draft_version()
    assert api_get(version_url(draft)).status_code == 404
    compact_services.ratify(actor=staff, version=draft)
    assert api_get(version_url(draft)).status_code == 404
    # Its compact has nothing public: not there at all.
    assert api_get(reverse("api:versions", kwargs={"slug": draft.compact.slug})).status_code == 404


def test_a_superseded_version_stays_readable_and_says_so(api_get, staff, version):
    new = compact_services.start_new_draft(actor=staff, compact=version.compact)
    compact_services.ratify(actor=staff, version=new)
    compact_services.publish(actor=staff, version=new, note="Refreshed.")
    body = api_get(version_url(version)).json()
    assert body["status"] == "superseded" and body["superseded_at"]
    listed = api_get(reverse("api:versions", kwargs={"slug": version.compact.slug})).json()["results"]
    assert [(v["number"], v["status"]) for v in listed] == [(2, "published"), (1, "superseded")]


def test_an_unchanged_answer_is_304_with_its_etag_and_changes_when_the_data_does(client, version):
    url = reverse("api:signatories", kwargs={"slug": version.compact.slug, "number": version.number})
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["Access-Control-Allow-Origin"] == "*"
    sign(version)
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_a_version_answers_if_modified_since_from_its_publication(client, version):
    url = version_url(version)
    first = client.get(url)
    assert first["Last-Modified"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


def test_any_site_may_read_but_not_write_and_no_cookie_is_involved(client, version):
    response = client.get(version_url(version), HTTP_ORIGIN="https://elsewhere.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert not response.cookies
    preflight = client.options(version_url(version), HTTP_ORIGIN="https://elsewhere.example")
    assert preflight.status_code == 204
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    post = client.post(version_url(version))
    assert post.status_code == 405
    assert "Access-Control-Allow-Origin" not in post


def test_a_signed_in_session_changes_nothing_the_api_says(client, leader, version):
    anonymous = client.get(version_url(version)).content
    client.force_login(leader)
    assert client.get(version_url(version)).content == anonymous


def test_requests_past_the_limit_get_429_with_retry_after(client, settings, version):
    from rest_framework.settings import api_settings

    from api.throttling import ClientAddressThrottle

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "3/minute"}}
    previous = ClientAddressThrottle.THROTTLE_RATES
    ClientAddressThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        statuses = [client.get(reverse("api:compacts")).status_code for _ in range(4)]
        refused = client.get(reverse("api:compacts"))
        other_address = client.get(reverse("api:compacts"), REMOTE_ADDR="192.0.2.9")
    finally:
        ClientAddressThrottle.THROTTLE_RATES = previous
    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert other_address.status_code == 200


def test_unknown_compacts_and_versions_are_404_in_json(client, version):
    response = client.get(reverse("api:version", kwargs={"slug": version.compact.slug, "number": 99}))
    assert response.status_code == 404
    assert response.json()["detail"]
    assert client.get(reverse("api:compact", kwargs={"slug": "no-such"})).status_code == 404


def test_the_guide_lists_every_address_with_a_curl_example(client, version):
    page = client.get(reverse("api:docs")).content.decode()
    assert "curl" in page and "/api/v1/schema.json" in page
    assert "/api/v1/compacts/{slug}/versions/{number}/signatories/" in page
    # A worked example for the compact that exists.
    assert f"/api/v1/compacts/{version.compact.slug}/" in page
    assert '<script src="http' not in page
    assert client.get("/api/").status_code == 302


def test_published_version_status_names_stay_the_api_contract():
    # The API's schema promises these two; if the model's names changed, the contract would break.
    assert {Version.Status.PUBLISHED, Version.Status.SUPERSEDED} == {"published", "superseded"}


def test_every_worked_example_in_the_guide_answers(client, staff, version):
    from tests.consultation.factories import open_round

    from .conftest import close

    draft = compact_services.start_new_draft(actor=staff, compact=version.compact)
    close(open_round(staff=staff, version=draft), staff)
    page = client.get(reverse("api:docs")).content.decode()
    examples = re.findall(r'Try it: <a href="' + re.escape(SITE) + r'([^"]+)"', page)
    assert len(examples) == 10
    for path in examples:
        assert client.get(path).status_code == 200, path


def test_layout_fields_of_the_text_pass_through_and_fit_the_schema(api_get, version, monkeypatch):
    """Column headings, paired rows, a section's placement, a theme's parties and commitments
    outside any theme are part of the hashed text when a version uses them; the API passes the
    text through as it is, and its schema describes them."""
    text = version.canonical_text()
    party = text["parties"][0]["key"]
    text["layout"] = "rows"
    text["parties"][0]["heading"] = "We give"
    text["sections"][0:0] = [{"kind": "why", "heading": "Why", "body": "Because.", "placement": "after"}]
    text["themes"][0]["parties"] = [party]
    text["themes"][0]["commitments"][0]["row"] = 1
    text["commitments"] = [
        {"key": "0b9c1c57-2f1e-4a8e-9d8e-7f3b2a1c0d9e", "party": party, "text": "Untethered."}
    ]
    monkeypatch.setattr(Version, "canonical_text", lambda self: text)
    body = api_get(version_url(version)).json()
    assert body["layout"] == "rows"
    assert body["text"] == json.loads(json.dumps(text))


def test_bad_page_parameters_are_a_400_that_says_what_they_must_be(client):
    for query, name in (
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page_size=null", "page_size"),
        ("page_size=501", "page_size"),
    ):
        response = client.get(f"/api/v1/compacts/?{query}")
        assert response.status_code == 400, query
        assert "Must be a whole number" in response.json()[name][0]


def test_api_answers_do_not_vary_by_cookie_because_the_api_reads_none(client):
    response = client.get("/api/v1/compacts/")
    assert response.status_code == 200
    assert "Cookie" not in response.get("Vary", "")


def test_the_fingerprint_check_may_be_read_by_any_site_and_cached(client):
    response = client.get("/verify/" + "f" * 64 + ".json")
    assert response.status_code == 404 and response.json()["found"] is False
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "public" in response["Cache-Control"]
    assert client.get("/verify/nothing/here.json").json() == {"detail": "Not found."}
