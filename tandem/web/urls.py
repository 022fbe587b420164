"""The web UI's URL map."""

from __future__ import annotations

from django.urls import path

from tandem.web.views import (
    accounts,
    changes,
    charter,
    communication,
    members,
    notes,
    planning,
    planning_forms,
    projects,
    reports,
    requirements,
    risks,
)

app_name = "web"

project = "projects/<str:code>/"

urlpatterns = [
    path("", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_create, name="project_create"),
    # accounts
    path("login/", accounts.SignInView.as_view(), name="login"),
    path("logout/", accounts.SignOutView.as_view(), name="logout"),
    path("password-reset/", accounts.ResetRequestView.as_view(), name="password_reset"),
    path("password-reset/sent/", accounts.ResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/", accounts.ResetConfirmView.as_view(), name="password_reset_confirm"
    ),
    path("password-reset/done/", accounts.ResetCompleteView.as_view(), name="password_reset_complete"),
    path("invitations/<str:token>/", accounts.accept_invitation, name="accept_invitation"),
    path("profile/", accounts.profile, name="profile"),
    path("profile/tokens/", accounts.create_token, name="token_create"),
    path("profile/tokens/<int:pk>/revoke/", accounts.revoke_token, name="token_revoke"),
    path("language/", accounts.set_language, name="set_language"),
    # one project
    path(project, projects.project_home, name="project_home"),
    path(project + "edit/", projects.project_edit, name="project_edit"),
    path(project + "charter/confirm/", projects.confirm_charter, name="charter_confirm"),
    path(project + "charter/sections/<str:key>/", charter.section_edit, name="section_edit"),
    path(project + "charter/deliverables/<int:pk>/raci/", charter.raci_edit, name="raci_edit"),
    path(project + "charter/<str:kind>/new/", charter.item_create, name="item_create"),
    path(project + "charter/<str:kind>/<int:pk>/", charter.item_edit, name="item_edit"),
    path(project + "charter/<str:kind>/<int:pk>/delete/", charter.item_delete, name="item_delete"),
    path(project + "members/", members.members, name="members"),
    path(project + "members/<int:pk>/role/", members.member_role, name="member_role"),
    path(project + "members/<int:pk>/remove/", members.member_remove, name="member_remove"),
    path(project + "invitations/<int:pk>/revoke/", members.invitation_revoke, name="invitation_revoke"),
    path(project + "decisions/", members.decision_rights, name="decisions"),
    path(project + "decisions/<str:kind>/", members.decision_right_edit, name="decision_right_edit"),
    path(project + "notes/", notes.notes, name="notes"),
    path(project + "notes/<int:pk>/", notes.note_edit, name="note_edit"),
    path(project + "notes/<int:pk>/delete/", notes.note_delete, name="note_delete"),
    path(project + "activity/", notes.activity, name="activity"),
    path(project + "comments/<str:target>/", communication.comments, name="comments"),
    path(project + "comments/remove/<int:pk>/", communication.comment_delete, name="comment_delete"),
    path(project + "comments/edit/<int:pk>/", communication.comment_edit, name="comment_edit"),
    path("notifications/", communication.notifications, name="notifications"),
    # plan
    path(project + "plan/", planning.plan, name="plan"),
    path(project + "plan/gantt/", planning.gantt, name="plan_gantt"),
    path(project + "plan/gantt/data/", planning.gantt_json, name="plan_gantt_data"),
    path(project + "plan/board/", planning.board, name="plan_board"),
    path(project + "plan/list/", planning.task_list, name="plan_list"),
    path(project + "plan/timeline/", planning.timeline, name="plan_timeline"),
    path(project + "plan/tasks/<int:pk>/dates/", planning.task_dates, name="plan_task_dates"),
    path(project + "plan/tasks/<int:pk>/status/", planning.task_status, name="plan_task_status"),
    path(project + "plan/links/", planning.link_add, name="plan_link_add"),
    path(project + "plan/tasks/new/", planning_forms.task_create, name="plan_task_create"),
    path(project + "plan/tasks/<int:pk>/", planning_forms.task_edit, name="plan_task_edit"),
    path(project + "plan/tasks/<int:pk>/delete/", planning_forms.task_delete, name="plan_task_delete"),
    path(project + "plan/tasks/<int:pk>/links/", planning_forms.link_create, name="plan_task_link_add"),
    path(
        project + "plan/tasks/<int:pk>/links/<int:link_pk>/remove/",
        planning_forms.link_remove,
        name="plan_task_link_remove",
    ),
    path(project + "plan/baselines/", planning_forms.baselines, name="plan_baselines"),
    path(
        project + "plan/baselines/<int:pk>/approve/",
        planning_forms.baseline_approve,
        name="plan_baseline_approve",
    ),
    path(
        project + "plan/baselines/<int:pk>/compare/",
        planning_forms.baseline_compare,
        name="plan_baseline_compare",
    ),
    # requirements
    path(project + "requirements/", requirements.requirement_list, name="requirements"),
    path(project + "requirements/new/", requirements.requirement_create, name="requirement_create"),
    path(project + "requirements/reorder/", requirements.requirement_reorder, name="requirements_reorder"),
    path(
        project + "requirements/from-notes/",
        requirements.requirements_from_notes,
        name="requirements_from_notes",
    ),
    path(project + "requirements/import/", requirements.requirements_import, name="requirements_import"),
    path(project + "requirements/traceability/", requirements.traceability, name="requirements_traceability"),
    path(project + "requirements/specification.pdf", requirements.export_pdf, name="requirements_pdf"),
    path(project + "requirements/specification.xlsx", requirements.export_xlsx, name="requirements_xlsx"),
    path(project + "requirements/<str:ref>/", requirements.requirement_detail, name="requirement_detail"),
    path(project + "requirements/<str:ref>/edit/", requirements.requirement_edit, name="requirement_edit"),
    path(project + "requirements/<str:ref>/move/", requirements.requirement_move, name="requirement_move"),
    path(
        project + "requirements/<str:ref>/status/", requirements.requirement_status, name="requirement_status"
    ),
    path(
        project + "requirements/<str:ref>/confirm/",
        requirements.requirement_confirm,
        name="requirement_confirm",
    ),
    path(project + "requirements/<str:ref>/links/", requirements.requirement_link, name="requirement_link"),
    path(
        project + "requirements/<str:ref>/links/<int:task_id>/remove/",
        requirements.requirement_unlink,
        name="requirement_unlink",
    ),
    # change requests
    path(project + "changes/", changes.change_list, name="changes"),
    path(project + "changes/new/", changes.change_create, name="change_create"),
    path(project + "changes/<str:ref>/", changes.change_detail, name="change_detail"),
    path(project + "changes/<str:ref>/edit/", changes.change_update, name="change_update"),
    path(project + "changes/<str:ref>/edits/", changes.change_edit_add, name="change_edit_add"),
    path(
        project + "changes/<str:ref>/edits/<int:pk>/remove/",
        changes.change_edit_delete,
        name="change_edit_delete",
    ),
    path(project + "changes/<str:ref>/impact/", changes.change_impact, name="change_impact"),
    path(project + "changes/<str:ref>/submit/", changes.change_submit, name="change_submit"),
    path(project + "changes/<str:ref>/withdraw/", changes.change_withdraw, name="change_withdraw"),
    path(project + "changes/<str:ref>/decide/", changes.change_decide, name="change_decide"),
    # registers: risks, issues, conflicts, client decisions
    path("risks/heat-map/", risks.portfolio_heat_map, name="portfolio_heat_map"),
    path(project + "risks/", risks.risk_list, name="risks"),
    path(project + "risks/overview/", risks.risk_overview, name="risk_overview"),
    path(project + "risks/new/", risks.risk_create, name="risk_create"),
    path(project + "risks/<int:pk>/", risks.risk_detail, name="risk_detail"),
    path(project + "risks/<int:pk>/edit/", risks.risk_edit, name="risk_edit"),
    path(project + "risks/<int:pk>/occurred/", risks.risk_occurred, name="risk_occurred"),
    path(project + "risks/<int:pk>/actions/", risks.risk_action_add, name="risk_action_add"),
    path(
        project + "risks/<int:pk>/actions/<int:action_pk>/done/",
        risks.risk_action_done,
        name="risk_action_done",
    ),
    path(
        project + "risks/<int:pk>/actions/<int:action_pk>/task/",
        risks.risk_action_task,
        name="risk_action_task",
    ),
    path(project + "issues/", risks.issue_list, name="issues"),
    path(project + "issues/new/", risks.issue_create, name="issue_create"),
    path(project + "issues/<int:pk>/edit/", risks.issue_edit, name="issue_edit"),
    path(project + "conflicts/", risks.conflict_list, name="conflicts"),
    path(project + "conflicts/new/", risks.conflict_create, name="conflict_create"),
    path(project + "conflicts/<int:pk>/edit/", risks.conflict_edit, name="conflict_edit"),
    path(project + "client-decisions/", risks.decision_list, name="client_decisions"),
    path(project + "client-decisions/new/", risks.decision_create, name="decision_create"),
    path(project + "client-decisions/<int:pk>/", risks.decision_detail, name="decision_detail"),
    path(project + "client-decisions/<int:pk>/edit/", risks.decision_edit, name="decision_edit"),
    path(project + "client-decisions/<int:pk>/decide/", risks.decision_decide, name="decision_decide"),
    path(project + "client-decisions/<int:pk>/withdraw/", risks.decision_withdraw, name="decision_withdraw"),
    path(
        project + "registers/<str:register>/export.<str:fmt>", risks.register_export, name="register_export"
    ),
    path(project + "registers/<str:register>/import/", risks.register_import, name="register_import"),
    # status reports
    path(project + "reports/", reports.report_list, name="reports"),
    path(project + "reports/generate/", reports.report_generate, name="report_generate"),
    path(project + "reports/settings/", reports.report_settings, name="report_settings"),
    path(project + "reports/<int:pk>/", reports.report_detail, name="report_detail"),
    path(project + "reports/<int:pk>/edit/", reports.report_edit, name="report_edit"),
    path(project + "reports/<int:pk>/report.pdf", reports.report_pdf, name="report_pdf"),
    path(project + "reports/<int:pk>/report.md", reports.report_markdown, name="report_markdown"),
    path(project + "reports/<int:pk>/<str:action>/", reports.report_action, name="report_action"),
]
