"""`tandem compile_translations`: build the .mo catalogues from the .po files with Babel.

Babel does what GNU gettext's msgfmt does, so set-up needs no system package.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile every translation catalogue (.po) under LOCALE_PATHS into .mo files."

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = 0
        for base in settings.LOCALE_PATHS:
            for po_path in sorted(Path(base).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                try:
                    with po_path.open("rb") as po_file:
                        catalog = read_po(po_file, locale=po_path.parent.parent.name)
                except Exception as exc:  # Babel raises several types for a malformed catalogue.
                    raise CommandError(f"{po_path}: {exc}") from exc
                with mo_path.open("wb") as mo_file:
                    write_mo(mo_file, catalog, use_fuzzy=False)
                compiled += 1
        if options["verbosity"] > 1 or compiled:
            self.stdout.write(f"Compiled {compiled} translation catalogue(s).")
