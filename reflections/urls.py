from django.urls import path

from . import views

app_name = "reflections"

urlpatterns = [path("compacts/<slug:slug>/reflections/", views.reflections_page, name="page")]
