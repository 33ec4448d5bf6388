"""Every audit action the customers app records (the stored values, unchanged)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class CustomerAudit(AuditAction):
    CREATED = "customer.created"
    TIER_CHANGED = "customer.tier_changed"
    EXTERNAL_CODE_CHANGED = "customer.external_code_changed"
    ADDRESS_ADDED = "customer.address_added"
    CONSENTS_CHANGED = "customer.consents_changed"
    # The staff's edits (customers.editing): the customer's own fields, an address changed or removed.
    UPDATED = "customer.updated"
    ADDRESS_CHANGED = "customer.address_changed"
    ADDRESS_REMOVED = "customer.address_removed"
    # A page showed the customer's personal data (SPEC §4: every view is logged).
    PERSONAL_DATA_VIEWED = "customer.personal_data_viewed"
    # The portal account (customers.portal_accounts): a new customer signed up (their record and
    # its account); an account for a customer we knew (signed up with their phone, or invited);
    # a member of staff sent the customer an invitation to the portal.
    PORTAL_ACCOUNT_CREATED = "customer.portal_account_created"
    PORTAL_ACCOUNT_LINKED = "customer.portal_account_linked"
    PORTAL_INVITED = "customer.portal_invited"
    # A number given to somebody else (customers.phone_reuse, 二次放号): the sign-up's second proof
    # of a record with history — confirmed, a wrong answer, the tries used up (locked), "not my
    # record" — and the record flagged for staff ("phone number now used by another person"),
    # then reviewed by a member of staff.
    PHONE_CHECK_PASSED = "customer.phone_check_passed"
    PHONE_CHECK_FAILED = "customer.phone_check_failed"
    PHONE_CHECK_LOCKED = "customer.phone_check_locked"
    PHONE_CHECK_DECLINED = "customer.phone_check_declined"
    PHONE_REUSE_FLAGGED = "customer.phone_reuse_flagged"
    PHONE_REUSE_REVIEWED = "customer.phone_reuse_reviewed"
    # The customer's e-mail address bounced for good (a bounce read by the e-mail intake; the
    # system is the actor), and the mark taken off: the address changed, or staff marked it working.
    EMAIL_BOUNCED = "customer.email_bounced"
    EMAIL_BOUNCE_CLEARED = "customer.email_bounce_cleared"
