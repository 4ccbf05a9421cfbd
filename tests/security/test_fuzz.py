"""Hostile values into every URL: no answer may be a 500.

Walks every URL pattern Django knows (the resolver, so a new page is fuzzed the day it is added)
as a visitor, a leader and staff (academy staff who may also use the admin, with two-factor), and
sends:
- GET with each hostile value in each path parameter in turn (the resolver decides what matches);
- GET with every query parameter any page reads set to each hostile value;
- POST with every form field any page renders set to each hostile value.

Hostile values: a NUL byte, an integer too big for any column, a negative number, a word where a
number belongs, 10,000 characters and a right-to-left override. A 4xx is a fine answer; a 500 (or an
exception escaping the view) fails, listing every URL, method and value that caused one.

What is not sent, because no code of ours would run: a path the URL resolver does not match (an
`<int:pk>` never sees a word: Django answers 404 before any view), and the admin's pages to anyone
but staff (the admin site's own gate sends everyone else to its sign-in page, which is fuzzed).

The same walk runs on SQLite (here) and on PostgreSQL (the `postgres` variant, which CI runs with
DATABASE_URL set): the two fail differently (SQLite overflows on huge integers, PostgreSQL refuses
NUL bytes in text).
"""

import copy
import re
from urllib.parse import urlencode

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

pytestmark = pytest.mark.django_db

HOSTILE = {
    "nul": "a\x00b",
    "huge": "9" * 23,
    "negative": "-1",
    "word": "abc",
    "long": "x" * 10_000,
    "rtl": "\u202egnp.exe",
}

# Every query parameter a page reads (grep request.GET); unknown ones are harmless extras.
QUERY_KEYS = ["q", "page", "theme", "from", "to", "all", "next", "status", "kind", "region", "show", "sort"]


