"""Saved views of the ticket list (我的视图): a named combination of the list's filters that a
member of staff opens in one click, kept for themselves or shared with their team or all staff."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

NAME_MAX_LENGTH = 40
SEARCH_MAX_LENGTH = 100  # the list's search field (``TicketListFilterForm.q``)


class ViewSharing(models.TextChoices):
    PRIVATE = "private", _("Only me")
    TEAM = "team", _("My team")
    EVERYONE = "everyone", _("All staff")


class SavedView(models.Model):
    """The list's filters under a name. ``filters`` is the normalised query string of every filter
    but the search (only the keys the list's filter form knows, in its order, without defaults or a
    cursor: two views that show the same list have the same string); ``search`` is the search text
    as typed, kept apart because it may name a customer or hold a phone number, which the privacy
    erasure finds there (``privacy.inventory``)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("saved view", "owner"),
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    filters = models.CharField(_("filters"), max_length=400, blank=True)
    search = models.CharField(_("search"), max_length=SEARCH_MAX_LENGTH, blank=True)
    sharing = models.CharField(_("shared with"), max_length=16, choices=ViewSharing.choices, default=ViewSharing.PRIVATE)
    position = models.PositiveIntegerField(pgettext_lazy("saved view", "position"), default=0)
    # The owner's start view: the plain /tickets/ opens it (at most one per owner).
    is_start = models.BooleanField(_("start view"), default=False)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["owner", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_unique_per_owner"),
            models.UniqueConstraint(fields=["owner"], condition=Q(is_start=True), name="saved_view_one_start_per_owner"),
        ]
        indexes = [models.Index(fields=["sharing"], name="saved_view_sharing_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def query_string(self) -> str:
        """The list's query string for this view (the search appended, encoded)."""
        return join_query(self.filters, self.search)


def join_query(filters: str, search: str) -> str:
    """The list's query string of normalised ``filters`` and a ``search``."""
    encoded = urlencode({"q": search}) if search else ""
    return "&".join(part for part in (filters, encoded) if part)
