"""Rules a request or an event can break; the service layer turns them into problems."""


class BillingRuleBroken(Exception):
    """Base of billing's domain errors."""


class CurrencyMismatch(BillingRuleBroken):
    """Two amounts in different currencies were combined."""


class PriceNotOffered(BillingRuleBroken):
    """The product has no public price in the requested currency."""


class InvoiceStateConflict(BillingRuleBroken):
    """The invoice is not in a state that allows the change (e.g. paying a voided invoice)."""
