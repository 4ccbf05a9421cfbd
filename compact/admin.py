from django.contrib import admin

from audit.admin import ReadOnlyAdmin

from .models import Commitment, Compact, IssuedPdf, Party, Section, Theme, Version

# Read-only: compacts change through the staff pages, whose services keep ratified text frozen
# and write every decision to the audit trail. An admin edit would do neither.


@admin.register(Compact)
class CompactAdmin(ReadOnlyAdmin):
    list_display = ("title", "slug", "created_at")
    search_fields = ("title",)


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    list_display = ("compact", "number", "status", "published_at")
    list_filter = ("status",)


for model in (Party, Theme, Section, Commitment):
    admin.site.register(model, ReadOnlyAdmin)


@admin.register(IssuedPdf)
class IssuedPdfAdmin(ReadOnlyAdmin):
    list_display = ("version", "kind", "issued_at", "signatory_count", "sha256")
    list_filter = ("kind",)
    search_fields = ("sha256",)
