"""The remedies' vocabulary: what a customer may be entitled to, and which rule said so."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Remedy(models.TextChoices):
    """One remedy the engine may allow (listed in this order)."""

    RETURN = "return", _("Return with full refund")
    REFUND_DEPRECIATED = "refund_depreciated", _("Return with refund less depreciation")
    EXCHANGE = "exchange", _("Exchange")
    REPAIR_FREE = "repair_free", _("Free repair")
    REPAIR_PAID = "repair_paid", _("Paid repair")


REMEDY_ORDER = tuple(Remedy)


class RuleCode(models.TextChoices):
    """The rule that fired (the first of several that apply, in this order of precedence)."""

    SALE_DATE_UNKNOWN = "sale_date_unknown", _("Sale date unknown")
    MAN_MADE = "man_made", _("Man-made damage")
    RETURN_PERIOD = "return_period", _("Performance fault within the return period")
    REPEATED_REPAIRS = "repeated_repairs", _("Repeated repairs of the same fault")
    REPAIR_OVERDUE = "repair_overdue", _("Repair over the time limit")
    PARTS_UNAVAILABLE = "parts_unavailable", _("Parts unavailable too long")
    EXCHANGE_PERIOD = "exchange_period", _("Performance fault within the exchange period")
    ONLINE_RETURN = "online_return", _("Online purchase: return without reason")
    NO_FAULT = "no_fault", _("No fault found")
    WARRANTY_REPAIR = "warranty_repair", _("Within the whole-unit warranty")
    COMPONENT_WARRANTY = "component_warranty", _("Within the main component's period")
    NON_PERFORMANCE = "non_performance", _("Non-performance fault within the warranty")
    OUT_OF_WARRANTY = "out_of_warranty", _("Out of warranty")


RULE_PRECEDENCE = tuple(RuleCode)
