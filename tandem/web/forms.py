"""Web forms: they parse and validate input; the services decide and write."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tandem.accounts.choices import OrganizationKind
from tandem.accounts.models import ApiToken, Organization, User
from tandem.core.choices import Visibility
from tandem.projects import models as project_models
from tandem.projects.choices import (
    DecisionPreset,
    KpiDirection,
    ProjectStatus,
    Raci,
    Role,
)
from tandem.projects.models import Deliverable, Goal, Kpi, Project, Stakeholder
from tandem.web.model_fields import DATE_WIDGET as DATE_WIDGET  # still importable from here
from tandem.web.model_fields import ModelFieldsForm, model_field
from tandem.web.tasks import email_password_reset

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class VersionField(forms.IntegerField):
    """The version of the record the form was filled from, sent back for the conflict check."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=0, required=False, **kwargs)


def member_choices(project: Project, *, side: str | None = None) -> list[tuple[str, str]]:
    """The project's members (of one side when given) as choices, by name."""
    memberships = project.memberships.select_related("user").order_by("user__full_name", "user_id")
    if side is not None:
        memberships = memberships.filter(side=side)
    return [(str(m.user_id), m.user.full_name or m.user.email) for m in memberships]


class ServiceForm(forms.Form):
    """A form whose cleaned values are the keyword arguments of a ``do_*`` service: member choices from
    the project, visibility only for the team (the client's records are shared)."""

    #: Form fields whose value goes to the service under another name.
    renamed: dict[str, str] = {}
    #: Fields that choose a project member.
    members: tuple[str, ...] = ("owner", "organizer", "user")

    def __init__(self, *args: Any, project: Project, team: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        for name in self.members:
            field = self.fields.get(name)
            if isinstance(field, forms.ChoiceField):
                field.choices = [("", _("Nobody yet") if name == "owner" else "—"), *member_choices(project)]
        if not team and "visibility" in self.fields:
            del self.fields["visibility"]

    def data_for_service(self) -> dict[str, Any]:
        """The cleaned values as the service's keyword arguments (``owner`` → ``owner_id``…)."""
        out: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if name == "version":
                continue
            key = self.renamed.get(name, name)
            if key.endswith("_id"):
                value = int(value) if value else None
            elif key.endswith("_ids"):
                value = [int(v) for v in value or []]
            out[key] = value
        return out


# ---------------------------------------------------------------- accounts


class SignInForm(AuthenticationForm):
    """Email and password; django-axes counts the failures."""

    username = model_field(
        User, "email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("The email address or password is not right. The password is case-sensitive."),
        "inactive": _("This account is inactive."),
    }

    def clean_username(self) -> str:
        """The address in lower case, so sign-in and its failure count ignore the case it was typed in."""
        return str(self.cleaned_data["username"]).strip().lower()


class ResetRequestForm(PasswordResetForm):
    """Ask for a password-reset link by email (the address in any case)."""

    email = model_field(
        User, "email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Queue the mail after commit instead of sending it in the request; the task writes it with
        the templates in ``tandem.web.tasks``, in the account holder's language."""
        arguments = (
            context["user"].pk,
            context["uid"],
            context["token"],
            context["domain"],
            context["protocol"],
        )
        transaction.on_commit(lambda: email_password_reset.enqueue(*arguments))


class NewPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    """Choose a new password from a reset link."""


class ProfileForm(forms.Form):
    """One's own name, job title and language."""

    full_name = model_field(
        User, "full_name", widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "name"})
    )
    title = model_field(User, "title")
    language = model_field(User, "language", initial=None)


class TokenForm(forms.Form):
    """Name a new personal API token."""

    name = model_field(
        ApiToken,
        "name",
        label=_("Token name"),
        help_text=_("For example the script or machine that will use it."),
    )


class AcceptInvitationForm(forms.Form):
    """Create an account to accept an invitation."""

    full_name = model_field(
        User, "full_name", widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "name"})
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


