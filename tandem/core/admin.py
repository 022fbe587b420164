"""Operators can read the audit trail in the admin but never change it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from tandem.core.models import Activity

# The admin classes are generic in django-stubs only; at runtime they cannot be subscripted.
if TYPE_CHECKING:
    ActivityAdminBase = admin.ModelAdmin[Activity]
else:
    ActivityAdminBase = admin.ModelAdmin


@admin.register(Activity)
class ActivityAdmin(ActivityAdminBase):
    """Read-only view of the append-only activity records."""

    list_display = ("created_at", "project", "actor", "verb", "target_type", "target_label", "visibility")
    list_filter = ("visibility", "verb", "target_type")
    search_fields = ("target_label", "actor__email", "project__code")
    list_select_related = ("project", "actor")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
