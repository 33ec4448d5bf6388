"""What a timeline entry says and who did it, in the reader's language.

Every reader of ``TicketEvent`` (the ticket page in Python and Jinja2, the API, the portal, the
case file, the version conflict's message) takes the text and the actor from here:

* ``event_text``: the system's words are stored as deferred text (``data["text"]``, see
  ``core.i18n``) and rendered in the active language; what a person typed (a note, a reason, a
  customer's message) is the ``body`` as typed. Rows written before deferred text show their body.
* ``event_actor``: a user by their name; otherwise the stored actor label, a code ("system",
  "email", "survey", "channel:hotline") said in the active language (``core.i18n.actor_text``), or
  a name kept as it is (an e-mail sender, an API key).
"""

from __future__ import annotations

from typing import Any

from aftersales.core.i18n import TEXT_KEY, actor_text, rendered

from .models import TicketEvent


def event_text(event: TicketEvent) -> str:
    """The entry's text in the active language."""
    data: Any = event.data
    return rendered(data.get(TEXT_KEY) if isinstance(data, dict) else None, event.body)


def event_actor(event: TicketEvent) -> str:
    """Who made the entry, in the active language (a user: their name)."""
    if event.actor_id:
        return str(event.actor)
    return actor_text(event.actor_label)