# ---------------------------------------------------------------- projects


class ProjectFilterForm(forms.Form):
    """Search and filter the project list."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": _("Code, name or client")}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *ProjectStatus.choices]
    )


class ProjectFieldsMixin(ModelFieldsForm):
    """The fields of a project that its manager edits."""

    internal_notes = model_field(
        Project,
        "internal_notes",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by the delivery team only, never by the client."),
    )

    class Meta(ModelFieldsForm.Meta):
        model = Project
        fields = ["name", "summary", "status", "start_date", "target_date", "budget", "currency"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, target = data.get("start_date"), data.get("target_date")
        if start and target and target < start:
            self.add_error("target_date", _("The target date cannot be before the start date."))
        return data


class ProjectCreateForm(ProjectFieldsMixin):
    """Start a project for an existing or a new client organization."""

    code = model_field(
        Project,
        "code",
        help_text=_("A short unique code, e.g. ERP-2026."),
        widget=forms.TextInput(attrs={"autofocus": True}),
    )
    client = forms.ModelChoiceField(
        label=_("Client"), required=False, queryset=Organization.objects.none(), empty_label=_("— choose —")
    )
    new_client = model_field(Organization, "name", label=_("…or a new client organization"), required=False)
    preset = model_field(
        Project,
        "decision_preset",
        label=_("Decision rights"),
        choices=[(k, v) for k, v in DecisionPreset.choices if k != DecisionPreset.CUSTOM],
    )
    field_order = [
        "code",
        "name",
        "client",
        "new_client",
        "summary",
        "status",
        "start_date",
        "target_date",
        "budget",
        "currency",
        "preset",
        "internal_notes",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            kind=OrganizationKind.CLIENT
        ).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("client") and not (data.get("new_client") or "").strip():
            self.add_error("client", _("Choose the client or name a new one."))
        return data


class ProjectEditForm(ProjectFieldsMixin):
    """Edit a project's details."""

    version = VersionField()


# ---------------------------------------------------------------- charter


class SectionForm(forms.Form):
    """One free-text section of the charter."""

    body = model_field(
        project_models.CharterSection, "body", widget=forms.Textarea(attrs={"rows": 8, "autofocus": True})
    )
    version = VersionField()


VISIBILITY_HELP = _("Internal records are seen by the delivery team only.")


class CharterItemForm(forms.ModelForm):  # type: ignore[type-arg]
    """Common parts of the goal, KPI, stakeholder and deliverable forms."""

    version = VersionField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "visibility" in self.fields:
            self.fields["visibility"].help_text = VISIBILITY_HELP
        first = next(iter(self.fields.values()))
        first.widget.attrs.setdefault("autofocus", True)

    def item_data(self) -> dict[str, Any]:
        """The cleaned values the service takes (without the version)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class GoalForm(CharterItemForm):
    """A SMART goal."""

    class Meta:
        model = Goal
        fields = ["statement", "measure", "target", "due_date", "visibility"]
        widgets = {"due_date": DATE_WIDGET, "statement": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "statement": _("Specific and achievable: what will be true when the goal is met."),
            "measure": _("How progress is measured."),
            "target": _("The value that counts as success."),
        }


class KpiForm(CharterItemForm):
    """A KPI with thresholds."""

    class Meta:
        model = Kpi
        fields = [
            "name",
            "definition",
            "unit",
            "direction",
            "target",
            "warning_threshold",
            "alarm_threshold",
            "visibility",
        ]
        widgets = {"definition": forms.Textarea(attrs={"rows": 2})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        warn, alarm = data.get("warning_threshold"), data.get("alarm_threshold")
        if warn is not None and alarm is not None:
            wrong = alarm > warn if data.get("direction") == KpiDirection.HIGHER else alarm < warn
            if wrong:
                self.add_error(
                    "alarm_threshold", _("The alarm threshold must lie beyond the warning threshold.")
                )
        return data


class StakeholderForm(CharterItemForm):
    """A stakeholder with influence and interest."""

    class Meta:
        model = Stakeholder
        fields = [
            "name",
            "side",
            "organization",
            "role_title",
            "influence",
            "interest",
            "contact",
            "visibility",
        ]


class CriteriaField(forms.CharField):
    """A list of texts edited in a textarea, one per line (the service turns the lines into the list)."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value


