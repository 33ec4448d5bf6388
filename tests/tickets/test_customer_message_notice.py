"""Staff learn when a customer writes: a customer's message on the timeline, whatever the path
(portal page, signed link, customer app through API v1, e-mail reply, a held e-mail released),
puts the editable "customer_message" notice in the inbox of whoever handles the ticket — its
assignee, else the supervisors an unassigned ticket's SLA warning goes to — once until read,
never to the staff member who released the message."""

from __future__ import annotations

import email
from email import policy

import pytest
from django.conf import settings
from django.core import mail as django_mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import DataScope, Role, User
from aftersales.mailin.held import mailin_release_to_ticket
from aftersales.mailin.models import InboundStatus
from aftersales.mailin.services import mailin_process, mailin_store
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.notifications.services import notification_deliver, notification_mark_read
from aftersales.notifications.template_events import EVENTS
from aftersales.portal.links import portal_token_for
from aftersales.portal.message_services import portal_send_message
from aftersales.sla.services import checks as sla_checks
from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors.recipients import supervisors_for_ticket
from aftersales.tickets.services import ticket_add_customer_message, ticket_assign
from tests.api.conftest import api_client, customer_user
from tests.factories import TeamFactory, UserFactory, make_ticket
from tests.mailin import corpus

pytestmark = pytest.mark.django_db

NOTICE = "customer_message"


def staff(role: str = Role.AGENT, **kwargs) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(role=role, data_scope=kwargs.pop("data_scope", DataScope.ALL), **kwargs)


def assigned(ticket: Ticket, assignee: User) -> Ticket:
    return ticket_assign(ticket=ticket, assignee=assignee, actor=staff(Role.SUPERVISOR))


def notices(ticket: Ticket) -> list[Notification]:
    return list(Notification.objects.filter(template=NOTICE, ticket=ticket).order_by("pk"))


def told(ticket: Ticket) -> set[int]:
    return {n.user_id for n in notices(ticket)}


def _portal_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _form(body: str, key: str) -> dict[str, str]:
    return {"idempotency_key": key, "body": body}


# --- Every path a customer writes by -------------------------------------------------------------


def test_a_message_on_the_portal_page_tells_the_assignee_with_a_link_to_the_ticket():
    assignee = staff()
    ticket = assigned(make_ticket(), assignee)
    user = customer_user(ticket)
    response = _portal_client(user).post(reverse("portal:message", args=[ticket.number]), _form("什么时候上门？", "p-1"))
    assert response.status_code == 302
    (notice,) = notices(ticket)
    assert (notice.user_id, notice.channel, notice.read_at) == (assignee.pk, NotificationChannel.IN_APP, None)
    assert notice.subject == f"客户在工单 {ticket.number} 留言"
    assert "留言：“什么时候上门？”" in notice.body
    assert notice.body.rstrip().endswith(f"/tickets/{ticket.number}/")
    # The assignee opens it from the inbox, the link clickable.
    inbox = _portal_client(assignee).get(reverse("notifications:inbox")).content.decode()
    assert f"/tickets/{ticket.number}/" in inbox


def test_a_message_through_the_signed_link_tells_the_assignee(client):
    assignee = staff()
    ticket = assigned(make_ticket(phone="13600000003"), assignee)
    url = reverse("portal:message_by_link", kwargs={"token": portal_token_for(ticket)})
    assert client.post(url, _form("收据照片稍后补上", "s-1")).status_code == 302
    (notice,) = notices(ticket)
    assert notice.user_id == assignee.pk
    assert f"{ticket.customer.name}留言：“收据照片稍后补上”" in notice.body


def test_a_reply_in_the_customer_app_through_the_api_tells_the_assignee():
    assignee = staff()
    ticket = assigned(make_ticket(phone="13800000001"), assignee)
    user = customer_user(ticket, "app-customer")
    reply = api_client(user).post(f"/api/v1/tickets/{ticket.number}/replies", {"body": "师傅明天几点到？"})
    assert reply.status_code == 201, reply.content
    assert reply.json()["kind"] == "message_in"
    (notice,) = notices(ticket)
    assert notice.user_id == assignee.pk and "“师傅明天几点到？”" in notice.body
    # Written by the customer's app: it counts as contact from the customer, as on the portal.
    assert Ticket.objects.get(pk=ticket.pk).last_customer_contact_at is not None


