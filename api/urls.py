from django.urls import path
from django.views.decorators.http import conditional_page
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
    # conditional_page: an ETag, and 304 Not Modified to a reader that polls with If-None-Match or
    # with If-Modified-Since (against the Last-Modified the feed sets from its newest entry).
    path("compacts/<slug:slug>/feed/", conditional_page(feeds.CompactFeed()), name="feed"),
    path("compacts/<slug:slug>/follow/", views.feed_about, name="feed_about"),
    path("compacts/<slug:slug>/badges/", badges.badge_index, name="badges"),
    # The token makes a badge's address unguessable (signatories.selectors.badge_token).
    path("compacts/<slug:slug>/badge/<int:organisation_id>-<slug:token>/", badges.badge_page, name="badge"),
    path(
        "compacts/<slug:slug>/badge/<int:organisation_id>-<slug:token>.svg",
        badges.badge_svg,
        name="badge_svg",
    ),
]
