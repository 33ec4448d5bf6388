"""The appraisal's vocabulary, shared with the apps that read its conclusions (remedies, quality)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FaultType(models.TextChoices):
    """What the appraiser found (鉴定结论的故障类型); the 三包 rules turn on it."""

    PERFORMANCE = "performance", _("Performance fault")
    NON_PERFORMANCE = "non_performance", _("Non-performance fault")
    MAN_MADE = "man_made", _("Man-made damage")
    NO_FAULT = "no_fault", _("No fault found")
