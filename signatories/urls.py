from django.urls import path

from . import views

app_name = "signatories"

urlpatterns = [
    path("compacts/<slug:slug>/sign/", views.sign, name="sign"),
    path("organisations/lookup/", views.organisation_lookup, name="organisation_lookup"),
    path("signatures/confirm/<str:token>/", views.confirm, name="confirm"),
    path("signatures/<int:pk>/", views.signature_detail, name="signature"),
    path("signatures/<int:pk>/resend/", views.resend, name="resend"),
    path("signatures/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("compacts/<slug:slug>/versions/<int:number>/signatories/", views.signatory_list, name="list"),
    path("compacts/<slug:slug>/versions/<int:number>/signatories.csv", views.signatory_csv, name="csv"),
    path(
        "staff/compacts/<slug:slug>/versions/<int:number>/signatures/",
        views.staff_signatures,
        name="staff_signatures",
    ),
    path(
        "staff/compacts/<slug:slug>/versions/<int:number>/signatures.csv",
        views.staff_signatures_csv,
        name="staff_signatures_csv",
    ),
    path("staff/signatures/to-check/", views.staff_queue, name="staff_queue"),
    path("staff/signatures/<int:pk>/<str:action>/", views.staff_moderate_signature, name="staff_moderate"),
    path("staff/organisations/", views.staff_organisations, name="staff_organisations"),
]
