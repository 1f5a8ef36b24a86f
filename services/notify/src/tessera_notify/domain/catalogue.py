"""The catalogue: every notification notify sends, what causes it, who hears it, and its category.

A category is what people switch on and off in their preferences; security notices always go.
Event types are named here as strings (``billing.PayerReassigned``): the domain imports no contracts.
"""

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    """A family of notifications that preferences switch on or off together."""

    SECURITY = "security"
    PARTNERSHIP = "partnership"
    OFFER_REQUESTS = "offer_requests"
    RENEWAL_REMINDERS = "renewal_reminders"
    AUTO_RENEWAL_NOTICES = "auto_renewal_notices"
    RENEWAL_CONFIRMATIONS = "renewal_confirmations"
    INVOICES = "invoices"
    PAYMENT_PROBLEMS = "payment_problems"
    WALLET = "wallet"

    @property
    def always_sent(self) -> bool:
        """Whether nobody can turn the category off (security notices)."""
        return self is Category.SECURITY


class Audience(StrEnum):
    """Who in an organisation (or which person) hears a notification."""

    BILLING_CONTACT = "billing_contact"
    ADMINISTRATORS = "administrators"
    BILLING_CONTACT_AND_ADMINISTRATORS = "billing_contact_and_administrators"
    USER = "user"

    @property
    def includes_billing_contact(self) -> bool:
        """Whether the organisation's billing address is written to."""
        return self in (Audience.BILLING_CONTACT, Audience.BILLING_CONTACT_AND_ADMINISTRATORS)

    @property
    def includes_administrators(self) -> bool:
        """Whether the organisation's legal representatives and administrators are written to."""
        return self in (Audience.ADMINISTRATORS, Audience.BILLING_CONTACT_AND_ADMINISTRATORS)


@dataclass(frozen=True)
class NotificationKind:
    """One notification of the catalogue."""

    name: str
    category: Category
    triggers: tuple[str, ...]
    audience: Audience
    who: str
    summary: str


def _kind(
    name: str, category: Category, triggers: tuple[str, ...], audience: Audience, who: str, summary: str
) -> NotificationKind:
    return NotificationKind(name, category, triggers, audience, who, summary)


