"""The Quality tab's landing page, test cycles (list, new, edit, detail with its runs), the tester's run
page (steps, results, evidence, a defect from a failed step), my tests and evidence downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tandem.projects.models import Deliverable
from tandem.quality import evidence, permissions, run_exports, run_queries, runs
from tandem.quality.choices import CycleKind, CycleStatus, RunResult
from tandem.quality.models import TestCycle, TestRun
from tandem.quality.scope import cases_of
from tandem.requirements.models import Requirement
from tandem.web.forms import member_choices
from tandem.web.quality_run_forms import (
    AddCasesForm,
    CycleFilterForm,
    CycleForm,
    EvidenceForm,
    ResultForm,
    RunFilterForm,
)
from tandem.web.views.base import (
    ProjectScope,
    flash_errors,
    project_view,
    render_page,
    require_allowed,
    run_action,
    submit_edit,
    submit_form,
)

PAGE_SIZE = 50


def _context(scope: ProjectScope, **extra: Any) -> dict[str, Any]:
    return {"scope": scope, "project": scope.project, **extra}


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _plans(scope: ProjectScope, kind: str) -> bool:
    return not scope.preview and permissions.can_plan_cycle(scope.user, scope.project, kind)


def _kinds(scope: ProjectScope) -> list[str]:
    return [k for k in CycleKind.values if _plans(scope, k)]


# ---------------------------------------------------------------- overview and my tests


@project_view
def quality_overview(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Cycles in progress, my tests, open defects by severity, acceptances in review."""
    found = run_queries.overview(scope.viewer, scope.project)
    context = _context(
        scope,
        overview=found,
        plans=bool(_kinds(scope)),
    )
    return render_page(request, "web/quality/overview.html", context)


