"""The appraisal report (鉴定报告) as a PDF in the reader's language, with reportlab's built-in
Chinese CID font (STSong-Light: no font file to ship), like field service's forms."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Appraisal, FileKind

FONT = "STSong-Light"


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _when(value: Any) -> str:
    if value is None:
        return ""
    return timezone.localtime(value, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")


def _yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return _("Yes") if value else _("No")


def appraisal_pdf(appraisal: Appraisal) -> bytes:
    """The report, in the active language (the page's or the customer's)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=24, alignment=1)
    heading = ParagraphStyle("heading", parent=body, fontSize=12, leading=18, spaceBefore=4)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=_("Appraisal report") + f" {appraisal.number}",
    )

    def p(text: object) -> Paragraph:
        return Paragraph(str(text or "—").replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br/>"), body)

    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
        ]
    )
    header = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)])
    ticket = appraisal.ticket
    unit = appraisal.product_unit
    facts = [
        (_("Appraisal report"), appraisal.number),
        (_("Ticket"), ticket.number),
        (_("Customer"), ticket.customer.name),
        (_("Product"), f"{appraisal.product_model or ''} {unit.serial_number if unit else ticket.reported_serial}".strip()),
        (_("Batch / lot"), appraisal.batch),
        (_("Place of appraisal"), appraisal.get_place_display()),
        (_("Appraiser"), str(appraisal.appraiser or "")),
        (_("Status"), appraisal.get_status_display()),
    ]
    if appraisal.previous_id:
        facts.append((_("Re-appraisal of"), appraisal.previous.number if appraisal.previous else ""))
    story: list[Any] = [Paragraph(_("Appraisal report"), title), Spacer(1, 6 * mm)]
    story.append(Table([[p(k), p(v)] for k, v in facts], colWidths=[40 * mm, 134 * mm], style=grid))
    story.append(Paragraph(_("Symptom"), heading))
    story.append(p(appraisal.symptom))
    story.append(Paragraph(_("Tests done"), heading))
    rows = [[p(_("Test")), p(_("Reading")), p(_("Expected"))]]
    for row in appraisal.tests or []:
        rows.append([p(row.get("name")), p(row.get("reading")), p(row.get("expected"))])
    if len(rows) == 1:
        rows.append([p(_("No tests recorded.")), p(""), p("")])
    story.append(Table(rows, colWidths=[70 * mm, 52 * mm, 52 * mm], style=header))
    story.append(Paragraph(_("Findings"), heading))
    story.append(p(appraisal.findings))
    story.append(Paragraph(_("Conclusion"), heading))
    conclusion = [
        (_("Fault type"), appraisal.get_fault_type_display()),
        (_("Nature"), appraisal.get_nature_display()),
        (_("Severity"), appraisal.get_severity_display()),
        (_("Cause"), appraisal.get_cause_display()),
        (_("Component at fault"), appraisal.component_label),
        (_("Responsibility"), appraisal.get_responsibility_display()),
        (_("Department or outlet responsible"), appraisal.responsible_party),
        (_("Supplier"), appraisal.supplier),
        (_("Do the three guarantees (sanbao) apply?"), _yes_no(appraisal.sanbao_applies)),
    ]
    story.append(Table([[p(k), p(v)] for k, v in conclusion], colWidths=[60 * mm, 114 * mm], style=grid))
    files = list(appraisal.files.all())
    if files:
        story.append(Paragraph(_("Photos and test files"), heading))
        story.append(
            Table(
                [[p(FileKind(f.kind).label), p(f.original_name), p(f.sha256[:16])] for f in files],
                colWidths=[50 * mm, 84 * mm, 40 * mm],
                style=grid,
            )
        )
    story.append(Spacer(1, 6 * mm))
    signed = [
        (_("Signed by"), str(appraisal.signed_by or _("Not signed yet"))),
        (_("Signed at"), _when(appraisal.signed_at)),
    ]
    if appraisal.customer_decision:
        signed.append((_("Customer's answer"), appraisal.get_customer_decision_display()))
        signed.append((_("Answered at"), _when(appraisal.customer_answered_at)))
        if appraisal.customer_reason:
            signed.append((_("Customer's reason"), appraisal.customer_reason))
    story.append(Table([[p(k), p(v)] for k, v in signed], colWidths=[40 * mm, 134 * mm], style=grid))
    doc.build(story)
    return buffer.getvalue()
