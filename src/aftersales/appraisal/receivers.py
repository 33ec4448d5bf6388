"""What the appraisal app does when a lower app's change sets it off (``core.hooks``)."""

from __future__ import annotations

from aftersales.accounts.models import User

from .services import appraisal_request_faulty_parts


def faulty_parts_received(*, faulty_ids: list[int], actor: User | None) -> None:
    """``parts.effects.FAULTY_PARTS_RECEIVED``: each faulty part received back is appraised as
    an appraisal of kind faulty part (``services.appraisal_request_faulty_parts``)."""
    appraisal_request_faulty_parts(faulty_ids=faulty_ids, actor=actor)
