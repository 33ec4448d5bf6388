"""What ``make run`` prints last: where the site is, the demo logins that work, the API key.

Read from the database, not written into a script: a login is listed only when its user exists,
is active and still has its demo password, so the banner never offers a login that fails.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, is_password_usable
from django.utils.translation import gettext as _

from aftersales.accounts.models import Role, User

from .api import demo_api_key
from .builders import DEMO_LOGINS, DemoLogin

# The order people look for them in: who sets up, who approves, who answers, who goes out, who
# hands out parts, who appraises, who pays refunds, who issues coupons, who complains.
BANNER_ORDER = (
    Role.ADMINISTRATOR,
    Role.SUPERVISOR,
    Role.AGENT,
    Role.TECHNICIAN,
    Role.WAREHOUSE,
    Role.APPRAISER,
    Role.FINANCE,
    Role.MARKETING,
    Role.QUALITY_ENGINEER,
    Role.CUSTOMER,
)


@dataclass(frozen=True)
class WorkingLogin:
    login: DemoLogin
    works: bool  # the user exists, is active and the demo password signs in

    @property
    def role_label(self) -> str:
        return str(Role(self.login.role).label)


class LoginCheck:
    """Every demo login in ``BANNER_ORDER``, checked against the database.

    The users are read at once, in the caller's thread (and transaction); their password hashes
    are then checked side by side in the background (each takes most of a second by design, and
    the hashing releases the interpreter), without writing anything back. ``result()`` waits.
    """

    def __init__(self) -> None:
        self.logins = sorted(DEMO_LOGINS, key=lambda login: BANNER_ORDER.index(Role(login.role)))
        names = [login.username for login in self.logins]
        users = {u.username: u.password for u in User.objects.filter(username__in=names, is_active=True)}
        self._pool = ThreadPoolExecutor(max_workers=len(self.logins) or 1)
        self._checks = [self._pool.submit(_password_works, login.password, users.get(login.username)) for login in self.logins]
        self._pool.shutdown(wait=False)

    def result(self) -> list[WorkingLogin]:
        return [WorkingLogin(login, check.result()) for login, check in zip(self.logins, self._checks, strict=True)]


def _password_works(password: str, encoded: str | None) -> bool:
    return encoded is not None and is_password_usable(encoded) and check_password(password, encoded)


def demo_logins() -> list[WorkingLogin]:
    return LoginCheck().result()


def login_lines(logins: list[WorkingLogin]) -> list[str]:
    """One line per login: user, password, role (the role last: its width varies with the language)."""
    lines = []
    for item in logins:
        login = item.login
        if not item.works:
            lines.append(f"  {login.username:<12} {_('(not available)'):<22} {item.role_label}")
            continue
        role = item.role_label
        if login.role == Role.ADMINISTRATOR:
            role = _("%(role)s, also /admin/") % {"role": role}
        lines.append(f"  {login.username:<12} {login.password:<22} {role}")
    return lines


def banner_text(*, url: str, logins: list[WorkingLogin], api_key: str | None, log_dir: str) -> str:
    """The banner: the site, the logins, the API key, where the logs are and how to stop."""
    site = url.rstrip("/") + "/"
    rule = "─" * 64
    lines = [
        rule,
        "  " + _("Aftersales is running at %(url)s") % {"url": site},
        "",
        "  " + _("Demo logins (user / password / role):"),
        *login_lines(logins),
        "",
        "  " + _("API: %(url)s (docs/api.md)") % {"url": f"{site}api/v1/docs"},
    ]
    if api_key:
        lines.append("  " + _("Demo API key (local demo data only): %(key)s") % {"key": api_key})
    lines += [
        "  " + _("Logs: %(dir)s (more detail: make run VERBOSE=1)") % {"dir": log_dir},
        "  " + _("Ctrl-C stops the web server, the worker and the scheduler."),
        rule,
    ]
    return "\n".join(lines)


def current_banner(*, url: str, log_dir: str) -> str:
    return banner_text(url=url, logins=demo_logins(), api_key=demo_api_key(), log_dir=log_dir)
