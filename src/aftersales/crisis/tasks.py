"""Background jobs of the crisis app (django-tasks). Idempotent: a second run merges into the
alerts the first opened."""

from __future__ import annotations

from django_tasks import task

from .services import alerts_detect_spikes


@task()
def detect_spikes() -> int:
    """Periodic: the spike scan over every model, batch, region and category. Returns how many
    alerts it opened."""
    return len(alerts_detect_spikes())
