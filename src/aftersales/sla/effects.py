"""What the SLA's events set off in the apps built on it (see ``core.hooks``)."""

from __future__ import annotations

from aftersales.core.hooks import hook

# A clock breached its deadline, after the breach's timeline entry and audit row.
# kwargs: ticket, metric.
SLA_BREACHED = hook(
    "sla_breached",
    "aftersales.webhooks.receivers.sla_breached",  # sla.breached
)
