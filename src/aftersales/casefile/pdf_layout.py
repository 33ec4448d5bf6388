"""The layout of the printable case file: the font, value formatting, the paragraph styles,
the building blocks (paragraph, heading, facts, table, gap) and the canvas that numbers the
pages. ``casefile/pdf.py`` builds the sections from them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from .content import CaseFile

FONT = "STSong-Light"
# Between the parts of one value. Not "·" (U+00B7) or a no-break space: readers that substitute
# the CID font (poppler, some browsers) lack those glyphs.
SEP = " | "
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def when(value: dt.datetime | dt.date | None) -> str:
    """A time in the site's zone (Asia/Shanghai) as ``2026-11-24 09:30``; a date as ``2026-11-24``."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")
    return value.strftime("%Y-%m-%d")


def money(value: Decimal | None) -> str:
    return "—" if value is None else f"¥{Decimal(value):.2f}"


def _yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return _("Yes") if value else _("No")


def _markup(value: object) -> str:
    """User text as safe paragraph markup: escaped, control characters dropped, lines kept."""
    text = _CONTROL.sub("", str(value if value not in (None, "") else "—")).replace("\xa0", " ")
    return escape(text).replace("\n", "<br/>")


class _Styles:
    def __init__(self) -> None:
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle

        self.body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13.5, wordWrap="CJK")
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8, leading=11)
        self.meta = ParagraphStyle("meta", parent=self.small, textColor=colors.HexColor("#555555"), spaceBefore=5, keepWithNext=1)
        self.indented = ParagraphStyle("indented", parent=self.body, leftIndent=10, spaceAfter=2)
        self.title = ParagraphStyle("title", parent=self.body, fontSize=18, leading=24, alignment=1, spaceAfter=2)
        self.subtitle = ParagraphStyle("subtitle", parent=self.body, fontSize=10, alignment=1, spaceAfter=8)
        # Headings stay on the page of what follows them.
        self.h1 = ParagraphStyle("h1", parent=self.body, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4, keepWithNext=1)
        self.h2 = ParagraphStyle("h2", parent=self.body, fontSize=10.5, leading=15, spaceBefore=6, spaceAfter=3, keepWithNext=1)


class Blocks:
    """The story of flowables and the blocks it is made of; the sections are in ``pdf.py``."""

    def __init__(self, case: CaseFile) -> None:
        from reportlab.lib.units import mm

        self.case = case
        self.s = _Styles()
        self.mm = mm
        self.width = 174 * mm  # A4 less 18 mm margins
        self.story: list[Any] = []

    # Building blocks

    def p(self, text: object, style: Any = None) -> Any:
        from reportlab.platypus import Paragraph

        return Paragraph(_markup(text), style or self.s.body)

    def heading(self, text: str) -> None:
        self.story.append(self.p(text, self.s.h1))

    def subheading(self, text: str) -> None:
        self.story.append(self.p(text, self.s.h2))

    def text(self, label: str, value: str) -> None:
        """A long text under its label (flows over pages)."""
        if value:
            self.story.append(self.p(label, self.s.meta))
            self.story.append(self.p(value, self.s.indented))

    def empty(self, text: str) -> None:
        self.story.append(self.p(text, self.s.small))

    def facts(self, rows: Iterable[tuple[str, object]]) -> None:
        """Label → short value, two columns."""
        from reportlab.lib import colors
        from reportlab.platypus import Table, TableStyle

        data = [[self.p(label, self.s.small), self.p(value)] for label, value in rows]
        if not data:
            return
        style = TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
            ]
        )
        self.story.append(Table(data, colWidths=[38 * self.mm, self.width - 38 * self.mm], style=style))

    def table(self, header: Sequence[str], rows: Iterable[Sequence[object]], widths_mm: Sequence[float]) -> None:
        """A grid with a header row repeated on every page; cells hold short values only."""
        from reportlab.lib import colors
        from reportlab.platypus import Table, TableStyle

        data = [[self.p(h, self.s.small) for h in header]]
        data += [[self.p(cell, self.s.small) for cell in row] for row in rows]
        style = TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ]
        )
        self.story.append(Table(data, colWidths=[w * self.mm for w in widths_mm], style=style, repeatRows=1))

    def gap(self, height_mm: float = 3) -> None:
        from reportlab.platypus import Spacer

        self.story.append(Spacer(1, height_mm * self.mm))


def _fit(text: str, width: float, size: float = 8) -> str:
    """``text`` cut with "…" to fit ``width`` points in the font at ``size``."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, FONT, size) <= width:
        return text
    while text and stringWidth(text + "…", FONT, size) > width:
        text = text[:-1]
    return text + "…"


def _canvas_class(header: str, page_text: str) -> type:
    """A canvas that draws the header and "page x of y" once the number of pages is known."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._furniture(number, total)
                super().showPage()
            super().save()

        def _furniture(self, number: int, total: int) -> None:
            width, height = self._pagesize
            self.saveState()
            self.setFont(FONT, 8)
            self.setFillColor(colors.HexColor("#555555"))
            self.drawString(18 * mm, height - 10 * mm, _fit(header, width - 36 * mm))
            self.drawRightString(width - 18 * mm, 8 * mm, page_text % {"page": number, "pages": total})
            self.setStrokeColor(colors.lightgrey)
            self.line(18 * mm, height - 11.5 * mm, width - 18 * mm, height - 11.5 * mm)
            self.restoreState()

    return NumberedCanvas
