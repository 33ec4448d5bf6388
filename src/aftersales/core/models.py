from __future__ import annotations

from functools import lru_cache

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class CachedChoiceLabels:
    """Mixin for models whose ``get_FOO_display()`` runs on every row of a busy page.

    Django's ``Model._get_FIELD_display`` rebuilds a dict of the field's choices on every call,
    hashing each lazy label (a translation lookup per choice): ~50 µs for a 15-status field,
    called a few hundred times for a list or ticket page. Here the labels are computed once per
    field and language and kept; the result is the same string Django would give, and a value
    that is not among the choices is shown as itself, as Django does. Put it before
    ``models.Model`` in the bases so that the ``get_FOO_display`` methods bind to it.
    """

    def _get_FIELD_display(self, field: models.Field) -> object:
        value = getattr(self, field.attname)
        labels = _choice_labels(field, get_language() or "")
        try:
            return labels[make_hashable(value)]
        except (KeyError, TypeError):
            return force_str(value, strings_only=True)


@lru_cache(maxsize=1024)
def _choice_labels(field: models.Field, language: str) -> dict[object, object]:
    # Only static choices are cached (fields of our models use TextChoices/IntegerChoices).
    return {make_hashable(value): force_str(label, strings_only=True) for value, label in field.flatchoices}