class DeliverableForm(CharterItemForm):
    """A deliverable, with its acceptance criteria one per line."""

    acceptance_criteria = model_field(
        Deliverable,
        "acceptance_criteria",
        form_class=CriteriaField,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One criterion per line, in order."),
    )

    class Meta:
        model = Deliverable
        fields = ["name", "description", "due_date", "acceptance_criteria", "visibility"]
        widgets = {"due_date": DATE_WIDGET, "description": forms.Textarea(attrs={"rows": 3})}


ITEM_FORMS: dict[str, type[CharterItemForm]] = {
    "goals": GoalForm,
    "kpis": KpiForm,
    "stakeholders": StakeholderForm,
    "deliverables": DeliverableForm,
}


class RaciForm(forms.Form):
    """A deliverable's row of the RACI matrix: one letter (or none) per stakeholder."""

    version = VersionField()

    def __init__(self, *args: Any, stakeholders: list[Stakeholder], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stakeholders = stakeholders
        choices = [("", "—"), *Raci.choices]
        for person in stakeholders:
            self.fields[f"s{person.pk}"] = forms.ChoiceField(
                label=person.name, choices=choices, required=False
            )

    def cells(self) -> dict[int, str]:
        """``{stakeholder id: letter}`` for the letters chosen."""
        return {
            p.pk: self.cleaned_data[f"s{p.pk}"]
            for p in self.stakeholders
            if self.cleaned_data.get(f"s{p.pk}")
        }

    def rows(self) -> list[tuple[Stakeholder, forms.BoundField]]:
        """Each stakeholder with their field, for the template."""
        return [(p, self[f"s{p.pk}"]) for p in self.stakeholders]


class ConfirmCharterForm(forms.Form):
    """Confirm the revision of the charter one has read."""

    revision = model_field(project_models.CharterConfirmation, "revision", widget=forms.HiddenInput)
    comment = model_field(
        project_models.CharterConfirmation,
        "comment",
        label=_("Comment (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# ---------------------------------------------------------------- members and decisions


class InviteForm(forms.Form):
    """Invite someone by email with a role."""

    email = model_field(
        project_models.Invitation, "email", widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    full_name = model_field(project_models.Invitation, "full_name", label=_("Name (optional)"))
    role = model_field(project_models.Invitation, "role", choices=Role.choices)

    def __init__(
        self, *args: Any, roles: Sequence[tuple[str, StrOrPromise]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if roles is not None:
            self.fields["role"].choices = roles  # type: ignore[attr-defined]


class RoleForm(forms.Form):
    """Give a member another role."""

    role = model_field(project_models.Membership, "role", choices=Role.choices)


class PresetForm(forms.Form):
    """Replace the decision-rights table by a preset."""

    preset = forms.ChoiceField(
        label=_("Preset"), choices=[(k, v) for k, v in DecisionPreset.choices if k != DecisionPreset.CUSTOM]
    )


class DecisionRightForm(forms.Form):
    """The roles that hold one kind of decision."""

    roles = model_field(
        project_models.DecisionRight,
        "roles",
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


# ---------------------------------------------------------------- notes


class NoteForm(forms.Form):
    """A project note; the team chooses its visibility, a client's notes are shared."""

    title = model_field(project_models.Note, "title")
    body = model_field(project_models.Note, "body", widget=forms.Textarea(attrs={"rows": 4}))
    visibility = model_field(
        project_models.Note, "visibility", initial=Visibility.INTERNAL, help_text=VISIBILITY_HELP
    )
    version = VersionField()

    def __init__(self, *args: Any, team: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not team:
            del self.fields["visibility"]
