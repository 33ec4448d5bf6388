"""The completion acceptance form (完工验收单) as a PDF, with reportlab's built-in Chinese CID
font (STSong-Light: no font file to ship, every PDF reader has it)."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CompletionAcceptance, acceptance_kind, charge_text

FONT = "STSong-Light"


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def acceptance_pdf(acceptance: CompletionAcceptance) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    summary: dict[str, Any] = acceptance.summary or {}
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=24, alignment=1)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm)

    def p(text: object) -> Paragraph:
        return Paragraph(str(text or "—").replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br/>"), body)

    facts = [
        (_("Completion acceptance form"), summary.get("number", "")),
        (_("Ticket"), summary.get("ticket", "")),
        (_("Service"), acceptance_kind(summary)),
        (_("Customer"), summary.get("customer", "")),
        (_("Address"), summary.get("address", "")),
        (_("Product"), summary.get("unit", "")),
        (_("Technician"), summary.get("technician", "")),
        (_("Checked in"), summary.get("checked_in_at", "")),
        (_("Checked out"), summary.get("checked_out_at", "")),
        (_("Diagnosis"), summary.get("diagnosis", "")),
        (_("Work done"), summary.get("work_done", "")),
        (_("Labour hours"), summary.get("labour_hours", "")),
    ]
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
        ]
    )
    story: list[Any] = [Paragraph(_("Completion acceptance form"), title), Spacer(1, 6 * mm)]
    story.append(Table([[p(k), p(v)] for k, v in facts], colWidths=[40 * mm, 134 * mm], style=grid))
    story.append(Spacer(1, 5 * mm))
    rows = [[p(_("Item")), p(_("Quantity")), p(_("Charge (CNY)")), p(_("Why"))]]
    for line in summary.get("lines", []):
        rows.append([p(charge_text(line, "description")), p(line["quantity"]), p(line["charge"]), p(charge_text(line, "reason"))])
    rows.append([p(_("Total charge")), p(""), p(summary.get("charge_total", "0.00")), p("")])
    header = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)])
    story.append(Table(rows, colWidths=[55 * mm, 20 * mm, 28 * mm, 71 * mm], style=header))
    story.append(Spacer(1, 6 * mm))
    accepted = [
        (_("Accepted by"), acceptance.signer_name),
        (
            _("Accepted at"),
            timezone.localtime(acceptance.accepted_at, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")
            if acceptance.accepted_at
            else "",
        ),
        (_("Method"), acceptance.get_method_display()),
        (_("Customer's comment"), acceptance.comment),
    ]
    story.append(Table([[p(k), p(v)] for k, v in accepted], colWidths=[40 * mm, 134 * mm], style=grid))
    if acceptance.signature:
        with acceptance.signature.open("rb") as handle:
            data = io.BytesIO(handle.read())
        story.append(Spacer(1, 4 * mm))
        story.append(Image(data, width=60 * mm, height=24 * mm, kind="proportional"))
    doc.build(story)
    return buffer.getvalue()
