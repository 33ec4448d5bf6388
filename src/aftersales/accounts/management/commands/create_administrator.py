"""``manage.py create_administrator``: a real company's first account.

The account is an administrator as the role rules want one: role administrator, data scope
"all" (every ticket, customers' phones unmasked), superuser, and so ``is_staff`` (``User.save``:
may use /admin/). The password is read from ``AFTERSALES_ADMIN_PASSWORD`` when it is set (for
automation: an install script, a container's first start), else asked for twice without echo;
either way Django's password validators apply. Without a terminal and without the variable the
command stops and says so.

``--promote`` turns an existing account into such an administrator instead (e.g. one made by
``createsuperuser`` before it made administrators): its password changes only when the
variable is set. ``--language`` (default ``settings.LANGUAGE_CODE``) is the language of what it
says and asks (``core.operator_command``).
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.effects import ADMINISTRATOR_CREATED
from aftersales.accounts.models import DataScope, Role, User
from aftersales.core.operator_command import OperatorCommand, lazy_help

PASSWORD_VARIABLE = "AFTERSALES_ADMIN_PASSWORD"  # noqa: S105 - the variable's name, not a password


class Command(OperatorCommand):
    help_text = gettext_lazy(
        "Create the first administrator (role administrator, data scope all, superuser), or --promote an account."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--username", help=lazy_help(gettext_lazy("The administrator's user name (asked for when not given)."))
        )
        parser.add_argument(
            "--email",
            default="",
            help=lazy_help(gettext_lazy("The administrator's e-mail address (for password resets).")),
        )
        parser.add_argument("--display-name", default="", help=lazy_help(gettext_lazy("The name shown on pages, e.g. 王磊.")))
        parser.add_argument(
            "--promote",
            action="store_true",
            help=lazy_help(gettext_lazy("Make an existing account an administrator instead of creating one.")),
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help=lazy_help(
                format_lazy(
                    gettext_lazy("Ask nothing: the user name from --username, the password from {variable}."),
                    variable=PASSWORD_VARIABLE,
                )
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interactive = bool(options["interactive"]) and sys.stdin.isatty()
        username = (options["username"] or "").strip()
        if not username and interactive:
            username = input(_("User name: ")).strip()
        if not username:
            raise CommandError(_("Give the user name: --username NAME."))
        existing = User.objects.filter(username=username).first()
        if existing is not None and not options["promote"]:
            raise CommandError(
                _("The user “%(username)s” already exists. To make that account an administrator: --promote.")
                % {"username": username}
            )
        if existing is None and options["promote"]:
            raise CommandError(_("There is no user “%(username)s” to promote.") % {"username": username})
        candidate = existing or User(username=username, email=options["email"], display_name=options["display_name"])
        password = self._password(candidate, interactive=interactive, required=existing is None)
        with transaction.atomic():
            if existing is None:
                user = User.objects.create_superuser(username, options["email"], password, display_name=options["display_name"])
                ADMINISTRATOR_CREATED.send(user=user, promoted=False, before={})
                done = _("Administrator “%(username)s” created")
            else:
                before = {"role": existing.role, "data_scope": existing.data_scope, "is_superuser": existing.is_superuser}
                user = self._promote(existing, password=password, email=options["email"], name=options["display_name"])
                ADMINISTRATOR_CREATED.send(user=user, promoted=True, before=before)
                done = _("“%(username)s” is now an administrator")
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(done)s: role %(role)s, data scope %(scope)s, superuser. Sign in at /accounts/login/; the configuration is at /admin/."
                )
                % {
                    "done": done % {"username": user.username},
                    "role": Role(user.role).label,
                    "scope": DataScope(user.data_scope).label,
                }
            )
        )

    def _password(self, user: User, *, interactive: bool, required: bool) -> str | None:
        """The password from the variable, else asked for twice; validated either way."""
        password = os.environ.get(PASSWORD_VARIABLE)
        if password is None:
            if not required:
                return None  # --promote keeps the account's password
            if not interactive:
                raise CommandError(
                    _("No password: set %(variable)s, or run the command in a terminal to type it.")
                    % {"variable": PASSWORD_VARIABLE}
                )
            return self._ask_password(user)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        return password

    def _ask_password(self, user: User) -> str:
        while True:
            password = getpass.getpass(_("Password: "))
            if password != getpass.getpass(_("Password (again): ")):
                self.stderr.write(_("The two passwords differ; try again."))
                continue
            try:
                validate_password(password, user)
            except ValidationError as exc:
                self.stderr.write(" ".join(exc.messages))
                continue
            return password

    def _promote(self, user: User, *, password: str | None, email: str, name: str) -> User:
        user.role = Role.ADMINISTRATOR
        user.data_scope = DataScope.ALL
        user.is_superuser = True
        user.is_active = True
        fields = ["role", "data_scope", "is_superuser", "is_active"]
        if email:
            user.email = email
            fields.append("email")
        if name:
            user.display_name = name
            fields.append("display_name")
        if password is not None:
            user.set_password(password)
            fields.append("password")
        user.save(update_fields=fields)  # is_staff follows (User.save)
        return user
