"""What a browser posts from a Django admin change form: the form's current values, with changes."""

from __future__ import annotations

from typing import Any


def change_form_data(page: Any, **changes: Any) -> dict[str, Any]:
    """The admin change form on ``page`` as the browser posts it, with ``changes`` (``False``:
    the box unticked)."""
    form = page.context["adminform"].form
    data: dict[str, Any] = {"_save": "1"}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data
