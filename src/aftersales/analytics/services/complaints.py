"""Complaints about a person recorded outside surveys: on revisit calls (``revisits.StaffComplaint``).

``staff_complaints_for_tickets`` answers, per ticket, how many complaints about staff were
recorded against it on revisits; survey complaints (an attitude rating of 1 or 2) are counted in
``facts``. A complaint recorded on a revisit with no ticket counts against nobody's ticket row.
"""

from __future__ import annotations

from django.db.models import Count

from aftersales.revisits.models import StaffComplaint


def staff_complaints_for_tickets(ticket_ids: list[int]) -> dict[int, int]:
    """Complaints about the handling person per ticket id, from revisit calls."""
    if not ticket_ids:
        return {}
    rows = (
        StaffComplaint.objects.filter(ticket_id__in=ticket_ids)
        .values("ticket_id")
        .annotate(n=Count("id"))
        .values_list("ticket_id", "n")
    )
    return dict(rows)
