"""``manage.py notifications_check [--send-test --channel sms|wechat --to NUMBER|OPENID
[--kind KIND] [--language zh-hans|en]]``: which sender each channel uses, what its settings lack,
which kinds of customer message have a provider's template (the others are skipped); with
``--send-test``, one message of ``--kind`` with sample values, sent here and now (not through the
outbox), and what the provider answered."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from aftersales.accounts.effects import SMS_RESET_TEMPLATE
from aftersales.accounts.login_code import PHONE_CODE_TEMPLATE
from aftersales.core.links import absolute_url
from aftersales.customers.portal_accounts import PORTAL_INVITE_TEMPLATE
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.notifications.providers.setup import channel_setup, channel_setups
from aftersales.notifications.senders import PermanentSendError, SendSkipped, sender_for
from aftersales.notifications.template_events import event_for
from aftersales.notifications.template_services import SAMPLE_LINK_PATH, sample_short_link_values
from aftersales.notifications.template_text import prepared


def sample_values(kind: str, language: str) -> dict[str, str]:
    """The kind's sample values (those the template pages preview with), a sample link and a
    short link to it (a real one, for a day)."""
    if kind == SMS_RESET_TEMPLATE:
        return {"code": "123456", "minutes": "10"}
    if kind == PHONE_CODE_TEMPLATE:
        return {"code": "123456", "minutes": "10", "purpose": "sign_in"}
    if kind == PORTAL_INVITE_TEMPLATE:
        return {"name": "赵敏" if language.startswith("zh") else "Zhao Min", "days": "7", "link": absolute_url(SAMPLE_LINK_PATH)}
    event = event_for(kind)
    if event is None or event.for_staff:
        raise CommandError(f"{kind!r} is not a kind of message sent to customers.")
    with translation.override(language):
        values = prepared(event.samples(language))
    if event.link_text:
        values["link"] = absolute_url(SAMPLE_LINK_PATH)
        values.update(sample_short_link_values(language=language))
    return values


class Command(BaseCommand):
    help = "Show how SMS and WeChat are sent (provider, settings, templates); --send-test sends one message."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--send-test", action="store_true", help="Send one test message now.")
        parser.add_argument("--channel", choices=[NotificationChannel.SMS, NotificationChannel.WECHAT], default="sms")
        parser.add_argument("--to", default="", help="The phone number (SMS) or openid (WeChat) to send the test to.")
        parser.add_argument("--kind", default="ticket_received", help="The kind of message (its template) to test.")
        parser.add_argument("--language", default="zh-hans")

    def handle(self, *args: Any, send_test: bool, channel: str, to: str, kind: str, language: str, **options: Any) -> None:
        for setup in channel_setups():
            self.stdout.write(f"{setup.channel}: {setup.provider} ({setup.sender})")
            for problem in setup.problems:
                self.stdout.write(self.style.WARNING(f"  problem: {problem}"))
            if setup.kinds:
                self.stdout.write(f"  templates: {', '.join(setup.kinds)}")
            if setup.missing and setup.provider not in {"log only", "custom"}:
                self.stdout.write(f"  skipped (no template): {', '.join(setup.missing)}")
        if send_test:
            self._send_test(channel=channel, to=to, kind=kind, language=language)

    def _send_test(self, *, channel: str, to: str, kind: str, language: str) -> None:
        if not to.strip():
            raise CommandError("--send-test needs --to (a phone number for SMS, an openid for WeChat).")
        setup = channel_setup(channel)
        if setup.provider == "log only":
            self.stdout.write(self.style.WARNING(f"{channel}: no provider configured, the test goes to the log only."))
        values = sample_values(kind, language)
        notification = Notification(
            channel=channel,
            template=kind,
            recipient=to.strip(),
            language=language,
            body=f"[notifications_check] {kind}",
            params=values,
        )
        try:
            sender_for(channel).send(notification)
        except SendSkipped as exc:
            raise CommandError(f"Skipped: {exc}") from exc
        except PermanentSendError as exc:
            raise CommandError(f"Refused (not retried in production): {exc}") from exc
        except Exception as exc:  # any other failure, shown to the administrator as it is
            raise CommandError(f"Failed (retried in production): {type(exc).__name__}: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Sent: {kind} by {channel} to {to.strip()} ({setup.provider})."))
