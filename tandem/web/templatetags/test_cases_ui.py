"""Badges of test results and quality checks, in the reader's language."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from tandem.quality.choices import CheckResult, RunResult

register = template.Library()

#: The badge class of each result of a run or a check.
BADGES: dict[str, str] = {
    RunResult.PASSED: "badge badge-shared",
    RunResult.FAILED: "badge badge-danger",
    RunResult.BLOCKED: "badge badge-warn",
    RunResult.NOT_RUN: "badge",
    CheckResult.NOT_APPLICABLE: "badge",
}


@register.simple_tag
def run_badge(result: str | None) -> SafeString:
    """A run's result as a badge ("Not run" when it never ran)."""
    value = result or RunResult.NOT_RUN
    label = RunResult(value).label if value in RunResult.values else value
    return format_html('<span class="{}">{}</span>', BADGES.get(value, "badge"), label)


@register.simple_tag
def check_badge(result: str | None) -> SafeString:
    """A quality check's result as a badge ("Not checked" when there is none)."""
    if not result:
        return format_html('<span class="badge">{}</span>', gettext("Not checked"))
    label = CheckResult(result).label if result in CheckResult.values else result
    return format_html('<span class="{}">{}</span>', BADGES.get(result, "badge"), label)
