"""Classification vocabularies of a ticket (SPEC §2.1–2.4)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


# --- The plan's assessment (方案评估, SPEC §2.5, seed [004] §3 "互相协商") -------------------------
# What the agent weighs before offering a remedy. Every vocabulary starts at "unknown" (not
# assessed): plans written before the assessment existed keep that value.


class LongTermRelationship(models.TextChoices):
    """是否有长期的交易关系."""

    UNKNOWN = "unknown", _("Not assessed")
    YES = "yes", _("Yes")
    NO = "no", _("No")


class RepurchaseLikelihood(models.TextChoices):
    """今后再度购买的希望 (the chance the customer buys again)."""

    UNKNOWN = "unknown", _("Not assessed")
    HIGH = "high", pgettext_lazy("level", "High")
    MEDIUM = "medium", pgettext_lazy("level", "Medium")
    LOW = "low", pgettext_lazy("level", "Low")


class WordOfMouthRisk(models.TextChoices):
    """口碑影响: how far the outcome would be talked about, for good or ill."""

    UNKNOWN = "unknown", _("Not assessed")
    HIGH = "high", pgettext_lazy("level", "High")
    MEDIUM = "medium", pgettext_lazy("level", "Medium")
    LOW = "low", pgettext_lazy("level", "Low")


class DemandReasonableness(models.TextChoices):
    """要求是否合理: reasonable, partly, unreasonable or excessive (无理或过分), without facts (无事实依据)."""

    UNKNOWN = "unknown", _("Not assessed")
    REASONABLE = "reasonable", _("Reasonable")
    PARTLY = "partly", _("Partly reasonable")
    UNREASONABLE = "unreasonable", _("Unreasonable or excessive")
    UNFOUNDED = "unfounded", _("Without factual basis")


class CompanyFault(models.TextChoices):
    """公司有无过失，过失程度."""

    UNKNOWN = "unknown", _("Not assessed")
    NONE = "none", _("No fault")
    MINOR = "minor", _("Minor fault")
    PARTIAL = "partial", _("Partly at fault")
    MAJOR = "major", _("Largely at fault")
    FULL = "full", _("Entirely at fault")


# --- What a ticket's file is (SPEC §2.1) -------------------------------------------------------


class EvidenceKind(models.TextChoices):
    """What a file of a ticket is (``Attachment.kind``; SPEC §2.1: photos, the invoice, a proof of
    purchase). An invoice or a proof of purchase is what the 三包 remedies ask for
    (``PURCHASE_EVIDENCE``)."""

    PHOTO = "photo", _("Photo or video")
    INVOICE = "invoice", _("Invoice")
    PURCHASE_PROOF = "purchase_proof", _("Proof of purchase")
    OTHER = "other", _("Other file")


# The kinds that prove the purchase (发票 or another proof): the 三包 facts name them (remedies.facts).
PURCHASE_EVIDENCE = (EvidenceKind.INVOICE, EvidenceKind.PURCHASE_PROOF)
