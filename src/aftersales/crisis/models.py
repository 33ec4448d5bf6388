"""Models of the crisis app: the detector's configuration (safety words), the alerts it opens,
the configurable levels and emergency plans, and the crisis record with its team, tasks,
communication log and review figures."""

from __future__ import annotations

from decimal import Decimal

from django.core.cache import cache
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Region, User
from aftersales.catalog.models import ProductModel
from aftersales.tickets.models import Ticket

SAFETY_WORDS_CACHE_KEY = "crisis:safety-words:v1"


def _bilingual(name: str, name_en: str) -> str:
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name or ""


class SafetyWordKind(models.TextChoices):
    HAZARD = "hazard", _("Hazard word")
    EXCLUSION = "exclusion", _("Not a hazard (exclusion)")


class SafetyWord(models.Model):
    """A word that marks a ticket as a safety case (起火, 冒烟, electric shock), or a phrase that
    is no hazard although it contains one (烟雾报警器, 油烟机). ``re:`` starts a regular
    expression. No active row of a kind: the built-in defaults of ``safety.py`` apply."""

    text = models.CharField(_("word or phrase"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=SafetyWordKind.choices, default=SafetyWordKind.HAZARD)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("safety word")
        verbose_name_plural = _("safety words")
        ordering = ["kind", "text"]
        constraints = [models.UniqueConstraint(fields=["kind", "text"], name="crisis_safety_word_unique")]

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().save(*args, **kwargs)
        cache.delete(SAFETY_WORDS_CACHE_KEY)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = super().delete(*args, **kwargs)
        cache.delete(SAFETY_WORDS_CACHE_KEY)
        return result


class CrisisLevel(models.Model):
    """A response level (一般 / 较大 / 重大 / 特别重大): who must be informed and how fast."""

    code = models.SlugField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=32)
    name_en = models.CharField(_("English name"), max_length=32, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("1 is the most severe."))
    inform_roles = models.CharField(
        _("roles to inform"),
        max_length=200,
        blank=True,
        help_text=_("Role codes separated by commas, e.g. supervisor,administrator."),
    )
    inform_within_minutes = models.PositiveIntegerField(_("inform within (minutes)"), default=60)

    class Meta:
        verbose_name = _("crisis level")
        verbose_name_plural = _("crisis levels")
        ordering = ["rank"]

    def __str__(self) -> str:
        return _bilingual(self.name, self.name_en)

    @property
    def roles(self) -> list[str]:
        return [r.strip() for r in self.inform_roles.split(",") if r.strip()]


class CrisisType(models.TextChoices):
    PRODUCT_SAFETY = "product_safety", _("Product safety")
    QUALITY_BATCH = "quality_batch", _("Batch quality problem")
    SERVICE = "service", _("Service failure")
    PUBLIC_OPINION = "public_opinion", _("Public opinion / media")
    OTHER = "other", _("Other")


class TeamRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    SPOKESPERSON = "spokesperson", _("Spokesperson")
    TECHNICAL = "technical", _("Technical")
    LEGAL = "legal", _("Legal")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")


