"""Forms of the registers' pages: risks, response actions, issues, conflicts and client decisions.

Each form's ``data()`` gives the keyword arguments of the matching ``do_*`` service, so the pages
validate the shape here and leave every rule (members, tasks, rights, visibility) to the services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.core.choices import Side, Visibility
from tandem.planning.models import Task
from tandem.projects.choices import DecisionKind
from tandem.projects.models import Project
from tandem.risks.choices import (
    ConflictCause,
    ConflictStatus,
    DecisionStatus,
    EscalationLevel,
    ImpactDimension,
    IssueStatus,
    Proximity,
    ResolutionMethod,
    RiskCategory,
    RiskLevel,
    RiskStatus,
    RiskStrategy,
    Severity,
)
from tandem.web.forms import DATE_WIDGET, ServiceForm, VersionField, member_choices

ONE_TO_FIVE = [(n, str(n)) for n in range(1, 6)]
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

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=TEXTAREA)
    cause = forms.CharField(label=_("Cause"), required=False, widget=TEXTAREA)
    effect = forms.CharField(label=_("Effect"), required=False, widget=TEXTAREA)
    category = forms.ChoiceField(
        label=_("Category"), choices=RiskCategory.choices, initial=RiskCategory.OTHER
    )
    probability = forms.TypedChoiceField(
        label=_("Probability (1–5)"), choices=ONE_TO_FIVE, coerce=int, initial=3
    )
    impact = forms.TypedChoiceField(label=_("Impact (1–5)"), choices=ONE_TO_FIVE, coerce=int, initial=3)
    impact_dimension = forms.ChoiceField(
        label=_("Impact on"), choices=ImpactDimension.choices, initial=ImpactDimension.SCHEDULE
    )
    inherent_probability = forms.TypedChoiceField(
        label=_("Inherent probability"),
        choices=ONE_TO_FIVE,
        coerce=int,
        initial=3,
        help_text=_("Before any response; the probability and impact above are the residual ones."),
    )
    inherent_impact = forms.TypedChoiceField(
        label=_("Inherent impact"), choices=ONE_TO_FIVE, coerce=int, initial=3
    )
    proximity = forms.ChoiceField(
        label=_("Proximity"), choices=Proximity.choices, initial=Proximity.THIS_PROJECT
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    strategy = forms.ChoiceField(
        label=_("Response strategy"), choices=RiskStrategy.choices, initial=RiskStrategy.MITIGATE
    )
    trigger = forms.CharField(label=_("Trigger"), required=False, widget=TEXTAREA)
    contingency_days = forms.IntegerField(label=_("Schedule contingency (days)"), min_value=0, initial=0)
    contingency_money = forms.DecimalField(
        label=_("Cost contingency"), min_value=0, max_digits=14, decimal_places=2, initial=0
    )
    status = forms.ChoiceField(label=_("Status"), choices=RiskStatus.choices, initial=RiskStatus.OPEN)
    next_review = forms.DateField(label=_("Next review"), required=False, widget=DATE_WIDGET)
    tasks = forms.MultipleChoiceField(
        label=_("Threatened tasks"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_(
            "Marked on the Gantt while the risk is open; its schedule contingency can buffer the "
            "milestones after them."
        ),
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=Visibility.choices,
        initial=Visibility.SHARED,
        help_text=VISIBILITY_HELP,
    )
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

    description = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE_WIDGET)


class OccurredForm(forms.Form):
    """Turning a risk into an issue: only the version read (the issue takes the risk's text)."""

    version = VersionField()


class IssueForm(ServiceForm):
    """An issue: what happened, how bad, who handles it by when, and how it was resolved."""

    renamed = {"owner": "owner_id", "risk": "risk_id", "tasks": "task_ids"}

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What happened"), required=False, widget=TEXTAREA)
    impact = forms.CharField(label=_("Impact"), required=False, widget=TEXTAREA)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE_WIDGET)
    escalation_level = forms.ChoiceField(
        label=_("Escalation level"), choices=EscalationLevel.choices, initial=EscalationLevel.TEAM
    )
    status = forms.ChoiceField(label=_("Status"), choices=IssueStatus.choices, initial=IssueStatus.OPEN)
    resolution = forms.CharField(label=_("Resolution"), required=False, widget=TEXTAREA)
    risk = forms.ChoiceField(label=_("Linked risk"), required=False)
    tasks = forms.MultipleChoiceField(
        label=_("Linked tasks"), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=Visibility.choices,
        initial=Visibility.SHARED,
        help_text=VISIBILITY_HELP,
    )
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

    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=TEXTAREA)
    parties = forms.CharField(
        label=_("Parties"),
        max_length=300,
        required=False,
        help_text=_("People or organizations involved, as text."),
    )
    people = forms.MultipleChoiceField(
        label=_("People involved"), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    root_cause = forms.ChoiceField(
        label=_("Root cause"), choices=ConflictCause.choices, initial=ConflictCause.OTHER
    )
    resolution_method = forms.ChoiceField(
        label=_("Resolution method"),
        required=False,
        choices=_blank(_("Not chosen yet")) + ResolutionMethod.choices,
    )
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=TEXTAREA)
    status = forms.ChoiceField(label=_("Status"), choices=ConflictStatus.choices, initial=ConflictStatus.OPEN)
    resolved_on = forms.DateField(label=_("Date resolved"), required=False, widget=DATE_WIDGET)
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=Visibility.choices,
        initial=Visibility.INTERNAL,
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

    question = forms.CharField(label=_("Question"), max_length=300)
    context = forms.CharField(label=_("Context"), required=False, widget=TEXTAREA)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One option per line."),
    )
    recommendation = forms.CharField(label=_("The team's recommendation"), required=False, widget=TEXTAREA)
    decider = forms.ChoiceField(label=_("To be decided by"), required=False)
    decision_kind = forms.ChoiceField(
        label=_("Or by the holders of the decision right"),
        required=False,
        choices=_blank(_("None")) + DecisionKind.choices,
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE_WIDGET)
    blocked_tasks = forms.MultipleChoiceField(
        label=_("Blocked tasks"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("While the decision is open these tasks cannot start before its due date."),
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=Visibility.choices,
        initial=Visibility.SHARED,
        help_text=VISIBILITY_HELP,
    )
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
    outcome = forms.CharField(
        label=_("Other answer or details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when none of the options fits."),
    )
    rationale = forms.CharField(label=_("Rationale"), required=False, widget=TEXTAREA)
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
