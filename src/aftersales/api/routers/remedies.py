"""API v1: 三包 remedies."""

from ninja import Router

router = Router(tags=["remedies"])
