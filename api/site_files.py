"""The files the open web looks for at fixed addresses: robots.txt, the sitemap, security.txt and
/favicon.ico. Each is built from the request's own address, as the sitemap framework does."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from . import selectors

# Pages no search engine needs: staff's, each person's own, sign-in and sign-up, the admin.
PRIVATE_PREFIXES = ("/staff/", "/account/", "/accounts/", "/admin/", "/notifications/")
DAY = 60 * 60 * 24


class CompactSitemap(Sitemap):
    """Each public version's page: the current one at the compact's address, older ones by number."""

    def items(self):
        return selectors.public_versions().select_related("compact").order_by("compact__slug", "number")

    def location(self, version):
        return version.get_absolute_url()

    def lastmod(self, version):
        return version.published_at


class SignatoriesSitemap(CompactSitemap):
    """Each public version's list of signatories."""

    def location(self, version):
        return reverse("signatories:list", kwargs={"slug": version.compact.slug, "number": version.number})


SITEMAPS = {"compacts": CompactSitemap, "signatories": SignatoriesSitemap}


@require_safe
@cache_control(max_age=DAY, public=True)
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {prefix}" for prefix in PRIVATE_PREFIXES)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
@cache_control(max_age=DAY, public=True)
def security_txt(request):
    """RFC 9116: whom to tell about a vulnerability. Expires is required; it moves with each
    request, so the file never goes stale while the service runs."""
    expires = (timezone.now() + timedelta(days=180)).replace(microsecond=0)
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: en",
        f"Canonical: {request.build_absolute_uri(reverse('security_txt'))}",
    ]
    if settings.SECURITY_POLICY_URL:
        lines.append(f"Policy: {settings.SECURITY_POLICY_URL}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
@cache_control(max_age=DAY, public=True)
def favicon(request):
    """Browsers and crawlers ask for /favicon.ico whatever the page says; send them to the file."""
    return redirect(staticfiles_storage.url("build/assets/images/favicon.ico"), permanent=False)
