"""The returns tests start from a forgotten region table: a transactional test before them (the
browser's, the PostgreSQL races) flushed the regions a shared cache (Redis) may still hold."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aftersales.accounts.regions import region_cache_clear


@pytest.fixture(autouse=True)
def _fresh_region_table() -> Iterator[None]:
    region_cache_clear()
    yield
    region_cache_clear()
