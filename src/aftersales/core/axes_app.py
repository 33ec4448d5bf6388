"""django-axes (sign-in attempts and lockouts) under a name in the reader's language.

Axes names its app "Axes", a plain string no catalogue can translate, and ships no Chinese
catalogue: ``INSTALLED_APPS`` names this config instead (the same app: label, models,
migrations), and our zh-Hans catalogue translates its models' and admin's texts.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class SignInAttemptsConfig(AxesAppConfig):
    verbose_name = _("Sign-in attempts")
