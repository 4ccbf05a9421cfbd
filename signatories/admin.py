from django.contrib import admin

from .models import Organisation, Signature


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "ods_code", "region", "verified_at")
    search_fields = ("name", "ods_code")
    list_filter = ("kind", "region")


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ("full_name", "role", "organisation", "version", "status", "confirmed_at")
    list_filter = ("status",)
    search_fields = ("full_name", "organisation__name")
    raw_id_fields = ("version", "signer", "organisation", "hidden_by")
    readonly_fields = ("content_hash", "token_hash")
