"""API v1: knowledge base."""

from ninja import Router

router = Router(tags=["knowledge"])
