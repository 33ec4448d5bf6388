"""Messages the process sends: rows in the notification outbox, written in the business
transaction and delivered after commit (``notification_queue`` defers the delivery job).

The text is put together by ``notifications.text`` (greeting, punctuation, link, sign-off, one
language); a message that asks the customer to act carries its signed link (docs/notifications.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aftersales.accounts.models import User
from aftersales.notifications.links import customer_ticket_url
from aftersales.notifications.models import Notification
from aftersales.notifications.services import notify_staff, notify_ticket_customer

from ..models import Ticket


def notify_customer(
    *,
    ticket: Ticket,
    template: str,
    params: dict[str, Any],
    subject: Any = None,
    body: Any = None,
    link: str = "",
    link_text: Any = "",
    event: str = "",
) -> list[Notification]:
    """Tell the ticket's customer, in their language, by email, SMS, WeChat and the portal inbox.

    The text is the editable event's (``event``, default ``template``: notifications.template_events,
    the administrator's version or the shipped one); ``subject``/``body`` only for a message that
    is no such event. ``body`` does not greet (the greeting is added) and its English msgid
    continues after "Dear Zhao Min," in lower case; ``link`` (absolute) ends the message after
    ``link_text``.
    """
    return notify_ticket_customer(
        ticket=ticket,
        template=template,
        subject=subject,
        body=body,
        params=params,
        link=link,
        link_text=link_text,
        event=event,
    )


def ticket_link(ticket: Ticket) -> str:
    """The customer's signed link to the ticket in the portal, absolute under the site URL."""
    return customer_ticket_url(ticket)


def notify_staff_users(
    *,
    users: Iterable[User],
    ticket: Ticket,
    template: str,
    params: dict[str, Any],
    subject: Any = None,
    body: Any = None,
    event: str = "",
) -> list[Notification]:
    """Put an in-app notification in each active staff user's inbox, in their language, with
    the link to the ticket page (the editable event's text, ``event`` default ``template``)."""
    return notify_staff(
        users=users,
        template=template,
        subject=subject,
        body=body,
        ticket=ticket,
        params={"number": ticket.number, **params},
        event=event,
    )