def walk(patterns=None, prefix=""):
    """(route, pattern) for every URL pattern, with included prefixes joined."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def params_of(route):
    return [m.group("name") or m.group("rname") for m in PARAM.finditer(route)]


def build(route, values):
    """The path for a route (Django's <conv:name> or a regex), with each parameter's value."""

    def fill(match):
        return str(values[match.group("name") or match.group("rname")])

    path = PARAM.sub(fill, route)
    return "/" + path.replace("^", "").replace("$", "")


def valid_values(world, route):
    """Real values for a route's parameters, so the hostile query and form reach the view's code."""
    version = world.a_published
    pk = 1
    if "comments" in route or "moderation" in route:
        pk = world.comment.pk
    elif "proposals" in route:
        pk = world.proposal.pk
    elif "commitments/<int:pk>" in route:
        pk = world.commitment.pk
    elif "signatures" in route:
        pk = world.s1.pk
    elif "rounds" in route:
        pk = world.round.pk
    elif "<str:kind>" in route:
        pk = world.b_draft.themes.order_by("pk").first().pk
    return {
        "slug": version.compact.slug,
        "number": version.number,
        "key": world.commitment.key,
        "round_pk": world.round.pk,
        "round_id": world.round.pk,
        "organisation_id": world.s1.organisation_id or 1,
        "theme_pk": world.a_draft.themes.order_by("pk").first().pk,
        "pk": pk,
        "kind": "themes",
        "action": "hide",
        "what": "round",
        "provider_id": "organisation",
        "token": "not-a-token",
        "filename": "compact.pdf",
        "fingerprint": version.content_hash,
        "object_id": str(world.staff.pk),
        "content_type_id": "1",
        "id": str(world.staff.pk),
        "uidb36": "1",
        "app_label": "compact",
        "url": "nowhere",
    }


FIELD_NAME = re.compile(r'<(?:input|textarea|select)[^>]*\sname="([^"]+)"')


def form_fields(client, paths):
    """The name of every form field rendered on any of these pages (the CSRF token apart)."""
    names = set()
    for path in paths:
        try:
            response = client.get(path)
        except Exception:  # noqa: S112 - a page that fails outright is reported by the walk itself
            continue
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            names.update(FIELD_NAME.findall(response.content.decode(errors="replace")))
    names.discard("csrfmiddlewaretoken")
    return sorted(names)


def resolves(path):
    """Whether a view of ours would see this path: otherwise the resolver answers 404 itself."""
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def _client_for(user):
    client = Client(raise_request_exception=True)
    if user is not None:
        client.force_login(user)
    return client


def _request(client, method, path, data, failures, label):
    try:
        # A form without a file is sent as a browser sends it: URL-encoded.
        response = (
            client.get(path, data)
            if method == "GET"
            else client.post(path, urlencode(data), content_type="application/x-www-form-urlencoded")
        )
    except Exception as error:  # noqa: BLE001 - every escaping exception is a 500 to report
        failures.append(f"{method} {path[:120]} [{label}]: {type(error).__name__}: {str(error)[:160]}")
        return
    if response.status_code >= 500 and response.status_code != 503:  # 503: a PDF still being made
        failures.append(f"{method} {path[:120]} [{label}]: {response.status_code}")


def _staff_with_the_admin(world):
    """Staff in this walk may use the admin too, so the admin's pages are fuzzed as well."""
    staff = world.staff
    staff.is_staff = True
    staff.is_superuser = True
    staff.save(update_fields=["is_staff", "is_superuser"])
    assert Authenticator.objects.filter(user=staff).exists()
    return staff


@pytest.fixture(scope="module")
def field_names(shared_world, django_db_blocker):
    """Every form field any page renders to staff, read once for the module's three walks (it is
    a walk of its own), in a savepoint rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = copy.deepcopy(shared_world)
        staff = _staff_with_the_admin(world)
        paths = [build(route, valid_values(world, route)) for route, _ in walk()]
        names = form_fields(_client_for(staff), paths)
        transaction.set_rollback(True)
    return names + ["form", "action", "next", "q", "page"]


def fuzz(role, world, fields):
    staff = _staff_with_the_admin(world)
    user = {"visitor": None, "leader": world.users["L"], "staff": staff}[role]
    client = _client_for(user)
    routes = [(route, pattern) for route, pattern in walk()]
    valid_paths = [build(route, valid_values(world, route)) for route, _ in routes]
    failures = []
    for (route, _pattern), valid_path in zip(routes, valid_paths, strict=True):
        if route.startswith("accounts/logout"):
            continue  # signing out would end the walk's session; it takes no parameters anyway
        if route.startswith("admin/") and role != "staff" and route != "admin/login/":
            continue
        values = valid_values(world, route)
        for name in params_of(route):
            for label, value in HOSTILE.items():
                path = build(route, {**values, name: value})
                if not resolves(path):
                    continue
                if "\x00" in path:
                    path = path.replace("\x00", "%00")
                _request(client, "GET", path, {}, failures, f"{name}={label}")
        for label, value in HOSTILE.items():
            _request(client, "GET", valid_path, dict.fromkeys(QUERY_KEYS, value), failures, f"query={label}")
            _request(client, "POST", valid_path, dict.fromkeys(fields, value), failures, f"form={label}")
    return failures


@pytest.mark.slow
@pytest.mark.parametrize("role", ["staff", "leader", "visitor"])
def test_no_url_answers_500_to_hostile_values_on_sqlite(role, world, field_names):
    if django_settings.USING_POSTGRES:
        pytest.skip("the postgres-marked variant below runs this walk on PostgreSQL")
    failures = fuzz(role, world, field_names)
    assert not failures, f"{len(failures)} requests failed:\n" + "\n".join(failures[:60])


@pytest.mark.postgres
@pytest.mark.parametrize("role", ["visitor", "leader", "staff"])
def test_no_url_answers_500_to_hostile_values_on_postgresql(role, world, field_names):
    failures = fuzz(role, world, field_names)
    assert not failures, f"{len(failures)} requests failed:\n" + "\n".join(failures[:60])
