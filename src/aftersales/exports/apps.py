from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "aftersales.exports"
    label = "exports"
    verbose_name = _("Excel exports")
