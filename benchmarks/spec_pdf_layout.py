"""Where the requirements specification PDF's time goes: WeasyPrint on variants of the same HTML.

Builds the personas' world and N requirements in a throw-away SQLite database (as ``spec_pdf.py``),
renders the specification's HTML once (``exports.specification_html``) and then times, in this
process's CPU time (``time.process_time``; the machine is shared), WeasyPrint's layout
(``HTML.render``) and its writing (``Document.write_pdf``) of:

- the document as it is;
- the same content with one CSS or HTML construct changed: the confirmation record as a table (as
  it was until 2026-12-03) instead of lines, no ``page-break-inside: avoid``, the priority/status
  tags inline instead of inline-block, list markers inside, no page-number footer (``@page``
  margin box), the h3 headings left out of the PDF's outline, DejaVu Sans instead of the
  CJK font stack;
- WeasyPrint's options ``optimize_images``, ``full_fonts``, ``presentational_hints``,
  ``uncompressed_pdf``;
- the document cut into K chunks of whole requirements, rendered in K processes at once and
  concatenated with pypdf (wall time, and the CPU of all processes). The page footers ("n / N") and
  the outline's nesting are wrong in that output: it measures the best case of the idea.

Each variant runs ``--rounds`` times, interleaved; the best time of each is printed.

    .venv/bin/python benchmarks/spec_pdf_layout.py --requirements 100 --rounds 3
    .venv/bin/python benchmarks/spec_pdf_layout.py --requirements 500 --rounds 1 --only "as is" "chunks x2"
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REQ = '<div class="req">'


def _css(old: str, new: str) -> Callable[[str], str]:
    def change(html: str) -> str:
        assert old in html, old
        return html.replace(old, new)

    return change


def _record_as_table(html: str) -> str:
    """The confirmation record as the table it was until 2026-12-03 (the same values, in cells)."""
    css = (
        "table.record { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin-top: 4pt; }"
        "table.record th, table.record td { border: 1px solid #ccc; padding: 2pt 4pt; text-align: left; }"
    )

    def table(match: re.Match[str]) -> str:
        rows = []
        for line in re.findall(r"<p>(.*?)</p>", match.group(0), flags=re.S):
            cells = [re.sub(r"<[^>]+>|^[^:]*: ", "", part).strip() for part in line.split(" · ")]
            rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in (cells + [""] * 4)[:4]) + "</tr>")
        head = "<tr><th>Version</th><th>Confirmed by</th><th>Confirmed at</th><th>Comment</th></tr>"
        return f'<table class="record">{head}{"".join(rows)}</table>'

    html = re.sub(r'<div class="record">.*?</div>', table, html, flags=re.S)
    return html.replace("</style>", css + "</style>")


VARIANTS: dict[str, Callable[[str], str]] = {
    "as is": lambda html: html,
    "record as a table": _record_as_table,
    "no page-break-inside": _css("page-break-inside: avoid;", ""),
    "tags inline": _css("display: inline-block; border", "border"),
    "list markers inside": _css("</style>", "ol, ul { list-style-position: inside; padding: 0 }</style>"),
    "h3 not in the outline": _css("</style>", "h3 { bookmark-level: none }</style>"),
    "no footer": lambda html: re.sub(r"@bottom-right \{[^}]*\}", "", html),
    "DejaVu Sans": _css('"WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif', '"DejaVu Sans"'),
}
OPTIONS = {
    "optimize_images": {"optimize_images": True},
    "full_fonts": {"full_fonts": True},
    "presentational_hints": {"presentational_hints": True},
    "uncompressed_pdf": {"uncompressed_pdf": True},
}


def chunks_of(html: str, count: int) -> list[str]:
    """The document cut into ``count`` documents of whole requirements (the title in the first)."""
    head, first, *rest = html.split(REQ)
    parts = [REQ + p for p in [first, *rest]]
    end = parts[-1].rfind("</body>")
    tail, parts[-1] = parts[-1][end:], parts[-1][:end]
    size = -(-len(parts) // count)
    bare = head.split("<body>")[0] + "<body>"
    return [
        (head if i == 0 else bare) + "".join(parts[i * size : (i + 1) * size]) + tail for i in range(count)
    ]


def render_chunk(html: str) -> bytes:
    """One chunk's PDF (in a worker process)."""
    import weasyprint

    return weasyprint.HTML(string=html).write_pdf() or b""


def chunked(html: str, count: int) -> tuple[float, float, int]:
    """(wall s, CPU s of this process and the workers, pages) of ``count`` chunks at once + pypdf."""
    from pypdf import PdfReader, PdfWriter

    wall, cpu = time.perf_counter(), time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
        pdfs = list(pool.map(render_chunk, chunks_of(html, count)))
    writer = PdfWriter()
    for data in pdfs:
        writer.append(PdfReader(io.BytesIO(data)))
    writer.write(io.BytesIO())
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = done.ru_utime - children.ru_utime + done.ru_stime - children.ru_stime
    return time.perf_counter() - wall, time.process_time() - cpu + child_cpu, len(writer.pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requirements", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chunks", type=int, nargs="*", default=[2])
    parser.add_argument("--only", nargs="*", default=None, help="the variants to run (by name)")
    args = parser.parse_args()
    os.environ["TANDEM_DATA_DIR"] = tempfile.mkdtemp(prefix="tandem-bench-")
    os.environ.pop("TANDEM_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    import django

    django.setup()
    import weasyprint
    from django.core.management import call_command

    from tandem.requirements import exports
    from tandem.testing.personas import build_world
    from tandem.testing.requirements import add_requirements

    call_command("migrate", verbosity=0)
    world = build_world(with_records=False)
    add_requirements(world.project, args.requirements, confirmer=world.client_pm)
    html, count = exports.specification_html(world.sponsor, world.project)
    weasyprint.HTML(string="<p>warm-up 中文</p>").write_pdf()  # fonts and caches, as a worker has them

    runs: dict[str, Callable[[], tuple[float, float, int]]] = {}
    for name, change in VARIANTS.items():
        runs[name] = partial(_timed, change(html), {})
    for name, options in OPTIONS.items():
        runs[name] = partial(_timed, html, options)
    for k in args.chunks:
        runs[f"chunks x{k}"] = partial(chunked, html, k)
    names = [n for n in runs if args.only is None or n in args.only]
    best: dict[str, tuple[float, float, int]] = {}
    for _ in range(args.rounds):
        for name in names:
            a, b, pages = runs[name]()
            old = best.get(name, (a, b, pages))
            best[name] = (min(a, old[0]), min(b, old[1]), pages)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{count} requirements, best of {args.rounds}, CPU {os.cpu_count()}, load average {load}")
    for name in names:
        a, b, pages = best[name]
        if name.startswith("chunks"):
            print(f"  {name:22} wall {a:6.2f} s  CPU of all processes {b:6.2f} s  {pages} pages")
        else:
            print(f"  {name:22} layout {a:6.2f} s  write {b:6.2f} s  total {a + b:6.2f} s  {pages} pages")


def _timed(html: str, options: dict[str, bool]) -> tuple[float, float, int]:
    """(layout CPU s, writing CPU s, pages) of one document."""
    import weasyprint

    start = time.process_time()
    document = weasyprint.HTML(string=html).render(**options)
    laid = time.process_time()
    document.write_pdf(**options)
    return laid - start, time.process_time() - laid, len(document.pages)


if __name__ == "__main__":
    main()
