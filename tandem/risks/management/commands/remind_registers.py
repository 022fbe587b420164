"""``tandem remind_registers``: email owners about risk reviews, response actions and decisions due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from tandem.projects.choices import ProjectStatus
from tandem.projects.models import Project
from tandem.risks.choices import DecisionStatus
from tandem.risks.reminders import send_reminders
from tandem.risks.services import refresh_decision_holds


class Command(BaseCommand):
    help = "Move the holds of open client decisions on, then email owners and deciders about what is due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="The day to remind for (YYYY-MM-DD; default today).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = dt.date.fromisoformat(options["date"]) if options.get("date") else timezone.localdate()
        # Open decisions hold their blocked tasks until the next working day at the earliest: move them on.
        projects = Project.objects.exclude(status=ProjectStatus.CLOSED).filter(
            client_decisions__status=DecisionStatus.OPEN
        )
        for project in projects.distinct().order_by("id"):
            refresh_decision_holds(project, today=today)
        sent = send_reminders(today)
        self.stdout.write(f"{sent} reminder(s) sent for {today}.")
