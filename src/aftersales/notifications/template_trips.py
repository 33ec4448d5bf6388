"""The staff's notifications of the trip log (出差日志, the travel app) as editable templates: the
reviewers (finance, supervisors, administrators whose data scope holds the technician) hear that a
log was submitted for review; the technician hears that his log was approved (with the labour
cost fixed) or returned for correction (with the reason). Appended to ``template_staff_events`` as ``template_staff_travel``
is."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .template_catalogue import TECHNICIAN, Placeholder, _staff

TRIP = Placeholder("number", "出差单号", "trip_number", _("The trip's number"), "CC-20261207-0001", "CC-20261207-0001")
LABOUR_HOURS = Placeholder("hours", "核定工时", "approved_hours", _("The hours approved on work orders"), "16.00", "16.00")
LABOUR_COST = Placeholder("cost", "人工费", "labour_cost", _("The labour cost fixed in yuan"), "960.00", "960.00")
RETURN_REASON = Placeholder(
    "reason", "原因", "reason", _("The reason given"), "12月5日工时与派工单不符", "the hours of 5 Dec differ"
)
LOGGED_HOURS = Placeholder("hours", "填报工时", "logged_hours", _("The working hours logged"), "16.00", "16.00")
TRIP_DAYS = Placeholder("days", "出差日期", "trip_days", _("The days away"), "2026-12-01 – 2026-12-03", "2026-12-01 – 2026-12-03")
OPEN_TRIP = _("Open the trip:")

TRIP_EVENTS = (
    _staff(
        "travel.trip_submitted",
        _("Trip log to review (reviewers)"),
        _("Trip log %(number)s to review"),
        _("%(technician)s submitted the trip log %(number)s (%(days)s, %(hours)s working hours logged) for review."),
        TRIP,
        TECHNICIAN,
        TRIP_DAYS,
        LOGGED_HOURS,
        link_text=OPEN_TRIP,
    ),
    _staff(
        "travel.trip_approved",
        _("Your trip log approved"),
        _("Trip log %(number)s approved"),
        _("Your trip log %(number)s is approved: %(hours)s hours on work orders, labour cost %(cost)s CNY."),
        TRIP,
        LABOUR_HOURS,
        LABOUR_COST,
        link_text=OPEN_TRIP,
    ),
    _staff(
        "travel.trip_returned",
        _("Your trip log returned"),
        _("Trip log %(number)s returned"),
        _("Your trip log %(number)s was returned for correction: %(reason)s"),
        TRIP,
        RETURN_REASON,
        link_text=OPEN_TRIP,
    ),
)
