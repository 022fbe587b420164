"""Long documents as PDF with ReportLab: hundreds of pages of headings, paragraphs and lists in seconds.

WeasyPrint (``tandem.core.pdf``) lays out HTML and CSS, and costs 35–50 ms of CPU per page: right for
a status report or a certificate, too slow for a 500-requirement specification (250 pages, 12 s).
ReportLab lays out flowables directly, about seven times faster, so the documents that grow with a
project's size are built here (``docs/architecture.md``, "PDF documents"):

- :func:`fonts` registers one TrueType font that covers Chinese and Latin text (WenQuanYi Micro Hei,
  as in the HTML documents' font stack, found where Debian installs it or through fontconfig), and
  falls back to ReportLab's built-in CID font when none is installed;
- :class:`Styles` holds the paragraph styles; :meth:`Styles.para` picks a style's CJK twin (line
  breaks between any two characters) only for text with a run of CJK characters (``has_cjk``);
- :func:`markdown` turns a Markdown source into flowables with markdown-it's parser (the same rules
  as ``requirements.markup``: CommonMark, tables, strikethrough, no raw HTML, only http, https and
  mailto links);
- :func:`build` lays out a story on A4 pages with a "n / N" footer, an outline (bookmarks) and a
  step of a background job's progress per page.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext_noop

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from tandem.core.jobs import Progress

#: Fonts tried first, where Debian's packages install them (``fonts-wqy-microhei`` is what
#: ``make install-system`` installs). TrueType outlines only: ReportLab cannot embed CFF fonts.
CJK_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
MONO_FONT_FILES = ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",)

#: Runs of CJK ideographs, kana, hangul, CJK punctuation and full-width forms long enough to need
#: breaks inside them. A shorter run ("补货状态" in an English sentence) wraps as a word does.
_CJK_CHARS = r"[\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
_CJK_RUN = re.compile(_CJK_CHARS + "{7,}")
#: Any character the monospaced font lacks (it has no CJK glyphs).
_NOT_MONO = re.compile(_CJK_CHARS)
#: Characters a PDF's text cannot carry (C0 controls but tab and newline, lone surrogates).
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

ACCENT = "#1d4ed8"
MUTED = "#666666"
RULE = "#bbbbbb"


@dataclass(frozen=True)
class Fonts:
    """The registered font names: ``text`` for everything, ``mono`` for code without CJK."""

    text: str
    mono: str
    embedded: bool


def _font_file(candidates: Iterable[str], pattern: str) -> str | None:
    """The first candidate on disk, else what fontconfig matches for ``pattern`` if it is TrueType."""
    for path in candidates:
        if Path(path).is_file():
            return path
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        found = subprocess.run(  # noqa: S603 - a fixed program and arguments
            [fc_match, "--format=%{file}", pattern], capture_output=True, text=True, timeout=5, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return found if found.lower().endswith((".ttf", ".ttc")) and Path(found).is_file() else None


@cache
def fonts() -> Fonts:
    """Register the document fonts once per process."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    text, embedded = "TandemText", True
    path = _font_file(CJK_FONT_FILES, "sans-serif:lang=zh-cn")
    try:
        if path is None:
            raise OSError("no CJK TrueType font installed")
        pdfmetrics.registerFont(TTFont(text, path, subfontIndex=0))
    except Exception:
        text, embedded = "STSong-Light", False
        pdfmetrics.registerFont(UnicodeCIDFont(text))
    # One face: the CJK fonts have no bold or italic; <b> and <i> keep the text in the same face.
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(text, bold, italic, text)
    mono = text
    mono_path = _font_file(MONO_FONT_FILES, "monospace")
    if mono_path is not None:
        try:
            pdfmetrics.registerFont(TTFont("TandemMono", mono_path))
            mono = "TandemMono"
        except Exception:
            mono = text
    return Fonts(text=text, mono=mono, embedded=embedded)


def has_cjk(text: str) -> bool:
    """Whether ``text`` needs CJK line breaking (a line may break between any two characters).

    Only a run of seven or more CJK characters does: that character-by-character breaking costs
    about twice the time of breaking at spaces, and a short run fits on a line as a word does.
    """
    return _CJK_RUN.search(text) is not None


def text(value: object) -> str:
    """``value`` as paragraph markup: escaped, with characters a PDF cannot carry replaced."""
    return escape(_UNPRINTABLE.sub("\ufffd", str(value)))


