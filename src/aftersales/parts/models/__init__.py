"""Spare parts and stock (备件库存): catalogue, warehouses, stock, the movement ledger and the
documents that move stock — requisitions (领料单), returns (退料单), transfers — and the parts used
on a work order.

Stock rows change only through ``parts.services`` (which writes a ``StockMovement`` in the same
transaction under ordered row locks); the database refuses negative or over-reserved stock.
"""

from .inventory import AppendOnlyQuerySet, MovementKind, Part, Stock, StockMovement, Warehouse, WarehouseKind
from .requisitions import ApproverRole, Requisition, RequisitionApprovalRule, RequisitionLine, RequisitionStatus
from .returns import AppraisalResult, FaultyPartReturn, FaultyStatus, PartReturn, PartReturnLine, PartReturnStatus, PartUsage
from .transfers import Transfer, TransferLine, TransferStatus

__all__ = [
    "AppendOnlyQuerySet",
    "AppraisalResult",
    "ApproverRole",
    "FaultyPartReturn",
    "FaultyStatus",
    "MovementKind",
    "Part",
    "PartReturn",
    "PartReturnLine",
    "PartReturnStatus",
    "PartUsage",
    "Requisition",
    "RequisitionApprovalRule",
    "RequisitionLine",
    "RequisitionStatus",
    "Stock",
    "StockMovement",
    "Transfer",
    "TransferLine",
    "TransferStatus",
    "Warehouse",
    "WarehouseKind",
]
