"""What can go wrong in a partnership, in the domain's words."""


class PartnershipError(Exception):
    """A partnership rule was broken."""


class PartnerIsClient(PartnershipError):
    """An organisation cannot be its own partner."""


class BillingModeNeedsFullAccess(PartnershipError):
    """Who pays can be chosen only when the partner has full access."""


class OnlyClientChoosesPayer(PartnershipError):
    """The client decides who pays; the partner cannot."""


class BillingModeUnchanged(PartnershipError):
    """The relationship already uses the requested billing mode."""


class EffectiveDateInPast(PartnershipError):
    """A billing mode change cannot take effect before it was made."""
