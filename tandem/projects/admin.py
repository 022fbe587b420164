"""Admin for operators: projects with their members and decision rights."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from tandem.projects.models import (
    CharterConfirmation,
    DecisionRight,
    Invitation,
    Membership,
    Project,
)

# The admin classes are generic in django-stubs only; at runtime they cannot be subscripted.
if TYPE_CHECKING:
    MembershipInlineBase = admin.TabularInline[Membership, Project]
    DecisionRightInlineBase = admin.TabularInline[DecisionRight, Project]
    ProjectAdminBase = admin.ModelAdmin[Project]
    InvitationAdminBase = admin.ModelAdmin[Invitation]
    ConfirmationAdminBase = admin.ModelAdmin[CharterConfirmation]
else:
    MembershipInlineBase = admin.TabularInline
    DecisionRightInlineBase = admin.TabularInline
    ProjectAdminBase = admin.ModelAdmin
    InvitationAdminBase = admin.ModelAdmin
    ConfirmationAdminBase = admin.ModelAdmin


class MembershipInline(MembershipInlineBase):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)
    readonly_fields = ("side",)


class DecisionRightInline(DecisionRightInlineBase):
    model = DecisionRight
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "roles")


@admin.register(Project)
class ProjectAdmin(ProjectAdminBase):
    """Projects; business edits go through the app so they are audited — the admin is for operators."""

    list_display = ("code", "name", "client", "status", "start_date", "target_date")
    list_filter = ("status",)
    search_fields = ("code", "name", "client__name")
    list_select_related = ("client",)
    readonly_fields = ("version", "decision_preset")
    inlines = [MembershipInline, DecisionRightInline]


@admin.register(Invitation)
class InvitationAdmin(InvitationAdminBase):
    """Invitations and their state."""

    list_display = ("email", "project", "role", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_select_related = ("project",)
    search_fields = ("email", "project__code")
    exclude = ("token_hash",)


@admin.register(CharterConfirmation)
class CharterConfirmationAdmin(ConfirmationAdminBase):
    """Who confirmed which charter revision."""

    list_display = ("charter", "revision", "confirmed_by", "confirmed_at")
    list_select_related = ("charter__project", "confirmed_by")
