"""The ticket itself: categories, the number sequence, the ticket row, its timeline events and attachments, and the maintained counts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import CachedChoiceLabels
from aftersales.core.uploads import upload_path

from ..choices import Cause, Channel, EventKind, EvidenceKind, Nature, Priority, RequestType, Responsibility, Severity, SlaState
from ..states import OPEN_STATUS_LIST, TicketStatus


class TicketCategory(models.Model):
    """Complaint category (产品质量, 服务态度 …), configurable by the administrator."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=64, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label(self.name, self.name_en)

    @staticmethod
    def label(name: str, name_en: str) -> str:
        """The name in the active language: the English name in English when there is one (also
        for rows read as values, e.g. the ticket list's category)."""
        from django.utils.translation import get_language

        if name_en and (get_language() or "").startswith("en"):
            return name_en
        return name or ""


class TicketNumberSequence(models.Model):
    """Last number handed out per prefix and local day; incremented inside the ticket's transaction."""

    prefix = models.CharField(max_length=16)
    day = models.DateField()
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket number sequence")
        verbose_name_plural = _("ticket number sequences")
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="ticket_number_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}{self.day:%Y%m%d}: {self.last_value}"


class Ticket(CachedChoiceLabels, models.Model):
    """One customer request (售后单/客诉单) through its whole life."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=24, choices=TicketStatus.choices, default=TicketStatus.REGISTERED)
    request_type = models.CharField(_("request type"), max_length=16, choices=RequestType.choices)
    category = models.ForeignKey(
        TicketCategory, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    nature = models.CharField(_("nature"), max_length=16, choices=Nature.choices, blank=True)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    safety_hazard = models.BooleanField(_("safety hazard"), default=False)

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="tickets"
    )
    contact_name = models.CharField(_("contact name"), max_length=128, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)

    product_unit = models.ForeignKey(
        "catalog.ProductUnit",
        verbose_name=_("product unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    product_model = models.ForeignKey(
        "catalog.ProductModel", verbose_name=_("product model"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_serial = models.CharField(_("serial number (as reported)"), max_length=64, blank=True)
    reported_batch = models.CharField(_("batch (as reported)"), max_length=64, blank=True)
    reported_purchase_date = models.DateField(_("purchase date (as reported)"), null=True, blank=True)

    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    province = models.CharField(_("province"), max_length=32, blank=True)
    city = models.CharField(_("city"), max_length=32, blank=True)
    district = models.CharField(_("district"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    responsibility = models.CharField(_("responsibility"), max_length=16, choices=Responsibility.choices, blank=True)
    responsible_party = models.CharField(
        _("responsible party"), max_length=128, blank=True, help_text=_("Department, supplier, logistics company or outlet.")
    )
    # The register entry (parties app); ``responsible_party`` keeps its name as it was when set,
    # so the history reads the same after a rename.
    responsible_party_ref = models.ForeignKey(
        "parties.ResponsibleParty",
        verbose_name=_("responsible party (register)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,  # the partial ticket_party_ref_idx, built online (migration 0026)
    )
    cause = models.CharField(_("probable cause"), max_length=16, choices=Cause.choices, blank=True)
    cause_detail = models.TextField(_("cause detail"), blank=True)

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    # Written by the SLA engine whenever a clock warns, breaches, restarts or closes.
    sla_state = models.CharField(
        _("SLA state"), max_length=8, choices=SlaState.choices, default=SlaState.ON_TRACK, db_default="", blank=True
    )

    # Verification (核查): filled by the process services, empty until the agent has checked.
    verified_authentic = models.BooleanField(_("authentic"), null=True, blank=True)
    verified_complete = models.BooleanField(_("complete"), null=True, blank=True)
    verification_missing = models.TextField(_("what was missing"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expected_completion_at = models.DateTimeField(_("expected completion"), null=True, blank=True)
    solution_committed_at = models.DateTimeField(_("solution committed at"), null=True, blank=True)
    last_customer_contact_at = models.DateTimeField(_("last answer from the customer"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged_tickets"
    )

    # An intake's idempotency key is kept in core's one store (core.models.IdempotencyRecord,
    # owner "intake", object_id = this ticket): tickets_with_intake_key_prefix finds them.
    # The API key the ticket was filed through (an id, not a foreign key: the api app sits above
    # tickets). A key limited to a region follows the tickets it filed wherever their address
    # put them (api.selectors.api_tickets_visible).
    api_key_id = models.PositiveBigIntegerField(_("filed through API key"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every change; guards concurrent edits.")
    )
    created_at = models.DateTimeField(_("created at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"))
    # Distinct lower-cased character bigrams of title + description, space-separated: the keyword
    # search's index (tickets/search.py; GIN expression index on PostgreSQL, migration 0008).
    search_grams = models.TextField(blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # The agent's open list in due order (selectors.ticket_list_for_user, sort "due":
            # ORDER BY due_at ASC NULLS LAST, id): an ordered scan that stops after one page.
            # A btree sorts NULLs last in ascending order, as the query does.
            models.Index(fields=["due_at", "id"], name="ticket_open_due_idx", condition=Q(status__in=OPEN_STATUS_LIST)),
            models.Index(fields=["status", "due_at", "id"], name="ticket_status_due_idx"),
            # "All statuses, due soonest" and a search sorted by due date walk this one (at 100k
            # a search for 漏水 sorted by due went from ~350 ms to ~5 ms of SQL).
            models.Index(fields=["due_at", "id"], name="ticket_due_idx"),
            models.Index(fields=["status", "priority", "created_at"], name="ticket_status_prio_idx"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status_idx"),
            models.Index(fields=["customer", "created_at"], name="ticket_customer_idx"),
            models.Index(fields=["region", "status"], name="ticket_region_status_idx"),
            models.Index(fields=["team", "status"], name="ticket_team_status_idx"),
            models.Index(fields=["api_key_id"], name="ticket_api_key_idx", condition=Q(api_key_id__isnull=False)),
            # The triage's duplicate lookup (triage/duplicates.py): open tickets with the same
            # contact phone or reported serial, newest first within the window. Partial (open and
            # not blank), so they hold only the rows the lookup can want; built CONCURRENTLY on
            # PostgreSQL by migration 0017 (core.migration_ops.AddIndexOnline).
            models.Index(
                fields=["contact_phone", "created_at"],
                name="ticket_open_phone_idx",
                condition=Q(status__in=OPEN_STATUS_LIST) & ~Q(contact_phone=""),
            ),
            models.Index(
                fields=["reported_serial", "created_at"],
                name="ticket_open_serial_idx",
                condition=Q(status__in=OPEN_STATUS_LIST) & ~Q(reported_serial=""),
            ),
            # Tickets charged to a responsible party (the list's party filter, the register's
            # PROTECT check): only the tickets that name one.
            models.Index(
                fields=["responsible_party_ref"],
                name="ticket_party_ref_idx",
                condition=Q(responsible_party_ref__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def status_enum(self) -> TicketStatus:
        return TicketStatus(self.status)


class TicketEvent(CachedChoiceLabels, models.Model):
    """One entry of a ticket's timeline: who, when, what; public (customer sees it) or internal."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("actor label"), max_length=128, blank=True)
    public = models.BooleanField(_("visible to customer"), default=False)
    body = models.TextField(_("text"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="ticket_event_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    """A generated name: nothing of the uploader's file name reaches the file system."""
    return upload_path(f"attachments/{instance.ticket_id}", instance, filename)


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        TicketEvent, verbose_name=_("event"), null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    # What the file is (a photo, the invoice, a proof of purchase …): said by the uploader or
    # following from its type (``attachments.kind_for_type``). A constant database default: the
    # column is added without rewriting the table (files before it: tickets 0022 fills them).
    kind = models.CharField(
        _("kind"), max_length=16, choices=EvidenceKind.choices, default=EvidenceKind.OTHER, db_default=EvidenceKind.OTHER
    )
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    public = models.BooleanField(_("visible to customer"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


# --- The complaint process: plan, measures, approval, customer agreement (SPEC §2.5–2.8) -----


class TicketCount(models.Model):
    """How many tickets have this status, category and region — exact to the last commit.

    Written in the same transaction as every ticket insert, status change and category change
    (``tickets.counts``), and by the bulk path. Read by the ticket list's total and the
    supervisor's dashboard (``analytics``). The table keeps the name it had when the model lived
    in the analytics app (moved by migration ``tickets 0010``, no data touched).
    ``category_key`` / ``region_key`` are the ids, 0 for none (a NULL would defeat the unique key
    that the upsert needs). ``slot`` spreads the
    rows of one key so that concurrent intakes rarely wait on the same row: the count of a key is
    the sum over its slots. ``n`` may be negative in one slot (a ticket counted in slot 3 and
    moved on in slot 5); only the sums mean anything.
    """

    status = models.CharField(_("status"), max_length=24)
    category_key = models.PositiveIntegerField(_("category"), default=0)
    region_key = models.PositiveIntegerField(_("region"), default=0)
    slot = models.PositiveSmallIntegerField(default=0)
    n = models.BigIntegerField(default=0)

    class Meta:
        db_table = "analytics_ticketcount"
        verbose_name = _("ticket count")
        verbose_name_plural = _("ticket counts")
        constraints = [
            models.UniqueConstraint(fields=["status", "category_key", "region_key", "slot"], name="ticket_count_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.status}/{self.category_key}/{self.region_key}#{self.slot}: {self.n}"


# --- Assignment: rules, skills, availability, absences (tickets.services.assignment) ----------
