"""``tandem remind_registers``: the clock's daily register jobs for one day, run by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tandem.risks import tasks


class Command(BaseCommand):
    help = "Move the holds of open client decisions on, then email owners and deciders about what is due."

    def add_arguments(self, parser: CommandParser) -> None:
        """``--date`` stands for today (to catch up a missed day)."""
        parser.add_argument("--date", help="The day to remind for (YYYY-MM-DD; default today).")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run both jobs for the day (each does nothing the clock already did) and say how many mails."""
        try:
            today = dt.date.fromisoformat(options["date"]) if options.get("date") else timezone.localdate()
        except ValueError:
            raise CommandError("--date: use YYYY-MM-DD") from None
        now = timezone.now()
        tasks.move_held_tasks(now, today=today)
        queued = tasks.send_reminders(now, today=today)
        self.stdout.write(f"{queued} reminder(s) queued for {today}.")