KINDS: tuple[NotificationKind, ...] = (
    _kind(
        "billing_mode_changed",
        Category.PARTNERSHIP,
        ("billing.PayerReassigned",),
        Audience.BILLING_CONTACT,
        "the partner and the client, each at its billing contact",
        "who pays the client's managed renewals from when, and which subscriptions moved",
    ),
    _kind(
        "relationship_invited",
        Category.PARTNERSHIP,
        ("partnership.RelationshipProposed",),
        Audience.ADMINISTRATORS,
        "the side that did not propose: its legal representatives and administrators",
        "an invitation (from a partner) or a request (from a client) to accept before it expires",
    ),
    _kind(
        "relationship_started",
        Category.PARTNERSHIP,
        ("partnership.RelationshipStarted",),
        Audience.ADMINISTRATORS,
        "both sides' legal representatives and administrators",
        "the partner now manages the client's products, with which access and billing mode",
    ),
    _kind(
        "relationship_ended",
        Category.PARTNERSHIP,
        ("partnership.RelationshipEnded",),
        Audience.ADMINISTRATORS,
        "both sides' legal representatives and administrators",
        "the relationship stopped (by whom or why); access revoked, the client pays future charges",
    ),
    _kind(
        "access_ending_soon",
        Category.PARTNERSHIP,
        ("partnership.AccessEndingSoon",),
        Audience.ADMINISTRATORS,
        "both sides' legal representatives and administrators",
        "time-bound access ends on a date",
    ),
    _kind(
        "offer_request_received",
        Category.OFFER_REQUESTS,
        ("partnership.OfferRequestPosted",),
        Audience.ADMINISTRATORS,
        "each opted-in partner named in recipient_partner_organisation_ids: its administrators",
        "the request's title and excerpt (no contact details) and until when it can be opened",
    ),
    _kind(
        "offer_request_confirmed",
        Category.OFFER_REQUESTS,
        ("partnership.OfferRequestPosted",),
        Audience.USER,
        "the client's user who posted the request",
        "the request was sent to partners; a signed link cancels it at once",
    ),
    _kind(
        "renewal_reminder",
        Category.RENEWAL_REMINDERS,
        ("billing.RenewalReminderDue (kind renewal_reminder)",),
        Audience.BILLING_CONTACT_AND_ADMINISTRATORS,
        "the payer's billing contact and administrators",
        "a product renews on a date (at one of the organisation's lead times), at what price",
    ),
    _kind(
        "auto_renewal_notice",
        Category.AUTO_RENEWAL_NOTICES,
        ("billing.RenewalReminderDue (kind auto_renewal_notice)",),
        Audience.BILLING_CONTACT_AND_ADMINISTRATORS,
        "the payer's billing contact and administrators",
        "a product renews automatically in 14 days and its price will be charged",
    ),
    _kind(
        "subscription_renewed",
        Category.RENEWAL_CONFIRMATIONS,
        ("billing.SubscriptionRenewed",),
        Audience.BILLING_CONTACT,
        "the payer's billing contact",
        "a product renewed for another period, invoiced at a price, next renewal date",
    ),
    _kind(
        "payment_succeeded",
        Category.RENEWAL_CONFIRMATIONS,
        ("billing.PaymentSucceeded",),
        Audience.BILLING_CONTACT,
        "the payer's billing contact",
        "a card was debited for an invoice",
    ),
    _kind(
        "invoice_issued",
        Category.INVOICES,
        ("billing.InvoiceIssued",),
        Audience.BILLING_CONTACT,
        "the payer's billing contact (invoices are visible only in the paying organisation)",
        "an invoice number, its total with tax, and its due date",
    ),
    _kind(
        "payment_failed",
        Category.PAYMENT_PROBLEMS,
        ("billing.PaymentFailed",),
        Audience.BILLING_CONTACT_AND_ADMINISTRATORS,
        "the payer's billing contact and administrators",
        "a card payment failed: which attempt, the next try or the end of dunning",
    ),
    _kind(
        "wallet_recharged",
        Category.WALLET,
        ("wallet.RechargeSucceeded",),
        Audience.BILLING_CONTACT_AND_ADMINISTRATORS,
        "the organisation's billing contact and administrators",
        "an automatic recharge was charged to the card and credited; the new balance",
    ),
    _kind(
        "wallet_recharge_failed",
        Category.WALLET,
        ("wallet.RechargeFailed",),
        Audience.BILLING_CONTACT_AND_ADMINISTRATORS,
        "the organisation's billing contact and administrators",
        "an automatic recharge failed: when it is retried, or that auto-recharge is paused",
    ),
    _kind(
        "wallet_low_balance",
        Category.WALLET,
        ("wallet.LowBalance",),
        Audience.BILLING_CONTACT_AND_ADMINISTRATORS,
        "the organisation's billing contact and administrators",
        "the balance went under the threshold; whether auto-recharge will top it up",
    ),
    _kind(
        "two_factor_disabled",
        Category.SECURITY,
        ("identity.SecurityAlertRaised (kind two_factor_disabled)",),
        Audience.USER,
        "that user",
        "two-factor authentication was turned off on the account",
    ),
    _kind(
        "recovery_approved",
        Category.SECURITY,
        ("identity.SecurityAlertRaised (kind recovery_approved)",),
        Audience.USER,
        "that user",
        "the account recovery request was approved and 2FA was reset",
    ),
    _kind(
        "recovery_rejected",
        Category.SECURITY,
        ("identity.SecurityAlertRaised (kind recovery_rejected)",),
        Audience.USER,
        "that user",
        "the account recovery request was rejected, and why",
    ),
    _kind(
        "api_token_deactivation_warning",
        Category.SECURITY,
        ("identity.ApiTokenDeactivationWarned",),
        Audience.USER,
        "the token's owner",
        "an unused API token will be deactivated on a date unless it is used",
    ),
    _kind(
        "api_token_deactivated",
        Category.SECURITY,
        ("identity.ApiTokenDeactivated",),
        Audience.USER,
        "the token's owner",
        "an API token is refused from now on, and why",
    ),
    _kind(
        "legal_representative_changed",
        Category.SECURITY,
        ("identity.MembershipGranted", "identity.MembershipRevoked"),
        Audience.ADMINISTRATORS,
        "the organisation's legal representatives and administrators (after the change)",
        "someone became, or stopped being, a legal representative of the organisation",
    ),
)
CATALOGUE: dict[str, NotificationKind] = {kind.name: kind for kind in KINDS}


def kind_of(notification: str) -> NotificationKind:
    """The catalogue entry of a notification; KeyError for a name the catalogue does not have."""
    return CATALOGUE[notification]
