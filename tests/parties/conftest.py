"""The register's installed departments for every test here (a transactional test's flush
earlier in the run removes the rows the migration added)."""

from __future__ import annotations

import pytest

from aftersales.parties.defaults import add_default_departments


@pytest.fixture(autouse=True)
def default_departments(db: None) -> None:
    add_default_departments()