@project_view
def my_tests(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The runs assigned to me: those not yet passed first."""
    page = Paginator(run_queries.my_runs(scope.viewer, scope.project), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render_page(request, "web/quality/my_tests.html", _context(scope, page=page, query=""))


# ---------------------------------------------------------------- cycles


@project_view
def cycle_list(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """The cycles the reader reads, with their progress, filtered, 50 a page."""
    form = CycleFilterForm(request.GET)
    page, status = None, 200
    if form.is_valid():
        rows = run_queries.cycles_list(
            scope.viewer, scope.project, **{k: v for k, v in form.cleaned_data.items() if v}
        )
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = run_queries.with_progress(scope.viewer, scope.project, page.object_list)
    else:
        status = 400
    query = request.GET.copy()
    query.pop("page", None)
    context = _context(scope, filter_form=form, page=page, query=query.urlencode(), plans=bool(_kinds(scope)))
    return render_page(request, "web/quality/cycles.html", context, status=status)


def _deliverables(scope: ProjectScope) -> Any:
    return (
        Deliverable.objects.visible_to(scope.viewer).filter(project=scope.project).order_by("position", "id")
    )


@project_view
def cycle_new(request: HttpRequest, scope: ProjectScope) -> HttpResponse:
    """Plan a cycle (the team's PMs and leads; a UAT cycle, the client PM too)."""
    kinds = _kinds(scope)
    require_allowed(bool(kinds))
    options = {
        "deliverables": _deliverables(scope),
        "kinds": kinds,
        "project": scope.project,
        "team": scope.team,
    }
    form = CycleForm(initial={"kind": kinds[0] if CycleKind.UAT not in kinds else CycleKind.UAT}, **options)
    status = 200
    if request.method == "POST":
        form = bound = CycleForm(request.POST, **options)
        cycle, status = submit_form(
            bound,
            lambda: runs.do_create_cycle(scope.project, actor=scope.user, **bound.data_for_service()),
            {"deliverable_id": "deliverable"},
        )
        if cycle is not None:
            messages.success(request, _("The test cycle was planned. Add test cases to it."))
            return redirect("web:test_cycle_detail", scope.project.code, cycle.pk)
    return render_page(request, "web/quality/cycle_form.html", _context(scope, form=form), status=status)


def _cycle_values(cycle: TestCycle) -> dict[str, Any]:
    return {
        "name": cycle.name,
        "kind": cycle.kind,
        "build": cycle.build,
        "deliverable": str(cycle.deliverable_id or ""),
        "starts_on": cycle.starts_on,
        "ends_on": cycle.ends_on,
        "description": cycle.description,
        "visibility": cycle.visibility,
        "version": cycle.version,
    }


@project_view
def cycle_edit(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """Change a cycle that is not finished (a planner of its kind)."""
    cycle = run_queries.access_cycle(scope.viewer, scope.project, pk)
    require_allowed(_plans(scope, cycle.kind))
    options = {
        "deliverables": _deliverables(scope),
        "kinds": _kinds(scope),
        "project": scope.project,
        "team": scope.team,
    }
    form = CycleForm(initial=_cycle_values(cycle), **options)
    status = 200
    if request.method == "POST":
        form = bound = CycleForm(request.POST, **options)
        saved, status = submit_edit(
            bound,
            runs.do_update_cycle,
            cycle,
            scope.user,
            values=bound.data_for_service,
            renamed={"deliverable_id": "deliverable"},
            saved=lambda: _cycle_values(run_queries.access_cycle(scope.viewer, scope.project, pk)),
        )
        if saved is not None:
            messages.success(request, _("The test cycle was saved."))
            return redirect("web:test_cycle_detail", scope.project.code, cycle.pk)
    context = _context(scope, form=form, cycle=cycle)
    return render_page(request, "web/quality/cycle_form.html", context, status=status)


def _testers(scope: ProjectScope) -> list[tuple[str, str]]:
    return member_choices(scope.project)


def _cycle_action(request: HttpRequest, scope: ProjectScope, cycle: TestCycle) -> None:
    """Run one POST action of the cycle page (a planner's): the outcome is a message on the page."""
    user, version = scope.user, _version(request)
    action = request.POST.get("action")
    if action in ("assign", "remove_run"):
        run = run_queries.access_run(scope.viewer, cycle, request.POST.get("run_id"))
        if action == "assign":
            run_action(
                request,
                lambda: runs.do_assign(
                    run, actor=user, version=version, assignee_id=request.POST.get("assignee")
                ),
                _("The tester was saved."),
            )
        else:
            run_action(
                request,
                lambda: runs.do_remove_run(run, actor=user, version=version),
                _("The case was taken out."),
            )
        return
    if action == "add_cases":
        form = AddCasesForm(request.POST, cases=_addable(scope), requirements=_requirements(scope))
        if not form.is_valid():
            flash_errors(request, form, labelled=True)
            return
        run_action(
            request,
            lambda: runs.do_add_cases(
                cycle,
                actor=user,
                case_ids=form.cleaned_data["cases"],
                requirement_ids=form.cleaned_data["requirements"],
            ),
            _("The test cases were added."),
        )
        return
    calls = {
        "start": (lambda: runs.do_start_cycle(cycle, actor=user, version=version), _("The cycle started.")),
        "finish": (
            lambda: runs.do_finish_cycle(cycle, actor=user, version=version),
            _("The cycle is finished."),
        ),
    }
    if action not in calls:
        raise Http404(_("Unknown action."))
    call, done = calls[action]
    run_action(request, call, done)


def _addable(scope: ProjectScope) -> Any:
    return cases_of(scope.viewer, scope.project).filter(is_active=True).order_by("code")


def _requirements(scope: ProjectScope) -> Any:
    return Requirement.objects.visible_to(scope.viewer).filter(project=scope.project).order_by("code")


@project_view
def cycle_detail(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """A cycle with its progress and its runs (paged, filtered); its planners add cases, assign testers,
    start, finish or remove it here (POST ``action``)."""
    cycle = run_queries.access_cycle(scope.viewer, scope.project, pk)
    plans = _plans(scope, cycle.kind)
    if request.method == "POST":
        require_allowed(plans)
        if request.POST.get("action") == "delete":
            _result, status = run_action(
                request,
                lambda: runs.do_delete_cycle(cycle, actor=scope.user, version=_version(request)),
                _("The test cycle was removed."),
            )
            if status == 200:
                return redirect("web:test_cycles", scope.project.code)
        else:
            _cycle_action(request, scope, cycle)
        return redirect("web:test_cycle_detail", scope.project.code, cycle.pk)
    testers = _testers(scope)
    form = RunFilterForm(request.GET, testers=testers)
    page, status = None, 200
    if form.is_valid():
        rows = run_queries.cycle_runs(
            scope.viewer, cycle, **{k: v for k, v in form.cleaned_data.items() if v}
        )
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        status = 400
    query = request.GET.copy()
    query.pop("page", None)
    open_cycle = cycle.status != CycleStatus.FINISHED
    context = _context(
        scope,
        cycle=cycle,
        progress=run_queries.progress_of(scope.viewer, scope.project, [cycle.pk])[cycle.pk],
        filter_form=form,
        page=page,
        query=query.urlencode(),
        plans=plans,
        editing=plans and open_cycle,
        testers=testers,
        # Offer the cases not yet in the cycle (a cycle of every case offers none).
        add_form=AddCasesForm(
            cases=_addable(scope).exclude(runs__cycle=cycle).only("pk", "code", "title"),
            requirements=_requirements(scope).only("pk", "code", "title"),
        )
        if plans and open_cycle
        else None,
        not_run=RunResult.NOT_RUN,
        defects=list(run_queries.cycle_defects(scope.viewer, cycle)[:50]),
    )
    return render_page(request, "web/quality/cycle.html", context, status=status)


@project_view
def cycle_export(request: HttpRequest, scope: ProjectScope, pk: int) -> HttpResponse:
    """The cycle's runs the reader reads, filtered as on its page, as CSV (``?format=csv``) or Excel."""
    cycle = run_queries.access_cycle(scope.viewer, scope.project, pk)
    form = RunFilterForm(request.GET, testers=_testers(scope))
    kind = request.GET.get("format", "csv")
    if not form.is_valid() or kind not in ("csv", "xlsx"):
        raise Http404(_("Unknown format."))
    rows = run_queries.cycle_runs(scope.viewer, cycle, **{k: v for k, v in form.cleaned_data.items() if v})
    return run_exports.runs_response(cycle, rows, kind)


# ---------------------------------------------------------------- the tester's page


def _derived(steps: list[dict[str, str]]) -> str:
    """The run's result as its steps say it, when the tester leaves it to them."""
    results = {s["result"] for s in steps}
    if RunResult.FAILED in results:
        return RunResult.FAILED
    if RunResult.BLOCKED in results:
        return RunResult.BLOCKED
    if steps and results == {RunResult.PASSED}:
        return RunResult.PASSED
    return RunResult.NOT_RUN


def _posted_steps(request: HttpRequest, count: int) -> list[dict[str, str]]:
    out = []
    for n in range(1, count + 1):
        out.append(
            {
                "result": request.POST.get(f"step-{n}-result", RunResult.NOT_RUN),
                "note": request.POST.get(f"step-{n}-note", ""),
            }
        )
    while out and out[-1] == {"result": RunResult.NOT_RUN, "note": ""}:
        out.pop()
    return out


def _run_post(request: HttpRequest, scope: ProjectScope, run: TestRun, steps: int) -> Any:
    """One POST action of the run page; the outcome is a message on the page."""
    user = scope.user
    action = request.POST.get("action")
    if action == "record":
        form = ResultForm(request.POST)
        if not form.is_valid():
            flash_errors(request, form, labelled=True)
            return None
        posted = _posted_steps(request, steps)
        result = form.cleaned_data["result"] or _derived(posted)
        return run_action(
            request,
            lambda: runs.do_record_result(
                run,
                actor=user,
                version=form.cleaned_data["version"],
                result=result,
                step_results=posted,
                note=form.cleaned_data["note"],
            ),
            _("The result was saved."),
        )[0]
    if action == "raise_defect":
        defect, _status = run_action(
            request,
            lambda: runs.do_raise_defect(
                run, actor=user, step_number=request.POST.get("step_number"), version=_version(request)
            ),
            _("A defect was filed."),
        )
        if defect is not None:
            messages.info(
                request, _("Defect %(code)s: %(title)s") % {"code": defect.code, "title": defect.title}
            )
        return defect
    if action == "upload":
        upload = EvidenceForm(request.POST, request.FILES)
        if not upload.is_valid():
            flash_errors(request, upload, labelled=True)
            return None
        return run_action(
            request,
            lambda: evidence.do_add_evidence(run, actor=user, upload=upload.cleaned_data["file"]),
            _("The file was attached."),
        )[0]
    if action == "remove_evidence":
        found = run_queries.access_evidence(run, request.POST.get("evidence_id"))
        return run_action(
            request, lambda: evidence.do_remove_evidence(found, actor=user), _("The file was removed.")
        )[0]
    raise Http404(_("Unknown action."))


@project_view
def run_page(request: HttpRequest, scope: ProjectScope, pk: int, run_id: int) -> HttpResponse:
    """One run: the case's steps at the run's revision with their results, the note, the evidence and
    the defects raised from it; its tester records the result and raises a defect from a failed step."""
    cycle = run_queries.access_cycle(scope.viewer, scope.project, pk)
    run = run_queries.access_run(scope.viewer, cycle, run_id)
    steps = run_queries.run_steps(run)
    open_cycle = cycle.status != CycleStatus.FINISHED
    records = not scope.preview and open_cycle and permissions.can_record_result(scope.user, run)
    if request.method == "POST":
        require_allowed(records or (request.POST.get("action") == "remove_evidence" and not scope.preview))
        _run_post(request, scope, run, len(steps))
        return redirect("web:test_run", scope.project.code, cycle.pk, run.pk)
    files = list(run_queries.evidence_of(run))
    for item in files:
        item.removable = (  # type: ignore[attr-defined]
            not scope.preview
            and open_cycle
            and runs.can_remove_evidence(scope.user, item.uploaded_by_id, run)
        )
    context = _context(
        scope,
        cycle=cycle,
        run=run,
        steps=steps,
        records=records,
        files_can_raise=records and permissions.can_file_defect(scope.user, scope.project),
        result_form=ResultForm(initial={"result": "", "note": run.note, "version": run.version}),
        result_choices=RunResult.choices,
        evidence_form=EvidenceForm(),
        files=files,
        defects=list(run_queries.run_defects(scope.viewer, run)),
        failed=RunResult.FAILED,
    )
    return render_page(request, "web/quality/run.html", context)


@project_view
def evidence_download(
    request: HttpRequest, scope: ProjectScope, pk: int, run_id: int, evidence_id: int
) -> HttpResponse:
    """A file of a run the reader reads, as a download."""
    cycle = run_queries.access_cycle(scope.viewer, scope.project, pk)
    run = run_queries.access_run(scope.viewer, cycle, run_id)
    return evidence.evidence_response(run_queries.access_evidence(run, evidence_id))
