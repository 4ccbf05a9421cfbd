from django.urls import path

from . import staff_views, verify_views, views

app_name = "compact"

version_prefix = "staff/compacts/<slug:slug>/versions/<int:number>/"

urlpatterns = [
    path("compacts/<slug:slug>/", views.compact_detail, name="detail"),
    path("compacts/<slug:slug>/versions/<int:number>/", views.version_detail, name="version"),
    path("compacts/<slug:slug>/versions/<int:number>/pdf/", views.version_pdf, name="pdf"),
    path("compacts/<slug:slug>/compare/", views.compare_versions, name="compare"),
    path("compacts/<slug:slug>/commitments/<uuid:key>/", views.commitment_history, name="commitment_history"),
    path("pdf/<str:token>/<str:filename>", views.pdf_file, name="pdf_file"),
    path("staff/compacts/<slug:slug>/versions/<int:number>/pdf/retry/", views.retry_pdf, name="pdf_retry"),
    path(version_prefix + "pdf/for-signing/", views.signing_event_pdf, name="staff_signing_pdf"),
    path("staff/", staff_views.StaffDashboardView.as_view(), name="staff_dashboard"),
    path("staff/compacts/new/", staff_views.CompactCreateView.as_view(), name="staff_compact_create"),
    path("staff/compacts/<slug:slug>/", staff_views.CompactManageView.as_view(), name="staff_compact"),
    path(
        "staff/compacts/<slug:slug>/drafts/", staff_views.StartDraftView.as_view(), name="staff_start_draft"
    ),
    path(version_prefix, staff_views.VersionEditView.as_view(), name="staff_version"),
    path(version_prefix + "ratify/", staff_views.RatifyView.as_view(), name="staff_ratify"),
    path(version_prefix + "publish/", staff_views.PublishView.as_view(), name="staff_publish"),
    path(version_prefix + "vision/", staff_views.VisionEditView.as_view(), name="staff_vision"),
    path(version_prefix + "layout/", staff_views.LayoutChangeView.as_view(), name="staff_layout"),
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
    # Anyone can check a copy: by fingerprint, by uploading the PDF, or as JSON.
    path("verify/", verify_views.verify, name="verify"),
    path("verify/<str:fingerprint>.json", verify_views.verify_json, name="verify_json"),
]

# Importing a whole compact from text, and any version as text (compact/import_views.py).
from . import import_views  # noqa: E402

urlpatterns += [
    path("staff/import/", import_views.ImportView.as_view(), name="staff_import"),
    path("staff/import/format/", import_views.FormatGuideView.as_view(), name="staff_import_format"),
    path("compacts/<slug:slug>/versions/<int:number>/compact.md", import_views.version_text, name="text"),
]
