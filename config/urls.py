from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import JsonResponse
from django.urls import include, path
from django.views import defaults
from django.views.generic import RedirectView

from accounts.views import privacy
from api import site_files
from compact.views import home

from . import health

admin.site.site_header = "Leadership Compact administration"


def page_not_found(request, exception):
    """An address that matches nothing: JSON where machines read JSON (the open data API and the
    fingerprint check, which declare a JSON 404), the site's page everywhere else."""
    path = request.path_info
    if path.startswith("/api/v1/") or (path.startswith("/verify/") and path.endswith(".json")):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


handler404 = page_not_found

urlpatterns = [
    path("", home, name="home"),
    # Answered by config.health.HealthCheckMiddleware before routing; named here for reverse().
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("privacy/", privacy, name="privacy"),
    path("robots.txt", site_files.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, {"sitemaps": site_files.SITEMAPS}, name="sitemap"),
    path(".well-known/security.txt", site_files.security_txt, name="security_txt"),
    path("favicon.ico", site_files.favicon, name="favicon"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    # The admin's own sign-in has no rate limit; allauth's has, so the admin signs in there.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="admin_login_redirect",
    ),
    path("admin/", admin.site.urls),
    path("", include("compact.urls")),
    path("", include("consultation.urls")),
    path("", include("signatories.urls")),
    path("", include("reflections.urls")),
    path("", include("audit.urls")),
    path("", include("api.urls")),
    path("", include("notifications.urls")),
]

if settings.BENCHMARK_VIEWS:
    # The benchmark's yardsticks: a small fixed response, and a signed-in write of one row.
    from . import bench

    urlpatterns += [
        path("bench/minimal", bench.minimal, name="bench_minimal"),
        path("bench/minimal-write", bench.minimal_write, name="bench_minimal_write"),
    ]

# No route serves stored files directly, not even in development: a PDF is read through
# compact.views.pdf_file, which checks who may read it and whether it has been withdrawn.
