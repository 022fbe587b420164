"""Helpers every web view shares: the project scope, rendering full pages or HTMX fragments, errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, Concatenate, ParamSpec, cast
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, models
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.core.errors import ConflictError
from tandem.core.scoping import ClientLens
from tandem.planning.scheduling import zone_of
from tandem.projects import queries
from tandem.projects.choices import DecisionKind
from tandem.projects.models import Project
from tandem.projects.permissions import Action, can, holds, is_team, role_of

P = ParamSpec("P")

#: The query parameter that switches a team member to the client's view of a project.
PREVIEW_PARAM = "view"
PREVIEW_VALUE = "client"


@dataclass
class ProjectScope:
    """One project as the current request sees it: who reads, with which rights."""

    project: Project
    user: User
    #: Whom reads are scoped to: the user, or a ClientLens over them while previewing the client view.
    viewer: User
    role: str | None
    team: bool
    preview: bool
    can_edit_project: bool
    can_edit_charter: bool
    can_manage_members: bool
    can_invite: bool
    can_manage_rights: bool
    can_write_notes: bool
    can_confirm: bool

    @classmethod
    def build(cls, request: HttpRequest, project: Project) -> ProjectScope:
        """The scope for ``request.user``; a team member asking for the client view gets a read-only lens."""
        user: User = request.user  # type: ignore[assignment]
        real_team = is_team(user, project)
        preview = real_team and request.GET.get(PREVIEW_PARAM) == PREVIEW_VALUE
        # A ClientLens forwards every attribute to the user it wraps and adds ``sees_as_client``; the
        # queries take it wherever they take a user, so it is typed as one.
        viewer = cast(User, ClientLens(user)) if preview else user

        def allowed(action: str) -> bool:
            return not preview and can(user, project, action)

        return cls(
            project=project,
            user=user,
            viewer=viewer,
            role=role_of(user, project),
            team=real_team and not preview,
            preview=preview,
            can_edit_project=allowed(Action.EDIT_PROJECT),
            can_edit_charter=allowed(Action.EDIT_CHARTER),
            can_manage_members=allowed(Action.MANAGE_MEMBERS),
            can_invite=allowed(Action.INVITE_CLIENT) or allowed(Action.MANAGE_MEMBERS),
            can_manage_rights=allowed(Action.MANAGE_DECISION_RIGHTS),
            can_write_notes=allowed(Action.WRITE_NOTES),
            can_confirm=not preview and holds(user, project, DecisionKind.CONFIRM_CHARTER),
        )

    @property
    def real_team(self) -> bool:
        """Whether the signed-in user is on the team (also while previewing the client view)."""
        return self.team or self.preview

    @property
    def query_suffix(self) -> str:
        """The query string that keeps the client preview on links within the project."""
        return f"?{PREVIEW_PARAM}={PREVIEW_VALUE}" if self.preview else ""


def project_view(
    view: Callable[Concatenate[HttpRequest, ProjectScope, P], HttpResponse],
) -> Callable[..., HttpResponse]:
    """Sign-in required; fetch and authorise the project named by ``code`` (404 for non-members)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, code: str, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        project = queries.access_project(request.user, code)
        # Every date a person reads on a project's pages is the project's local date and time, not
        # the server's: templates' ``date`` filters and forms follow the active time zone.
        with timezone.override(zone_of(project)):
            return view(request, ProjectScope.build(request, project), *args, **kwargs)

    return wrapper


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the full page, or only ``fragment`` when HTMX asks for it (same view, same context)."""
    name = fragment if fragment and getattr(request, "htmx", False) else template
    return render(request, name, context, status=status)


#: The value of ``next`` with which the inbox's in-place forms ask to come back to it.
INBOX_NEXT = "inbox"


#: A stand-in id reversed once in place of every row's (``row_href``).
_ANY_ID = 987654321987


def row_href(name: str, *args: Any) -> Callable[[int | str], str]:
    """The address of URL ``name`` for any row key (its last argument: an id, or a code such as a
    requirement's), reversed once: a list of rows links each row without reversing the URL per row
    (a visible share of a list page's time). The key is quoted as ``reverse`` quotes it."""
    head, _, tail = reverse(name, args=[*args, _ANY_ID]).rpartition(str(_ANY_ID))
    return lambda key: f"{head}{quote(str(key), safe=RFC3986_SUBDELIMS + '~:@')}{tail}"


def labels_of(choices: type[models.TextChoices]) -> dict[str, str]:
    """Each choice's label in the reader's language, translated once per page rather than once per
    row (``get_FOO_display`` builds the field's choices and translates on every call)."""
    return {value: str(label) for value, label in choices.choices}


def back_to_inbox(request: HttpRequest) -> HttpResponse | None:
    """After an action taken from the inbox (``next=inbox``), the inbox; otherwise None (the view's own
    page). Only a success comes back: a refusal shows the record's page with the reason."""
    if request.method == "POST" and request.POST.get("next") == INBOX_NEXT:
        return redirect("web:inbox")
    return None


def require_allowed(allowed: bool) -> None:
    """Refuse (403) what the reader's role in the project does not allow."""
    if not allowed:
        raise PermissionDenied(_("Your role in this project does not allow this."))


def apply_errors(form: forms.BaseForm, exc: ValidationError | IntegrityError) -> None:
    """Attach a service's ValidationError to the form's fields (unknown fields become form errors)."""
    if isinstance(exc, IntegrityError):
        form.add_error(None, _("This change conflicts with existing data."))
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields and field != NON_FIELD_ERRORS else None
            for error in errors:
                for message in error.messages:
                    form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def set_bound_value(form: forms.BaseForm, name: str, value: str) -> None:
    """Replace one submitted value of a bound form (e.g. the current version after a conflict)."""
    if isinstance(form.data, QueryDict):
        data = form.data.copy()
    else:
        data = QueryDict(mutable=True)
        data.update(form.data)
    data[name] = value
    form.data = data


def apply_service_errors(
    form: forms.BaseForm, exc: ValidationError, renamed: dict[str, str] | None = None
) -> None:
    """A service's errors on the form's fields, the service's names (``owner_id``) mapped back to the
    form's (``owner``) through the form's ``renamed`` and any extra ``renamed`` given here."""
    names = {v: k for k, v in getattr(form, "renamed", {}).items()}
    names.update(renamed or {})
    if hasattr(exc, "error_dict"):
        exc = ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})
    apply_errors(form, exc)


