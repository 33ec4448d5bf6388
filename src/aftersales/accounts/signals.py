"""Signals of account security, recorded by the audit app (accounts sits below audit).

``security_event(user, what, actor)``: ``what`` is "second_factor_on", "second_factor_off",
"second_factor_wrong" or "signed_out_everywhere"; ``actor`` is who did it (the user, or an
administrator)."""

from django.dispatch import Signal

security_event = Signal()
