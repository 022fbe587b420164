"""Named people and projects for tests: one world with every kind of viewer the permission model knows.

Project ``ERP`` (client: Northwind Retail) has a member for every role; ``OTHER`` belongs to another
client (Contoso), whose viewer ``carol`` must never see ``ERP``. ``oscar`` is signed in but belongs
to no project.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tandem.accounts.choices import OrganizationKind
from tandem.accounts.models import Organization, User
from tandem.core.choices import Visibility
from tandem.projects import services
from tandem.projects.choices import DecisionPreset, Role
from tandem.projects.models import Project

PASSWORD = "correct horse battery staple"

#: The persona that stands for each kind of viewer in permission matrices.
VIEWERS = ("anonymous", "outsider", "other_client", "client_viewer", "client_pm", "sponsor", "member", "pm")


@dataclass
class World:
    """Everything a test needs to know about the personas."""

    vendor: Organization
    client: Organization
    other_client: Organization
    project: Project
    other_project: Project
    people: dict[str, User] = field(default_factory=dict)
    records: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)

    def viewer(self, kind: str) -> User | None:
        """The user standing for a kind of viewer in ``VIEWERS`` (None for anonymous)."""
        return None if kind == "anonymous" else self.people[kind]


def make_user(email: str, name: str, organization: Organization | None, **extra: Any) -> User:
    """A user with the shared test password."""
    return User.objects.create_user(email, PASSWORD, full_name=name, organization=organization, **extra)


def build_world(*, preset: str = DecisionPreset.JOINT, with_records: bool = True) -> World:
    """Create the organizations, people, two projects and (optionally) shared and internal records."""
    vendor = Organization.objects.create(name="Acme Delivery", kind=OrganizationKind.VENDOR)
    client = Organization.objects.create(name="Northwind Retail", kind=OrganizationKind.CLIENT)
    other_client = Organization.objects.create(name="Contoso", kind=OrganizationKind.CLIENT)
    people = {
        "pm": make_user("alice@acme.test", "Alice PM", vendor),
        "lead": make_user("larry@acme.test", "Larry Lead", vendor),
        "member": make_user("bob@acme.test", "Bob Member", vendor),
        "team_viewer": make_user("tina@acme.test", "Tina Viewer", vendor),
        "sponsor": make_user("sam@northwind.test", "Sam Sponsor", client),
        "client_pm": make_user("cindy@northwind.test", "Cindy Client PM", client),
        "reviewer": make_user("rita@northwind.test", "Rita Reviewer", client),
        "client_viewer": make_user("victor@northwind.test", "Victor Viewer", client),
        "other_client": make_user("carol@contoso.test", "Carol Contoso", other_client),
        "outsider": make_user("oscar@nowhere.test", "Oscar Outsider", None),
    }
    pm = people["pm"]
    project = services.do_create_project(
        code="ERP",
        name="ERP upgrade",
        client=client,
        vendor=vendor,
        actor=pm,
        preset=preset,
        start_date=dt.date(2026, 1, 5),
        target_date=dt.date(2026, 12, 18),
        budget="1200000.00",
        internal_notes="Margin target 22%; keep quiet about the subcontractor.",
    )
    for key, role in [
        ("lead", Role.LEAD),
        ("member", Role.MEMBER),
        ("team_viewer", Role.TEAM_VIEWER),
        ("sponsor", Role.SPONSOR),
        ("client_pm", Role.CLIENT_PM),
        ("reviewer", Role.REVIEWER),
        ("client_viewer", Role.CLIENT_VIEWER),
    ]:
        services.do_add_member(project, user=people[key], role=role, actor=pm)
    other_pm = make_user("olga@acme.test", "Olga PM", vendor)
    people["other_pm"] = other_pm
    other_project = services.do_create_project(
        code="OTHER", name="Contoso portal", client=other_client, vendor=vendor, actor=other_pm
    )
    services.do_add_member(
        other_project, user=people["other_client"], role=Role.CLIENT_VIEWER, actor=other_pm
    )
    world = World(vendor, client, other_client, project, other_project, people)
    if with_records:
        add_records(world)
    return world


def add_records(world: World) -> None:
    """A shared and an internal record of every charter kind in ``ERP``, and one in ``OTHER``."""
    pm, project = world.pm, world.project
    records = world.records
    for vis in (Visibility.SHARED, Visibility.INTERNAL):
        tag = "shared" if vis == Visibility.SHARED else "internal"
        records[f"goal_{tag}"] = services.do_add_charter_item(
            project,
            kind="goals",
            actor=pm,
            data={"statement": f"{tag.title()} goal", "measure": "m", "target": "t", "visibility": vis},
        )
        records[f"kpi_{tag}"] = services.do_add_charter_item(
            project,
            kind="kpis",
            actor=pm,
            data={"name": f"{tag.title()} KPI", "target": "95", "visibility": vis},
        )
        records[f"stakeholder_{tag}"] = services.do_add_charter_item(
            project,
            kind="stakeholders",
            actor=pm,
            data={"name": f"{tag.title()} stakeholder", "visibility": vis},
        )
        records[f"deliverable_{tag}"] = services.do_add_charter_item(
            project,
            kind="deliverables",
            actor=pm,
            data={"name": f"{tag.title()} deliverable", "visibility": vis},
        )
        records[f"note_{tag}"] = services.do_add_note(
            project, actor=pm, title=f"{tag.title()} note", body=f"{tag} body", visibility=vis
        )
    records["section_scope"] = services.do_update_section(
        project, key="scope_in", body="Stores and warehouses", version=0, actor=pm
    )
    records["other_goal"] = services.do_add_charter_item(
        world.other_project, kind="goals", actor=world.other_pm, data={"statement": "Contoso secret goal"}
    )
