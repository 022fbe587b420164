"""Onboarding in templates: a glossary term linked to its entry, and the project home's first-visit
prompt and client PM readiness checklist."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from tandem.onboarding import glossary
from tandem.onboarding.queries import shows_first_visit_prompt
from tandem.onboarding.readiness import readiness_of
from tandem.projects.choices import Role
from tandem.web import navigation

register = template.Library()

#: Who sees the readiness checklist on the project home: those who make the client ready, and the
#: client's own decision makers.
READINESS_ROLES = frozenset({Role.PROJECT_MANAGER, Role.LEAD, Role.SPONSOR, Role.CLIENT_PM})


def _chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def term_label(entry: glossary.Term) -> str:
    """The term in the reader's language."""
    return entry.zh if _chinese() else entry.en


@register.simple_tag
def term(key: str, text: str = "") -> SafeString:
    """``{% term "baseline" %}``: the term (or ``text``) as a link to its glossary entry, its definition
    (in the reader's language) as the link's title. An unknown key renders the text alone."""
    entry = glossary.term(key)
    if entry is None:
        return format_html("{}", text or key)
    definition = entry.zh_definition if _chinese() else entry.en_definition
    return format_html(
        '<a class="glossary-term" href="{}#{}" title="{}">{}</a>',
        reverse("web:glossary"),
        entry.anchor,
        f"{entry.zh} · {entry.en}: {definition}",
        text or term_label(entry),
    )


def page_link(scope: Any, key: str) -> tuple[str, str]:
    """Where the project page with navigation key ``key`` is ("Section › Page") and its address; two
    empty strings when no section holds it or its view is not installed."""
    for section in navigation.SECTIONS:
        for page in section.pages:
            if page.key == key:
                try:
                    url = reverse(f"web:{page.url_name}", args=[scope.project.code])
                except NoReverseMatch:
                    return "", ""
                href = url + (scope.query_suffix if page.keeps_preview else "")
                return f"{section.label} › {page.label}", href
    return "", ""


def page_href(scope: Any, key: str) -> str:
    """The address of the project page with navigation key ``key`` ("" when no section holds it)."""
    return page_link(scope, key)[1]


@register.simple_tag(takes_context=True)
def onboarding_home(context: Any) -> dict[str, Any]:
    """What the project home shows of onboarding: the first-visit prompt (until dismissed) and, for
    those who make the client ready, the readiness checklist with a link to fix each open check."""
    scope = context["scope"]
    request = context.get("request")
    # The home shows the prompt and the checklist in two places: read them once per request.
    cached = getattr(request, "_onboarding_home", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    prompt = not scope.preview and shows_first_visit_prompt(scope.user, scope.project)
    readiness = None
    checks: list[tuple[Any, str]] = []
    if scope.role in READINESS_ROLES:
        readiness = readiness_of(scope.project)
        checks = [(check, page_href(scope, check.page)) for check in readiness.checks]
    found = {"prompt": prompt, "readiness": readiness, "checks": checks}
    if request is not None:
        request._onboarding_home = found
    return found
