"""What can go wrong in a partnership, in the domain's words.

Each error belongs to one family, and the family says how the API answers (see
``service_layer.problems``): a broken input rule, a clash with the current state, or a side acting
where only the other side may.
"""


class PartnershipError(Exception):
    """A partnership rule was broken."""


class InvalidRequest(PartnershipError):
    """The request itself breaks a rule (answered 422)."""


class StateConflict(PartnershipError):
    """The request clashes with the current state (answered 409)."""


class NotAllowed(PartnershipError):
    """The caller's side may not do this (answered 403)."""


class PartnerIsClient(InvalidRequest):
    """An organisation cannot be its own partner."""


class InvalidAccessScope(InvalidRequest):
    """Restricted access names the products; full access names none; an end date lies ahead."""


class EffectiveDateInPast(InvalidRequest):
    """A billing mode change cannot take effect before it was made."""


class BillingModeNeedsFullAccess(StateConflict):
    """Who pays can be chosen only when the partner has full access."""


class BillingModeUnchanged(StateConflict):
    """The relationship already uses the requested billing mode."""


class RelationshipNotActive(StateConflict):
    """The relationship is not (or no longer) in force."""


class ProposalNotPending(StateConflict):
    """The invitation or request was already answered, withdrawn or has expired."""


class AccessExpired(NotAllowed):
    """The client's time-bound grant has ended: the partner may no longer act."""


class AccessRevoked(NotAllowed):
    """The relationship is not in force: the partner may not act for this client."""


class OnlyClientChoosesPayer(NotAllowed):
    """The client decides who pays; the partner cannot."""


class OnlyClientGrantsAccess(NotAllowed):
    """Only the client decides what the partner may manage."""


class ProposerCannotAccept(NotAllowed):
    """The side that proposed a relationship cannot accept it; the other side does."""


class OutsideGrantedAccess(NotAllowed):
    """Restricted access does not cover this product."""


class StaffNotPermitted(NotAllowed):
    """This partner user is not among the staff allowed to manage this client."""


class NotPartnerStaff(InvalidRequest):
    """Only the partner's own members can be allowed to manage a client."""


class ApplicationRefused(InvalidRequest):
    """A partner programme application does not meet every condition."""


class ProgrammeTransitionRefused(StateConflict):
    """The partner programme status cannot move from here to there."""


class PartnerAndAffiliate(StateConflict):
    """An organisation cannot be a partner and an affiliate at once."""


class PartnerNotActive(StateConflict):
    """Only an active partner of the programme can do this (take on clients, be listed, receive offer
    requests)."""


class PartnerMayNotAct(NotAllowed):
    """The partner is not active in the programme: nobody may act for its clients."""


class TierNeedsManagedVolume(StateConflict):
    """A tier above the entry tier needs the managed volume the programme requires."""


class UnknownTier(InvalidRequest):
    """The benefit tier is not in the programme's catalogue."""


class InvalidListing(InvalidRequest):
    """A directory listing is incomplete or malformed."""


class InvalidOfferRequest(InvalidRequest):
    """An offer request is incomplete or malformed."""


class OfferRequestClosed(StateConflict):
    """The offer request was cancelled or has expired: it can no longer be opened."""