@dataclass(frozen=True)
class ConflictRow:
    """One field the user edited whose saved value differs from theirs."""

    label: str
    saved: str
    yours: str


@dataclass(frozen=True)
class Conflict:
    """What the conflict component shows: the version saved now and the fields that differ."""

    version: int | None
    rows: list[ConflictRow]


def _choice_labels(field: forms.Field) -> dict[str, str]:
    labels: dict[str, str] = {}
    for key, label in getattr(field, "choices", ()):
        if isinstance(label, list | tuple):  # an option group
            labels.update({str(k): str(v) for k, v in label})
        else:
            labels[str(key)] = str(label)
    return labels


def shown_value(field: forms.Field, value: Any) -> str:
    """A form value as the reader sees it: choice labels, Yes/No, dates, "" for nothing."""
    if value is None or value == "" or value == [] or value == ():
        return ""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if hasattr(field, "choices"):
        labels = _choice_labels(field)
        values = value if isinstance(value, list | tuple | set | models.QuerySet) else [value]
        # Only what the reader may choose is named: a value outside their choices is not shown.
        keys = (str(getattr(v, "pk", v)) for v in values)
        return ", ".join(labels[key] for key in keys if key in labels)
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else str(value)
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _conflict_rows(form: forms.BaseForm, saved: Mapping[str, Any], skip: str) -> list[ConflictRow]:
    rows = []
    cleaned = getattr(form, "cleaned_data", {})
    for name, field in form.fields.items():
        if name == skip or name not in saved or field.widget.is_hidden:
            continue
        submitted = form[name].data
        if not field.has_changed(saved[name], submitted):
            continue
        yours = cleaned.get(name, submitted)
        rows.append(
            ConflictRow(str(field.label or name), shown_value(field, saved[name]), shown_value(field, yours))
        )
    return rows


