"""API v1: returns and exchanges."""

from ninja import Router

router = Router(tags=["returns"])
