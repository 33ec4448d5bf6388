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


class IdempotencyRecord(models.Model):
    """The one store of idempotency keys (issue 13): the first answer to a request that carried a
    key, per owner, so that the same key and the same request get the same answer and create
    nothing twice, and the same key with another request is refused (``core/idempotency.py``).

    Two kinds of owners write here:

    - ``intake``: every ticket intake that carried a key (the web and portal forms' hidden key,
      the e-mail's message digest, the demo's story keys); ``object_id`` is the ticket. Kept
      as long as the ticket (a mail fetched again a month later still finds its ticket).
    - an API caller (``key:<id>`` / ``user:<id>``): the response to a create with an
      ``Idempotency-Key`` header, replayed as it was; purged after API_IDEMPOTENCY_KEEP_DAYS.

    The row is inserted in the transaction that creates the object, so a concurrent request with
    the same key waits on the unique index and then finds the finished answer. The table keeps
    the name it had when it belonged to the API app.
    """

    owner = models.CharField(_("caller"), max_length=64)
    key = models.CharField(_("idempotency key"), max_length=128)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(default=dict)
    response_headers = models.JSONField(default=dict)
    object_id = models.BigIntegerField(_("created object"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        db_table = "api_idempotencyrecord"
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="api_idempotency_owner_key_unique")]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"
