"""What a change in the parts app sets off in the apps built on it (see ``core.hooks``).

``parts`` imports none of these apps (docs/architecture.md, "Direction of imports"); each list
names its receivers by dotted path, in the order they run, inside the change's transaction.
"""

from __future__ import annotations

from aftersales.core.hooks import hook

# A parts return was received with faulty parts in it (now RECEIVED, awaiting appraisal), after
# the return's own rows and audit. The work order's ticket is locked. kwargs: faulty_ids, actor.
FAULTY_PARTS_RECEIVED = hook(
    "faulty_parts_received",
    "aftersales.appraisal.receivers.faulty_parts_received",  # an appraisal of kind faulty part each
)
