"""Copy the front-end packages installed by ``npm ci`` into static/vendor, and compile translations."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

#: (file inside node_modules, name under static/vendor)
ASSETS: tuple[tuple[str, str], ...] = (
    ("htmx.org/dist/htmx.min.js", "htmx.min.js"),
    ("frappe-gantt/dist/frappe-gantt.umd.js", "frappe-gantt.umd.js"),
    ("frappe-gantt/dist/frappe-gantt.css", "frappe-gantt.css"),
    ("sortablejs/Sortable.min.js", "Sortable.min.js"),
)


class Command(BaseCommand):
    """Copy pinned npm packages into ``tandem/web/static/vendor/`` (run ``npm ci`` first)."""

    help = "Copy front-end files from node_modules into tandem/web/static/vendor and compile translations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-translations", action="store_true", help="Skip compiling the .po files.")

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(settings.BASE_DIR)
        modules = root / "node_modules"
        target = root / "tandem" / "web" / "static" / "vendor"
        missing = [source for source, _name in ASSETS if not (modules / source).is_file()]
        if missing:
            raise CommandError(
                f"Front-end packages are missing ({', '.join(missing)}). Run `npm ci` in {root} first, "
                "then run this command again."
            )
        target.mkdir(parents=True, exist_ok=True)
        for source, name in ASSETS:
            shutil.copyfile(modules / source, target / name)
            self.stdout.write(f"copied {source} → static/vendor/{name}")
        if not options["no_translations"]:
            call_command("compile_translations", stdout=self.stdout, stderr=self.stderr)
