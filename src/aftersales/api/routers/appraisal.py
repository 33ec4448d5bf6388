"""API v1: appraisal."""

from ninja import Router

router = Router(tags=["appraisals"])
