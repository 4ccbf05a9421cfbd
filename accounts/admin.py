from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group

from audit.admin import AuditedAdmin

from .models import User


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "job_title", "organisation_name", "is_staff", "is_active")
    search_fields = ("email", "full_name", "organisation_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "job_title", "organisation_name", "leadership_role")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


# Who is academy staff (the group's permissions), which addresses are verified and who has
# two-factor are all decided here too, so their admins write the audit trail as well.
for model in (Group, EmailAddress, Authenticator):
    registered = type(admin.site._registry[model])
    admin.site.unregister(model)
    admin.site.register(model, type(registered.__name__, (AuditedAdmin, registered), {}))
