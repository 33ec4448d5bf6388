"""The staff's notifications of the travel money (the travel app) as editable templates: split
from ``template_staff_events`` (which appends them in their place)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .template_catalogue import AMOUNT, TECHNICIAN, Placeholder, _staff

# --- Travel money (the travel app): the technician hears of his advance and reimbursement, finance
# of an advance to pay, both of an advance overdue for settlement. Values: the document's number, amounts in yuan, the reason, the reference.
ADVANCE = Placeholder(
    "number", "借款单号", "advance_number", _("The cash advance's number"), "JK-20261207-0001", "JK-20261207-0001"
)
REIMBURSEMENT = Placeholder(
    "number", "报销单号", "reimbursement_number", _("The reimbursement's number"), "BX-20261207-0001", "BX-20261207-0001"
)
CLAIMS_TOTAL = Placeholder("claims", "报销金额", "claims_total", _("The expense claims' total in yuan"), "910.00", "910.00")
ADVANCES_TOTAL = Placeholder("advances", "冲销借款", "advances_total", _("The advances offset in yuan"), "800.00", "800.00")
DECLINE_REASON = Placeholder("reason", "原因", "reason", _("The reason given"), "行程未获批准", "the trip is not approved")
PAYMENT_REFERENCE = Placeholder(
    "reference", "付款流水号", "payment_reference", _("The payment's reference"), "BANK-20261207-17", "BANK-20261207-17"
)
DAYS_SINCE_PAID = Placeholder("days", "已付款天数", "days_since_paid", _("Days since the advance was paid"), "31", "31")
SETTLE_DUE = Placeholder("due", "冲销期限", "settle_due_on", _("The last day to settle the advance"), "2027-01-06", "2027-01-06")
OPEN_ADVANCE = _("Open the advance:")
OPEN_REIMBURSEMENT = _("Open the reimbursement:")

TRAVEL_EVENTS = (
    _staff(
        "travel.advance_approved",
        _("Your cash advance approved"),
        _("Advance %(number)s approved"),
        _("Your cash advance %(number)s of %(amount)s CNY is approved; finance will pay it out."),
        ADVANCE,
        AMOUNT,
        link_text=OPEN_ADVANCE,
    ),
    _staff(
        "travel.advance_rejected",
        _("Your cash advance rejected"),
        _("Advance %(number)s rejected"),
        _("Your cash advance %(number)s of %(amount)s CNY was rejected: %(reason)s"),
        ADVANCE,
        AMOUNT,
        DECLINE_REASON,
        link_text=OPEN_ADVANCE,
    ),
    _staff(
        "travel.advance_paid",
        _("Your cash advance paid out"),
        _("Advance %(number)s paid out"),
        _(
            "Your cash advance %(number)s of %(amount)s CNY was paid out (reference %(reference)s); "
            "a reimbursement offsets it against your expense claims."
        ),
        ADVANCE,
        AMOUNT,
        PAYMENT_REFERENCE,
        link_text=OPEN_ADVANCE,
    ),
    _staff(
        "travel.advance_to_pay",
        _("Cash advance to pay (finance)"),
        _("Advance to pay: %(number)s"),
        _("The cash advance %(number)s of %(technician)s (%(amount)s CNY) is approved and waits to be paid."),
        ADVANCE,
        TECHNICIAN,
        AMOUNT,
        link_text=OPEN_ADVANCE,
    ),
    _staff(
        "travel.advance_overdue",
        _("Cash advance overdue for settlement"),
        _("Advance %(number)s overdue for settlement"),
        _(
            "The cash advance %(number)s of %(technician)s (%(amount)s CNY) was paid %(days)s days ago and is not "
            "settled; it was to be settled by %(due)s. Offset it with a travel reimbursement."
        ),
        ADVANCE,
        TECHNICIAN,
        AMOUNT,
        DAYS_SINCE_PAID,
        SETTLE_DUE,
        link_text=OPEN_ADVANCE,
    ),
    _staff(
        "travel.reimbursement_posted.pay",
        _("Your reimbursement posted: to be paid to you"),
        _("Reimbursement %(number)s posted"),
        _(
            "Your reimbursement %(number)s is posted: expense claims %(claims)s CNY less advances %(advances)s CNY; "
            "%(amount)s CNY will be paid to you."
        ),
        REIMBURSEMENT,
        CLAIMS_TOTAL,
        ADVANCES_TOTAL,
        AMOUNT,
        link_text=OPEN_REIMBURSEMENT,
    ),
    _staff(
        "travel.reimbursement_posted.return",
        _("Your reimbursement posted: cash to return"),
        _("Reimbursement %(number)s posted"),
        _(
            "Your reimbursement %(number)s is posted: expense claims %(claims)s CNY less advances %(advances)s CNY; "
            "please return %(amount)s CNY to finance."
        ),
        REIMBURSEMENT,
        CLAIMS_TOTAL,
        ADVANCES_TOTAL,
        AMOUNT,
        link_text=OPEN_REIMBURSEMENT,
    ),
    _staff(
        "travel.reimbursement_posted.even",
        _("Your reimbursement posted: nothing to pay or return"),
        _("Reimbursement %(number)s posted and closed"),
        _(
            "Your reimbursement %(number)s is posted and closed: expense claims of %(claims)s CNY offset advances "
            "of %(advances)s CNY; nothing to pay or return."
        ),
        REIMBURSEMENT,
        CLAIMS_TOTAL,
        ADVANCES_TOTAL,
        link_text=OPEN_REIMBURSEMENT,
    ),
    _staff(
        "travel.reimbursement_closed.pay",
        _("Your reimbursement closed: paid to you"),
        _("Reimbursement %(number)s closed"),
        _("Your reimbursement %(number)s is closed: %(amount)s CNY was paid to you (reference %(reference)s)."),
        REIMBURSEMENT,
        AMOUNT,
        PAYMENT_REFERENCE,
        link_text=OPEN_REIMBURSEMENT,
    ),
    _staff(
        "travel.reimbursement_closed.return",
        _("Your reimbursement closed: cash returned"),
        _("Reimbursement %(number)s closed"),
        _("Your reimbursement %(number)s is closed: the %(amount)s CNY you returned was received (reference %(reference)s)."),
        REIMBURSEMENT,
        AMOUNT,
        PAYMENT_REFERENCE,
        link_text=OPEN_REIMBURSEMENT,
    ),
)
