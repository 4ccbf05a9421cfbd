from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("staff/compacts/<slug:slug>/audit/", views.compact_events, name="compact"),
]
