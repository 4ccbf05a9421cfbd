from django.urls import path
from django.views.generic import RedirectView

from . import badges, feeds, views

app_name = "api"

v1 = "api/v1/"

urlpatterns = [
    path("api/", RedirectView.as_view(pattern_name="api:docs"), name="root"),
    path(v1, views.docs, name="docs"),
    path(v1 + "schema.json", views.Schema.as_view(), name="schema"),
    path(v1 + "compacts/", views.CompactList.as_view(), name="compacts"),
    path(v1 + "compacts/<slug:slug>/", views.CompactDetail.as_view(), name="compact"),
    path(v1 + "compacts/<slug:slug>/versions/", views.VersionList.as_view(), name="versions"),
    path(v1 + "compacts/<slug:slug>/versions/<int:number>/", views.VersionDetail.as_view(), name="version"),
    path(
        v1 + "compacts/<slug:slug>/versions/<int:number>/signatories/",
        views.SignatoryList.as_view(),
        name="signatories",
    ),
    path(
        v1 + "compacts/<slug:slug>/versions/<int:number>/signatories/counts/",
        views.SignatoryCounts.as_view(),
        name="counts",
    ),
    path(v1 + "compacts/<slug:slug>/rounds/", views.RoundList.as_view(), name="rounds"),
    path(v1 + "rounds/<int:round_id>/", views.RoundDetail.as_view(), name="round"),
    path(v1 + "rounds/<int:round_id>/questions/", views.QuestionList.as_view(), name="questions"),
    path(v1 + "rounds/<int:round_id>/results/", views.ResultList.as_view(), name="results"),
    # Sharing: the feed and the badges live beside the compact's own pages.
    path("compacts/<slug:slug>/feed/", feeds.CompactFeed(), name="feed"),
    path("compacts/<slug:slug>/follow/", views.feed_about, name="feed_about"),
    path("compacts/<slug:slug>/badges/", badges.badge_index, name="badges"),
    path("compacts/<slug:slug>/badge/<int:organisation_id>/", badges.badge_page, name="badge"),
    path("compacts/<slug:slug>/badge/<int:organisation_id>.svg", badges.badge_svg, name="badge_svg"),
]