@pytest.fixture
def mailbox(settings):  # type: ignore[no-untyped-def]
    settings.MAILIN_ADDRESS = f"售后服务 <{corpus.SUPPORT}>"
    settings.MAILIN_HTTP_SECRET = "push-secret-for-tests"

    def ingest(raw: bytes):  # type: ignore[no-untyped-def]
        stored = mailin_store(raw=raw, source="imap").message
        mailin_process(message_id=stored.pk)
        stored.refresh_from_db()
        return stored

    return ingest


def _our_email(ticket: Ticket):  # type: ignore[no-untyped-def]
    """The ticket's e-mail as delivered (the one the customer replies to)."""
    notification = Notification.objects.filter(ticket=ticket, channel=NotificationChannel.EMAIL).latest("pk")
    notification_deliver(notification_id=notification.pk)
    return email.message_from_bytes(django_mail.outbox[-1].message().as_bytes(), policy=policy.default)


def test_an_email_reply_tells_the_assignee(mailbox):
    ticket = mailbox(corpus.plain()).ticket
    assignee = staff(language="en")
    assigned(ticket, assignee)
    sent = _our_email(ticket)
    mailbox(corpus.reply(to_message=sent, sender="李娜 <li.na@example.com>", body="好的，明天上午家里有人。"))
    (notice,) = notices(ticket)
    assert notice.user_id == assignee.pk
    assert notice.subject == f"Customer wrote on ticket {ticket.number}"
    assert "李娜 <li.na@example.com> wrote: “好的，明天上午家里有人。”" in notice.body


# --- Who is told -----------------------------------------------------------------------------------


def test_an_unassigned_ticket_tells_the_supervisors_its_sla_warning_would():
    team, other_team = TeamFactory(), TeamFactory()
    lead = staff(Role.SUPERVISOR, team=team)
    staff(Role.SUPERVISOR, team=other_team)
    staff(Role.AGENT, team=team)  # an agent of the team is not a supervisor
    ticket = make_ticket(team=team)
    assert ticket.assignee_id is None
    ticket_add_customer_message(ticket=ticket, body="还没人联系我", actor_label="张伟")
    assert told(ticket) == {lead.pk} == {u.pk for u in supervisors_for_ticket(ticket=ticket)}
    # One rule: the SLA's warning, breach and escalation use this very function.
    assert sla_checks.supervisors_for_ticket is supervisors_for_ticket


def test_without_a_supervisor_of_the_team_the_rule_falls_back_as_the_sla_does():
    everyone = staff(Role.SUPERVISOR, data_scope=DataScope.ALL)
    ticket = make_ticket(team=TeamFactory())
    ticket_add_customer_message(ticket=ticket, body="请尽快处理", actor_label="张伟")
    assert told(ticket) == {everyone.pk}


def test_an_inactive_assignee_is_not_told_and_nobody_else_instead():
    assignee = staff()
    ticket = assigned(make_ticket(), assignee)
    User.objects.filter(pk=assignee.pk).update(is_active=False)
    ticket_add_customer_message(ticket=ticket, body="有人吗", actor_label="张伟")
    assert notices(ticket) == []


def test_one_notice_until_it_is_read_then_the_next_message_tells_again():
    assignee = staff()
    ticket = assigned(make_ticket(), assignee)
    for body in ("第一条", "第二条", "第三条"):
        ticket_add_customer_message(ticket=ticket, body=body, actor_label="张伟")
    (first,) = notices(ticket)
    assert "“第一条”" in first.body
    notification_mark_read(user=assignee, notification_id=first.pk)
    ticket_add_customer_message(ticket=ticket, body="第四条", actor_label="张伟")
    assert [n.user_id for n in notices(ticket)] == [assignee.pk, assignee.pk]
    assert "“第四条”" in notices(ticket)[-1].body
    # Another ticket's unread notice does not hold this one's back.
    other = assigned(make_ticket(phone="13900000009"), assignee)
    ticket_add_customer_message(ticket=other, body="另一张工单", actor_label="王芳")
    assert told(other) == {assignee.pk}


def test_a_new_assignee_is_told_even_while_the_former_one_has_an_unread_notice():
    first, second = staff(), staff()
    ticket = assigned(make_ticket(), first)
    ticket_add_customer_message(ticket=ticket, body="你好", actor_label="张伟")
    assigned(ticket, second)
    ticket_add_customer_message(ticket=ticket, body="换人了吗", actor_label="张伟")
    assert [n.user_id for n in notices(ticket)] == [first.pk, second.pk]


