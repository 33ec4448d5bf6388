"""API keys of integrations and the responses kept for ``Idempotency-Key`` replays."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Scope(models.TextChoices):
    """What a key may do, on top of what its owner may do."""

    TICKETS_READ = "tickets:read", _("Read tickets, timelines and attachments")
    TICKETS_WRITE = "tickets:write", _("Create tickets, reply, upload, take process actions")
    CUSTOMERS_READ = "customers:read", _("Read customers (staff owners only)")
    CUSTOMERS_WRITE = "customers:write", _("Register customers and change their details (staff owners only)")
    CATALOG_READ = "catalog:read", _("Look up product units and warranty")
    SURVEYS_READ = "surveys:read", _("Read satisfaction surveys")
    SURVEYS_WRITE = "surveys:write", _("Answer satisfaction surveys")
    WORKORDERS_READ = "workorders:read", _("Read work orders, their charges and acceptance forms (staff owners only)")
    WORKORDERS_WRITE = "workorders:write", _("Create, dispatch and work on work orders (staff owners only)")
    STOCK_READ = "stock:read", _("Read parts, stock levels, requisitions and returns (staff owners only)")
    STOCK_WRITE = "stock:write", _("Request, issue, use and return parts (staff owners only)")
    APPRAISALS_READ = "appraisals:read", _("Read appraisal requests and reports")
    APPRAISALS_WRITE = "appraisals:write", _("Request, record and answer appraisals")
    REMEDIES_READ = "remedies:read", _("Read the remedies proposed and chosen")
    REMEDIES_WRITE = "remedies:write", _("Choose a ticket's remedy")
    RETURNS_READ = "returns:read", _("Read returns, exchanges and their shipments")
    RETURNS_WRITE = "returns:write", _("Authorise, collect, receive, inspect and ship returns and exchanges")
    COMPENSATION_READ = "compensation:read", _("Read refunds and compensation")
    COMPENSATION_WRITE = "compensation:write", _("Request, approve and fulfil refunds and compensation")
    CRISIS_READ = "crisis:read", _("Read crisis alerts and crises")
    CRISIS_WRITE = "crisis:write", _("Confirm alerts and work on crises")
    KNOWLEDGE_READ = "knowledge:read", _("Read knowledge base articles")
    KNOWLEDGE_WRITE = "knowledge:write", _("Write and publish knowledge base articles")
    REVISITS_READ = "revisits:read", _("Read revisit plans, tasks and call records")
    REVISITS_WRITE = "revisits:write", _("Record revisit calls and manage revisit policies")
    TEMPLATES_READ = "templates:read", _("Read reply and notification templates")
    TEMPLATES_WRITE = "templates:write", _("Edit reply and notification templates")
    QUALITY_READ = "quality:read", _("Read fault statistics and improvement actions")
    QUALITY_WRITE = "quality:write", _("Raise and work on improvement actions")
    IMPORTS_WRITE = "imports:write", _("Import customers, models, units and shipment volumes")
    ANALYTICS_READ = "analytics:read", _("Read KPIs, dashboards and chargeback statements")
    EXPORTS_WRITE = "exports:write", _("Export lists and reports to Excel and download the files")
    REPORTS_WRITE = "reports:write", _("Subscribe to scheduled reports and manage the subscriptions")
    TRIAGE_READ = "triage:read", _("Read a ticket's triage suggestions and likely duplicates")
    TRIAGE_WRITE = "triage:write", _("Accept or correct triage suggestions")
    OUTLETS_READ = "outlets:read", _("Read service outlets and their settlement statements (staff owners only)")
    OUTLETS_WRITE = "outlets:write", _("Draft, confirm, approve and pay outlets' settlement statements (staff owners only)")
    TRAVEL_READ = "travel:read", _("Read technicians' cash advances and travel reimbursements (staff owners only)")
    TRAVEL_WRITE = (
        "travel:write",
        _("Request, decide and pay cash advances; draft, post and close reimbursements (staff owners only)"),
    )
    CALENDARS_READ = "calendars:read", _("Read business calendars and each year's days off and make-up workdays")
    CALENDARS_WRITE = "calendars:write", _("Enter a year's official holiday schedule on a business calendar (administrators)")
    STAFF_READ = "staff:read", _("Read what a member of staff holds before they leave (administrators)")
    STAFF_WRITE = "staff:write", _("Hand a leaving member of staff's work over and deactivate the account (administrators)")


ALL_SCOPES: tuple[str, ...] = tuple(Scope.values)


class KeyKind(models.TextChoices):
    """Where a key comes from: made by staff for an integration, or handed to a customer's device
    when they signed in to the company's app (``POST /api/v1/auth/token``; it expires)."""

    INTEGRATION = "integration", _("Integration key")
    SIGN_IN = "sign_in", _("App sign-in (a device)")


class ApiKey(models.Model):
    """A key an integration sends as ``Authorization: Bearer <key>``; it acts as its owner.

    Only ``prefix`` (shown in lists) and the SHA-256 of the whole key are stored: the secret is
    shown once, at creation. Scopes and an optional region narrow what the owner may do. A
    customer's sign-in from the app (``kind`` ``sign_in``) is a key too: one per device, named
    after it, with the app's scopes and an expiry.
    """

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("api key", "owner"),
        on_delete=models.CASCADE,
        related_name="api_keys",
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(_("secret hash"), max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    region = models.ForeignKey(
        "accounts.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("When set, the key sees only this region's tickets and customers."),
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        _("requests per minute"), null=True, blank=True, help_text=_("Empty: the server's default (API_RATE_LIMIT_PER_MINUTE).")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=KeyKind.choices, default=KeyKind.INTEGRATION)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True, help_text=_("Empty: never. An app's sign-in expires (API_SIGNIN_TOKEN_DAYS).")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


# IdempotencyRecord lives in core (core/idempotency.py): one store for the API and intake.
