"""The quality manager's acceptance of a resolved ticket (验收) — declared in its own module."""
