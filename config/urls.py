from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.views import privacy
from compact.views import home

from . import health

admin.site.site_header = "Leadership Compact administration"

urlpatterns = [
    path("", home, name="home"),
    # Answered by config.health.HealthCheckMiddleware before routing; named here for reverse().
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("privacy/", privacy, name="privacy"),
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
