"""The admin site in the product's name and language: its header and title, and the background
jobs' page (``django_tasks_db``) with column titles the catalogue translates."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

admin.site.site_header = _("Aftersales administration")
admin.site.site_title = _("Aftersales administration")
admin.site.index_title = _("Site administration")

_BOOLEAN_TEXT = {True: _("Yes"), False: _("No"), None: _("Unknown")}


def _boolean_icon(field_val: bool | None) -> SafeString:
    """Django's yes/no icon of the admin's lists and read-only fields, with its text in the
    reader's language: Django writes ``alt="True"`` untranslated (``admin_list._boolean_icon``,
    which the admin's lists and ``admin.utils`` look up when they render)."""
    icon = {True: "yes", False: "no", None: "unknown"}[field_val]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), _BOOLEAN_TEXT[field_val])


admin_list._boolean_icon = _boolean_icon  # type: ignore[attr-defined]


class TaskResultAdmin(DBTaskResultAdmin):
    """The package's admin, with translated titles for the columns it names by plain strings."""

    list_display = ("id", "name", "status", "enqueued_at", "started_at", "finished_at", "priority", "queue_name")

    @admin.display(description=_("task"))
    def name(self, obj: DBTaskResult) -> str:
        return str(obj.task_name)

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, obj: DBTaskResult) -> str:
        return super().formatted_traceback(obj)

    @admin.display(description=_("run after"))
    def display_run_after(self, obj: DBTaskResult) -> dt.datetime | str:
        return super().display_run_after(obj)


if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)
