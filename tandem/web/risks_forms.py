"""Forms of the registers' pages: risks, response actions, issues, conflicts and client decisions.

Each form's ``data()`` gives the keyword arguments of the matching ``do_*`` service, so the pages
validate the shape here and leave every rule (members, tasks, rights, visibility) to the services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.core.choices import Side
from tandem.planning.models import Task
from tandem.projects.choices import DecisionKind
from tandem.projects.models import Project
from tandem.risks.choices import (
    DecisionStatus,
    IssueStatus,
    ResolutionMethod,
    RiskCategory,
    RiskLevel,
    RiskStatus,
    Severity,
)
from tandem.risks.models import ClientDecision, Conflict, Issue, Risk, RiskAction
from tandem.web.forms import ServiceForm, VersionField, member_choices
from tandem.web.model_fields import model_field

#: The 1–5 scales of a risk (the model holds the bounds and the default), offered as a list.
ONE_TO_FIVE = forms.Select(choices=[(n, str(n)) for n in range(1, 6)])
TEXTAREA = forms.Textarea(attrs={"rows": 3})
VISIBILITY_HELP = _("Internal records are seen by the delivery team only.")


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


def task_choices(viewer: Any, project: Project) -> list[tuple[str, str]]:
    """The plan's tasks the viewer may see, in outline order."""
    rows = Task.objects.visible_to(viewer).filter(project=project).only("id", "wbs", "name")
    return [(str(t.pk), f"{t.wbs} {t.name}".strip()) for t in rows.order_by("outline_key", "id")]


