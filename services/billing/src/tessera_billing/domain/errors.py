"""Rules a request or an event can break; the service layer turns them into problems."""


class BillingRuleBroken(Exception):
    """Base of billing's domain errors."""


class CurrencyMismatch(BillingRuleBroken):
    """Two amounts in different currencies were combined."""


class PriceNotOffered(BillingRuleBroken):
    """The product has no public price in the requested currency."""
