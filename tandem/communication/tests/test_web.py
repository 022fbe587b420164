"""The comments panel, the notifications page and the bell, as each side sees them."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tandem.communication import services
from tandem.communication.models import Comment
from tandem.planning import services as planning
from tandem.testing.personas import World


def _client(world: World, who: str) -> Client:
    client = Client()
    client.force_login(world.people[who])
    return client


def test_the_panel_hides_internal_comments_from_the_client_and_adds_with_htmx(world: World) -> None:
    task = planning.do_add_task(world.project, actor=world.pm, name="Design", duration_minutes=480)
    services.do_add_comment(task, actor=world.pm, body="Margin is **thin**", visibility="internal")
    services.do_add_comment(task, actor=world.pm, body='Please review, @"Cindy Client PM"')
    url = reverse("web:comments", args=["ERP", f"task:{task.pk}"])
    team = _client(world, "member").get(url, headers={"HX-Request": "true"})
    assert team.status_code == 200 and "<strong>thin</strong>" in team.text and "<html" not in team.text
    client = _client(world, "client_pm")
    page = client.get(url)
    assert page.status_code == 200 and "Margin" not in page.text and "Please review" in page.text
    added = client.post(url, {"body": "Done", "visibility": "internal"}, headers={"HX-Request": "true"})
    assert added.status_code == 200 and "Done" in added.text
    assert Comment.objects.get(body="Done").visibility == "shared"
    empty = client.post(url, {"body": ""}, headers={"HX-Request": "true"})
    assert empty.status_code == 400
    assert _client(world, "client_viewer").post(url, {"body": "x"}).status_code == 403
    assert _client(world, "other_client").get(url).status_code == 404
    bad = _client(world, "pm").get(reverse("web:comments", args=["ERP", "planet:1"]))
    assert bad.status_code == 404
    edit_page = _client(world, "pm").get(reverse("web:plan_task_edit", args=["ERP", task.pk]))
    assert url in edit_page.text


def test_the_bell_counts_unread_and_the_page_marks_them_read(world: World) -> None:
    note = world.records["note_shared"]
    services.do_add_comment(note, actor=world.member, body='@"Cindy Client PM" have a look')
    services.do_add_comment(note, actor=world.member, body='@"Cindy Client PM" secret', visibility="internal")
    client = _client(world, "client_pm")
    home = client.get(reverse("web:project_list"))
    assert 'class="badge">1<' in home.text
    page = client.get(reverse("web:notifications"))
    assert "have a look" in page.text and "secret" not in page.text
    assert client.post(reverse("web:notifications")).status_code == 302
    assert 'class="badge">1<' not in client.get(reverse("web:project_list")).text


def test_delete_by_the_pm_and_not_by_a_client(world: World) -> None:
    goal = world.records["goal_shared"]
    comment = services.do_add_comment(goal, actor=world.member, body="to go")
    url = reverse("web:comment_delete", args=["ERP", comment.pk])
    assert _client(world, "client_pm").post(url).status_code == 403
    removed = _client(world, "pm").post(url, {"target": f"goal:{goal.pk}"}, headers={"HX-Request": "true"})
    assert removed.status_code == 200 and not Comment.objects.filter(pk=comment.pk).exists()