class RiskForm(ServiceForm):
    """A risk: what could happen, how likely and how bad, the response and the contingency."""

    renamed = {"owner": "owner_id", "tasks": "task_ids"}

    title = model_field(Risk, "title")
    description = model_field(Risk, "description", widget=TEXTAREA)
    cause = model_field(Risk, "cause", widget=TEXTAREA)
    effect = model_field(Risk, "effect", widget=TEXTAREA)
    category = model_field(Risk, "category")
    probability = model_field(Risk, "probability", label=_("Probability (1–5)"), widget=ONE_TO_FIVE)
    impact = model_field(Risk, "impact", label=_("Impact (1–5)"), widget=ONE_TO_FIVE)
    impact_dimension = model_field(Risk, "impact_dimension")
    inherent_probability = model_field(
        Risk,
        "inherent_probability",
        widget=ONE_TO_FIVE,
        help_text=_("Before any response; the probability and impact above are the residual ones."),
    )
    inherent_impact = model_field(Risk, "inherent_impact", widget=ONE_TO_FIVE)
    proximity = model_field(Risk, "proximity")
    owner = model_field(Risk, "owner")
    strategy = model_field(Risk, "strategy")
    trigger = model_field(Risk, "trigger", widget=TEXTAREA)
    contingency_days = model_field(Risk, "contingency_days")
    contingency_money = model_field(Risk, "contingency_money")
    status = model_field(Risk, "status")
    next_review = model_field(Risk, "next_review")
    tasks = model_field(
        Risk,
        "tasks",
        label=_("Threatened tasks"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_(
            "Marked on the Gantt while the risk is open; its schedule contingency can buffer the "
            "milestones after them."
        ),
    )
    visibility = model_field(Risk, "visibility", help_text=VISIBILITY_HELP)
    version = VersionField()

    def __init__(self, *args: Any, tasks: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        task_field = self.fields["tasks"]
        assert isinstance(task_field, forms.MultipleChoiceField)
        task_field.choices = tasks


class RiskFilterForm(forms.Form):
    """Filters, search and sort of the risk register."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(_("Any")) + RiskStatus.choices
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=_blank(_("Any")) + RiskCategory.choices
    )
    level = forms.ChoiceField(label=_("Level"), required=False, choices=_blank(_("Any")) + RiskLevel.choices)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("Score, highest first")),
            ("score", _("Score, lowest first")),
            ("review", _("Next review")),
            ("title", _("Title")),
        ],
    )


class ActionForm(ServiceForm):
    """A step of a risk's response plan."""

    renamed = {"owner": "owner_id"}

    # The model's "action" reads 措施; the response plan's form has always said 应对措施.
    description = model_field(RiskAction, "description", label=_("Action"))
    owner = model_field(RiskAction, "owner")
    due_date = model_field(RiskAction, "due_date")


class OccurredForm(forms.Form):
    """Turning a risk into an issue: only the version read (the issue takes the risk's text)."""

    version = VersionField()


class IssueForm(ServiceForm):
    """An issue: what happened, how bad, who handles it by when, and how it was resolved."""

    renamed = {"owner": "owner_id", "risk": "risk_id", "tasks": "task_ids"}

    title = model_field(Issue, "title")
    description = model_field(Issue, "description", widget=TEXTAREA)
    impact = model_field(Issue, "impact", widget=TEXTAREA)
    severity = model_field(Issue, "severity")
    owner = model_field(Issue, "owner")
    due_date = model_field(Issue, "due_date")
    escalation_level = model_field(Issue, "escalation_level")
    status = model_field(Issue, "status")
    resolution = model_field(Issue, "resolution", widget=TEXTAREA)
    risk = model_field(Issue, "risk", label=_("Linked risk"))
    tasks = model_field(
        Issue, "tasks", label=_("Linked tasks"), widget=forms.SelectMultiple(attrs={"size": 6})
    )
    visibility = model_field(Issue, "visibility", help_text=VISIBILITY_HELP)
    version = VersionField()

    def __init__(self, *args: Any, risks: list[tuple[str, str]], tasks: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        risk_field = self.fields["risk"]
        assert isinstance(risk_field, forms.ChoiceField)
        risk_field.choices = _blank(_("None")) + risks
        task_field = self.fields["tasks"]
        assert isinstance(task_field, forms.MultipleChoiceField)
        task_field.choices = tasks


class IssueFilterForm(forms.Form):
    """Filters of the issue log."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(_("Any")) + IssueStatus.choices
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=_blank(_("Any")) + Severity.choices
    )


class ConflictForm(ServiceForm):
    """A conflict: who disagrees about what, why, and how it is being resolved (internal by default)."""

    renamed = {"people": "person_ids"}

    subject = model_field(Conflict, "subject")
    description = model_field(Conflict, "description", widget=TEXTAREA)
    parties = model_field(Conflict, "parties", help_text=_("People or organizations involved, as text."))
    # The model's "people involved" reads 相关人员; this form has always said 涉及人员.
    people = model_field(
        Conflict,
        "people",
        label=_("People involved"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    root_cause = model_field(Conflict, "root_cause")
    resolution_method = model_field(
        Conflict, "resolution_method", choices=_blank(_("Not chosen yet")) + ResolutionMethod.choices
    )
    outcome = model_field(Conflict, "outcome", widget=TEXTAREA)
    status = model_field(Conflict, "status")
    resolved_on = model_field(Conflict, "resolved_on")
    visibility = model_field(
        Conflict,
        "visibility",
        help_text=_("Conflicts are internal unless you decide to share one with the client."),
    )
    version = VersionField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = self.fields["people"]
        assert isinstance(people, forms.MultipleChoiceField)
        people.choices = member_choices(self.project)


class DecisionForm(ServiceForm):
    """A decision the project needs from the client."""

    renamed = {"decider": "decider_id", "blocked_tasks": "blocked_task_ids"}

    question = model_field(ClientDecision, "question")
    context = model_field(ClientDecision, "context", widget=TEXTAREA)
    options = model_field(
        ClientDecision,
        "options",
        form_class=forms.CharField,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One option per line."),
    )
    recommendation = model_field(
        ClientDecision, "recommendation", label=_("The team's recommendation"), widget=TEXTAREA
    )
    decider = model_field(ClientDecision, "decider")
    decision_kind = model_field(
        ClientDecision,
        "decision_kind",
        label=_("Or by the holders of the decision right"),
        choices=_blank(_("None")) + DecisionKind.choices,
    )
    due_date = model_field(ClientDecision, "due_date")
    blocked_tasks = model_field(
        ClientDecision,
        "blocked_tasks",
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("While the decision is open these tasks cannot start before its due date."),
    )
    visibility = model_field(ClientDecision, "visibility", help_text=VISIBILITY_HELP)
    version = VersionField()

    def __init__(self, *args: Any, tasks: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        decider = self.fields["decider"]
        assert isinstance(decider, forms.ChoiceField)
        decider.choices = _blank(_("Nobody named")) + member_choices(self.project, side=Side.CLIENT)
        blocked = self.fields["blocked_tasks"]
        assert isinstance(blocked, forms.MultipleChoiceField)
        blocked.choices = tasks

    def clean_options(self) -> list[str]:
        """One option per non-empty line."""
        text = self.cleaned_data.get("options") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class DecideForm(forms.Form):
    """Taking a decision: one of the options (or another answer) and why."""

    option = forms.ChoiceField(label=_("Your decision"), required=False, widget=forms.RadioSelect)
    outcome = model_field(
        ClientDecision,
        "outcome",
        label=_("Other answer or details"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when none of the options fits."),
    )
    rationale = model_field(ClientDecision, "rationale", widget=TEXTAREA)
    version = VersionField()

    def __init__(self, *args: Any, options: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        option = self.fields["option"]
        assert isinstance(option, forms.ChoiceField)
        option.choices = [(o, o) for o in options]
        if not options:
            del self.fields["option"]

    def clean(self) -> dict[str, Any]:
        """The outcome is the chosen option, followed by any details."""
        data = super().clean() or {}
        chosen = (data.get("option") or "").strip()
        details = (data.get("outcome") or "").strip()
        if not chosen and not details:
            self.add_error(
                "option" if "option" in self.fields else "outcome",
                _("Choose an option or say what was decided."),
            )
        data["decided"] = f"{chosen}\n{details}".strip() if chosen and details else (chosen or details)
        return data


class DecisionFilterForm(forms.Form):
    """Filter of the decision register."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(_("Any")) + DecisionStatus.choices
    )


class ImportForm(forms.Form):
    """A CSV or Excel file for one register."""

    file = forms.FileField(label=_("CSV or Excel file"))
