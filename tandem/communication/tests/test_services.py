"""Comments, mentions and notifications: who sees what, who may do what, and what bad input gets."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from tandem.communication import queries, services, targets
from tandem.communication.models import Mention, Notification
from tandem.core.choices import Visibility
from tandem.core.errors import ConflictError
from tandem.core.models import Activity
from tandem.core.scoping import ClientLens, remembering_memberships
from tandem.projects import services as project_services
from tandem.projects.models import Membership
from tandem.risks import services as risk_services
from tandem.testing.personas import World


def test_a_client_never_sees_an_internal_comment_nor_its_notification(world: World) -> None:
    note = world.records["note_shared"]
    internal = services.do_add_comment(
        note,
        actor=world.pm,
        body='Margin is thin, @"Bob Member" @cindy@northwind.test',
        visibility="internal",
    )
    shared = services.do_add_comment(note, actor=world.pm, body="Ready for review @cindy@northwind.test")
    assert internal.visibility == Visibility.INTERNAL
    assert list(queries.comments_of(world.member, note)) == [internal, shared]
    assert list(queries.comments_of(world.client_pm, note)) == [shared]
    assert list(queries.comments_of(ClientLens(world.pm), note)) == [shared]
    # The client PM named on the internal comment is neither recorded nor told.
    assert list(Mention.objects.filter(comment=internal).values_list("user__email", flat=True)) == [
        "bob@acme.test"
    ]
    assert [n.comment for n in queries.notifications_of(world.client_pm)] == [shared]
    assert [n.comment for n in queries.notifications_of(world.member)] == [internal]
    assert not Activity.objects.visible_to(world.client_pm).filter(changes__comment=internal.pk).exists()


def test_a_record_turned_internal_takes_its_comments_and_notifications_from_the_client(
    world: World,
) -> None:
    note = world.records["note_shared"]
    comment = services.do_add_comment(note, actor=world.pm, body="Budget agreed @cindy@northwind.test")
    assert [n.comment for n in queries.notifications_of(world.client_pm)] == [comment]
    project_services.do_update_note(
        note, actor=world.pm, version=note.version, visibility=Visibility.INTERNAL
    )
    assert list(queries.notifications_of(world.client_pm)) == []
    assert queries.unread_count(world.client_pm) == 0
    assert list(queries.comments_of(world.client_pm, note)) == []
    # The team still has both.
    assert list(queries.comments_of(world.member, note)) == [comment]


def test_the_unread_badge_counts_what_the_list_shows_and_scopes_only_the_kinds_it_needs(world: World) -> None:
    with CaptureQueriesContext(connection) as nothing:
        assert queries.unread_count(world.client_pm) == 0
    assert len(nothing) == 1  # no unread notification: no scope is built at all
    note, goal = world.records["note_shared"], world.records["goal_shared"]
    services.do_add_comment(note, actor=world.pm, body="On the note @cindy@northwind.test")
    services.do_add_comment(goal, actor=world.pm, body="On the goal @cindy@northwind.test")
    listed = queries.notifications_of(world.client_pm, unread=True).count()
    assert listed == 2
    with CaptureQueriesContext(connection) as counted:
        assert queries.unread_count(world.client_pm) == listed
    # The count's one query scopes the two kinds its notifications name, not every commentable kind.
    scoped = counted.captured_queries[-1]["sql"]
    everything = str(queries.notifications_of(world.client_pm, unread=True).query)
    assert scoped.count("target_type_id") < everything.count("target_type_id")
    project_services.do_update_note(
        note, actor=world.pm, version=note.version, visibility=Visibility.INTERNAL
    )
    assert (
        queries.unread_count(world.client_pm)
        == 1
        == queries.notifications_of(world.client_pm, unread=True).count()
    )


def test_a_kept_unread_count_follows_the_reader_s_memberships_and_the_kinds_named(world: World) -> None:
    note, goal = world.records["note_shared"], world.records["goal_shared"]
    services.do_add_comment(note, actor=world.pm, body="On the note @cindy@northwind.test")
    with remembering_memberships():  # as in a request: the scope lists the reader's projects
        assert queries.unread_count(world.client_pm) == 1
    services.do_add_comment(goal, actor=world.pm, body="On the goal @cindy@northwind.test")
    with remembering_memberships():  # a new kind named: another statement
        assert queries.unread_count(world.client_pm) == 2
    membership = Membership.objects.get(project=world.project, user=world.client_pm)
    project_services.do_remove_member(membership, actor=world.pm)
    with remembering_memberships():  # off the project: another key, nothing readable
        assert queries.unread_count(world.client_pm) == 0
        assert queries.notifications_of(world.client_pm, unread=True).count() == 0


def test_visibility_follows_the_target_and_the_side(world: World) -> None:
    internal_note = world.records["note_internal"]
    forced = services.do_add_comment(internal_note, actor=world.pm, body="x", visibility="shared")
    assert forced.visibility == Visibility.INTERNAL
    client = services.do_add_comment(
        world.records["goal_shared"], actor=world.client_pm, body="ok", visibility="internal"
    )
    assert client.visibility == Visibility.SHARED
    with pytest.raises(Http404):
        services.do_add_comment(internal_note, actor=world.client_pm, body="let me in")
    with pytest.raises(Http404):
        queries.access_comment(world.client_pm, world.project, forced.pk)
    assert list(queries.comments_of(world.client_pm, internal_note)) == []


def test_mentions_by_email_and_by_name_notify_each_member_once(world: World) -> None:
    risk = risk_services.do_add_risk(world.project, actor=world.member, title="Key user leaves")
    comment = services.do_add_comment(
        risk,
        actor=world.member,
        body='@"Alice PM" and @ALICE@acme.test, also @"Sam Sponsor", @"Nobody Here", @carol@contoso.test',
    )
    assert sorted(m.user.email for m in comment.mentions.all()) == ["alice@acme.test", "sam@northwind.test"]
    assert Notification.objects.filter(comment=comment).count() == 2
    assert queries.unread_count(world.pm) == 1
    assert queries.unread_count(world.other_client) == 0
    # Editing adds only the newly mentioned members.
    edited = services.do_edit_comment(
        comment, actor=world.member, body=comment.body + ' and @"Larry Lead"', version=1
    )
    assert edited.version == 2
    assert Notification.objects.filter(comment=comment).count() == 3
    assert services.do_mark_read(world.pm) == 1
    assert queries.unread_count(world.pm) == 0
    assert queries.notifications_of(world.pm).count() == 1


def test_only_the_author_edits_and_the_author_or_pm_deletes(world: World) -> None:
    goal = world.records["goal_shared"]
    comment = services.do_add_comment(goal, actor=world.member, body="first")
    with pytest.raises(PermissionDenied):
        services.do_edit_comment(comment, actor=world.pm, body="hijack", version=1)
    with pytest.raises(ConflictError):
        services.do_edit_comment(comment, actor=world.member, body="second", version=7)
    with pytest.raises(PermissionDenied):
        services.do_delete_comment(comment, actor=world.client_pm)
    services.do_delete_comment(comment, actor=world.pm)
    assert list(queries.comments_of(world.pm, goal)) == []
    with pytest.raises(PermissionDenied):
        services.do_add_comment(goal, actor=world.client_viewer, body="viewers only read")
    with pytest.raises(Http404):
        services.do_add_comment(goal, actor=world.other_client, body="not my project")


def test_bad_input_names_the_field(world: World) -> None:
    goal = world.records["goal_shared"]
    with pytest.raises(ValidationError) as empty:
        services.do_add_comment(goal, actor=world.pm, body="   ")
    assert "body" in empty.value.message_dict
    with pytest.raises(ValidationError) as nul:
        services.do_add_comment(goal, actor=world.pm, body="a\x00b")
    assert "body" in nul.value.message_dict
    with pytest.raises(ValidationError) as vis:
        services.do_add_comment(goal, actor=world.pm, body="x", visibility="public")
    assert "visibility" in vis.value.message_dict
    with pytest.raises(ValidationError) as version:
        services.do_edit_comment(
            services.do_add_comment(goal, actor=world.pm, body="y"), actor=world.pm, body="z", version=None
        )
    assert "version" in version.value.message_dict
    with pytest.raises(ValidationError) as not_commentable:
        services.do_add_comment(world.project, actor=world.pm, body="x")
    assert "target" in not_commentable.value.message_dict
    for spec in ("", "risk", "risk:abc", "planet:1", "risk:-3"):
        with pytest.raises(ValidationError):
            targets.parse(spec)
    with pytest.raises(Http404):
        targets.access_target(world.pm, world.project, f"goal:{world.records['other_goal'].pk}")


def test_markdown_is_sanitised(world: World) -> None:
    comment = services.do_add_comment(
        world.records["goal_shared"],
        actor=world.pm,
        body="**bold** <script>alert(1)</script> [x](javascript:y)",
    )
    html = comment.body_html
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


@pytest.mark.parametrize("count", [3, 30])
def test_reading_comments_takes_the_same_number_of_queries(world: World, count: int) -> None:
    note = world.records["note_shared"]
    for i in range(count):
        services.do_add_comment(note, actor=world.member, body=f'{i} @"Alice PM"')
    with CaptureQueriesContext(connection) as ctx:
        rows = list(queries.comments_of(world.pm, note))
        for row in rows:
            _ = (row.author.full_name, [m.user.email for m in row.mentions.all()], row.body_html)
        notes = list(queries.notifications_of(world.pm))
        for n in notes:
            _ = (n.actor.full_name if n.actor else "", n.comment.body if n.comment else "", n.project.code)
    assert len(rows) == len(notes) == count
    assert len(ctx.captured_queries) == 4
