"""Absolute addresses of this site's pages, from settings.SITE_URL and never from the request.

The Host header is the client's to write: any host in ALLOWED_HOSTS passes, with any port, so an
address built from the request (request.build_absolute_uri, request.get_host) could carry a
host and port the sender chose into a page kept for everyone (share links, og:url, a badge's
snippet) or into an e-mail. Every absolute address a page shows is built here.
"""

from django.conf import settings


def absolute(path: str) -> str:
    """The address of `path` (which starts with "/") on this site, as configured."""
    return str(settings.SITE_URL).rstrip("/") + path
