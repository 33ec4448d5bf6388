"""API v1: crisis management. ``base`` holds the alerts, crises, communications and notices;
``resources`` the parts reserved, technicians, budget and expenses; ``review`` the improvement
actions raised. One router."""

from . import resources, review  # noqa: F401  (register their operations on the router)
from .base import router

__all__ = ["router"]
