"""How SMS and WeChat are set up, for ``manage.py notifications_check`` and ``manage.py check``:
which sender each channel uses, what is missing or malformed in its settings, and which kinds
of customer message have a provider's template (the others are skipped)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from aftersales.accounts.effects import SMS_RESET_TEMPLATE
from aftersales.accounts.login_code import PHONE_CODE_TEMPLATE
from aftersales.customers.portal_accounts import PORTAL_INVITE_TEMPLATE

from ..models import NotificationChannel
from ..senders import LOG_ONLY, SMS_PROVIDERS, WECHAT_SENDER, configured_senders, sms_provider
from ..template_events import EVENTS
from .common import LITERAL, ConfigurationError, kind_template, setting, templates_setting

PROVIDER_SETTINGS = {
    SMS_PROVIDERS["aliyun"]: ("Aliyun SMS", "SMS_TEMPLATES", "params"),
    SMS_PROVIDERS["tencent"]: ("Tencent Cloud SMS", "SMS_TEMPLATES", "params"),
    WECHAT_SENDER: ("WeChat Official Account", "WECHAT_TEMPLATES", "data"),
}
# Values every message may carry besides its event's placeholders (providers.common): a message
# with a link to this site has its short link too (short_links).
COMMON_VALUES = ("link", "link_path", "short_link", "short_path", "short_code", "body")


def customer_kinds() -> dict[str, set[str]]:
    """Every kind of message sent to customers by SMS or WeChat, with the values it carries."""
    kinds = {
        key: {p.key for p in event.all_placeholders} | set(COMMON_VALUES) for key, event in EVENTS.items() if not event.for_staff
    }
    kinds[SMS_RESET_TEMPLATE] = {"code", "minutes", *COMMON_VALUES}
    kinds[PHONE_CODE_TEMPLATE] = {"code", "minutes", "purpose", *COMMON_VALUES}  # portal sign-up / sign-in
    kinds[PORTAL_INVITE_TEMPLATE] = {"name", "days", *COMMON_VALUES} - {"short_code"}  # its link is redacted
    return kinds


@dataclass
class ChannelSetup:
    channel: str
    sender: str
    provider: str
    problems: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # the kinds with a template
    missing: list[str] = field(default_factory=list)  # the kinds without one (skipped)


def _required_settings(setup: ChannelSetup) -> tuple[str, ...]:
    """The sender's required settings (its module imported: its SDK must be installed)."""
    module_path = setup.sender.rsplit(".", 1)[0]
    try:
        module = importlib.import_module(module_path)
    except ImportError as exc:
        setup.problems.append(f"{setup.provider}: {exc} (install the pinned requirements)")
        return ()
    return tuple(getattr(module, "REQUIRED_SETTINGS", ()))


def _template_problems(setup: ChannelSetup, setting_name: str, fields_key: str) -> None:
    try:
        entries = templates_setting(setting_name)
    except ConfigurationError as exc:
        setup.problems.append(str(exc))
        return
    kinds = customer_kinds()
    for kind in sorted(entries):
        if kind not in kinds:
            setup.problems.append(f'{setting_name}["{kind}"]: not a kind of message sent to customers')
            continue
        try:
            template = kind_template(setting_name, kind, "zh-hans", fields_key=fields_key)
        except ConfigurationError as exc:
            setup.problems.append(str(exc))
            continue
        if template is None:
            continue
        unknown = [s for _n, s in template.fields if not s.startswith(LITERAL) and s not in kinds[kind]]
        if unknown:
            known = ", ".join(sorted(kinds[kind]))
            setup.problems.append(f'{setting_name}["{kind}"]: no value {", ".join(unknown)} in this message (it has {known})')
        setup.kinds.append(kind)
    setup.missing = sorted(set(kinds) - set(setup.kinds))


def channel_setup(channel: str) -> ChannelSetup:
    sender = configured_senders()[channel]
    name = PROVIDER_SETTINGS.get(sender, ("", "", ""))[0]
    setup = ChannelSetup(channel=channel, sender=sender, provider=name or ("log only" if sender == LOG_ONLY else "custom"))
    if channel == NotificationChannel.SMS and sms_provider() and sms_provider() not in SMS_PROVIDERS:
        setup.problems.append(f"SMS_PROVIDER={sms_provider()!r} is none of {', '.join(sorted(SMS_PROVIDERS))}")
    if sender not in PROVIDER_SETTINGS:
        return setup
    missing = [n for n in _required_settings(setup) if not setting(n)]
    if missing:
        setup.problems.append(f"{', '.join(missing)} not set")
    _name, templates, fields_key = PROVIDER_SETTINGS[sender]
    _template_problems(setup, templates, fields_key)
    return setup


def channel_setups() -> list[ChannelSetup]:
    return [channel_setup(NotificationChannel.SMS), channel_setup(NotificationChannel.WECHAT)]
