"""Many requirements at once, for the tests and benchmarks of big specifications."""

from __future__ import annotations

from tandem.accounts.models import User
from tandem.core.choices import Visibility
from tandem.projects.models import Project
from tandem.requirements.models import Requirement, RequirementConfirmation

DESCRIPTION = (
    "The store manager sees **stock levels** for every shelf, refreshed every five minutes, "
    "and can filter by aisle, supplier and 补货状态 (replenishment state).\n\n"
    "- Works on the handheld scanners\n- Shows the last delivery\n- Flags items below the minimum"
)


def add_requirements(
    project: Project, count: int, *, confirmer: User | None = None, visibility: str = Visibility.SHARED
) -> list[Requirement]:
    """``count`` requirements titled ``Bulk requirement N`` (each confirmed by ``confirmer`` if given)."""
    start = Requirement.objects.filter(project=project).count()
    rows = Requirement.objects.bulk_create(
        Requirement(
            project=project,
            code=f"BR-{start + i:04d}",
            title=f"Bulk requirement {start + i}",
            description=DESCRIPTION,
            background="Asked for in the kickoff workshop by the **operations** team.",
            acceptance_criteria=["Levels match the warehouse system", "Filters combine", "Loads within 2 s"],
            rank=start + i,
            visibility=visibility,
        )
        for i in range(1, count + 1)
    )
    if confirmer is not None:
        RequirementConfirmation.objects.bulk_create(
            RequirementConfirmation(requirement=r, version_number=1, confirmed_by=confirmer, comment="Agreed")
            for r in rows
        )
    return rows