def test_the_staff_member_who_releases_a_held_email_is_not_told(mailbox):
    ticket = mailbox(corpus.plain()).ticket
    sent = _our_email(ticket)
    # The assignee releases it: they know; nobody is told.
    assignee = staff()
    assigned(ticket, assignee)
    held = mailbox(corpus.reply(to_message=sent, sender="wife@example.com", body="我是李娜的家人"))
    assert held.status == InboundStatus.HELD
    mailin_release_to_ticket(actor=assignee, message=held, ticket_number=ticket.number)
    assert notices(ticket) == []
    # Another agent releases the next one: the assignee is told, not the agent.
    colleague = staff()
    held = mailbox(corpus.reply(to_message=sent, sender="wife@example.com", body="明天我在家"))
    mailin_release_to_ticket(actor=colleague, message=held, ticket_number=ticket.number)
    assert told(ticket) == {assignee.pk}


def test_a_supervisor_releasing_a_held_email_on_an_unassigned_ticket_is_not_told(mailbox):
    ticket = mailbox(corpus.plain()).ticket
    sent = _our_email(ticket)
    releasing, other = staff(Role.SUPERVISOR), staff(Role.SUPERVISOR)
    held = mailbox(corpus.reply(to_message=sent, sender="wife@example.com", body="我是李娜的家人"))
    mailin_release_to_ticket(actor=releasing, message=held, ticket_number=ticket.number)
    assert told(ticket) == {other.pk}


# --- Its text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject", "said", "link"),
    [
        ("zh-hans", "客户在工单 {number} 留言", "赵敏留言：“{excerpt}”。", "查看工单："),
        ("en", "Customer wrote on ticket {number}", "赵敏 wrote: “{excerpt}”.", "Open the ticket: "),
    ],
)
def test_the_notice_in_the_assignees_language_quotes_the_start_of_the_message_on_one_line(language, subject, said, link):
    assignee = staff(language=language)
    ticket = assigned(make_ticket(), assignee)
    body = "热水器点不着火\n\n" + "我已经试过重新插电，" * 20
    ticket_add_customer_message(ticket=ticket, body=body, actor_label="赵敏")
    (notice,) = notices(ticket)
    excerpt = " ".join(body.split())[:119] + "…"
    assert len(excerpt) == 120 and "\n" not in excerpt
    assert notice.language == language
    assert notice.subject == subject.format(number=ticket.number)
    first_line, link_line = notice.body.split("\n")
    assert first_line == said.format(excerpt=excerpt)
    assert link_line.startswith(link) and link_line.endswith(f"/tickets/{ticket.number}/")


def test_a_short_message_is_quoted_whole():
    assignee = staff(language="en")
    ticket = assigned(make_ticket(), assignee)
    ticket_add_customer_message(ticket=ticket, body="  Thanks!  ", actor_label="Emily Carter")
    assert notices(ticket)[0].body.startswith("Emily Carter wrote: “Thanks!”.")


# --- Editable like the other staff events ---------------------------------------------------------


def test_the_notice_is_an_editable_staff_template_listed_on_the_template_pages():
    event = EVENTS[NOTICE]
    assert event.for_staff and event.channels == (NotificationChannel.IN_APP,)
    assert {p.key for p in event.all_placeholders} == {"number", "customer", "excerpt"}
    admin = staff(Role.ADMINISTRATOR)
    client = Client()
    client.force_login(admin)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            html = client.get(reverse("notifications:templates"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
            assert str(event.label) in html
    url = reverse("notifications:template_edit", args=(NOTICE, "in_app", "zh-hans"))
    assert client.get(url).status_code == 200
    response = client.post(url, {"subject": "{工单号}有客户新留言", "body": "{客户姓名}说：{留言摘要}", "expected_state": "0.0"})
    assert response.status_code == 302
    assignee = staff(language="zh-hans")
    ticket = assigned(make_ticket(), assignee)
    ticket_add_customer_message(ticket=ticket, body="请周六上门", actor_label="张伟")
    (notice,) = notices(ticket)
    assert notice.subject == f"{ticket.number}有客户新留言"
    assert notice.body.startswith("张伟说：请周六上门")


def test_the_service_works_from_the_portal_service_too():
    """The portal's service (the views' door) tells as the page does (one notice per message kept)."""
    assignee = staff()
    ticket = assigned(make_ticket(), assignee)
    user = customer_user(ticket)
    portal_send_message(ticket=ticket, actor=user, body="发票在这里", idempotency_key="svc-1")
    portal_send_message(ticket=ticket, actor=user, body="发票在这里", idempotency_key="svc-1")  # a replayed submit
    assert told(ticket) == {assignee.pk} and len(notices(ticket)) == 1
