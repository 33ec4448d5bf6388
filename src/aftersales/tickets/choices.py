"""Classification vocabularies of a ticket (SPEC §2.1–2.4)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SlaState(models.TextChoices):
    """The worst state of a ticket's open SLA clocks, kept on the ticket for its lists."""

    ON_TRACK = "", _("On track")
    WARNING = "warning", _("SLA warning")
    BREACHED = "breached", _("SLA breached")


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline / phone")
    WEB = "web", _("Web portal")
    APP = "app", _("Mobile app")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("Email")
    STORE = "store", _("Store counter")
    SOCIAL = "social", _("Social media")
    LETTER = "letter", _("Letter / fax")
    API = "api", _("Integration (CRM)")


# The channels an agent enters by hand on the intake page (SPEC §2.1): a call, a walk-in at a
# store counter, a post on social media, a WeChat message, an email or a letter/fax taken down
# by the agent. The web portal, the app and integrations (API) file their tickets themselves.
AGENT_CHANNELS = (Channel.HOTLINE, Channel.STORE, Channel.SOCIAL, Channel.WECHAT, Channel.EMAIL, Channel.LETTER)


class RequestType(models.TextChoices):
    REPAIR = "repair", _("Repair")
    RETURN = "return", _("Return")
    EXCHANGE = "exchange", _("Exchange")
    REFUND = "refund", _("Refund")
    COMPENSATION = "compensation", _("Compensation")
    CONSULTATION = "consultation", _("Consultation")
    INSTALLATION = "installation", _("Installation")
    COMPLAINT = "complaint", _("Complaint")


class Nature(models.TextChoices):
    QUALITY = "quality", _("Quality")
    FUNCTION = "function", _("Function")
    APPEARANCE = "appearance", _("Appearance")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")


class Priority(models.IntegerChoices):
    """Lower sorts first: urgent goes first everywhere."""

    URGENT = 1, _("Urgent")
    IMPORTANT = 2, _("Important")
    NORMAL = 3, _("Normal")


class Responsibility(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    THIRD_PARTY = "third_party", _("Third party")
    CUSTOMER = "customer", _("Customer")
    # Named by an appraisal (鉴定): who is to blame, more precisely than "third party".
    SUPPLIER = "supplier", _("Supplier")
    LOGISTICS = "logistics", _("Logistics")
    SERVICE_OUTLET = "service_outlet", _("Service outlet")


class Cause(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    MATERIALS = "materials", _("Materials")
    DESIGN = "design", _("Design")
    MISUSE = "misuse", _("Misuse")
    ENVIRONMENT = "environment", _("Environment")
    LOGISTICS = "logistics", _("Logistics")
    SERVICE = "service", _("Service")
    INSTALLATION = "installation", _("Installation")
    UNKNOWN = "unknown", _("Unknown")


class EventKind(models.TextChoices):
    CREATED = "created", _("Ticket registered")
    STATUS_CHANGED = "status_changed", _("Status changed")
    NOTE = "note", _("Internal note")
    MESSAGE_OUT = "message_out", _("Message to customer")
    MESSAGE_IN = "message_in", _("Message from customer")
    CALL = "call", _("Phone call")
    ASSIGNMENT = "assignment", _("Assignment")
    ATTACHMENT = "attachment", _("Attachment added")
    FIELD_CHANGED = "field_changed", _("Details changed")
    NOTIFICATION = "notification", _("Notification sent")
