"""The mark of a demo database: one row, written in the transaction that loads the demo data.

``manage.py demo_data`` loads its made-up customers, tickets and logins with published passwords
only into an empty database or one that carries this mark (``demo.guard``), so that it can never
be loaded by accident into a company's real data.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# The one row's key: a database is a demo database or it is not.
DEMO_DATASET_ID = 1


class DemoDataset(models.Model):
    """This database holds the demo data (made up, with the demo logins): when it was first
    loaded and with which seed."""

    loaded_at = models.DateTimeField(_("loaded at"))
    seed = models.IntegerField(_("seed"))

    class Meta:
        verbose_name = _("demo data set")
        verbose_name_plural = _("demo data sets")
        constraints = [models.CheckConstraint(condition=models.Q(id=DEMO_DATASET_ID), name="demo_dataset_one_row")]

    def __str__(self) -> str:
        return f"demo data set (seed {self.seed})"
