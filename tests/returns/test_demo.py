"""The demo returns and exchanges: loaded through the services at every stage, once."""

from __future__ import annotations

from io import StringIO

import pytest

from aftersales.demo.builders import ensure_base
from aftersales.demo.parts import load_parts_demo
from aftersales.demo.returns import load_returns_demo
from aftersales.parts.models import Stock
from aftersales.returns.models import ReturnAuthorization, RmaStatus
from aftersales.tickets.models import MeasureStatus

pytestmark = pytest.mark.django_db


def test_demo_returns_at_every_stage_loaded_once() -> None:
    ensure_base(seed=2026)
    load_parts_demo(StringIO())
    out = StringIO()
    load_returns_demo(out)
    assert "skipped" not in out.getvalue(), out.getvalue()
    statuses = set(ReturnAuthorization.objects.values_list("status", flat=True))
    assert statuses == set(RmaStatus.values) - {RmaStatus.DELIVERED}  # delivered completes at once
    assert ReturnAuthorization.objects.filter(ticket__customer__user__username="customer").exists()
    done = ReturnAuthorization.objects.filter(status=RmaStatus.COMPLETED)
    assert done.count() == 2 and all(r.measure.status == MeasureStatus.DONE for r in done)
    assert not Stock.objects.filter(reserved__gt=0, part__replacement_for__isnull=False, on_hand__lt=0).exists()
    count = ReturnAuthorization.objects.count()
    again = StringIO()
    load_returns_demo(again)
    assert ReturnAuthorization.objects.count() == count and "already" in again.getvalue()
