"""What an import says about a file or a row: one stable code each, an English message id
translated when read (the errors are stored deferred, ``core.i18n``), so the preview, the
error report and the API speak the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.core.i18n import Deferred, deferred

MESSAGES: dict[str, Promise] = {
    # The file as a whole.
    "wrong_type": _("This is not an .xlsx or .csv file. Save the sheet as Excel workbook (.xlsx) or CSV."),
    "corrupt_xlsx": _("The Excel file cannot be read; it may be damaged. Open it in Excel and save it again as .xlsx."),
    "encoding": _("The text encoding of the file is neither UTF-8 nor GB18030 (GBK). Save it as “CSV UTF-8”."),
    "empty": _("The file has no header row."),
    "missing_column": _("The column “%(column)s” is missing. The first row must name the columns as in the template."),
    "duplicate_column": _("The column “%(column)s” appears twice in the header row."),
    "too_many_rows": _("The file has more than %(limit)s rows; split it into several files."),
    # One cell or one row.
    "required": _("Empty; this column is required."),
    "too_long": _("Too long: at most %(limit)s characters."),
    "date_invalid": _("“%(value)s” is not a date. Write it as 2025-07-31."),
    "month_invalid": _("“%(value)s” is not a month. Write it as 2025-07."),
    "number_invalid": _("“%(value)s” is not a whole number."),
    "negative": _("Must not be negative (%(value)s)."),
    "out_of_range": _("%(value)s is outside the allowed range (%(low)s to %(high)s)."),
    "amount_invalid": _("“%(value)s” is not an amount of money. Write it as 1200.50 (at most two decimals)."),
    "phone_invalid": _("“%(value)s” is not a valid phone number."),
    "email_invalid": _("“%(value)s” is not a valid email address."),
    "choice_invalid": _("“%(value)s” is not one of: %(choices)s."),
    "formula": _("A formula (%(value)s) is not a value and is never evaluated. Enter the value itself."),
    "unknown_model": _("No product model “%(value)s”. Import the product models first."),
    "unknown_category": _("No product category “%(value)s”."),
    "unknown_policy": _("No warranty policy “%(value)s”."),
    "unknown_region": _("No region “%(value)s”."),
    "unknown_owner": _("No customer with the phone number %(value)s. Import the customers first."),
    "duplicate_key": _("An earlier row of this file has the same %(columns)s; this row is skipped."),
    "component_pair_invalid": _(
        "“%(value)s” is not a component and its supplier. Write it as compressor=GMCC; control board=Topband."
    ),
    "component_too_long": _("“%(value)s”: a component or a supplier has at most %(limit)s characters."),
    "component_repeated": _("The component “%(value)s” is named twice."),
    "too_many_components": _("At most %(limit)s key components per batch."),
    "dates_inconsistent": _("The purchase date is before the production date."),
    "contact_required": _("Enter a phone number or an email address."),
    "address_incomplete": _("An address needs the province, the city and the street address."),
    "customer_erased": _(
        "The customer matched by “%(column)s” had their personal data erased: the row is not imported, so that their data is not stored again."
    ),
}


def message(code: str, **params: Any) -> Deferred:
    """The deferred message of ``code`` with its parameters."""
    return deferred(MESSAGES[code], **params)
