"""API v1: refunds and compensation — list, read (ETag), request from the ticket's REFUND or
COMPENSATION measure (Idempotency-Key), approve/refuse, pay/issue (Idempotency-Key and
If-Match), confirm, cancel (If-Match); scopes ``compensation:read`` / ``compensation:write``.

``schemas`` holds the bodies, ``resources`` what refunds and compensations share (presenting,
scope, ETag, and the list / create / step shapes), ``operations`` the operations: each parses,
calls one shape with one service. A key limited to a region sees only that region's tickets.
"""

from .operations import router
from .resources import etag, present_compensation, present_refund

__all__ = ["etag", "present_compensation", "present_refund", "router"]
