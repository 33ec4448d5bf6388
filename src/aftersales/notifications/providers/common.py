"""What the SMS and WeChat senders share.

* **Settings** are read with ``getattr(settings, NAME, default)`` (settings.py takes them from
  the environment, decision 0002); a provider whose settings are missing or malformed refuses
  its messages for good with the reason (``ConfigurationError``), and ``manage.py
  notifications_check`` / ``manage.py check`` say what is wrong.
* **A template per kind of message.** In China an SMS (and a WeChat template message) can only
  be sent with a template approved in advance by the provider; the product's own text is not
  sent. ``SMS_TEMPLATES`` / ``WECHAT_TEMPLATES`` map each kind (the outbox ``template``:
  ``ticket_received``, ``ticket_plan_offered``, ``survey``, ``fieldservice.appointment``,
  ``password_reset_sms`` …) to the provider's template and its fields, each filled from one of
  the message's values. A kind without a template is skipped (``SendSkipped``), not failed.
* **The values** of a message: those stored on the outbox row (``Notification.params``: the
  ticket number, the customer's name, the link, its short link ``short_link`` / ``short_path`` /
  ``short_code`` (``short_links``), the event's own values; the password reset's ``code`` and
  ``minutes``), plus ``link_path`` (the link without the site address, for a template that
  holds the registered domain itself) and ``body`` (the whole text as the product would have
  sent it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.conf import settings

from aftersales.core.links import site_url

from ..models import Notification
from ..senders import PermanentSendError, SendSkipped

DEFAULT_TIMEOUT_SECONDS = 10.0
# A field whose source starts with "=" is filled with the text after it (a fixed WeChat keyword).
LITERAL = "="
_LAST_URL = re.compile(r"https?://\S+$")


class ConfigurationError(PermanentSendError):
    """A provider's settings are missing or malformed: nothing can go until they are fixed."""

    def __init__(self, message: str = "", code: str = "not_configured") -> None:
        super().__init__(message, code)


def setting(name: str, default: str = "") -> str:
    """A text setting, stripped ("" when unset)."""
    return str(getattr(settings, name, default) or default).strip()


def required(*names: str) -> dict[str, str]:
    """The named settings; ``ConfigurationError`` naming those that are empty."""
    values = {name: setting(name) for name in names}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise ConfigurationError(f"not configured: {', '.join(missing)} not set")
    return values


