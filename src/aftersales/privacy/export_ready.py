"""Telling who asked for a copy of personal data that it is ready (its background job built it):
the customer in their portal inbox, with the link to "My personal data"; a member of staff who
prepared it for a customer (a request by phone or letter) in their inbox, with the link to the
request's page. An in-app message only: it carries no personal data, just the way to the file."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aftersales.core.links import absolute_url
from aftersales.notifications.models import NotificationChannel
from aftersales.notifications.services import notification_queue, notify_staff
from aftersales.notifications.text import DEFAULT_LANGUAGE, compose_customer, render

from .models import PrivacyRequest

TEMPLATE = "privacy_export_ready"
CUSTOMER_SUBJECT = _("Your copy of your personal data is ready")
CUSTOMER_BODY = _(
    "the copy of your personal data that you asked for is ready. Download it before %(date)s; it is deleted afterwards."
)
CUSTOMER_LINK_TEXT = _("Download it here:")
STAFF_SUBJECT = _("The copy of personal data (request %(id)s) is ready")
STAFF_BODY = _("the copy of a customer's personal data (request %(id)s) is ready to hand over until %(date)s.")
STAFF_LINK_TEXT = _("Open the request:")


def notify_export_ready(*, request: PrivacyRequest) -> None:
    """Queue the "ready" message (in the caller's transaction) to whoever asked (``handled_by``:
    the customer's portal account or the member of staff); nobody is told for a copy nobody
    asked for through an account."""
    asker = request.handled_by
    if asker is None or not asker.is_active:
        return
    until = f"{timezone.localtime(request.export_expires_at):%Y-%m-%d}" if request.export_expires_at else ""
    if asker.is_customer:
        language = asker.language or DEFAULT_LANGUAGE
        with translation.override(language):
            values = {"date": until}
            body = compose_customer(
                language=language,
                name=request.customer.name,
                body=render(CUSTOMER_BODY, values),
                link=absolute_url(reverse("privacy:mine")),
                link_text=str(CUSTOMER_LINK_TEXT),
            )
            notification_queue(
                channel=NotificationChannel.IN_APP,
                template=TEMPLATE,
                recipient=str(asker.pk),
                subject=render(CUSTOMER_SUBJECT, values),
                body=body,
                language=language,
                user=asker,
            )
        return
    notify_staff(
        users=[asker],
        template=TEMPLATE,
        subject=STAFF_SUBJECT,
        body=STAFF_BODY,
        params={"id": str(request.pk), "date": until},
        link=reverse("privacy:detail", args=(request.pk,)),
        link_text=STAFF_LINK_TEXT,
    )
