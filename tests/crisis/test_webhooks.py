"""crisis.opened / crisis.level_changed reach the webhook subscribers once the webhooks app
declares the two event types (today it does not: nothing is stored, nothing fails)."""

import pytest

from aftersales.crisis import services
from aftersales.crisis.models import CrisisLevel, CrisisType
from aftersales.crisis.services import shared as crisis_shared
from aftersales.webhooks import services as webhook_services
from aftersales.webhooks.models import SUBSCRIBABLE_EVENTS, Event, Subscription

pytestmark = pytest.mark.django_db

CRISIS_EVENTS = ["crisis.opened", "crisis.level_changed"]


def test_without_the_event_types_nothing_is_sent(supervisor, level_ii) -> None:  # type: ignore[no-untyped-def]
    services.crisis_open(actor=supervisor, title="停水", crisis_type=CrisisType.SERVICE, level=level_ii)
    assert not Event.objects.exists()


def test_declared_event_types_are_emitted(monkeypatch: pytest.MonkeyPatch, supervisor, level_ii) -> None:  # type: ignore[no-untyped-def]
    declared = [*SUBSCRIBABLE_EVENTS, *CRISIS_EVENTS]
    monkeypatch.setattr(crisis_shared, "SUBSCRIBABLE_EVENTS", declared)
    monkeypatch.setattr(webhook_services, "SUBSCRIBABLE_EVENTS", declared)
    Subscription.objects.create(name="CRM", target_url="https://crm.example.com/hook", secret="s" * 32, event_types=CRISIS_EVENTS)
    crisis = services.crisis_open(actor=supervisor, title="停水", crisis_type=CrisisType.SERVICE, level=level_ii)
    services.crisis_set_level(crisis=crisis, actor=supervisor, level=CrisisLevel.objects.get(code="I"))
    events = list(Event.objects.order_by("pk"))
    assert [e.event_type for e in events] == CRISIS_EVENTS
    assert events[0].payload["data"]["level"] == "II" and events[1].payload["data"]["level"] == "I"
    assert events[1].payload["data"]["previous_level"] == "II"