def timeout_seconds() -> float:
    """How long a provider may take to answer (``NOTIFICATION_PROVIDER_TIMEOUT_SECONDS``)."""
    try:
        return float(getattr(settings, "NOTIFICATION_PROVIDER_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
    except (TypeError, ValueError):
        return DEFAULT_TIMEOUT_SECONDS


def templates_setting(name: str) -> dict[str, Any]:
    """``SMS_TEMPLATES`` / ``WECHAT_TEMPLATES``: a mapping, or its JSON text (as in the environment)."""
    raw = getattr(settings, name, None) or {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except ValueError as exc:
            raise ConfigurationError(f"{name} is not valid JSON: {exc}") from None
    if not isinstance(raw, Mapping):
        raise ConfigurationError(f"{name} must be a JSON object: kind of message → template")
    return dict(raw)


@dataclass(frozen=True)
class KindTemplate:
    """The provider's approved template for one kind of message: its code (Aliyun ``SMS_…``,
    Tencent's template id, WeChat's template id) and its fields in order, each the provider's
    parameter name and the value it is filled with (a value's key, or ``=text``)."""

    kind: str
    code: str
    fields: tuple[tuple[str, str], ...]


def kind_template(setting_name: str, kind: str, language: str, *, fields_key: str) -> KindTemplate | None:
    """The template of ``kind`` in ``setting_name`` (None: none configured).

    An entry is ``{"template": CODE, fields_key: {provider name: value key} or [value keys],
    "by_language": {"en": OTHER_CODE}}``, or just the code (a template without variables)."""
    entry = templates_setting(setting_name).get(kind)
    if entry is None or entry == "":
        return None
    if isinstance(entry, str):
        entry = {"template": entry}
    if not isinstance(entry, Mapping) or not str(entry.get("template") or "").strip():
        raise ConfigurationError(f'{setting_name}["{kind}"] needs a "template"')
    by_language = entry.get("by_language") or {}
    if not isinstance(by_language, Mapping):
        raise ConfigurationError(f'{setting_name}["{kind}"]["by_language"] must map a language to a template')
    code = str(by_language.get(language) or entry["template"]).strip()
    raw = entry.get(fields_key) or {}
    if isinstance(raw, list | tuple):
        fields = tuple((str(key), str(key)) for key in raw)
    elif isinstance(raw, Mapping):
        fields = tuple((str(name), str(source)) for name, source in raw.items())
    else:
        raise ConfigurationError(f'{setting_name}["{kind}"]["{fields_key}"] must be an object or a list')
    return KindTemplate(kind=kind, code=code, fields=fields)


def template_or_skip(setting_name: str, notification: Notification, *, fields_key: str, what: str) -> KindTemplate:
    """The kind's template; ``SendSkipped`` (the reason kept on the row) when there is none."""
    found = kind_template(setting_name, notification.template, notification.language, fields_key=fields_key)
    if found is None:
        raise SendSkipped(f"no {what} template configured for “{notification.template}” ({setting_name}): not sent")
    return found


def link_path(link: str) -> str:
    """The link without the site address and its slash (``portal/t/…/``): for a template whose
    fixed text holds the registered address (``https://service.example.cn/${path}``)."""
    base = site_url()
    if base and link.startswith(base + "/"):
        return link[len(base) + 1 :]
    return link


def message_values(notification: Notification) -> dict[str, str]:
    """The values a template is filled with (see the module's docstring). A row queued without
    values (before they were stored, or by a caller that passes none) still has its link (the
    text's last URL)."""
    values = {str(key): "" if value is None else str(value) for key, value in (notification.params or {}).items()}
    body = notification.body or ""
    if not values.get("link"):
        found = _LAST_URL.search(body.strip())
        if found:
            values["link"] = found.group(0)
    if values.get("link"):
        values.setdefault("link_path", link_path(values["link"]))
    values.setdefault("body", body)
    return values


def filled_fields(template: KindTemplate, values: Mapping[str, str]) -> list[tuple[str, str]]:
    """The template's fields with their values; ``PermanentSendError`` when the message has no
    value for one (the providers refuse empty variables)."""
    filled: list[tuple[str, str]] = []
    missing: list[str] = []
    for name, source in template.fields:
        value = source[len(LITERAL) :] if source.startswith(LITERAL) else values.get(source, "")
        if not value:
            missing.append(source)
        filled.append((name, value))
    if missing:
        raise PermanentSendError(
            f"the message has no value for {', '.join(missing)} (template {template.code} of “{template.kind}”)"
        )
    return filled


@dataclass(frozen=True)
class Mobile:
    """A valid mobile number: its country calling code and national significant number."""

    country_code: int
    national: str

    @property
    def e164(self) -> str:
        return f"+{self.country_code}{self.national}"


_MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def mobile_number(recipient: str) -> Mobile:
    """The recipient (E.164 as stored; other spellings accepted) as a mobile number, or
    ``PermanentSendError``: an SMS cannot reach a landline or a number that does not exist."""
    text = (recipient or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, setting("PHONENUMBER_DEFAULT_REGION", "CN") or "CN")
    except phonenumbers.NumberParseException:
        raise PermanentSendError("the recipient is not a phone number", "number_invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise PermanentSendError("the recipient's phone number does not exist", "number_invalid")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise PermanentSendError("the recipient's phone number is not a mobile number", "not_mobile")
    return Mobile(country_code=int(number.country_code or 0), national=phonenumbers.national_significant_number(number))
