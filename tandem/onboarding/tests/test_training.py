"""Training material: only the PM keeps it; documents are checked by their bytes; each client member
marks the items meant for them, once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tandem.core.errors import ConflictError
from tandem.core.models import Activity
from tandem.onboarding import queries, services
from tandem.onboarding.models import TrainingCompletion, TrainingItem, TrainingKind
from tandem.projects.choices import Role
from tandem.testing.personas import World

pytestmark = pytest.mark.django_db

GUIDE = {"kind": TrainingKind.GUIDE, "title": "How to approve", "body": "Read the impact first."}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_only_the_project_manager_keeps_the_training(world: World) -> None:
    for persona in ("lead", "member", "sponsor", "client_pm", "client_viewer"):
        with pytest.raises(PermissionDenied):
            services.do_add_training_item(world.project, actor=world.people[persona], data=GUIDE)
    item = services.do_add_training_item(world.project, actor=world.pm, data=GUIDE)
    assert item.position == 1
    assert services.do_add_training_item(world.project, actor=world.pm, data=GUIDE).position == 2
    with pytest.raises(PermissionDenied):
        services.do_update_training_item(
            item, actor=world.client_pm, version=item.version, data={"title": "x"}
        )
    with pytest.raises(PermissionDenied):
        services.do_delete_training_item(item, actor=world.sponsor, version=item.version)
    assert Activity.objects.filter(verb="created", target_type="onboarding.trainingitem").count() == 2


def test_each_kind_needs_its_content_and_the_audience_is_the_clients(world: World) -> None:
    cases = [
        ({"kind": TrainingKind.LINK, "title": "A link"}, "url"),
        ({"kind": TrainingKind.GUIDE, "title": "A guide", "body": "  "}, "body"),
        ({"kind": TrainingKind.DOCUMENT, "title": "A document"}, "file"),
        ({**GUIDE, "audience_roles": [Role.PROJECT_MANAGER]}, "audience_roles"),
        ({**GUIDE, "title": ""}, "title"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as caught:
            services.do_add_training_item(world.project, actor=world.pm, data=data)
        assert field in caught.value.message_dict, (data, caught.value.message_dict)
    assert not TrainingItem.objects.exists()


def test_a_document_is_told_by_its_bytes_not_its_name(world: World) -> None:
    fake = SimpleUploadedFile("slides.pdf", b"<script>alert(1)</script>", content_type="application/pdf")
    with pytest.raises(ValidationError) as caught:
        services.do_add_training_item(
            world.project,
            actor=world.pm,
            data={"kind": TrainingKind.DOCUMENT, "title": "Slides"},
            upload=fake,
        )
    assert "file" in caught.value.message_dict
    real = SimpleUploadedFile("slides.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    item = services.do_add_training_item(
        world.project, actor=world.pm, data={"kind": TrainingKind.DOCUMENT, "title": "Slides"}, upload=real
    )
    assert item.filename == "slides.pdf"
    assert item.file.read().startswith(b"%PDF")


def test_an_edit_based_on_an_old_version_conflicts(world: World) -> None:
    item = services.do_add_training_item(world.project, actor=world.pm, data=GUIDE)
    services.do_update_training_item(item, actor=world.pm, version=item.version, data={"title": "New"})
    with pytest.raises(ConflictError):
        services.do_update_training_item(item, actor=world.pm, version=item.version, data={"title": "Old"})
    with pytest.raises(ConflictError):
        services.do_delete_training_item(item, actor=world.pm, version=item.version)
    services.do_delete_training_item(item, actor=world.pm, version=item.version + 1)
    assert not TrainingItem.objects.exists()


def test_client_members_mark_the_items_meant_for_them_once(world: World) -> None:
    for_pm = services.do_add_training_item(
        world.project, actor=world.pm, data={**GUIDE, "audience_roles": [Role.CLIENT_PM]}
    )
    for_all = services.do_add_training_item(world.project, actor=world.pm, data=GUIDE)
    services.do_mark_training_done(for_pm, actor=world.client_pm)
    services.do_mark_training_done(for_pm, actor=world.client_pm)  # twice: recorded once
    assert TrainingCompletion.objects.filter(item=for_pm).count() == 1
    with pytest.raises(PermissionDenied):
        services.do_mark_training_done(for_pm, actor=world.sponsor)  # not meant for the sponsor
    with pytest.raises(PermissionDenied):
        services.do_mark_training_done(for_all, actor=world.pm)  # the team's training is not tracked
    services.do_mark_training_done(for_all, actor=world.sponsor)
    services.do_mark_training_done(for_pm, actor=world.client_pm, done=False)
    assert set(TrainingCompletion.objects.values_list("user_id", "item_id")) == {
        (world.sponsor.pk, for_all.pk)
    }

    # The sponsor sees the item for everyone, not the client PM's; the team sees both.
    assert [i.pk for i in queries.training_items_of(world.sponsor, world.project)] == [for_all.pk]
    assert len(queries.training_items_of(world.member, world.project)) == 2
    assert queries.training_items_of(world.people["other_client"], world.project) == []

    table = {
        row.membership.user_id: row for row in queries.completion_table(world.project, [for_pm, for_all])
    }
    assert set(table) == {world.sponsor.pk, world.client_pm.pk, world.reviewer.pk, world.client_viewer.pk}
    assert (table[world.sponsor.pk].done, table[world.sponsor.pk].expected) == (1, 1)
    assert (table[world.client_pm.pk].done, table[world.client_pm.pk].expected) == (0, 2)
    assert [c.expected for c in table[world.sponsor.pk].cells] == [False, True]
