"""Request bodies of the travel API (declared with each action in ``actions``). Inputs refuse
unknown fields: a field the caller may not set is an error naming it, never dropped."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from aftersales.tickets.action_schemas import Input

from .models import PaymentMethod

Reason = Annotated[str, Field(min_length=1, max_length=2000)]


class EmptyBody(Input):
    pass


class ReasonBody(Input):
    reason: Reason


class OptionalReasonBody(Input):
    reason: Annotated[str, Field(max_length=2000)] = ""


class PaymentBody(Input):
    method: PaymentMethod
    reference: Annotated[str, Field(min_length=1, max_length=64)]
