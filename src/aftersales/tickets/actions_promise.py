"""Promising the customer a solution date (SLA: "tell the customer when it will be solved")."""
