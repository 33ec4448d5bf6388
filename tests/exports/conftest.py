"""The parts fixtures (warehouses, parts, stock, a technician's work order) for the exports of
the parts pages."""

from tests.parts.conftest import (  # noqa: F401
    board,
    central,
    keeper,
    region,
    regional,
    sensor,
    stocked,
    technician,
    work_order,
    work_order_for,
)
