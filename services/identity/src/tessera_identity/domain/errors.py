"""What the identity domain refuses, each in the words a person would understand."""


class IdentityRuleBroken(Exception):
    """A request breaks one of identity's rules; the message says which."""


class InvalidOrganisation(IdentityRuleBroken):
    """An organisation's details are missing or malformed."""


class InvalidUser(IdentityRuleBroken):
    """A person's details are missing or malformed."""


class WeakPassword(IdentityRuleBroken):
    """A password too easy to guess."""


class LegalRepresentativeRequired(IdentityRuleBroken):
    """An organisation would be left without anyone who may act for it legally."""


class EmailAlreadyRegistered(IdentityRuleBroken):
    """Another account already signs in with this e-mail address."""


class InvalidTaxId(IdentityRuleBroken):
    """A VAT or registry number that is malformed, has wrong check digits, or does not apply."""


class VatTermsNotAccepted(IdentityRuleBroken):
    """A VAT number was given without accepting the terms that come with it."""


class AlreadyMember(IdentityRuleBroken):
    """The person already belongs to the organisation."""


class NotMember(IdentityRuleBroken):
    """The person does not belong to the organisation."""
