"""Compile the .po catalogues into .mo files with Babel (no GNU gettext needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    """Compile every ``LC_MESSAGES/*.po`` under LOCALE_PATHS into its ``.mo``."""

    help = "Compile the translation catalogues (.po → .mo) with Babel."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for base in settings.LOCALE_PATHS:
            for po_path in sorted(Path(base).glob("*/LC_MESSAGES/*.po")):
                with po_path.open("rb") as handle:
                    catalog = read_po(handle, locale=po_path.parent.parent.name)
                with po_path.with_suffix(".mo").open("wb") as handle:
                    write_mo(handle, catalog, use_fuzzy=False)
                count += 1
                self.stdout.write(f"compiled {po_path.relative_to(settings.BASE_DIR)}")
        self.stdout.write(f"{count} catalogue(s) compiled")
