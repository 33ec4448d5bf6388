"""The database task backend's app (``django_tasks_db``) under a name in the reader's language.

The package names its app "Tasks Database Backend", a plain string no catalogue can translate;
the administrator's index would show it in English on a Chinese page. ``INSTALLED_APPS`` names
this config instead: the same app (label, models, migrations), with a translatable name. Its
admin page is re-registered with translated column titles in ``core/admin.py``.
"""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Background jobs")  # type: ignore[assignment]
