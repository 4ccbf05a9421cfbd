from django.urls import path

import core.converters  # noqa: F401 - registers <id:…>

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/settings/", views.preferences, name="preferences"),
    path("staff/mail/retry-failed/", views.retry_failed_mail, name="retry_failed_mail"),
    path("notifications/unsubscribe/<str:kind>/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("follow/<str:what>/<id:pk>/", views.follow, name="follow"),
    path("unfollow/<str:what>/<id:pk>/", views.unfollow, name="unfollow"),
]
