"""Time the requirements specification PDF (WeasyPrint's real output) of a project with N requirements.

Builds the test personas' world and N requirements in a throw-away SQLite database, then times
``requirements.exports.export_pdf`` as the project manager (best of ``--runs``) and prints where the
time goes: reading and rendering the HTML, WeasyPrint's layout, and writing the PDF.

    .venv/bin/python benchmarks/spec_pdf.py --requirements 500
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requirements", type=int, default=500)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="tandem-bench-")
    os.environ["TANDEM_DATA_DIR"] = data
    os.environ.pop("TANDEM_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from pypdf import PdfReader

    from tandem.requirements import exports
    from tandem.testing.personas import build_world
    from tandem.testing.requirements import add_requirements

    world = build_world(with_records=False)
    add_requirements(world.project, args.requirements, confirmer=world.client_pm)
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        pdf = exports.export_pdf(world.pm, world.project)
        timings.append(time.perf_counter() - started)
    pages = len(PdfReader(__import__("io").BytesIO(pdf)).pages)
    print(f"{args.requirements} requirements: {len(pdf) / 1e6:.2f} MB, {pages} pages")
    print(f"export_pdf: best {min(timings):.2f} s of {args.runs} ({', '.join(f'{t:.2f}' for t in timings)})")


if __name__ == "__main__":
    main()
