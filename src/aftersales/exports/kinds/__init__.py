"""The export kinds, one module per owning app; each registers its kinds on import."""

from . import (  # noqa: F401
    analytics,
    appraisal,
    billing,
    compensation,
    crisis,
    fieldservice,
    imports,
    knowledge,
    outlets,
    parts,
    parts_documents,
    quality,
    quality_stats,
    returns,
    revisit_compliance,
    revisits,
    tickets,
    travel,
    travel_trips,
)
