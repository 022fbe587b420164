"""The expense lifecycle: filing, validation, the locked period, approval like time, receipts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tandem.core.models import Activity
from tandem.costs import services
from tandem.costs.choices import ExpenseStatus
from tandem.costs.models import CostSettings, Expense
from tandem.costs.receipts import MAX_RECEIPT_BYTES
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 2, 2)
PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def draft(world: World, **data: object) -> Expense:
    values = {"category": "travel", "day": DAY, "amount": Decimal("120.50"), "description": "Taxi"}
    return services.do_add_expense(world.project, actor=world.member, **{**values, **data})


def errors_of(call: object) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()  # type: ignore[operator]
    return caught.value.message_dict


def test_it_files_submits_and_approves_with_an_audit_trail(world: World) -> None:
    expense = draft(world)
    assert expense.status == ExpenseStatus.DRAFT and expense.submitted_by == world.member
    expense = services.do_submit_expense(expense, version=expense.version, actor=world.member)
    assert expense.status == ExpenseStatus.SUBMITTED
    expense = services.do_approve_expense(expense, version=expense.version, actor=world.lead)
    assert expense.status == ExpenseStatus.APPROVED and expense.approved_by == world.lead
    assert expense.approved_at is not None
    verbs = list(
        Activity.objects.filter(target_type="costs.expense", target_id=str(expense.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["added", "submitted", "approved"]
    # An approved expense is no longer changed.
    assert "status" in errors_of(
        lambda: services.do_update_expense(expense, version=expense.version, actor=world.pm, amount="1")
    )


def test_a_rejection_needs_a_reason_and_sends_it_back(world: World) -> None:
    expense = draft(world)
    expense = services.do_submit_expense(expense, version=expense.version, actor=world.member)
    assert "reason" in errors_of(
        lambda: services.do_reject_expense(expense, version=expense.version, actor=world.pm, reason=" ")
    )
    expense = services.do_reject_expense(
        expense, version=expense.version, actor=world.pm, reason="No receipt"
    )
    assert expense.status == ExpenseStatus.REJECTED and expense.rejected_reason == "No receipt"
    expense = services.do_update_expense(
        expense, version=expense.version, actor=world.member, amount=Decimal("100")
    )
    expense = services.do_submit_expense(expense, version=expense.version, actor=world.member)
    assert expense.status == ExpenseStatus.SUBMITTED and expense.rejected_reason == ""


def test_only_the_right_people_file_and_decide(world: World) -> None:
    for who in ("team_viewer", "client_pm", "sponsor", "reviewer"):
        with pytest.raises(PermissionDenied):
            services.do_add_expense(
                world.project,
                actor=world.people[who],
                category="travel",
                day=DAY,
                amount="1",
                description="x",
            )
    expense = draft(world)
    expense = services.do_submit_expense(expense, version=expense.version, actor=world.member)
    with pytest.raises(PermissionDenied):
        services.do_approve_expense(expense, version=expense.version, actor=world.member)
    with pytest.raises(PermissionDenied):
        services.do_approve_expense(expense, version=expense.version, actor=world.client_pm)


def test_bad_input_names_the_field_and_saves_nothing(world: World) -> None:
    before = Expense.objects.count()
    assert "amount" in errors_of(lambda: draft(world, amount=Decimal("-1")))
    assert "task_id" in errors_of(lambda: draft(world, task_id=999_999))
    assert "category" in errors_of(lambda: draft(world, category="labour"))
    assert "description" in errors_of(lambda: draft(world, description=""))
    assert "internal_status" in errors_of(lambda: draft(world, internal_status="x"))
    assert Expense.objects.count() == before
    assert not Activity.objects.filter(target_type="costs.expense").exists()


def test_the_locked_period_refuses_adding_changing_and_removing(world: World) -> None:
    expense = draft(world, day=DAY)
    CostSettings.objects.create(project=world.project, locked_until=DAY)
    assert "day" in errors_of(lambda: draft(world, day=DAY - dt.timedelta(days=3)))
    assert "day" in errors_of(
        lambda: services.do_update_expense(expense, version=expense.version, actor=world.member, amount="5")
    )
    assert "day" in errors_of(
        lambda: services.do_delete_expense(expense, version=expense.version, actor=world.member)
    )
    later = draft(world, day=DAY + dt.timedelta(days=1))
    assert "day" in errors_of(
        lambda: services.do_update_expense(later, version=later.version, actor=world.member, day=DAY)
    )
    assert Expense.objects.filter(pk=expense.pk).exists()


def test_it_refuses_a_stale_version(world: World) -> None:
    from tandem.core.errors import ConflictError

    expense = draft(world)
    services.do_update_expense(expense, version=expense.version, actor=world.member, amount="10")
    with pytest.raises(ConflictError):
        services.do_update_expense(expense, version=expense.version, actor=world.member, amount="11")


def test_a_receipt_must_be_a_pdf_or_an_image_within_the_limit(world: World) -> None:
    expense = draft(world)
    bad = [
        SimpleUploadedFile("r.pdf", b"#!/bin/sh\necho hi\n", "application/pdf"),  # not what it says
        SimpleUploadedFile("r.html", b"<html></html>", "text/html"),
        SimpleUploadedFile("r.pdf", PNG, "application/pdf"),  # an image declared as a PDF
        SimpleUploadedFile("big.pdf", PDF + b"0" * MAX_RECEIPT_BYTES, "application/pdf"),
        SimpleUploadedFile("empty.pdf", b"", "application/pdf"),
    ]
    for upload in bad:
        assert "file" in errors_of(
            lambda upload=upload: services.do_attach_receipt(expense, actor=world.member, upload=upload)
        )
    assert not Expense.objects.get(pk=expense.pk).receipt
    saved = services.do_attach_receipt(
        expense, actor=world.member, upload=SimpleUploadedFile("a.pdf", PDF, "application/pdf")
    )
    assert saved.receipt.name.endswith(".pdf") and saved.version == expense.version + 1
    with saved.receipt.open("rb") as stored:
        assert stored.read() == PDF
    replaced = services.do_attach_receipt(
        saved, actor=world.member, upload=SimpleUploadedFile("b.png", PNG, "image/png")
    )
    assert replaced.receipt.name.endswith(".png")


def test_removing_a_draft_removes_it(world: World) -> None:
    expense = draft(world)
    services.do_delete_expense(expense, version=expense.version, actor=world.member)
    assert not Expense.objects.filter(pk=expense.pk).exists()
    other = draft(world)
    with pytest.raises(PermissionDenied):
        services.do_delete_expense(other, version=other.version, actor=world.team_viewer)
