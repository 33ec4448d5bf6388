"""The 三包 (three-guarantee) rules per product category, and each ticket's remedy decision.

``RemedyPolicy``: the limits of the national regulation for household goods (7 days return,
15 days exchange, the whole-unit warranty, 30 days repair, 90 days waiting for parts, two
repairs of the same fault, the daily depreciation of a refund, the online 7-day return without
reason), one row per product category and one default row (no category) made by migration 0002.
``ComponentPeriod``: a main component's own, longer period (压缩机 3 years). The engine
(``engine.py``) reads them through ``policy.rules_for_category``; docs/remedies.md explains them.

``RemedyDecision``: what the engine proposed for a ticket (a snapshot: rule, remedies, reasons)
and what was chosen, by whom, with the reason when the choice differs from the proposal.

``Purchase``: what the customer paid for a unit (its proof of purchase) — the one record of the
price paid. The remedy decision's refund and every refund of the compensation app read it
(docs/refunds-and-compensation.md, "One record of the price paid").

A replacement unit (``catalog.ProductUnit.replaces``, registered by the returns app with the
exchange date as its purchase date) has its 三包 periods restart on the exchange date.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Remedy, RuleCode


class RemedyPolicy(models.Model):
    """The 三包 limits of one product category (or the default for every category without one)."""

    category = models.OneToOneField(
        "catalog.ProductCategory",
        verbose_name=_("product category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="remedy_policy",
        help_text=_("Empty: the default policy, used for every category without its own (nor a parent's)."),
    )
    return_days = models.PositiveSmallIntegerField(
        _("return within (days)"),
        default=7,
        help_text=_("A performance fault within this many days of the sale: return, exchange or repair."),
    )
    exchange_days = models.PositiveSmallIntegerField(
        _("exchange within (days)"),
        default=15,
        help_text=_("A performance fault within this many days of the sale: exchange or repair."),
    )
    whole_unit_months = models.PositiveSmallIntegerField(
        _("whole-unit warranty (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: the months of the product model's warranty policy (12 when it has none)."),
    )
    repair_days_limit = models.PositiveSmallIntegerField(
        _("repair time limit (days)"),
        default=30,
        help_text=_("A repair taking longer entitles the customer to an exchange or a return."),
    )
    parts_wait_days_limit = models.PositiveSmallIntegerField(
        _("parts unavailable limit (days)"),
        default=90,
        help_text=_("Waiting longer than this for parts entitles the customer to an exchange or a return."),
    )
    max_repairs = models.PositiveSmallIntegerField(
        _("repairs of the same fault"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_("After this many repairs of the same fault, a new failure entitles the customer to an exchange or a return."),
    )
    daily_depreciation_percent = models.DecimalField(
        _("daily depreciation (percent of the price)"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("0.100"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "A return after repairs refunds the price less this percentage per day of use (0.1 means 0.1 percent a day)."
        ),
    )
    online_return_days = models.PositiveSmallIntegerField(
        _("online return without reason (days)"),
        default=7,
        help_text=_("Goods bought online may be returned without a reason within this many days."),
    )
    online_return_excluded = models.BooleanField(
        _("excluded from the online return without reason"),
        default=False,
        help_text=_("Tick for goods the law lets shops exclude (made to order, perishable, opened digital goods…)."),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Where the numbers come from (regulation, contract)."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("three-guarantee policy")
        verbose_name_plural = _("three-guarantee policies")
        ordering = ["category__code"]
        constraints = [
            models.CheckConstraint(condition=Q(max_repairs__gte=1), name="remedy_policy_max_repairs_positive"),
            models.CheckConstraint(condition=Q(daily_depreciation_percent__gte=0), name="remedy_policy_rate_not_negative"),
        ]

    def __str__(self) -> str:
        return str(self.category) if self.category_id else str(_("Default policy"))

    @property
    def daily_rate(self) -> Decimal:
        """The daily depreciation as a fraction (0.1 % → 0.001), as ``refund_breakdown`` takes it."""
        return self.daily_depreciation_percent / Decimal(100)

    def clean(self) -> None:
        super().clean()
        if self.exchange_days is not None and self.return_days is not None and self.exchange_days < self.return_days:
            raise ValidationError({"exchange_days": _("The exchange period cannot be shorter than the return period.")})
        if self.category_id is None:
            others = RemedyPolicy.objects.filter(category__isnull=True).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError({"category": _("There is already a default policy; choose a category.")})


class ComponentPeriod(models.Model):
    """A main component's own 三包 period, longer than the whole unit's (压缩机: 36 months)."""

    policy = models.ForeignKey(RemedyPolicy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="components")
    component = models.CharField(
        _("component"),
        max_length=64,
        help_text=_(
            "As the appraisal names it (e.g. compressor); compared without case and spaces, a name containing it matches."
        ),
    )
    months = models.PositiveSmallIntegerField(_("months"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("main component period")
        verbose_name_plural = _("main component periods")
        ordering = ["policy", "component"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "component"], name="remedy_component_once_per_policy"),
            models.CheckConstraint(condition=Q(months__gte=1), name="remedy_component_months_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.component} · {self.months}"


class Purchase(models.Model):
    """What the customer paid for a unit, from its proof of purchase (invoice): the one record of
    the price paid. Recorded once (with the first remedy decision or refund that gives it); the
    ceiling of every refund of that unit together (``compensation.Refund.purchase``)."""

    unit = models.OneToOneField(
        "catalog.ProductUnit", verbose_name=_("product unit"), on_delete=models.PROTECT, related_name="purchase_record"
    )
    price_paid = models.DecimalField(_("price paid"), max_digits=12, decimal_places=2)
    purchased_on = models.DateField(_("purchase date"))
    invoice_number = models.CharField(_("invoice number"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("purchase record")
        verbose_name_plural = _("purchase records")
        constraints = [models.CheckConstraint(condition=Q(price_paid__gt=0), name="remedies_purchase_price_positive")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.price_paid}"


class RemedyDecision(models.Model):
    """The engine's proposal for a ticket, kept as it was shown, and the remedy chosen.

    Choosing again replaces both (the audit log and the timeline keep every earlier one)."""

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="remedy_decision"
    )
    rule = models.CharField(_("rule"), max_length=32, choices=RuleCode.choices)
    proposed = models.JSONField(_("proposed remedies"), default=list)
    # The whole proposal as the engine made it (Proposal.as_data): reasons as deferred texts.
    proposal = models.JSONField(_("proposal"), default=dict)
    chosen = models.CharField(_("chosen remedy"), max_length=24, choices=Remedy.choices)
    follows_proposal = models.BooleanField(_("follows the proposal"), default=True)
    reason = models.TextField(_("reason"), blank=True, help_text=_("Required when the choice is not one the rule allows."))
    refund_amount = models.DecimalField(_("refund"), max_digits=12, decimal_places=2, null=True, blank=True)
    depreciation = models.DecimalField(_("depreciation"), max_digits=12, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"))
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("remedy decision")
        verbose_name_plural = _("remedy decisions")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.chosen}"

    @property
    def price_paid(self) -> Decimal | None:
        """The price paid for the ticket's unit (its ``Purchase``); ``None`` when not recorded.
        ``selectors.decision_of`` reads it in the same query."""
        unit = self.ticket.product_unit
        if unit is None:
            return None
        try:
            return unit.purchase_record.price_paid
        except ObjectDoesNotExist:
            return None
