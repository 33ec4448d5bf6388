import uuid

import pytest


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Throttle counters live in the cache: each test gets a fresh local one (never a flush of a
    Redis shared with other runs)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"security-{uuid.uuid4().hex}"}
    }
    yield
