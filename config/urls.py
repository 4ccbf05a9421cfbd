from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.views import healthz
from compact.views import home

admin.site.site_header = "Leadership Compact administration"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("compact.urls")),
    path("", include("consultation.urls")),
    path("", include("signatories.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
