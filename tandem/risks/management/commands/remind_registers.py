"""``tandem remind_registers``: email owners about risk reviews, response actions and decisions due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from tandem.risks.reminders import send_reminders


class Command(BaseCommand):
    help = "Email risk owners, action owners and deciders about what is due (once per person and day)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="The day to remind for (YYYY-MM-DD; default today).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = dt.date.fromisoformat(options["date"]) if options.get("date") else timezone.localdate()
        sent = send_reminders(today)
        self.stdout.write(f"{sent} reminder(s) sent for {today}.")
