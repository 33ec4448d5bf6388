"""API v1: refunds and compensation."""

from ninja import Router

router = Router(tags=["compensation"])
