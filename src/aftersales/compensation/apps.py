from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompensationConfig(AppConfig):
    name = "aftersales.compensation"
    label = "compensation"
    verbose_name = _("Refunds and compensation")
