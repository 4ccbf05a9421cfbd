from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.views import healthz, privacy
from compact.views import home

admin.site.site_header = "Leadership Compact administration"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
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

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
