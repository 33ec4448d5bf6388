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

# A portal invitation was issued (customers.portal_accounts): send it. kwargs: customer, token (the signed link's), language, days.
PORTAL_INVITE_ISSUED = hook(
    "portal_invite_issued",
    "aftersales.portal.receivers.portal_invite_issued",  # SMS and e-mail through the notifications outbox
)

# The customer's contact data changed (``editing.customer_update``: name, phone, email, language,
# kind; an address added, changed or removed: "addresses"), after the customer row and its
# audit row. kwargs: customer_id, fields (the names of what changed; never the values).
CUSTOMER_CONTACT_CHANGED = hook(
    "customer_contact_changed",
    "aftersales.webhooks.receivers.customer_contact_changed",  # customer.updated
)
