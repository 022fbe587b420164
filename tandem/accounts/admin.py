"""Admin for operators: people, organizations and (revocable, never readable) API tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import ApiToken, Organization, User

# The admin classes are generic in django-stubs only; at runtime they cannot be subscripted.
if TYPE_CHECKING:
    OrganizationAdminBase = admin.ModelAdmin[Organization]
    UserAdminBase = BaseUserAdmin[User]
    ApiTokenAdminBase = admin.ModelAdmin[ApiToken]
else:
    OrganizationAdminBase = admin.ModelAdmin
    UserAdminBase = BaseUserAdmin
    ApiTokenAdminBase = admin.ModelAdmin


@admin.register(Organization)
class OrganizationAdmin(OrganizationAdminBase):
    """Vendor and client organizations."""

    list_display = ("name", "kind", "created_at")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(User)
class UserAdmin(UserAdminBase):
    """Users identified by email."""

    ordering = ("email",)
    list_display = ("email", "full_name", "organization", "language", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "organization__kind", "language")
    search_fields = ("email", "full_name")
    list_select_related = ("organization",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "title", "organization", "language")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "organization", "password1", "password2"),
            },
        ),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(ApiTokenAdminBase):
    """Tokens are listed by prefix only; their secrets are never stored."""

    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__email")
    readonly_fields = ("user", "name", "prefix", "token_hash", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser
