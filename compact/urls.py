from django.urls import path

from . import staff_views, views

app_name = "compact"

version_prefix = "staff/compacts/<slug:slug>/versions/<int:number>/"

urlpatterns = [
    path("compacts/<slug:slug>/", views.compact_detail, name="detail"),
    path("compacts/<slug:slug>/versions/<int:number>/", views.version_detail, name="version"),
    path("staff/", staff_views.StaffDashboardView.as_view(), name="staff_dashboard"),
    path("staff/compacts/new/", staff_views.CompactCreateView.as_view(), name="staff_compact_create"),
    path("staff/compacts/<slug:slug>/", staff_views.CompactManageView.as_view(), name="staff_compact"),
    path(
        "staff/compacts/<slug:slug>/drafts/", staff_views.StartDraftView.as_view(), name="staff_start_draft"
    ),
    path(version_prefix, staff_views.VersionEditView.as_view(), name="staff_version"),
    path(version_prefix + "vision/", staff_views.VisionEditView.as_view(), name="staff_vision"),
    path(version_prefix + "<str:kind>/add/", staff_views.PartFormView.as_view(), name="staff_part_add"),
    path(version_prefix + "<str:kind>/<int:pk>/", staff_views.PartFormView.as_view(), name="staff_part_edit"),
    path(
        version_prefix + "<str:kind>/<int:pk>/move/",
        staff_views.PartMoveView.as_view(),
        name="staff_part_move",
    ),
    path(
        version_prefix + "<str:kind>/<int:pk>/remove/",
        staff_views.PartRemoveView.as_view(),
        name="staff_part_remove",
    ),
]
