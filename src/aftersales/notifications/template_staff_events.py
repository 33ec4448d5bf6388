"""The staff's notifications as editable templates (in-app, with a link): assignment, a customer's
message, approvals, SLA warnings and breaches, field service, parts, revisits' escalations,
crises. The shipped texts are the former gettext texts."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .template_catalogue import (
    ALERT_COUNT,
    ALERT_KIND,
    ALERT_WHAT,
    AMOUNT,
    APPROVAL_REASON,
    AVAILABLE,
    CALLS,
    COMMENT,
    CRISIS,
    CRISIS_TITLE,
    FIRST_DUE,
    INFORM_MINUTES,
    ITEM,
    JOB,
    LEVEL,
    MESSAGE_EXCERPT,
    METRIC,
    MIN_LEVEL,
    NEW_ASSIGNEE,
    OPEN_CRISIS,
    OPEN_IT,
    PART,
    PART_NUMBER,
    REVISIT,
    REVISIT_CUSTOMER,
    RMA,
    SLA_DUE,
    STAFF_TICKET,
    TEAM_ROLE,
    TITLE,
    TOTAL,
    VISIT_REASON,
    WAREHOUSE,
    WINDOW,
    Placeholder,
    _staff,
    verbatim,
)
from .template_staff_travel import TRAVEL_EVENTS
from .template_trips import TRIP_EVENTS

STAFF_EVENTS = (
    _staff(
        "ticket_assigned",
        _("Ticket assigned to you"),
        _("Ticket %(number)s was assigned to you"),
        _("%(title)s — please contact the customer; the first response is due %(due)s."),
        STAFF_TICKET,
        TITLE,
        FIRST_DUE,
    ),
    _staff(
        "ticket_reassigned",
        _("Your ticket given to someone else"),
        _("Ticket %(number)s was reassigned to %(name)s"),
        verbatim("%(title)s"),
        STAFF_TICKET,
        TITLE,
        NEW_ASSIGNEE,
    ),
    _staff(
        "ticket_unassigned",
        _("Your ticket put back in the queue"),
        _("Ticket %(number)s was put back in the unassigned queue"),
        verbatim("%(title)s"),
        STAFF_TICKET,
        TITLE,
    ),
    _staff(
        "customer_message",
        _("Customer wrote on a ticket"),
        _("Customer wrote on ticket %(number)s"),
        _("%(customer)s wrote: “%(excerpt)s”"),
        STAFF_TICKET,
        REVISIT_CUSTOMER,
        MESSAGE_EXCERPT,
    ),
    _staff(
        "plan_approval_requested",
        _("Plan approval requested"),
        _("Approval needed: plan for %(number)s"),
        _("The plan for ticket %(number)s needs your approval (%(reason)s)."),
        STAFF_TICKET,
        APPROVAL_REASON,
    ),
    _staff(
        "plan_approval_refused",
        _("Plan refused"),
        _("Plan for %(number)s refused"),
        _("The plan for ticket %(number)s was refused: %(comment)s"),
        STAFF_TICKET,
        COMMENT,
    ),
    _staff(
        "sla_warning",
        _("SLA warning"),
        _("SLA warning: %(number)s"),
        _("Ticket %(number)s: %(metric)s is due at %(due)s."),
        STAFF_TICKET,
        METRIC,
        SLA_DUE,
    ),
    _staff(
        "sla_breached",
        _("SLA breached"),
        _("SLA breached: %(number)s"),
        _("Ticket %(number)s: %(metric)s was due at %(due)s and is overdue. The ticket is escalated."),
        STAFF_TICKET,
        METRIC,
        SLA_DUE,
    ),
    _staff(
        "sla_escalated",
        _("SLA escalation"),
        _("SLA escalation: %(number)s"),
        _("Ticket %(number)s: %(metric)s has been overdue since %(due)s and still is. Please step in."),
        STAFF_TICKET,
        METRIC,
        SLA_DUE,
    ),
    _staff(
        "fieldservice.job.new",
        _("New job for the technician"),
        _("New job %(number)s"),
        _("Work order %(number)s, appointment %(window)s."),
        JOB,
        WINDOW,
        link_text=_("Open the job:"),
    ),
    _staff(
        "fieldservice.job.reassigned",
        _("Job given to a colleague"),
        _("Job %(number)s reassigned"),
        _("Work order %(number)s was given to a colleague."),
        JOB,
        WINDOW,
        link_text=_("Open the job:"),
    ),
    _staff(
        "fieldservice.job.rescheduled",
        _("Job rescheduled by the dispatcher"),
        _("Job %(number)s rescheduled"),
        _("New appointment %(window)s. Please accept it again."),
        JOB,
        WINDOW,
        link_text=_("Open the job:"),
    ),
    _staff(
        "fieldservice.job.cancelled",
        _("Job cancelled"),
        _("Job %(number)s cancelled"),
        verbatim("%(reason)s"),
        JOB,
        WINDOW,
        VISIT_REASON,
        link_text=_("Open the job:"),
    ),
    _staff(
        "fieldservice.job.quote_confirmed",
        _("Quote confirmed by the customer"),
        _("Quote confirmed for %(number)s"),
        _("The customer confirmed the quote; you can start the work."),
        JOB,
        WINDOW,
        link_text=_("Open the job:"),
    ),
    _staff(
        "fieldservice.job.quote_declined",
        _("Quote declined by the customer"),
        _("Quote declined for %(number)s"),
        _("The customer declined the quote (%(total)s CNY). Reason: %(reason)s. Cancel the job or give a new quote."),
        JOB,
        TOTAL,
        VISIT_REASON,
        link_text=_("Open the job:"),
    ),
    _staff(
        "fieldservice.job.quote_confirmed_again",
        _("New quote confirmed by the customer"),
        _("New quote confirmed for %(number)s"),
        _("The customer confirmed the new quote (%(total)s CNY): the job is back on the dispatch board to be booked again."),
        JOB,
        TOTAL,
        link_text=_("Open the job:"),
    ),
    _staff(
        "fieldservice.failed",
        _("Visit failed"),
        _("Job %(number)s failed"),
        verbatim("%(reason)s"),
        JOB,
        VISIT_REASON,
    ),
    _staff(
        "returns.inspection_failed.staff",
        _("Inspection failed (staff)"),
        _("Inspection failed: %(rma)s"),
        _("The inspection of %(rma)s (request %(number)s) failed: %(reason)s"),
        STAFF_TICKET,
        RMA,
        VISIT_REASON,
    ),
    *(
        _staff(
            f"{what}_awaiting_approval",
            label,
            _("Approval needed: %(item)s"),
            _("%(item)s for ticket %(number)s (%(amount)s) needs your approval."),
            ITEM,
            STAFF_TICKET,
            AMOUNT,
            link_text=OPEN_IT,
        )
        for what, label in (("refund", _("Refund to approve")), ("compensation", _("Compensation to approve")))
    ),
    *(
        _staff(
            f"{what}_approved",
            label,
            _("To fulfil: %(item)s"),
            _("%(item)s for ticket %(number)s (%(amount)s) is approved and waits for you."),
            ITEM,
            STAFF_TICKET,
            AMOUNT,
            link_text=OPEN_IT,
        )
        for what, label in (("refund", _("Refund to pay")), ("compensation", _("Compensation to issue")))
    ),
    *(
        _staff(
            f"{what}_refused",
            label,
            _("Refused: %(item)s"),
            _("%(item)s for ticket %(number)s was refused: %(comment)s"),
            ITEM,
            STAFF_TICKET,
            COMMENT,
            link_text=OPEN_IT,
        )
        for what, label in (("refund", _("Refund refused")), ("compensation", _("Compensation refused")))
    ),
    _staff(
        "parts_low_stock",
        _("Low stock"),
        _("Low stock: %(part)s at %(warehouse)s"),
        _("%(number)s %(part)s at %(warehouse)s: %(available)d available, minimum level %(min)d."),
        PART_NUMBER,
        PART,
        WAREHOUSE,
        AVAILABLE,
        MIN_LEVEL,
    ),
    _staff(
        "revisit_escalated",
        _("Revisit escalated: customer not reached"),
        _("Revisit %(code)s escalated: %(customer)s"),
        _("%(customer)s was not reached in %(count)s calls: please take the revisit over."),
        REVISIT,
        REVISIT_CUSTOMER,
        CALLS,
        link_text=_("Open the revisit:"),
    ),
    _staff(
        "revisit_escalated.wrong_number",
        _("Revisit escalated: wrong number"),
        _("Revisit %(code)s escalated: %(customer)s"),
        _("The phone number of %(customer)s is wrong: please find the right one and call."),
        REVISIT,
        REVISIT_CUSTOMER,
        CALLS,
        link_text=_("Open the revisit:"),
    ),
    _staff(
        "crisis.level",
        _("Crisis opened at a level"),
        _("Crisis %(code)s: level %(level)s"),
        _("%(title)s is a level %(level)s crisis; inform within %(minutes)s minutes."),
        CRISIS,
        LEVEL,
        CRISIS_TITLE,
        INFORM_MINUTES,
        link_text=OPEN_CRISIS,
    ),
    _staff(
        "crisis.member",
        _("Added to a crisis team"),
        _("You are on the response team of crisis %(code)s"),
        _("Your role in %(title)s: %(role)s."),
        CRISIS,
        CRISIS_TITLE,
        TEAM_ROLE,
        link_text=OPEN_CRISIS,
    ),
    _staff(
        "crisis.technician",
        _("Assigned to a crisis as technician"),
        _("You are assigned to crisis %(code)s"),
        _("You are assigned to %(title)s as a technician."),
        CRISIS,
        CRISIS_TITLE,
        link_text=OPEN_CRISIS,
    ),
    _staff(
        "crisis.alert_opened",
        _("Crisis alert opened"),
        _("Crisis alert: %(what)s"),
        _("The detector opened an alert (%(kind)s) on %(what)s with %(count)s tickets; confirm or dismiss it."),
        ALERT_WHAT,
        ALERT_KIND,
        ALERT_COUNT,
        link_text=_("Open the alert:"),
    ),
)

# Travel money (the travel app): its own module.
STAFF_EVENTS = (*STAFF_EVENTS, *TRAVEL_EVENTS, *TRIP_EVENTS)

# Business calendars (sla): a calendar in use lacks a year's official holiday schedule.
CALENDAR_NAME = Placeholder("calendar", "日历", "calendar", _("The business calendar's name"), "办公日历", "Office hours")
SCHEDULE_YEAR = Placeholder("year", "年份", "year", _("The year whose schedule is missing"), "2027", "2027")

STAFF_EVENTS = (
    *STAFF_EVENTS,
    _staff(
        "sla.calendar_schedule_missing",
        _("A year's holiday schedule missing on a business calendar (administrators)"),
        _("Enter the %(year)s holiday schedule on %(calendar)s"),
        _(
            "The State Council's holiday schedule for %(year)s is not entered on the business calendar %(calendar)s: "
            "its service-level deadlines count only the statutory holidays as days off, without the bridge days "
            "and the make-up workdays. Paste the notice once it is published (usually in November)."
        ),
        CALENDAR_NAME,
        SCHEDULE_YEAR,
        link_text=_("Enter the notice:"),
    ),
)

# Delivery receipts (docs/notifications.md, "Delivery receipts"): a message that matters did not
# reach the customer; the ticket's assignee is told, to call them.
UNDELIVERED_CHANNEL = Placeholder("channel", "渠道", "channel", _("The channel that failed"), "短信", "SMS")
UNDELIVERED_TO = Placeholder(
    "recipient", "接收方", "recipient", _("Where it went, masked (a number, an address)"), "138****0000", "138****0000"
)
UNDELIVERED_REASON = Placeholder(
    "reason",
    "原因",
    "reason",
    _("Why it was not delivered (the provider's code in words)"),
    "号码已停机",
    "number out of service",
)
UNDELIVERED_MESSAGE = Placeholder("message", "消息", "message", _("Which message it was"), "上门预约", "Visit appointment")
FALLBACK_CHANNEL = Placeholder(
    "fallback_channel", "补发渠道", "fallback_channel", _("The channel it was sent again by"), "邮件", "Email"
)
FALLBACK_TO = Placeholder(
    "fallback_recipient",
    "补发接收方",
    "fallback_recipient",
    _("Where it was sent again, masked"),
    "z***@example.com",
    "z***@example.com",
)
UNDELIVERED = (STAFF_TICKET, UNDELIVERED_CHANNEL, UNDELIVERED_TO, UNDELIVERED_REASON, UNDELIVERED_MESSAGE)

STAFF_EVENTS = (
    *STAFF_EVENTS,
    _staff(
        "notification_undelivered",
        _("A message to the customer not delivered"),
        _("%(channel)s to %(recipient)s not delivered (%(number)s)"),
        _(
            "%(channel)s to %(recipient)s not delivered: %(reason)s. The message “%(message)s” of ticket %(number)s "
            "did not reach the customer this way; please call them."
        ),
        *UNDELIVERED,
    ),
    _staff(
        "notification_undelivered.fallback",
        _("A message to the customer not delivered, sent again by another channel"),
        _("%(channel)s to %(recipient)s not delivered (%(number)s)"),
        _(
            "%(channel)s to %(recipient)s not delivered: %(reason)s. The message “%(message)s” of ticket %(number)s "
            "was sent again by %(fallback_channel)s to %(fallback_recipient)s; call the customer if it matters now."
        ),
        *UNDELIVERED,
        FALLBACK_CHANNEL,
        FALLBACK_TO,
    ),
)

# The quality manager's acceptance of results (tickets.process.acceptance, docs/quality.md).
REWORK_REASON = Placeholder(
    "reason",
    "退回原因",
    "rework_reason",
    _("What the quality manager wants done again"),
    "缺少维修后照片",
    "no photo after the repair",
)

STAFF_EVENTS = (
    *STAFF_EVENTS,
    _staff(
        "ticket_awaiting_acceptance",
        _("Ticket waiting for the quality acceptance"),
        _("Acceptance needed: %(number)s"),
        _("%(title)s — the result of ticket %(number)s waits for your acceptance before it is archived."),
        STAFF_TICKET,
        TITLE,
    ),
    _staff(
        "ticket_returned_for_rework",
        _("Ticket sent back by the quality acceptance"),
        _("Ticket %(number)s sent back for rework"),
        _("The quality acceptance sent ticket %(number)s back for rework: %(reason)s"),
        STAFF_TICKET,
        REWORK_REASON,
    ),
)
