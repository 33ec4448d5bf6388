"""The printable case file (案卷) of one ticket, as a PDF in the viewer's language.

Rendered with reportlab and its built-in Chinese CID font (STSong-Light, as the field-service
acceptance form: no font file to ship, every PDF reader has it). Every page carries a header
with the ticket number and a footer "page x of y". Long texts (descriptions, notes, diagnoses)
are paragraphs that flow over pages, never table cells, so no entry is too tall for a page.
"""

from __future__ import annotations

import io
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from aftersales.tickets.selectors.when_where import ticket_when_where

from .content import CaseFile, PlanAssessmentView, WorkOrderView
from .pdf_later import LaterSteps
from .pdf_layout import SEP, _canvas_class, _register_font, _yes_no, money, when


class _Builder(LaterSteps):
    """The case file's sections, in order."""

    # Sections

    def cover(self) -> None:
        ticket = self.case.ticket
        self.story.append(self.p(_("Case file") + " " + ticket.number, self.s.title))
        subtitle = _("Generated %(time)s by %(name)s") % {"time": when(self.case.generated_at), "name": str(self.case.viewer)}
        if self.case.archived:
            subtitle += SEP + _("Archived (read-only)")
        self.story.append(self.p(subtitle, self.s.subtitle))

    def ticket_fields(self) -> None:
        ticket = self.case.ticket
        self.heading(_("Ticket"))
        rows: list[tuple[str, object]] = [
            (_("Ticket number"), ticket.number),
            (_("Title"), ticket.title),
            (_("Status"), ticket.get_status_display()),
            (_("Priority"), ticket.get_priority_display()),
            (_("Channel"), ticket.get_channel_display()),
            (_("Request type"), ticket.get_request_type_display()),
            (_("Category"), str(ticket.category) if ticket.category_id else "—"),
            (_("Nature"), ticket.get_nature_display() or "—"),
            (_("Severity"), ticket.get_severity_display() or "—"),
            (_("Safety hazard"), _yes_no(ticket.safety_hazard)),
        ]
        # The department's own fields (deadlines, escalation, responsibility, cause): staff only,
        # in their places; a customer's copy has no ``internals``.
        internal = self.case.internals
        if internal is not None:
            rows += [(_("Responsibility"), internal.responsibility or "—"), (_("Probable cause"), internal.cause or "—")]
        rows += [(_("Registered"), when(ticket.created_at)), (_("Occurred at"), ticket_when_where(ticket).when_text)]
        if internal is not None:
            rows.append((_("First response due"), when(internal.first_response_due_at)))
        rows.append((_("First response"), when(ticket.first_responded_at)))
        if internal is not None:
            rows.append((_("Resolution due"), when(internal.due_at)))
        rows += [(_("Resolved"), when(ticket.resolved_at)), (_("Closed"), when(ticket.closed_at))]
        if internal is not None:
            rows.append((_("Escalation level"), internal.escalation_level))
        if not self.case.for_customer:
            rows += [
                (_("Assignee"), str(ticket.assignee) if ticket.assignee_id else _("Unassigned")),
                (_("Team"), str(ticket.team) if ticket.team_id else "—"),
                (_("Region"), str(ticket.region) if ticket.region_id else "—"),
            ]
        self.facts(rows)
        self.text(_("What happened"), ticket.description)

    def customer(self) -> None:
        party = self.case.party
        self.heading(_("Customer"))
        rows: list[tuple[str, object]] = [
            (_("Name"), party.name),
            *([(_("Tier"), party.tier)] if party.tier else []),  # none in the customer's copy
            (_("Phone"), party.phone or "—"),
            (_("Caller"), party.contact_name or "—"),
            (_("Contact phone"), party.contact_phone or "—"),
            (_("Email"), party.contact_email or "—"),
            (_("Address"), party.address or "—"),
        ]
        self.facts(rows)
        if party.masked:
            self.empty(_("Personal data is masked for your role."))

    def product(self) -> None:
        ticket, unit, warranty = self.case.ticket, self.case.unit, self.case.warranty
        self.heading(_("Product"))
        if unit is not None:
            rows: list[tuple[str, object]] = [
                (_("Serial number"), unit.serial_number),
                (_("Model"), f"{unit.model.name} {unit.model.code}"),
                (_("Batch / lot"), unit.batch or "—"),
                (_("Production date"), when(unit.production_date)),
                (_("Purchase date"), when(unit.purchase_date)),
                (_("Warranty"), f"{warranty.label} | {warranty.reason}" if warranty is not None else "—"),
            ]
        else:
            model = ticket.product_model
            rows = [
                (_("Serial number (as reported)"), ticket.reported_serial or "—"),
                (_("Model"), f"{model.name} {model.code}" if model is not None else "—"),
                (_("Batch / lot (as reported)"), ticket.reported_batch or "—"),
                (_("Purchase date (as reported)"), when(ticket.reported_purchase_date)),
                (_("Warranty"), f"{warranty.label} | {warranty.reason}" if warranty is not None else "—"),
            ]
        self.facts(rows)

    def plan(self) -> None:
        plan = self.case.plan
        self.heading(_("Solution plan"))
        if plan is None:
            self.empty(_("No plan yet."))
            return
        rows: list[tuple[str, object]] = [
            (_("Plan"), f"{plan.number} | {plan.status_label}"),
            (_("Expected completion"), when(plan.expected_completion_at)),
            (_("Signed agreement required"), _yes_no(plan.requires_signed_agreement)),
        ]
        if plan.cost_budget is not None:
            rows.insert(1, (_("Cost budget"), money(plan.cost_budget)))
        if plan.created_by:
            rows.append((_("Proposed by"), f"{plan.created_by} | {when(plan.created_at)}"))
        self.facts(rows)
        self.text(_("Diagnosis"), plan.diagnosis)
        if plan.assessment is not None:  # staff only: a customer's case file has none
            self.assessment(plan.assessment)
        self.subheading(_("Measures"))
        staff = not self.case.for_customer
        header = [_("No."), _("Measure"), _("Status"), _("Deadline"), _("Amount"), _("Customer pays")]
        widths = [10, 42, 30, 30, 30, 32]
        if staff:
            header.insert(3, _("Owner"))
            widths = [10, 34, 26, 26, 28, 24, 26]
        rows_m = []
        for i, m in enumerate(plan.measures, start=1):
            row: list[object] = [
                i,
                m.kind_label,
                m.status_label,
                when(m.deadline),
                money(m.amount),
                money(m.customer_charge) if m.customer_charge else _("Free"),
            ]
            if staff:
                row.insert(3, m.owner or "—")
            rows_m.append(row)
        self.table(header, rows_m, widths)
        for i, m in enumerate(plan.measures, start=1):
            if m.description or m.progress_note:
                note = m.description
                if m.progress_note:
                    note = f"{note}\n{_('Progress')}: {m.progress_note}" if note else f"{_('Progress')}: {m.progress_note}"
                self.text(f"{i}. {m.kind_label}", note)

    def assessment(self, a: PlanAssessmentView) -> None:
        """The plan's assessment (方案评估) and the advice it calls for: internal."""
        self.subheading(_("Assessment"))
        self.facts(
            [
                (_("Long-term relationship"), a.long_term_relationship_label),
                (_("Chance of buying again"), a.repurchase_likelihood_label),
                (_("Word-of-mouth risk"), a.word_of_mouth_risk_label),
                (_("Is the demand reasonable?"), a.demand_reasonableness_label),
                (_("Company's fault"), a.company_fault_label),
            ]
        )
        self.text(_("What the customer expects"), a.customer_expectation)
        self.text(_("Assessment note"), a.assessment_note)
        self.text(_("Advice for the negotiation"), "\n".join(f"- {advice}" for advice in a.guidance))

    def approvals(self) -> None:
        self.heading(_("Approvals"))
        if not self.case.approvals:
            self.empty(_("No approval was needed."))
            return
        for a in self.case.approvals:
            decided = f"{when(a.decided_at)} | {a.decided_by or '—'}" if a.decided_at else "—"
            self.facts(
                [
                    (_("Plan"), f"{a.plan_number} | {a.status_label}"),
                    (_("Requested"), f"{when(a.requested_at)} | {a.requested_by or '—'}"),
                    (_("Decided"), decided),
                ]
            )
            self.text(_("Why approval is needed"), a.reason)
            self.text(_("Approver's comment"), a.comment)
            self.gap(2)

    def agreements(self) -> None:
        self.heading(_("Customer agreement"))
        if not self.case.agreements:
            self.empty(_("The customer has not answered a plan yet."))
            return
        for a in self.case.agreements:
            rows: list[tuple[str, object]] = [
                (_("Plan"), f"{a.plan_number} | {a.decision_label}"),
                (_("How"), a.method_label),
                (_("When the customer answered"), when(a.agreed_at)),
                (_("Recorded by"), f"{a.recorded_by or '—'} | {when(a.recorded_at)}"),
            ]
            if a.signed_document:
                rows.append((_("Signed agreement (SHA-256)"), a.document_sha256 or _("on file")))
            self.facts(rows)
            self.text(_("Note"), a.note)
            self.gap(2)

    def sla(self) -> None:
        self.heading(_("Service levels"))
        if not self.case.sla_clocks:
            self.empty(_("No service-level clock runs for this ticket."))
            return
        rows = []
        for c in self.case.sla_clocks:
            state = c.status_label
            if c.paused:
                state += SEP + _("paused %(minutes)d min") % {"minutes": c.paused_minutes}
            rows.append(
                [
                    c.metric_label,
                    state,
                    when(c.due_at),
                    when(c.met_at),
                    _("Breached") + " " + when(c.breached_at) if c.breached else "—",
                ]
            )
        self.table([_("Metric"), _("Status"), _("Due"), _("Met"), _("Breached")], rows, [36, 38, 32, 32, 36])

    def work_orders(self) -> None:
        self.heading(_("Work orders"))
        if not self.case.work_orders:
            self.empty(_("No work orders yet."))
            return
        for wo in self.case.work_orders:
            self.work_order(wo)

    def work_order(self, wo: WorkOrderView) -> None:
        self.subheading(f"{wo.number} | {wo.kind_label} | {wo.status_label}")
        window = "—"
        if wo.appointment_start:
            window = f"{when(wo.appointment_start)} — {when(wo.appointment_end)[-5:] if wo.appointment_end else ''}"
        rows: list[tuple[str, object]] = [
            (_("Technician"), wo.technician or _("not dispatched")),
            (_("Appointment"), window),
            (_("Checked in"), when(wo.checked_in_at)),
            (_("Checked out"), when(wo.checked_out_at)),
            (_("Completed at"), when(wo.completed_at)),
            (_("Labour hours"), f"{wo.labour_hours:.2f}"),
            (_("Total charge"), money(wo.charge_total)),
        ]
        if wo.site_area or wo.site_address:
            rows.insert(2, (_("Site"), " ".join(x for x in (wo.site_area, wo.site_address) if x)))
        if wo.acceptance is not None:
            acceptance = wo.acceptance
            rows.append(
                (
                    _("Accepted by the customer"),
                    f"{acceptance.signer_name or '—'} | {acceptance.method_label} | {when(acceptance.accepted_at)}",
                )
            )
        self.facts(rows)
        self.text(_("Diagnosis"), wo.diagnosis)
        self.text(_("Work carried out"), wo.work_done)
        if wo.acceptance is not None:
            self.text(_("Customer's comment"), wo.acceptance.comment)
        if wo.parts_used:
            self.story.append(self.p(_("Parts used"), self.s.meta))
            self.table(
                [_("Part number"), _("Part"), _("Quantity"), _("Serial of the new part"), _("Serial of the removed part")],
                [[u.part_number, u.part_name, u.quantity, u.serial or "—", u.removed_serial or "—"] for u in wo.parts_used],
                [28, 44, 18, 42, 42],
            )
        if wo.charge_lines:
            self.story.append(self.p(_("Charges"), self.s.meta))
            self.table(
                [_("Item"), _("Quantity"), _("Unit price"), _("Charge"), _("Why")],
                [
                    [
                        SEP.join(x for x in (line.description, line.part_number or "", line.serial) if x),
                        f"{line.quantity:.2f}",
                        money(line.unit_price),
                        _("Free") if line.free else money(line.charge_amount),
                        line.reason,
                    ]
                    for line in wo.charge_lines
                ],
                [50, 18, 24, 24, 58],
            )
        self.gap(2)

    def surveys(self) -> None:
        self.heading(_("Satisfaction survey"))
        if not self.case.surveys:
            self.empty(_("No survey was sent."))
            return
        for s in self.case.surveys:
            ratings = SEP.join(
                f"{label} {value}/5"
                for label, value in (
                    (_("overall satisfaction"), s.overall),
                    (_("speed"), s.speed),
                    (_("attitude"), s.attitude),
                    (_("professionalism"), s.professionalism),
                    (_("result"), s.result),
                )
                if value is not None
            )
            self.facts(
                [
                    (_("Round"), s.round),
                    (_("Status"), s.status_label),
                    (_("Sent at"), when(s.sent_at)),
                    (_("Answered at"), when(s.submitted_at)),
                    (_("Ratings"), ratings or "—"),
                    (_("Problem solved"), _yes_no(s.solved)),
                ]
            )
            self.text(_("Comment"), s.comment)
            self.gap(2)

    def attachments(self) -> None:
        self.heading(_("Attachments"))
        if not self.case.attachments:
            self.empty(_("No files yet."))
            return
        staff = not self.case.for_customer
        rows = []
        for a in self.case.attachments:
            name = a.name if a.public or not staff else f"{a.name} ({_('internal')})"
            rows.append([name, a.kind_label, filesizeformat(a.size), a.sha256, when(a.created_at)])
        self.table([_("File"), _("Kind"), _("Size"), _("SHA-256"), _("Uploaded at")], rows, [44, 24, 18, 58, 30])

    def timeline(self) -> None:
        self.heading(_("Timeline"))
        if not self.case.timeline:
            self.empty(_("Nothing recorded yet."))
            return
        staff = not self.case.for_customer
        for entry in self.case.timeline:
            meta = [when(entry.at), entry.kind_label, entry.actor]
            if staff:
                meta.append(_("visible to customer") if entry.public else _("internal"))
            self.story.append(self.p(SEP.join(meta), self.s.meta))
            lines = []
            if entry.status_from or entry.status_to:
                lines.append(f"{entry.status_from} → {entry.status_to}")
            if entry.body:
                lines.append(entry.body)
            lines += [f"{_('File')}: {name}" for name in entry.attachment_names]
            if lines:
                self.story.append(self.p("\n".join(lines), self.s.indented))

    def build(self) -> list[Any]:
        self.cover()
        self.ticket_fields()
        self.customer()
        self.product()
        self.plan()
        if not self.case.for_customer:
            self.approvals()
        self.agreements()
        self.promises()
        if not self.case.for_customer:
            self.sla()
        self.work_orders()
        self.surveys()
        if not self.case.for_customer:
            self.result_acceptances()
        self.attachments()
        self.timeline()
        return self.story


def case_file_pdf(case: CaseFile) -> bytes:
    """The case file as PDF bytes, in the active language."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    _register_font()
    number = case.ticket.number
    header = f"{_('Case file')} {number} | {case.ticket.title}"
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=15 * mm,
        title=f"{_('Case file')} {number}",
        author=str(case.viewer),
        subject=number,
        creator="Aftersales",
    )
    doc.build(_Builder(case).build(), canvasmaker=_canvas_class(header, _("Page %(page)d of %(pages)d")))
    return buffer.getvalue()
