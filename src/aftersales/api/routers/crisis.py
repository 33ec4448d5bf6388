"""API v1: crisis management."""

from ninja import Router

router = Router(tags=["crisis"])
