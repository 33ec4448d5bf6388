"""The case file's sections of the ticket's later steps (``promises_acceptance``): the solution
dates promised to the customer and the quality acceptance of the result. Mixed into the PDF's
builder (``pdf._Builder``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from aftersales.quality.acceptance_checklist import CheckItem

from .pdf_layout import SEP, Blocks, _yes_no, when


def _check_text(item: CheckItem) -> str:
    # Words, not ✓/✗: the PDF's Chinese CID font has no such glyphs.
    if item.met is None:
        state = _("not applicable")
    elif item.met:
        state = _("present")
    else:
        state = _("missing")
    return f"{item.label}: {state}"


class LaterSteps(Blocks):
    def promises(self) -> None:
        self.heading(_("Promised solution date"))
        if not self.case.promises:
            self.empty(_("No solution date was promised."))
            return
        staff = not self.case.for_customer
        header = [pgettext("promise", "Revision"), _("Promised date"), _("Postponed"), _("Given at")]
        widths = [20, 44, 24, 40]
        if staff:
            header.append(_("Given by"))
            widths = [18, 40, 22, 36, 58]
        rows = []
        for promise in self.case.promises:
            date = when(promise.promised_date)
            if promise.promised_time is not None:
                date += " " + promise.promised_time.strftime("%H:%M")
            if promise.current:
                date += SEP + pgettext("promise", "current")
            row: list[object] = [
                promise.revision,
                date,
                _yes_no(promise.postponed) if promise.revision > 1 else "—",
                when(promise.given_at),
            ]
            if staff:
                row.append(promise.given_by or "—")
            rows.append(row)
        self.table(header, rows, widths)
        for promise in self.case.promises:
            self.text(_("Reason given for revision %(revision)d") % {"revision": promise.revision}, promise.reason)

    def result_acceptances(self) -> None:
        """Internal: never in a customer's copy (the builder does not call it for them)."""
        self.heading(_("Quality acceptance"))
        if not self.case.result_acceptances:
            self.empty(_("This ticket was not sent for quality acceptance."))
            return
        for entry in self.case.result_acceptances:
            decided = f"{when(entry.decided_at)}{SEP}{entry.decided_by}" if entry.decided_by else when(entry.decided_at)
            rows: list[tuple[str, object]] = [
                (pgettext("acceptance", "Decision"), entry.decision_label),
                (_("Waiting since"), when(entry.requested_at)),
                (_("Sent for acceptance when"), entry.via_label or "—"),
                (pgettext("acceptance", "Why"), entry.reasons or "—"),
                (pgettext("acceptance", "Decided at and by"), decided if not entry.pending else "—"),
            ]
            if entry.checks:
                rows.append((_("Checklist"), "\n".join(_check_text(item) for item in entry.checks)))
            self.facts(rows)
            self.text(pgettext("acceptance", "Comment"), entry.comment)
            self.gap(2)
