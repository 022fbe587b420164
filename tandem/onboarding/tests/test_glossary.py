"""The glossary: about thirty bilingual terms with unique keys, found by a word of either language."""

from __future__ import annotations

from tandem.onboarding import glossary


def test_it_holds_the_terms_the_pages_use_in_both_languages() -> None:
    keys = [t.key for t in glossary.TERMS]
    assert len(keys) >= 30
    assert len(set(keys)) == len(keys)
    for key in (
        "baseline",
        "critical_path",
        "change_request",
        "earned_value",
        "planned_value",
        "actual_cost",
    ):
        assert glossary.term(key) is not None
    for t in glossary.TERMS:
        assert t.zh and t.en and t.zh_definition and t.en_definition
        assert t.anchor == f"term-{t.key}"
    assert glossary.term("baseline").zh == "基线"  # type: ignore[union-attr]
    assert glossary.term("nope") is None


def test_it_finds_a_term_by_chinese_english_or_its_definition() -> None:
    assert next(t.key for t in glossary.search("关键路径")) == "critical_path"
    assert "scope_creep" in [t.key for t in glossary.search("SCOPE creep")]
    assert "spi" in [t.key for t in glossary.search("EV ÷ PV")]
    assert glossary.search("") == list(glossary.TERMS)
    assert glossary.search("no such word anywhere") == []
