"""API v1: fault statistics (fault rate per batch, Pareto, p-chart series, time to failure),
first-time-fix rates and improvement actions (CRUD and the PDCA moves) — issue 18.

Reads need ``quality:read``, changes ``quality:write``; both only for staff in a quality reading
(or writing) role. Figures follow the caller's data scope. Creates take ``Idempotency-Key``;
changes of an action take ``If-Match`` with its ETag (``"v<version>"``).
"""

from ninja import Router

from .actions import router as actions_router
from .statistics import router as statistics_router

router = Router(tags=["quality"])
router.add_router("", statistics_router)
router.add_router("", actions_router)
