"""The analytics pages' shared world: ``fixtures.build_world`` refreshed as of 2025-11-01, with
an empty cache (the pages cache per refresh). Modules with a world of their own define their own
``world`` fixture, which takes precedence."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from aftersales.analytics.services import analytics_refresh

from .fixtures import World, at, build_world


@pytest.fixture
def world(db: None) -> World:
    cache.clear()
    w = build_world()
    analytics_refresh(now=at(2025, 11, 1, 0))
    return w
