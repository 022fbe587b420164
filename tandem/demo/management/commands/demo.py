"""`tandem demo`: load the bilingual demo project once (people, charter, plan, requirements, changes,
risks, meetings, time and cost, quality and acceptance, reports) and print its logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tandem.changes.demo import load_demo_changes
from tandem.costs.demo import load_demo_costs
from tandem.meetings.demo import load_demo_meetings
from tandem.onboarding.demo import load_demo_onboarding
from tandem.planning.demo import load_demo_plan
from tandem.projects.demo import DEMO_CODE, DEMO_PASSWORD, demo_exists, demo_logins, load_demo
from tandem.projects.models import Project
from tandem.pulses.demo import load_demo_pulses
from tandem.quality.demo import load_demo_quality
from tandem.reports.demo import load_demo_reports
from tandem.requirements.demo import load_demo_requirements
from tandem.resources.demo import load_demo_resources
from tandem.risks.demo import load_demo_risks


class Command(BaseCommand):
    help = "Load the demo project (an ERP upgrade for a retail chain) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the logins")

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_exists():
            self.stdout.write(f"The demo project {DEMO_CODE} is already loaded.")
            project = Project.objects.get(code=DEMO_CODE)
        else:
            self.stdout.write(f"Loading the demo project {DEMO_CODE}: people and charter…")
            project = load_demo()
        self.stdout.write("Building the demo plan (tasks, links, baseline, progress)…")
        load_demo_plan(project)
        self.stdout.write(
            "Filling both resource pools (people, environments, rates, leave) and assigning tasks…"
        )
        load_demo_resources(project)
        self.stdout.write("Adding requirements, change requests, risks, issues and client decisions…")
        load_demo_requirements(project)
        load_demo_changes(project)
        load_demo_risks(project)
        self.stdout.write("Adding the communication plan, meetings and the weekly status reports sent…")
        load_demo_meetings(project)
        # After everything that changes the plan: the changes' and meetings' new tasks get people,
        # and the time is tuned against the final agreed baseline.
        self.stdout.write("Logging twelve weeks of time, the expenses and the budget…")
        load_demo_costs(project)
        self.stdout.write(
            "Writing test cases, running the system test and the client's UAT, and signing an acceptance…"
        )
        load_demo_quality(project)
        load_demo_pulses(project)
        self.stdout.write("Adding the client's training material and its first completions…")
        load_demo_onboarding(project)
        # Last: the reports are generated from everything above (and tied to the plan's weekly entry).
        load_demo_reports(project)
        self.stdout.write(self.style.SUCCESS(f"The demo project {DEMO_CODE} is ready."))
        if options["quiet_logins"]:
            return
        self.stdout.write(
            f"\nOpen {settings.SITE_URL}/ and sign in with any of these (password: {DEMO_PASSWORD}):"
        )
        for email, role, name in demo_logins():
            self.stdout.write(f"  {email:<34} {role:<28} {name}")
