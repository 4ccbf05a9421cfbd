from django.contrib import admin

from audit.admin import ReadOnlyAdmin

from .models import Organisation, Signature

# Read-only: verifying organisations and hiding or restoring signatures are staff pages whose
# services write the audit trail; an admin edit would bypass both.


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "ods_code", "region", "verified_at")
    search_fields = ("name", "ods_code")
    list_filter = ("kind", "region")


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ("full_name", "role", "organisation", "version", "status", "confirmed_at")
    list_filter = ("status",)
    search_fields = ("full_name", "organisation__name")
    raw_id_fields = ("version", "signer", "organisation", "hidden_by")
