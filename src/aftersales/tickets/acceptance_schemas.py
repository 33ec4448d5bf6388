"""The API bodies of the quality manager's acceptance (``actions_acceptance``)."""

from __future__ import annotations

from .action_schemas import Input, ShortText


class AcceptInput(Input):
    comment: ShortText = ""
