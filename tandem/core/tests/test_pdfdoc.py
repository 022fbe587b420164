"""Long documents with ReportLab: Markdown as flowables, CJK line breaking, pages, outline, fonts."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.platypus import HRFlowable, Paragraph, Table, XPreformatted

from tandem.core import pdfdoc
from tandem.testing.pdf import pdf_text


@pytest.fixture
def styles() -> pdfdoc.Styles:
    return pdfdoc.Styles()


def paragraphs(flow: list[object]) -> list[Paragraph]:
    return [f for f in flow if isinstance(f, Paragraph)]


def test_markdown_becomes_paragraphs_lists_code_rules_and_tables(styles: pdfdoc.Styles) -> None:
    source = (
        "# Goal\n\nThe **stock** level, *refreshed* ~~hourly~~ often.\n\n"
        "- one\n- two\n  1. nested\n\n"
        "3. three\n4. four\n\n"
        "> quoted\n\n"
        "```\nSELECT 1;\n```\n\n---\n\n"
        "| Aisle | Count |\n|---|---|\n| A | 3 |\n"
    )
    flow = pdfdoc.markdown(source, styles)
    texts = [(p.text, p.bulletText) for p in paragraphs(flow)]
    assert texts[:2] == [
        ("Goal", None),
        ("The <b>stock</b> level, <i>refreshed</i> <strike>hourly</strike> often.", None),
    ]
    assert ("one", "•") in texts and ("two", "•") in texts
    assert ("nested", "1.") in texts
    assert ("three", "3.") in texts and ("four", "4.") in texts  # an ordered list keeps its start
    nested = next(p for p in paragraphs(flow) if p.text == "nested")
    one = next(p for p in paragraphs(flow) if p.text == "one")
    assert nested.style.leftIndent > one.style.leftIndent > 0
    assert any(isinstance(f, XPreformatted) for f in flow)
    assert any(isinstance(f, HRFlowable) for f in flow)
    (table,) = [f for f in flow if isinstance(f, Table)]
    assert [[cell.text for cell in row] for row in table._cellvalues] == [["Aisle", "Count"], ["A", "3"]]


def test_markdown_keeps_text_as_text_and_links_only_to_safe_schemes(styles: pdfdoc.Styles) -> None:
    source = "<script>alert(1)</script> & [site](https://example.com/?a=1&b=2) [bad](javascript:alert(1))\x07"
    (para,) = paragraphs(pdfdoc.markdown(source, styles))
    data = pdfdoc.build([para], pdfdoc.PageInfo(title="t"))
    text = pdf_text(data)
    assert "<script>alert(1)</script> &" in text and "\ufffd" in text
    annotations = [
        a.get_object()["/A"]["/URI"]
        for page in PdfReader(io.BytesIO(data)).pages
        for a in page.get("/Annots", [])
        if "/A" in a.get_object()
    ]
    assert annotations == ["https://example.com/?a=1&b=2"]


def test_cjk_line_breaking_only_for_runs_of_cjk_text() -> None:
    assert not pdfdoc.has_cjk("filter by supplier and 补货状态 (state)")
    assert pdfdoc.has_cjk("门店经理可以查看每个货架的库存水平")
    assert not pdfdoc.has_cjk("plain English")


def test_a_long_chinese_paragraph_wraps_inside_the_page(styles: pdfdoc.Styles) -> None:
    sentence = "门店经理可以查看每个货架的库存水平，每五分钟刷新一次，并可按通道、供应商和补货状态筛选。" * 6
    para = styles.para(pdfdoc.text(sentence), styles.body)
    _, height = para.wrap(400, 1000)
    assert para.style.wordWrap == "CJK"
    assert height > 5 * styles.body.leading  # several lines, not one line running off the page
    # Each line is (space left over, words): none is wider than the frame, but for a closing
    # punctuation mark that may hang past the edge rather than start the next line (kinsoku).
    assert all(line[0] >= -styles.body.fontSize for line in para.blPara.lines)


def test_pages_are_numbered_n_of_total_and_headings_make_the_outline(styles: pdfdoc.Styles) -> None:
    story = []
    for n in range(1, 41):
        story.append(pdfdoc.heading(styles, f"REQ-{n:03d} 需求 {n}", styles.h2, outline=f"REQ-{n:03d}"))
        story.extend(styles.para("Text of the requirement. " * 20, styles.body) for _ in range(3))
    data = pdfdoc.build(story, pdfdoc.PageInfo(title="Spec", footer_left="ERP"))
    reader = PdfReader(io.BytesIO(data))
    total = len(reader.pages)
    assert total > 3
    assert f"1 / {total}" in reader.pages[0].extract_text()
    assert f"{total} / {total}" in reader.pages[-1].extract_text()
    assert [getattr(entry, "title", None) for entry in reader.outline] == [
        f"REQ-{n:03d}" for n in range(1, 41)
    ]
    assert reader.metadata is not None and reader.metadata.title == "Spec"
    assert "需求 1" in pdf_text(data)


class _Progress:
    """Stands in for ``core.jobs.Progress`` (the job row is tested with the real one in requirements)."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, int]] = []
        self.done = 0
        self.total = 0

    def begin(self, step: str, total: int) -> None:
        self.steps.append((step, total))
        self.done, self.total = 0, total

    def advance(self, items: int = 1) -> None:
        self.done += items


def test_progress_counts_the_pages_laid_out(styles: pdfdoc.Styles) -> None:
    story = [styles.para("Line of text. " * 40, styles.body) for _ in range(30)]
    progress = _Progress()
    data = pdfdoc.build(story, pdfdoc.PageInfo(title="t"), progress=progress, expected_pages=2)  # type: ignore[arg-type]
    pages = len(PdfReader(io.BytesIO(data)).pages)
    assert progress.steps[0] == ("Laying out pages", 2)
    assert progress.steps[-1] == ("Writing the PDF", 1) and progress.done == 1
    assert pages > 2


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(pdfdoc, "CJK_FONT_FILES", ("/nonexistent/font.ttc",))
    monkeypatch.setattr("shutil.which", lambda name: None)
    pdfdoc.fonts.cache_clear()
    yield
    pdfdoc.fonts.cache_clear()


def test_without_a_cjk_truetype_font_the_viewer_font_is_used(no_cjk_font: None) -> None:
    fonts = pdfdoc.fonts()
    assert fonts.text == "STSong-Light" and not fonts.embedded
    styles = pdfdoc.Styles()
    data = pdfdoc.build([styles.para("确认记录 Confirmation", styles.body)], pdfdoc.PageInfo(title="t"))
    assert "Confirmation" in pdf_text(data)


def test_the_debian_font_is_embedded_when_installed() -> None:
    if not any(Path(p).is_file() for p in pdfdoc.CJK_FONT_FILES):
        pytest.skip("no CJK TrueType font installed (make install-system installs fonts-wqy-microhei)")
    pdfdoc.fonts.cache_clear()
    fonts = pdfdoc.fonts()
    assert fonts.embedded and fonts.text == "TandemText"
    styles = pdfdoc.Styles()
    data = pdfdoc.build([styles.para("确认记录", styles.body)], pdfdoc.PageInfo(title="t"))
    assert "确认记录" in pdf_text(data)
    resources: Any = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]
    page_fonts = [f.get_object() for f in resources["/Font"].values()]
    assert any("/FontFile2" in f["/FontDescriptor"] for f in page_fonts if "/FontDescriptor" in f)
