"""What a customer's changes set off in the apps built on customers (see ``core.hooks``).

``customers`` imports none of these apps (docs/architecture.md, "Direction of imports"); each
list names its receivers by dotted path, in the order they run, inside the change's transaction.
"""

from __future__ import annotations

from aftersales.core.hooks import hook

# The customer's terms changed (their tier), after the customer row and its audit row.
# kwargs: customer_id.
CUSTOMER_TERMS_CHANGED = hook(
    "customer_terms_changed",
    "aftersales.sla.receivers.customer_terms_changed",  # open tickets' clocks take the new policy's targets
)