def show_conflict(
    form: forms.BaseForm,
    exc: ConflictError,
    saved: Mapping[str, Any] | None = None,
    *,
    version_field: str = "version",
) -> None:
    """Keep the user's input and add the conflict: the message, the saved values of the fields that
    differ (``saved``: the form's initial values of the record as saved now, read through the reader's
    scope) and the current version, so that saving again applies."""
    saved = saved or {}
    version = exc.current_version if exc.current_version is not None else saved.get(version_field)
    form.add_error(None, exc.message)
    form.conflict = Conflict(version, _conflict_rows(form, saved, version_field))  # type: ignore[attr-defined]
    set_bound_value(form, version_field, str(version or 0))


def submit_form(
    form: forms.BaseForm,
    call: Callable[[], Any],
    renamed: dict[str, str] | None = None,
    *,
    saved: Callable[[], Mapping[str, Any]] | None = None,
    version_field: str = "version",
) -> tuple[Any, int]:
    """Run a service with the form's data: the result and 200, or None and 400/409 with the form's errors.

    After a conflict the form keeps the user's input, carries the current version (so a resubmission
    applies) and, when ``saved`` re-reads the record's values through the reader's scope, the saved
    values beside the user's (``components/conflict.html``).
    """
    if not form.is_valid():
        return None, 400
    try:
        return call(), 200
    except ConflictError as exc:
        show_conflict(form, exc, saved() if saved else None, version_field=version_field)
        return None, 409
    except ValidationError as exc:
        apply_service_errors(form, exc, renamed)
        return None, 400
    except IntegrityError as exc:
        apply_errors(form, exc)
        return None, 400


def submit_edit(
    form: forms.BaseForm,
    service: Callable[..., Any],
    record: Any,
    actor: User,
    *,
    saved: Callable[[], Mapping[str, Any]] | None = None,
    values: Callable[[], Mapping[str, Any]] | None = None,
    renamed: dict[str, str] | None = None,
) -> tuple[Any, int]:
    """``submit_form`` for an edit page: ``service(record, actor=, version=, **values)`` where the values
    are the form's cleaned values but the version unless ``values`` gives them."""

    def call() -> Any:
        data = values() if values else {k: v for k, v in form.cleaned_data.items() if k != "version"}
        return service(record, actor=actor, version=form.cleaned_data["version"], **data)

    return submit_form(form, call, renamed, saved=saved)


def attempt(call: Callable[[], Any]) -> tuple[Any, str, int]:
    """Run the service behind a POST action: (result, "", 200), or (None, its message, 409 or 400)."""
    try:
        return call(), "", 200
    except ConflictError as exc:
        return None, exc.message, 409
    except ValidationError as exc:
        return None, " ".join(exc.messages), 400


def run_action(request: HttpRequest, call: Callable[[], Any], done: str) -> tuple[Any, int]:
    """Run a POST action whose page is shown again: ``done`` or the refusal (a conflict, invalid
    input) as a message on that page, which shows the record as saved now."""
    result, error, status = attempt(call)
    if status == 200:
        messages.success(request, done)
    else:
        messages.error(request, error)
    return result, status


def flash_errors(request: HttpRequest, form: forms.BaseForm, *, labelled: bool = False) -> None:
    """A small form's errors as messages on the page it returns to, each after its field's label if
    ``labelled``."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if labelled and field in form.fields else ""
        for message in errors:
            messages.error(request, f"{label}: {message}" if label else str(message))
