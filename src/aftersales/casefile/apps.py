from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasefileConfig(AppConfig):
    name = "aftersales.casefile"
    label = "casefile"
    verbose_name = _("Case files")
