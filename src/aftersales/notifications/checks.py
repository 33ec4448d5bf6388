"""``manage.py check``: an SMS or WeChat provider configured with settings missing or malformed
(``notifications.W001``); with ``--deploy``, a note that SMS only goes to the log
(``notifications.I001``: customers get no ticket number, plan or survey link by SMS)."""

from __future__ import annotations

from typing import Any

from django.core import checks

from .senders import LOG_ONLY


@checks.register()
def check_providers(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from .providers.setup import channel_setups

    return [
        checks.Warning(
            f"{setup.channel} ({setup.provider}): {problem}",
            hint="docs/notifications.md, “SMS and WeChat providers”; manage.py notifications_check",
            id="notifications.W001",
        )
        for setup in channel_setups()
        for problem in setup.problems
    ]


@checks.register(deploy=True)
def check_sms_sent(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from .providers.setup import channel_setup

    if channel_setup("sms").sender != LOG_ONLY:
        return []
    return [
        checks.Info(
            "No SMS provider is configured: SMS go to the log only (set SMS_PROVIDER to aliyun or tencent).",
            hint="docs/notifications.md, “SMS and WeChat providers”",
            id="notifications.I001",
        )
    ]
