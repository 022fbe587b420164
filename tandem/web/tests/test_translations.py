"""The Simplified Chinese catalogue is complete, current with the source, and used by the pages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command

CATALOGUE = Path(settings.BASE_DIR) / "tandem" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale="zh_Hans")


def keys(catalog: Catalog) -> set[tuple[str | None, str]]:
    return {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalog if m.id}


def test_it_translates_every_message_and_marks_none_fuzzy() -> None:
    catalog = read_catalogue(CATALOGUE)
    assert not catalog.fuzzy, "the catalogue header is marked fuzzy"
    untranslated, fuzzy, broken = [], [], []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s.strip() for s in strings):
            untranslated.append(ids[0])
        if message.fuzzy:
            fuzzy.append(ids[0])
        # Django formats with named placeholders: a translation must use exactly the source's names.
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        if any(set(PLACEHOLDER.findall(s)) != wanted for s in strings):
            broken.append(ids[0])
    assert untranslated == [], f"untranslated: {untranslated}"
    assert fuzzy == [], f"fuzzy: {fuzzy}"
    assert broken == [], f"placeholders differ from the source: {broken}"


def test_it_has_a_real_chinese_translation_for_the_core_terms() -> None:
    translations = {m.id: m.string for m in read_catalogue(CATALOGUE) if m.id and not m.context}
    assert translations["Confirm charter"] == "确认项目章程"
    assert translations["Stakeholders"] == "干系人"
    assert translations["Decision rights"] == "决策权"
    assert translations["Internal"] == "内部"
    assert translations["Shared"] == "共享"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_it_holds_every_string_the_source_marks_for_translation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Extract the source afresh (as `makemessages` does) into a copy and compare with the catalogue."""
    source = Path(settings.BASE_DIR) / "tandem"
    shutil.copytree(
        source,
        tmp_path / "tandem",
        ignore=shutil.ignore_patterns("locale", "__pycache__", "static", "migrations"),
    )
    (tmp_path / "tandem" / "locale").mkdir()
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["zh_Hans"], verbosity=0)
    extracted = keys(read_catalogue(tmp_path / "tandem" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = sorted(extracted - keys(read_catalogue(CATALOGUE)), key=str)
    assert missing == [], (
        "strings marked for translation but missing from tandem/locale: run "
        "`manage.py makemessages -l zh_Hans --ignore=.venv --ignore=node_modules` and translate them: "
        f"{missing}"
    )
    # Sanity: the extraction did reach the templates, the web views and the emails.
    assert (None, "Scope and changes") in extracted
    assert (None, "The note was added.") in extracted
    assert (None, "Accept the invitation") in extracted


def test_it_defines_every_message_once() -> None:
    """Branches merged with a union of their catalogue lines must not leave a message defined twice
    (``msgfmt`` refuses such a catalogue, and only the first definition would be used)."""
    seen: set[tuple[str | None, str]] = set()
    twice: list[str] = []
    context: str | None = None
    text = CATALOGUE.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        context = None
        for line in block.splitlines():
            if line.startswith("msgctxt "):
                context = line[len("msgctxt ") :]
            elif line.startswith("msgid ") and line != 'msgid ""':
                key = (context, line[len("msgid ") :])
                if key in seen:
                    twice.append(line)
                seen.add(key)
    assert twice == []
