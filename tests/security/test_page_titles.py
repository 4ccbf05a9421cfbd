"""Every page's <title> is closed and short: a title block left open swallowed the reflections on
the commitment history page (people's words ended up in the browser tab and in screen readers'
first announcement)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loaders.app_directories import get_app_template_dirs
from django.test import Client

from tests.security.test_fuzz import build, valid_values, walk

pytestmark = pytest.mark.django_db

TITLE_BLOCK = re.compile(r"{%\s*block\s+(?:title|head_title)\s*%}(.*?){%\s*endblock", re.S)
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
MAX_TITLE = 150


def _templates():
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    folders += [
        Path(folder) for folder in get_app_template_dirs("templates") if "site-packages" not in str(folder)
    ]
    for folder in folders:
        yield from sorted(folder.rglob("*.html"))


def test_no_template_puts_markup_inside_its_title_block():
    checked = 0
    for template in _templates():
        for block in TITLE_BLOCK.findall(template.read_text()):
            checked += 1
            assert "<" not in block and "\n" not in block.strip(), (
                f"{template}: title block holds {block[:80]!r}"
            )
    assert checked > 30  # the walk found the project's templates


def _page_titles(client, paths):
    for path in paths:
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        yield path, html.count("<title>"), TITLE.findall(html)


@pytest.mark.parametrize("role", ["visitor", "leader", "staff"])
def test_every_page_has_one_short_closed_title(role, world):
    world.staff.is_staff = world.staff.is_superuser = True
    world.staff.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    user = {"visitor": None, "leader": world.users["L"], "staff": world.staff}[role]
    if user:
        client.force_login(user)
    # The commitment history shows reflections: give it one, as the bug needed.
    from reflections.models import Reflection

    Reflection.objects.create(
        compact=world.a_published.compact,
        version=world.a_published,
        author=world.users["S"],
        commitment_key=world.commitment.key,
        kind=Reflection.Kind.CELEBRATE,
        text="A reflection that belongs in the page, not in its title.",
    )
    paths = [build(route, valid_values(world, route)) for route, _ in walk() if "logout" not in route]
    pages = 0
    for path, opened, titles in _page_titles(client, paths):
        pages += 1
        # The page's own <title> (an inline SVG may carry its own, closed, after it).
        assert opened >= 1 and len(titles) == opened, f"{path}: a <title> is not closed"
        title = titles[0].strip()
        assert "<" not in title, f"{path}: markup inside the title: {title[:100]!r}"
        assert len(title) < MAX_TITLE, f"{path}: title of {len(title)} characters: {title[:100]!r}"
    assert pages > 10
