"""The list's search for a caller: the tickets a phone number, a customer's name or a serial
number names, beside the tickets whose words match (``search.ticket_search_q``).

What the text is, is ``search.recognise_query``'s (at most one of phone, serial, name). The
people and units are looked up first — small tables, indexed — and the tickets are then asked
for by the indexed columns: ``customer_id IN (…)`` (``ticket_customer_idx``), ``product_unit_id
IN (…)`` (the foreign key's index), ``contact_phone = …`` and ``reported_serial = …`` (partial
indexes, migration 0019). On PostgreSQL these arms join the bigram index's in one bitmap OR, so a
search costs one or two index probes more than a search for words; a text that names nobody adds
no condition at all.

The scope, the filters, the ordering and the keyset pagination are the caller's: these are only
more conditions inside the search's ``OR``.
"""

from __future__ import annotations

from django.db.models import Q

from aftersales.catalog.selectors import unit_ids_by_serial
from aftersales.customers.selectors import customer_ids_by_name, customer_ids_with_phone

from ..search import recognise_query, ticket_search_q

# At most this many customers are taken for one phone number or name (each brings its tickets
# into a bitmap: 100 customers are a few hundred index entries). A name shared by more is
# narrowed by the last four digits of the phone (``赵敏 7670``).
PEOPLE_MATCH_CAP = 100


def people_search_q(text: str) -> Q | None:
    """The tickets ``text`` names as a customer's phone or name or a unit's serial number, or
    ``None`` when it names nobody (then the search is the words alone, exactly as before).

    - A phone (any common spelling, normalised to E.164 as intake stores it): tickets of the
      customers with that phone (their own or a contact's) and tickets whose contact phone it is.
    - A serial number (NFKC, upper case): tickets of that unit, and tickets that recorded that
      serial as reported (also before the unit was in the catalogue).
    - A name: tickets of the customers of that name — a Chinese name of 2–4 characters as the
      start of the name (张伟 finds 张伟 and 张伟明), any other name whole, in any letter case;
      with the last four digits of the phone, only the customers whose phone ends so.

    Erased customers (privacy) are never matched by name or phone."""
    found = recognise_query(text)
    if not found:
        return None
    arms: list[Q] = []
    if found.phone:
        customers = customer_ids_with_phone(phone_e164=found.phone, limit=PEOPLE_MATCH_CAP)
        if customers:
            arms.append(Q(customer_id__in=customers))
        arms.append(Q(contact_phone=found.phone))
    elif found.serial:
        units = unit_ids_by_serial(serial_number=found.serial)
        if units:
            arms.append(Q(product_unit_id__in=units))
        arms.append(Q(reported_serial=found.serial))
    elif found.name:
        customers = customer_ids_by_name(
            name=found.name, prefix=found.name_prefix, phone_suffix=found.phone_suffix, limit=PEOPLE_MATCH_CAP
        )
        if customers:
            arms.append(Q(customer_id__in=customers))
    if not arms:
        return None
    combined = arms[0]
    for arm in arms[1:]:
        combined |= arm
    return combined


def ticket_search_filter(text: str) -> Q:
    """The list's whole search condition for ``text``: its words (number, title, description)
    or the customer, contact phone or unit it names. For every list of tickets that searches
    (the agent's list, its export, the API's list)."""
    words = ticket_search_q(text)
    people = people_search_q(text)
    return words if people is None else words | people
