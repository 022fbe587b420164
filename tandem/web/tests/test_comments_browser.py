"""In a real browser (Debian's Chromium through Playwright): the client PM discusses an issue.

From the issue log, "Comments (1)" opens the panel in a drawer; Ctrl+Enter adds a comment; Edit
turns the comment into a form, Esc gives it back untouched, Ctrl+Enter saves and marks it edited;
Delete asks first; Esc closes the drawer.
"""

from __future__ import annotations

from typing import Any

from tandem.communication import services
from tandem.communication.models import Comment
from tandem.core.choices import Visibility
from tandem.risks import services as risks
from tandem.testing.browser import BROWSER_MARKS, sign_in
from tandem.testing.personas import World

pytestmark = BROWSER_MARKS


def test_the_client_pm_comments_edits_and_deletes_from_the_issue_log(
    transactional_db: None, live_server: Any, world: World, browser: Any
) -> None:
    issue = risks.do_add_issue(
        world.project, actor=world.pm, title="Test server down", visibility=Visibility.SHARED
    )
    services.do_add_comment(issue, actor=world.pm, body="We are on it.")
    services.do_add_comment(issue, actor=world.pm, body="Hosting margin SECRET", visibility="internal")
    page = sign_in(browser, live_server.url, world.client_pm.email)
    page.goto(f"{live_server.url}/projects/ERP/issues/")
    page.get_by_role("link", name="Comments (1)").click()
    drawer = page.locator("#comments-slot")
    drawer.get_by_text("We are on it.").wait_for()
    assert "SECRET" not in drawer.inner_text()

    page.locator("#comments textarea[name=body]").fill("Thanks, when will it be back?")
    page.locator("#comments textarea[name=body]").press("Control+Enter")
    mine = drawer.locator("article", has_text="Thanks, when will it be back?")
    mine.wait_for()
    comment = Comment.objects.get(body="Thanks, when will it be back?")
    assert comment.author_id == world.client_pm.pk

    mine.get_by_role("link", name="Edit comment").click()
    editor = page.locator(f"#comment-{comment.pk} textarea[name=body]")
    editor.wait_for()
    page.wait_for_function(
        f"document.activeElement && document.activeElement.closest('#comment-{comment.pk}')"
    )
    editor.fill("Discarded")
    editor.press("Escape")
    page.locator(f"article#comment-{comment.pk}").wait_for()
    assert "Discarded" not in drawer.inner_text() and drawer.is_visible()

    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Edit comment").click()
    editor.wait_for()
    editor.fill("Thanks, when will it be **back**?")
    editor.press("Control+Enter")
    saved = page.locator(f"article#comment-{comment.pk}")
    saved.locator("strong", has_text="back").wait_for()
    assert "edited" in saved.inner_text()
    comment.refresh_from_db()
    assert comment.body == "Thanks, when will it be **back**?" and comment.version == 2

    asked: list[str] = []

    def accept(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    saved.get_by_role("link", name="Delete comment").click()
    page.locator(f"#comment-{comment.pk}").wait_for(state="detached")
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert asked == ["Delete this comment? This cannot be undone."]

    page.locator("#comments-h").press("Escape")
    page.locator("#comments").wait_for(state="detached")
    assert not drawer.is_visible()
