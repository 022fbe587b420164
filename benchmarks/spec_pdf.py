"""Time the requirements specification PDF of a project with N requirements, beside WeasyPrint.

Builds the test personas' world and N requirements in a throw-away SQLite database, then:

1. ``exports.export_pdf`` as the sponsor (ReportLab, ``core.pdfdoc``): CPU and wall time, the
   first call (fonts registered, modules loaded) and the median of ``--rounds`` more;
2. the reference, in the same run: the same entries as HTML (``spec_pdf_weasyprint.html``, the
   template the specification used until 2026-12-05) laid out and written by WeasyPrint, in CPU time;
3. through Django's test client: the synchronous download ``GET …/requirements/specification.pdf``,
   the page's button on a big backlog (``POST /projects/ERP/jobs/``, which only queues a job), one
   poll of its status, and the job as the database worker runs it (``core.jobs.run``), with the
   number of progress writes it made.

``--chinese`` gives every requirement a Chinese title, background, description and criteria (CJK
line breaking everywhere: the slowest case); the project's language is then Chinese as well.

    .venv/bin/python benchmarks/spec_pdf.py --requirements 500
    .venv/bin/python benchmarks/spec_pdf.py --requirements 500 --chinese
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CHINESE = {
    "title": "门店库存看板",
    "background": "在启动研讨会上由**运营团队**提出，门店经理需要随时了解货架库存，避免缺货影响销售。",
    "description": (
        "门店经理可以查看每个货架的**库存水平**，每五分钟刷新一次，并可按通道、供应商和补货状态筛选。"
        "系统需要与仓库管理系统保持一致，差异超过阈值时提醒门店主管处理。\n\n"
        "- 支持手持扫描终端\n- 显示最近一次到货\n- 标记低于最低库存的商品"
    ),
    "acceptance_criteria": ["库存数量与仓库系统一致", "筛选条件可以组合使用", "页面在两秒内加载完成"],
}


def _timed(call):  # type: ignore[no-untyped-def]
    cpu, wall = time.process_time(), time.perf_counter()
    result = call()
    return result, time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requirements", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chinese", action="store_true")
    parser.add_argument("--no-reference", action="store_true", help="skip the WeasyPrint reference")
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="tandem-bench-")
    os.environ["TANDEM_DATA_DIR"] = data
    os.environ.pop("TANDEM_DATABASE_URL", None)
    os.environ["TANDEM_TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.template import Context, Template
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone, translation
    from pypdf import PdfReader

    from tandem.core import jobs
    from tandem.core.models import Job
    from tandem.requirements import exports
    from tandem.requirements.models import Requirement
    from tandem.testing.personas import build_world
    from tandem.testing.requirements import add_requirements

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    world = build_world(with_records=False)
    add_requirements(world.project, args.requirements, confirmer=world.client_pm)
    if args.chinese:
        Requirement.objects.filter(project=world.project).update(**CHINESE)
        world.project.language = "zh-hans"
        world.project.save()
    user, project = world.sponsor, world.project
    print(f"{args.requirements} requirements{' (Chinese)' if args.chinese else ''}")

    pdf, cpu, wall = _timed(lambda: exports.export_pdf(user, project))
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(
        f"ReportLab  first call: {cpu:.2f} s CPU, {wall:.2f} s wall; {len(pdf) / 1e6:.2f} MB, {pages} pages"
    )
    runs = [_timed(lambda: exports.export_pdf(user, project))[1:] for _ in range(args.rounds)]
    print(
        f"ReportLab  median of {args.rounds}: {statistics.median(r[0] for r in runs):.2f} s CPU, "
        f"{statistics.median(r[1] for r in runs):.2f} s wall"
    )

    if not args.no_reference:
        import weasyprint

        template = Template((Path(__file__).parent / "spec_pdf_weasyprint.html").read_text())
        with translation.override(exports._language(project)):
            entries = exports.specification(user, project)
            html = template.render(
                Context(
                    {"project": project, "entries": entries, "generated_at": timezone.localtime(),
                     "language": exports._language(project)}
                )
            )  # fmt: skip
        document, cpu_layout, _ = _timed(lambda: weasyprint.HTML(string=html).render())
        reference, cpu_write, _ = _timed(lambda: document.write_pdf() or b"")
        print(
            f"WeasyPrint reference: {cpu_layout + cpu_write:.2f} s CPU (layout {cpu_layout:.2f}, "
            f"write {cpu_write:.2f}); {len(reference) / 1e6:.2f} MB, {len(document.pages)} pages"
        )
        # WeasyPrint's layout is a large graph of objects: kept alive, every garbage collection of
        # the rest of the run walks it (the download below took 8 s instead of 3 with it).
        del document, reference
        gc.collect()

    client = Client()
    client.force_login(user)
    # The process's first request imports the URLconf, the views and the API's schemas (1–2 s).
    assert client.get("/projects/ERP/requirements/").status_code == 200
    response, cpu, wall = _timed(lambda: client.get("/projects/ERP/requirements/specification.pdf"))
    assert response.status_code == 200, response.status_code
    print(f"GET specification.pdf (built in the request): {cpu:.2f} s CPU, {wall:.2f} s wall")
    started = time.perf_counter()
    response = client.post("/projects/ERP/jobs/", {"kind": "requirements_pdf"})
    start = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    job = Job.objects.get()
    started = time.perf_counter()
    client.get(response["Location"], headers={"HX-Request": "true"})
    poll = time.perf_counter() - started
    print(f"POST jobs/ (job queued): {start * 1000:.0f} ms; a status poll: {poll * 1000:.0f} ms")
    with CaptureQueriesContext(connection) as queries:
        outcome, cpu, wall = _timed(lambda: jobs.run(job.pk))
    writes = sum(1 for q in queries.captured_queries if q["sql"].startswith('UPDATE "core_job"'))
    print(
        f"the job in the worker: {cpu:.2f} s CPU, {wall:.2f} s wall ({outcome}, {writes} writes of its row)"
    )


if __name__ == "__main__":
    main()
