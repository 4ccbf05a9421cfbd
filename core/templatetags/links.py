"""`{% site_url "home" %}`: the addresses every page's header and footer link to, reversed once
per process.

`{% url %}` reverses on every render; on a page served mostly from kept fragments the nine links
of base.html were a fifth of the time. The URLconf cannot change while the process runs, and the
script prefix (a deployment under a sub-path) is part of the key. Unlike a context processor this
works where Django renders without a request (the 500 page)."""

from functools import cache
from urllib.parse import quote

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.http import url_has_allowed_host_and_scheme

register = template.Library()


@cache
def _reversed(prefix: str, view: str) -> str:
    return reverse(view)


@register.simple_tag
def site_url(view: str) -> str:
    return _reversed(get_script_prefix(), view)


@register.simple_tag(takes_context=True)
def next_query(context: template.Context) -> str:
    """`?next=…` for a sign-in or sign-up link: where the person was going. On the account pages
    themselves that is the `next` they arrived with (so "Create an account" on the sign-in page
    keeps it); elsewhere it is the page they are on. Only an address on this site is kept."""
    request = context.get("request")
    if request is None:
        return ""
    accounts = _reversed(get_script_prefix(), "account_login").rstrip("/").rsplit("/", 1)[0] + "/"
    target = request.GET.get("next", "") if request.path.startswith(accounts) else request.get_full_path()
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return ""
    # Quoted as the |urlencode filter quotes it: the kept pages fill in a path quoted so.
    return "?next=" + quote(target, safe="/")