class EmergencyPlan(models.Model):
    """The prepared response to one type of crisis: its checklist, contacts and escalation."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    crisis_type = models.CharField(_("crisis type"), max_length=24, choices=CrisisType.choices)
    default_level = models.ForeignKey(
        CrisisLevel, verbose_name=_("default level"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contacts = models.TextField(_("contacts"), blank=True)
    escalation = models.TextField(_("escalation"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        ordering = ["crisis_type", "name"]

    def __str__(self) -> str:
        return _bilingual(self.name, self.name_en)


class PlanStep(models.Model):
    """One item of a plan's checklist: becomes a task of the crisis, due ``due_minutes`` after
    the crisis is confirmed, owned by the team member in ``role``."""

    plan = models.ForeignKey(EmergencyPlan, verbose_name=_("emergency plan"), on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    role = models.CharField(_("owner's role"), max_length=24, choices=TeamRole.choices, default=TeamRole.LEADER)
    due_minutes = models.PositiveIntegerField(_("due after (minutes)"), default=60)

    class Meta:
        verbose_name = _("checklist step")
        verbose_name_plural = _("checklist steps")
        ordering = ["plan", "position", "pk"]

    def __str__(self) -> str:
        return _bilingual(self.title, self.title_en)


class AlertKind(models.TextChoices):
    SAFETY = "safety", _("Safety words")
    SPIKE = "spike", _("Spike of tickets")
    SOCIAL = "social", _("Media / social report")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed as a crisis")
    DISMISSED = "dismissed", _("Dismissed")


class Dimension(models.TextChoices):
    MODEL = "model", _("Product model")
    BATCH = "batch", _("Batch")
    REGION = "region", _("Region")
    CATEGORY = "category", _("Category")
    COMPONENT = "component", _("Component")
    TICKET = "ticket", _("Ticket")


class Alert(models.Model):
    """What the detector saw, with its evidence, until a supervisor confirms or dismisses it."""

    kind = models.CharField(_("kind"), max_length=16, choices=AlertKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    key = models.CharField(_("key"), max_length=100)
    key_label = models.CharField(_("what"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product_model = models.ForeignKey(
        ProductModel, verbose_name=_("product model"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.CharField(_("batch"), max_length=64, blank=True)
    tickets = models.ManyToManyField(Ticket, verbose_name=_("tickets"), related_name="crisis_alerts", blank=True)
    ticket_count = models.PositiveIntegerField(_("tickets"), default=0)
    observed = models.PositiveIntegerField(_("observed"), default=0)
    expected = models.FloatField(_("expected"), default=0)
    p_value = models.FloatField(_("p-value"), null=True, blank=True)
    words = models.JSONField(_("safety words"), default=list, blank=True)
    curve = models.JSONField(_("counts per hour"), default=list, blank=True)
    merged_count = models.PositiveIntegerField(_("detections merged"), default=0)
    first_ticket_at = models.DateTimeField(_("first ticket at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    crisis = models.ForeignKey(
        "crisis.Crisis", verbose_name=_("crisis"), null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("crisis alert")
        verbose_name_plural = _("crisis alerts")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["status", "kind", "dimension", "key"], name="crisis_alert_open_key")]

    def __str__(self) -> str:
        return f"A{self.pk} {self.key_label or self.key}"


class Currency(models.TextChoices):
    CNY = "CNY", _("Renminbi (CNY)")
    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("Euro (EUR)")
    HKD = "HKD", _("Hong Kong dollar (HKD)")


PARTS_CURRENCY = Currency.CNY  # parts.Part.unit_cost is in renminbi


class CrisisStatus(models.TextChoices):
    DETECTED = "detected", _("Detected")
    CONFIRMED = "confirmed", _("Confirmed")
    RESPONDING = "responding", _("Responding")
    CONTAINED = "contained", _("Contained")
    RECOVERED = "recovered", _("Recovered")
    REVIEWED = "reviewed", _("Reviewed")


class Crisis(models.Model):
    title = models.CharField(_("title"), max_length=200)
    crisis_type = models.CharField(_("crisis type"), max_length=24, choices=CrisisType.choices)
    level = models.ForeignKey(CrisisLevel, verbose_name=_("level"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=CrisisStatus.choices, default=CrisisStatus.DETECTED)
    is_drill = models.BooleanField(_("drill"), default=False, help_text=_("An exercise: the same flow, left out of statistics."))
    plan = models.ForeignKey(
        EmergencyPlan, verbose_name=_("emergency plan"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.TextField(_("summary"), blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scope_models = models.ManyToManyField(ProductModel, verbose_name=_("affected models"), related_name="+", blank=True)
    scope_batches = models.JSONField(_("affected batches"), default=list, blank=True)
    scope_regions = models.ManyToManyField(Region, verbose_name=_("affected regions"), related_name="+", blank=True)
    tickets = models.ManyToManyField(Ticket, verbose_name=_("tickets"), related_name="crises", blank=True)
    first_ticket_at = models.DateTimeField(_("first ticket at"), null=True, blank=True)
    detected_at = models.DateTimeField(_("detected at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    responding_at = models.DateTimeField(_("responding since"), null=True, blank=True)
    first_notice_at = models.DateTimeField(_("first customer notice at"), null=True, blank=True)
    contained_at = models.DateTimeField(_("contained at"), null=True, blank=True)
    recovered_at = models.DateTimeField(_("recovered at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review = models.JSONField(_("review figures"), default=dict, blank=True)
    lessons = models.TextField(_("lessons"), blank=True)
    improvements = models.TextField(_("improvement actions"), blank=True)
    improvement_actions = models.ManyToManyField(
        "quality.ImprovementAction", verbose_name=_("improvement actions raised"), related_name="+", blank=True
    )
    budget_amount = models.DecimalField(_("budget"), max_digits=12, decimal_places=2, null=True, blank=True)
    budget_currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    created_by = models.ForeignKey(
        User, verbose_name=_("opened by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("crisis")
        verbose_name_plural = _("crises")
        ordering = ["-detected_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def code(self) -> str:
        return f"CR{self.pk:05d}" if self.pk else "CR"


class CrisisMember(models.Model):
    crisis = models.ForeignKey(Crisis, verbose_name=_("crisis"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=24, choices=TeamRole.choices)
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("response team")
        ordering = ["crisis", "role", "pk"]
        constraints = [models.UniqueConstraint(fields=["crisis", "user", "role"], name="crisis_member_unique")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.user}"


class CrisisTask(models.Model):
    crisis = models.ForeignKey(Crisis, verbose_name=_("crisis"), on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    role = models.CharField(_("owner's role"), max_length=24, choices=TeamRole.choices, blank=True)
    owner = models.ForeignKey(User, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        User, verbose_name=_("done by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("crisis task")
        verbose_name_plural = _("crisis tasks")
        ordering = ["crisis", "position", "pk"]

    def __str__(self) -> str:
        return _bilingual(self.title, self.title_en)


class Audience(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    CUSTOMERS = "customers", _("Customers")
    MEDIA = "media", _("Media")
    REGULATOR = "regulator", _("Regulator")


class Communication(models.Model):
    crisis = models.ForeignKey(Crisis, verbose_name=_("crisis"), on_delete=models.CASCADE, related_name="communications")
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    messages = models.PositiveIntegerField(_("messages queued"), default=0)
    recorded_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("communication")
        verbose_name_plural = _("communication log")
        ordering = ["crisis", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_audience_display()} {self.created_at:%Y-%m-%d %H:%M}"


# --- Resources ------------------------------------------------------------------------------------


class PartReservation(models.Model):
    """Spare parts reserved for a crisis from a warehouse's emergency reserve: the quantity is
    promised on the stock row (``parts.Stock.reserved``, as urgent work may draw it) and given back
    when the crisis is recovered (or by hand). ``unit_cost`` is the part's cost when reserved."""

    crisis = models.ForeignKey(Crisis, verbose_name=_("crisis"), on_delete=models.CASCADE, related_name="part_reservations")
    stock = models.ForeignKey("parts.Stock", verbose_name=_("stock"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_cost = models.DecimalField(_("unit cost"), max_digits=12, decimal_places=2)
    reserved_by = models.ForeignKey(
        User, verbose_name=_("reserved by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reserved_at = models.DateTimeField(_("reserved at"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        User, verbose_name=_("released by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("parts reservation")
        verbose_name_plural = _("parts reserved")
        ordering = ["crisis", "reserved_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="crisis_part_reservation_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.stock_id}"

    @property
    def value(self) -> Decimal:
        return self.unit_cost * self.quantity


class TechnicianAssignment(models.Model):
    """A technician put at the crisis's disposal."""

    crisis = models.ForeignKey(Crisis, verbose_name=_("crisis"), on_delete=models.CASCADE, related_name="technicians")
    user = models.ForeignKey(User, verbose_name=_("technician"), on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    assigned_by = models.ForeignKey(
        User, verbose_name=_("assigned by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"))

    class Meta:
        verbose_name = _("technician assigned")
        verbose_name_plural = _("technicians assigned")
        ordering = ["crisis", "assigned_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["crisis", "user"], name="crisis_technician_unique")]

    def __str__(self) -> str:
        return str(self.user)


class Expense(models.Model):
    """Money spent on the crisis, in the budget's currency."""

    crisis = models.ForeignKey(Crisis, verbose_name=_("crisis"), on_delete=models.CASCADE, related_name="expenses")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    description = models.CharField(_("what for"), max_length=200)
    recorded_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["crisis", "recorded_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="crisis_expense_amount_positive")]

    def __str__(self) -> str:
        return f"{self.amount} {self.description}"
