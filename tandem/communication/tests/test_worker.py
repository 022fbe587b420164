"""The job worker and the clock: the database backend really runs a delivery; serve starts and stops both."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tandem.communication import integrations
from tandem.communication.choices import DeliveryStatus, WebhookKind
from tandem.communication.delivery import create_deliveries, enqueue
from tandem.communication.models import WebhookDelivery
from tandem.communication.tests.receiver import running_receiver
from tandem.core.management.commands import clock as clock_command
from tandem.core.management.commands import serve
from tandem.testing.personas import build_world

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_delivers_an_enqueued_webhook(settings) -> None:
    settings.TASKS = DATABASE_TASKS
    world = build_world(with_records=False)
    with running_receiver() as receiver:
        endpoint = integrations.do_add_endpoint(
            world.project, actor=world.pm, name="Ops", kind=WebhookKind.GENERIC, url=f"{receiver.url}/in"
        )
        deliveries = create_deliveries(
            world.project,
            event="report.sent",
            title="Report",
            text="Green",
            url="https://t.test/",
            shared=True,
        )
        enqueue(deliveries)
        # Enqueued, not run: the database backend waits for a worker.
        assert DBTaskResult.objects.count() == 1
        assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING
        assert receiver.requests == []
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.DELIVERED
        assert [r.headers["x-tandem-delivery"] for r in receiver.requests] == [str(delivery.uuid)]
        assert DBTaskResult.objects.get().status == "SUCCESSFUL"
        assert endpoint.deliveries.count() == 1


@pytest.mark.django_db
def test_clock_once_runs_every_job_and_says_how_each_went() -> None:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("clock", "--once", stdout=out, stderr=err)
    except SystemExit as stopped:  # another app's job failed: the exit status says so, ours still ran
        assert stopped.code == 1 and err.getvalue()
    lines = out.getvalue().splitlines()
    assert any(line.endswith("communication.retry_webhooks: ok") for line in lines)
    assert any(line.endswith("communication.email_digests: ok") for line in lines)


def test_the_clock_waits_for_the_top_of_the_minute() -> None:
    assert clock_command.seconds_to_next_minute(120.0) == 60.0
    assert clock_command.seconds_to_next_minute(179.5) == pytest.approx(0.5)


def test_serve_runs_the_worker_and_clock_only_with_the_database_backend(settings) -> None:
    settings.TASKS = DATABASE_TASKS
    (worker_name, worker), (clock_name, clock) = serve.background_commands()
    assert (worker_name, worker[:4]) == (
        "background worker",
        [sys.executable, "-m", "tandem.cli", "db_worker"],
    )
    assert (clock_name, clock) == ("clock", [sys.executable, "-m", "tandem.cli", "clock"])
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert serve.background_commands() == []


def test_the_tandem_script_knows_clock_and_serve_no_worker() -> None:
    answer = subprocess.run(
        [sys.executable, "-m", "tandem.cli", "serve", "--help"], capture_output=True, text=True, check=True
    )
    assert "--no-worker" in answer.stdout
    answer = subprocess.run(
        [sys.executable, "-m", "tandem.cli", "clock", "--help"], capture_output=True, text=True, check=True
    )
    assert "--once" in answer.stdout
