"""The quality app's /admin/ pages: the acceptance of results (``acceptance_admin``)."""

from . import acceptance_admin  # noqa: F401
