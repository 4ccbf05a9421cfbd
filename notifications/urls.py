from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/settings/", views.preferences, name="preferences"),
    path("staff/mail/retry-failed/", views.retry_failed_mail, name="retry_failed_mail"),
    path("notifications/unsubscribe/<str:kind>/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("follow/<str:what>/<int:pk>/", views.follow, name="follow"),
    path("unfollow/<str:what>/<int:pk>/", views.unfollow, name="unfollow"),
]