class Styles:
    """Paragraph styles of a document in one font, each with a twin that breaks lines as CJK text."""

    def __init__(self) -> None:
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle

        f = fonts()
        self.fonts = f
        base = ParagraphStyle(
            "body", fontName=f.text, fontSize=10, leading=14.5, textColor=colors.HexColor("#222222")
        )
        self.body = base
        self.title = ParagraphStyle("title", parent=base, fontSize=18, leading=23, spaceAfter=4)
        self.meta = ParagraphStyle("meta", parent=base, textColor=colors.HexColor("#555555"), spaceAfter=10)
        self.h2 = ParagraphStyle("h2", parent=base, fontSize=12.5, leading=16, spaceBefore=2, spaceAfter=3)
        self.h3 = ParagraphStyle("h3", parent=base, fontSize=10.5, leading=14, spaceBefore=7, spaceAfter=1)
        self.small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=11.5)
        self.tags = ParagraphStyle(
            "tags", parent=self.small, textColor=colors.HexColor("#444444"), spaceAfter=2
        )
        self.none = ParagraphStyle("none", parent=base, textColor=colors.HexColor("#888888"))
        self.record = ParagraphStyle(
            "record",
            parent=self.small,
            borderWidth=0.6,
            borderColor=colors.HexColor("#cccccc"),
            borderPadding=(3, 4, 3, 4),
            leftIndent=4,
            rightIndent=4,
            spaceBefore=5,
            spaceAfter=5,
        )
        self.code = ParagraphStyle(
            "code",
            parent=base,
            fontName=f.mono,
            fontSize=8.5,
            leading=11,
            backColor=colors.HexColor("#f4f4f4"),
            borderPadding=3,
            spaceBefore=3,
            spaceAfter=5,
        )
        self.code_cjk = ParagraphStyle("code-cjk", parent=self.code, fontName=f.text)
        sizes = {1: 13.0, 2: 12.0, 3: 11.0, 4: 10.5, 5: 10.0, 6: 10.0}
        self.headings = {
            level: ParagraphStyle(
                f"md{level}", parent=base, fontSize=size, leading=size * 1.35, spaceBefore=5, spaceAfter=2
            )
            for level, size in sizes.items()
        }
        self._derived: dict[tuple[str, float, bool], Any] = {}

    def variant(self, style: Any, *, indent: float = 0.0, cjk: bool = False) -> Any:
        """``style`` indented by ``indent`` points, breaking lines as CJK text when ``cjk`` (cached)."""
        if not indent and not cjk:
            return style
        key = (style.name, indent, cjk)
        found = self._derived.get(key)
        if found is None:
            from reportlab.lib.styles import ParagraphStyle

            found = ParagraphStyle(
                f"{style.name}-{indent}-{int(cjk)}",
                parent=style,
                leftIndent=style.leftIndent + indent,
                bulletIndent=style.leftIndent + max(0.0, indent - 13),
                wordWrap="CJK" if cjk else None,
            )
            self._derived[key] = found
        return found

    def para(self, markup: str, style: Any, *, indent: float = 0.0, bullet: str | None = None) -> Flowable:
        """A paragraph of ``markup`` (already escaped) in ``style``; CJK line breaking only when needed."""
        from reportlab.platypus import Paragraph

        return Paragraph(markup, self.variant(style, indent=indent, cjk=has_cjk(markup)), bulletText=bullet)


def heading(styles: Styles, markup: str, style: Any, *, outline: str, level: int = 0) -> Flowable:
    """A heading that also becomes an entry of the PDF's outline (``outline`` is its plain text)."""
    paragraph = styles.para(markup, style)
    paragraph._tandem_outline = (outline, level)  # read by _Template.afterFlowable
    return paragraph


# --- Markdown ---------------------------------------------------------------------------------

_LINK_SCHEMES = ("http://", "https://", "mailto:")


@cache
def _markdown_parser() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")


def _inline(children: list[Any] | None, fonts_: Fonts) -> str:
    """Paragraph markup of an inline token's children."""
    out: list[str] = []
    open_links: list[bool] = []
    for t in children or []:
        kind = t.type
        if kind in ("text", "html_inline"):
            out.append(text(t.content))
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append("<br/>")
        elif kind == "code_inline":
            face = fonts_.text if _NOT_MONO.search(t.content) else fonts_.mono
            out.append(f'<font face="{face}" backColor="#f0f0f0">{text(t.content)}</font>')
        elif kind in ("strong_open", "strong_close"):
            out.append("<b>" if kind.endswith("open") else "</b>")
        elif kind in ("em_open", "em_close"):
            out.append("<i>" if kind.endswith("open") else "</i>")
        elif kind in ("s_open", "s_close"):
            out.append("<strike>" if kind.endswith("open") else "</strike>")
        elif kind == "link_open":
            href = str(t.attrGet("href") or "")
            allowed = href.lower().startswith(_LINK_SCHEMES)
            open_links.append(allowed)
            if allowed:
                out.append(f'<a href="{escape(href, {chr(34): "&quot;"})}" color="{ACCENT}">')
        elif kind == "link_close":
            if open_links and open_links.pop():
                out.append("</a>")
        elif kind == "image":
            out.append(text(t.content or ""))
    return "".join(out)


