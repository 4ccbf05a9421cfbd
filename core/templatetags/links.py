"""`{% site_url "home" %}`: the addresses every page's header and footer link to, reversed once
per process.

`{% url %}` reverses on every render; on a page served mostly from kept fragments the nine links
of base.html were a fifth of the time. The URLconf cannot change while the process runs, and the
script prefix (a deployment under a sub-path) is part of the key. Unlike a context processor this
works where Django renders without a request (the 500 page)."""

from functools import cache

from django import template
from django.urls import get_script_prefix, reverse

register = template.Library()


@cache
def _reversed(prefix: str, view: str) -> str:
    return reverse(view)


@register.simple_tag
def site_url(view: str) -> str:
    return _reversed(get_script_prefix(), view)
