"""The charter as data: frozen copies for revisions, and what changed between two of them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tandem.core.audit import plain
from tandem.core.choices import Visibility
from tandem.projects.choices import CharterSectionKey
from tandem.projects.models import (
    CharterSection,
    Deliverable,
    Goal,
    Kpi,
    Project,
    RaciAssignment,
    Stakeholder,
)

#: The most acceptance criteria a requirement or a deliverable has, and the longest one.
MAX_CRITERIA = 50
MAX_CRITERION_LENGTH = 1000


def clean_criteria(value: Any) -> list[str]:
    """An ordered list of non-empty criteria from a list or from text with one criterion per line."""
    if value is None:
        return []
    if isinstance(value, str):
        items: Iterable[Any] = value.splitlines()
    elif isinstance(value, list | tuple):
        items = value
    else:
        raise ValidationError(
            {"acceptance_criteria": [_("Give the acceptance criteria as a list of texts.")]}
        )
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValidationError({"acceptance_criteria": [_("Each acceptance criterion must be a text.")]})
        text = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", item).strip()
        if not text:
            continue
        if len(text) > MAX_CRITERION_LENGTH:
            raise ValidationError(
                {
                    "acceptance_criteria": [
                        _("An acceptance criterion may have at most %(n)s characters.")
                        % {"n": MAX_CRITERION_LENGTH}
                    ]
                }
            )
        out.append(text)
    if len(out) > MAX_CRITERIA:
        raise ValidationError(
            {"acceptance_criteria": [_("At most %(n)s acceptance criteria.") % {"n": MAX_CRITERIA}]}
        )
    return out


ITEM_FIELDS: dict[str, tuple[type[Any], tuple[str, ...]]] = {
    "goals": (Goal, ("statement", "measure", "target", "due_date")),
    "kpis": (
        Kpi,
        ("name", "definition", "unit", "direction", "target", "warning_threshold", "alarm_threshold"),
    ),
    "stakeholders": (
        Stakeholder,
        ("name", "side", "organization", "role_title", "influence", "interest", "contact"),
    ),
    "deliverables": (Deliverable, ("name", "description", "due_date", "acceptance_criteria")),
}


def charter_content(project: Project) -> dict[str, Any]:
    """A JSON copy of the whole charter (internal items included, each marked with its visibility)."""
    sections = {s.key: s.body for s in CharterSection.objects.filter(project=project)}
    content: dict[str, Any] = {"sections": {k: sections.get(k, "") for k in CharterSectionKey.values}}
    for key, (model, fields) in ITEM_FIELDS.items():
        content[key] = [
            {"id": item.pk, "visibility": item.visibility, **{f: plain(getattr(item, f)) for f in fields}}
            for item in model.objects.filter(project=project).order_by("position", "id")
        ]
    raci: dict[str, dict[str, str]] = {}
    for cell in RaciAssignment.objects.filter(deliverable__project=project).order_by("id"):
        raci.setdefault(str(cell.deliverable_id), {})[str(cell.stakeholder_id)] = cell.letter
    for deliverable in content["deliverables"]:
        deliverable["raci"] = raci.get(str(deliverable["id"]), {})
    return content


def visible_content(content: dict[str, Any], *, include_internal: bool) -> dict[str, Any]:
    """``content`` as one viewer may see it: a client sees shared items only."""
    if include_internal:
        return content
    shared_stakeholders = {
        str(s["id"]) for s in content.get("stakeholders", []) if s["visibility"] == Visibility.SHARED
    }
    out: dict[str, Any] = {"sections": dict(content.get("sections", {}))}
    for key in ITEM_FIELDS:
        out[key] = [
            dict(item) for item in content.get(key, []) if item.get("visibility") == Visibility.SHARED
        ]
    for deliverable in out["deliverables"]:
        deliverable["raci"] = {
            k: v for k, v in deliverable.get("raci", {}).items() if k in shared_stakeholders
        }
    return out


def _label(key: str, item: dict[str, Any]) -> str:
    return str(item.get("statement") or item.get("name") or item.get("id"))


def diff_content(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """The changes from ``old`` to ``new``: one entry per changed section or added/removed/changed item.

    Each entry is ``{"part", "change": added|removed|changed, "label", "fields": {field: [old, new]}}``.
    """
    changes: list[dict[str, Any]] = []
    old_sections, new_sections = old.get("sections", {}), new.get("sections", {})
    for key in CharterSectionKey.values:
        if old_sections.get(key, "") != new_sections.get(key, ""):
            changes.append(
                {
                    "part": "sections",
                    "change": "changed",
                    "label": str(CharterSectionKey(key).label),
                    "fields": {key: [old_sections.get(key, ""), new_sections.get(key, "")]},
                }
            )
    for key in ITEM_FIELDS:
        before = {item["id"]: item for item in old.get(key, [])}
        after = {item["id"]: item for item in new.get(key, [])}
        for item_id, item in after.items():
            if item_id not in before:
                changes.append({"part": key, "change": "added", "label": _label(key, item), "fields": {}})
                continue
            # A revision frozen before a field existed (a deliverable's criteria) had it empty.
            was = {f: before[item_id].get(f, [] if isinstance(v, list) else None) for f, v in item.items()}
            fields = {
                f: [was[f], v] for f, v in item.items() if f not in {"id", "visibility"} and was[f] != v
            }
            if fields:
                changes.append(
                    {"part": key, "change": "changed", "label": _label(key, item), "fields": fields}
                )
        for item_id, item in before.items():
            if item_id not in after:
                changes.append({"part": key, "change": "removed", "label": _label(key, item), "fields": {}})
    return changes