def markdown(source: str, styles: Styles, *, indent: float = 0.0) -> list[Flowable]:
    """``source`` (Markdown) as flowables: paragraphs, headings, lists, quotes, code, rules and tables."""
    from reportlab.lib import colors
    from reportlab.platypus import HRFlowable, Table, TableStyle, XPreformatted

    tokens = _markdown_parser().parse(source or "")
    flow: list[Flowable] = []
    lists: list[list[int]] = []  # per open list: [ordered (0/1), next number]
    bullet: str | None = None
    quote = 0
    table: list[list[Flowable]] | None = None
    i = 0

    def depth() -> float:
        return indent + 14.0 * len(lists) + 12.0 * quote

    while i < len(tokens):
        t = tokens[i]
        kind = t.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = int(t.attrGet("start") or 1) if kind == "ordered_list_open" else 0
            lists.append([1 if kind == "ordered_list_open" else 0, start])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open" and lists:
            ordered, number = lists[-1]
            bullet = f"{number}." if ordered else "•"
            lists[-1][1] = number + 1
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "heading_open":
            level = int(t.tag[1:])
            flow.append(
                styles.para(
                    _inline(tokens[i + 1].children, styles.fonts), styles.headings[level], indent=depth()
                )
            )
            i += 2
        elif kind == "paragraph_open" and table is None:
            markup = _inline(tokens[i + 1].children, styles.fonts)
            style = styles.none if quote else styles.body
            flow.append(styles.para(markup, style, indent=depth(), bullet=bullet))
            bullet = None
            i += 2
        elif kind in ("fence", "code_block"):
            code = t.content.rstrip("\n")
            style = styles.code_cjk if _NOT_MONO.search(code) else styles.code
            flow.append(XPreformatted(text(code), styles.variant(style, indent=depth())))
        elif kind == "hr":
            flow.append(
                HRFlowable(
                    width="100%", thickness=0.6, color=colors.HexColor(RULE), spaceBefore=4, spaceAfter=4
                )
            )
        elif kind == "table_open":
            table = []
        elif kind == "tr_open" and table is not None:
            table.append([])
        elif kind == "inline" and table is not None and table:
            cell_style = styles.small
            table[-1].append(styles.para(_inline(t.children, styles.fonts), cell_style))
        elif kind == "table_close" and table is not None:
            if table and table[0]:
                width = max(len(row) for row in table)
                rows = [row + [styles.para("", styles.small)] * (width - len(row)) for row in table]
                grid = Table(rows, hAlign="LEFT", repeatRows=1)
                grid.setStyle(
                    TableStyle(
                        [
                            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#cccccc")),
                            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f4f4f4")),
                            ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ]
                    )
                )
                flow.append(grid)
            table = None
        i += 1
    return flow


# --- Pages --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageInfo:
    """What every page prints beside its body."""

    title: str
    footer_left: str = ""


def _numbered_canvas(info: PageInfo, fonts_: Fonts) -> type:
    """A canvas that holds its pages back until the end, to print "n / N" once N is known."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # ReportLab has no type hints
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for state in self._held:
                self.__dict__.update(state)
                self.setFont(fonts_.text, 8)
                self.setFillColor(colors.HexColor(MUTED))
                width = self._pagesize[0]
                self.drawRightString(width - 16 * mm, 10 * mm, f"{self._pageNumber} / {total}")
                if info.footer_left:
                    self.drawString(16 * mm, 10 * mm, info.footer_left)
                super().showPage()
            super().save()

    return NumberedCanvas


def build(
    story: list[Flowable],
    info: PageInfo,
    *,
    progress: Progress | None = None,
    expected_pages: int = 1,
    language: str = "en",
) -> bytes:
    """The PDF of ``story`` on A4 pages; with ``progress``, a step per page laid out."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    fonts_ = fonts()
    if progress is not None:
        progress.begin(gettext_noop("Laying out pages"), max(1, expected_pages))

    class _Template(BaseDocTemplate):  # type: ignore[misc]  # ReportLab has no type hints
        def afterFlowable(self, flowable: Flowable) -> None:
            outline = getattr(flowable, "_tandem_outline", None)
            if outline is not None:
                key = f"o{id(flowable)}"
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(outline[0], key, level=outline[1], closed=True)

        def afterPage(self) -> None:
            if progress is not None:
                page = self.page
                if page >= progress.total:  # the estimate was short: the bar keeps a little room
                    progress.total = page + 1
                progress.advance(page - progress.done)

    out = io.BytesIO()
    doc = _Template(
        out,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=info.title,
        author="Tandem",
        creator="Tandem",
        lang=language,
    )
    frame = Frame(
        doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", leftPadding=0, rightPadding=0
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(story, canvasmaker=_numbered_canvas(info, fonts_))
    if progress is not None:
        progress.begin(gettext_noop("Writing the PDF"), 1)
        progress.advance()
    return out.getvalue()
