"""The export kinds, one module per owning app; each registers its kinds on import."""

from . import analytics, compensation, crisis, parts, quality, returns, revisits, tickets  # noqa: F401
