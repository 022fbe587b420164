"""``tandem remind_changes``: email the approvers of change requests whose decision is due or overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tandem.changes import tasks


class Command(BaseCommand):
    """Remind each pending approver once a day of requests due within a day or past their due date."""

    help = "Email approvers of change requests whose decision is due within a day or overdue (once a day)."

    def add_arguments(self, parser: CommandParser) -> None:
        """``--date`` stands for today (to catch up a missed day)."""
        parser.add_argument("--date", help="The day to remind for (YYYY-MM-DD); today by default.")

    def handle(self, *args: Any, **options: Any) -> None:
        """Queue the day's reminders (none when the clock already did) and say how many."""
        try:
            today = dt.date.fromisoformat(options["date"]) if options.get("date") else timezone.localdate()
        except ValueError:
            raise CommandError("--date: use YYYY-MM-DD") from None
        queued = tasks.send_reminders(timezone.now(), today=today)
        self.stdout.write(f"{queued} reminder(s) queued")
