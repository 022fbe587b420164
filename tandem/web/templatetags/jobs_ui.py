"""A download that is a plain link for a small project and a background job for a big one."""

from __future__ import annotations

from typing import Any

from django import template

from tandem.core import jobs

register = template.Library()


@register.inclusion_tag("web/components/download.html", takes_context=True)
def download(
    context: Any, kind: str, label: str, href: str, classes: str = "btn btn-sm", **params: Any
) -> dict[str, Any]:
    """A link to ``href``, or, when the job ``kind`` says the output is big, a button that starts it."""
    scope = context["scope"]
    return {
        "big": jobs.kind_of(kind).is_big(scope.viewer, scope.project, params),
        "kind": kind,
        "params": params,
        "label": label,
        "href": href,
        "classes": classes,
        "project": scope.project,
        "q": scope.query_suffix,
        "csrf_token": context.get("csrf_token"),
    }
