"""Quality and acceptance in the demo project, in the order the work happens: the charter's standards
and the test cases of the demo requirements, a finished system test and a UAT in progress with two
defects, then one deliverable accepted (with its certificate issued) and one awaiting the sponsor.
Loading twice changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tandem.projects.choices import Role
from tandem.projects.demo import demo_people
from tandem.quality import certificates, defect_services
from tandem.quality.choices import SIGNED_STATES, CycleKind, DefectStatus
from tandem.quality.demo_acceptance import load_demo_acceptance
from tandem.quality.demo_cases import load_demo_cases
from tandem.quality.demo_runs import load_demo_runs
from tandem.quality.models import AcceptanceRequest, Defect, TestCycle

if TYPE_CHECKING:
    from tandem.projects.models import Project


def load_demo_quality(project: Project) -> None:
    """Load the demo's quality records into ``project`` once."""
    load_demo_cases(project)
    if not TestCycle.objects.filter(project=project).exists():
        load_demo_runs(project)
        _close_system_test_defects(project)
    load_demo_acceptance(project)
    # The certificate is issued now rather than by the worker, so the demo shows it from the start.
    for request in AcceptanceRequest.objects.filter(project=project, status__in=SIGNED_STATES):
        certificates.issue_certificate(request, certificates.project_language(request))


def _close_system_test_defects(project: Project) -> None:
    """The system test's defects went the whole way: confirmed, fixed, verified by the PM, closed."""
    people = demo_people(project)
    lead = people.get(Role.LEAD) or people[Role.PROJECT_MANAGER]
    pm = people[Role.PROJECT_MANAGER]
    found = Defect.objects.filter(project=project, test_run__cycle__kind=CycleKind.SYSTEM)
    for defect in found.order_by("id"):
        for actor, status in (
            (lead, DefectStatus.CONFIRMED),
            (lead, DefectStatus.FIXED),
            (pm, DefectStatus.VERIFIED),
            (pm, DefectStatus.CLOSED),
        ):
            defect = defect_services.do_move_defect(defect, actor=actor, version=defect.version, to=status)
