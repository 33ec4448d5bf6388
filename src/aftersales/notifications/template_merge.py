"""The customer's notice of a merged duplicate (``tickets.process.verification.ticket_merge``)
as an editable template: declared here, appended to the customer events by
``template_events.EVENTS``.

The merged ticket's customer is told, on their channels and in their language, which ticket now
carries their request; the link opens that ticket (their signed link)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .template_catalogue import FOLLOW, Placeholder, TemplateEvent

# The ticket the request now lives on (``number`` stays the merged ticket's own number).
MERGED_INTO = Placeholder(
    "into",
    "合并至工单号",
    "merged_into_number",
    _("The number of the ticket the request now lives on"),
    "SH20261122-000007",
    "SH20261122-000007",
)

MERGE_EVENTS = (
    TemplateEvent(
        "ticket_merged",
        _("Request merged into another"),
        _("Your request %(number)s continues as %(into)s"),
        _(
            "your request %(number)s is about the same matter as your request %(into)s, so we combined them: "
            "we continue with everything under %(into)s. Please quote %(into)s from now on."
        ),
        link_text=FOLLOW,
        extra=(MERGED_INTO,),
    ),
)
