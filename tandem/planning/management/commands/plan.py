"""`tandem plan import FILE` and `tandem plan export CODE`: MS Project files in and out of Tandem."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from tandem.accounts.models import User
from tandem.planning import interop
from tandem.projects.models import Project


class Command(BaseCommand):
    """Import an MSPDI or .mpp file (or only schedule it with --dry-run), or export a project's plan."""

    help = "Import an MS Project file (MSPDI XML or .mpp) into Tandem, or export a project's plan."
    # The system checks load every URL and API schema (about 1 s of a command's start) to check
    # what only the web server uses; `tandem check` and `tandem serve` run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Two subcommands: import and export."""
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import FILE (or schedule it without writing, with --dry-run).")
        imp.add_argument("file", type=Path)
        imp.add_argument("--dry-run", action="store_true", help="Schedule the file and write nothing.")
        imp.add_argument("--json", action="store_true", help="Print the schedule as JSON.")
        imp.add_argument("--project", default="", help="Replace the plan of this existing project.")
        imp.add_argument("--code", default="", help="Code of the new project.")
        imp.add_argument("--name", default="", help="Name of the new project (default: the file name).")
        imp.add_argument(
            "--client", default="", help="Client organization of the new project (created if new)."
        )
        imp.add_argument("--as", dest="actor", default="", help="Email of the person importing.")
        exp = sub.add_parser("export", help="Export a project's plan.")
        exp.add_argument("project")
        exp.add_argument("--format", choices=("mspdi", "csv"), default="mspdi")
        exp.add_argument(
            "--as", dest="actor", required=True, help="Email of the person exporting (what they see)."
        )
        exp.add_argument("-o", "--output", type=Path, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        """Dispatch to the subcommand; every refusal is one clear line and a non-zero exit."""
        try:
            if options["action"] == "import":
                self._import(options)
            else:
                self._export(options)
        except interop.ImportRefused as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc) or "not permitted") from None

    def _actor(self, email: str) -> User:
        if not email:
            raise CommandError("Name the person importing with --as EMAIL.")
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with email {email}.")
        return user

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        if options["dry_run"]:
            result = interop.dry_run(path)
            if options["json"]:
                sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
                return
            for task in result["tasks"]:
                flag = "*" if task["critical"] else " "
                self.stdout.write(
                    f"{flag} {task['uid']:>6} {task['start']} → {task['finish']} "
                    f"slack {task['total_slack_minutes']:>7} min  {task['name']}"
                )
            return
        actor = self._actor(options["actor"])
        if options["project"]:
            project = Project.objects.filter(code=options["project"].upper()).first()
            if project is None:
                raise CommandError(f"No project with code {options['project']}.")
            project = interop.import_plan(path, actor=actor, project=project)
        else:
            if not options["code"] or not options["client"]:
                raise CommandError("A new project needs --code and --client (or name one with --project).")
            # The import creates a new client organization itself, so a refused file leaves none behind.
            project = interop.import_plan(
                path, actor=actor, code=options["code"], name=options["name"], client_name=options["client"]
            )
        count = project.tasks.count()
        if options["json"]:
            sys.stdout.write(json.dumps({"project": project.code, "tasks": count}) + "\n")
        else:
            self.stdout.write(f"Imported {count} tasks into {project.code}.")

    def _export(self, options: dict[str, Any]) -> None:
        actor = self._actor(options["actor"])
        project = Project.objects.visible_to(actor).filter(code=options["project"].upper()).first()
        if project is None:
            raise CommandError(f"No project {options['project']} that {actor.email} may see.")
        if options["format"] == "csv":
            data = interop.export_csv(actor, project).encode()
        else:
            data = interop.export_mspdi(actor, project)
        if options["output"] is None:
            sys.stdout.buffer.write(data)
        else:
            options["output"].write_bytes(data)
