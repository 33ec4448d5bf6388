"""Request bodies of the trip-log steps (declared with each step in ``trip_actions``). Inputs
refuse unknown fields."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from aftersales.tickets.action_schemas import IsoDate

from .schemas import Input


class SubmitBody(Input):
    departed_on: IsoDate | None = None
    returned_on: IsoDate | None = None


class NoteBody(Input):
    note: Annotated[str, Field(max_length=2000)] = ""
