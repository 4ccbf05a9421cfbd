from django.contrib import admin

from .models import Commitment, Compact, Party, Section, Theme, Version


@admin.register(Compact)
class CompactAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "created_at")
    search_fields = ("title",)


@admin.register(Version)
class VersionAdmin(admin.ModelAdmin):
    list_display = ("compact", "number", "status", "published_at")
    list_filter = ("status",)
    readonly_fields = ("content_hash",)


for model in (Party, Theme, Section, Commitment):
    admin.site.register(model)
