"""The `tandem` console command: Django's management commands under Tandem's name."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a Tandem command (`tandem serve`, `tandem demo`, `tandem migrate`, …)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "tandem"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
