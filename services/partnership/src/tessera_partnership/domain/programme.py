"""The partner programme: who may join, the standing of a partner, its benefit tier, and affiliates."""

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit
from uuid import UUID

from tessera_partnership.domain.errors import (
    ApplicationRefused,
    PartnerAndAffiliate,
    PartnerMayNotAct,
    PartnerNotActive,
    ProgrammeTransitionRefused,
    TierNeedsManagedVolume,
    UnknownTier,
)
from tessera_partnership.domain.money import Money
from tessera_partnership.domain.registry import InvalidRegistryNumber, checked_registry_number

# The programme's terms: a partner commits to manage at least this much a year.
MINIMUM_ANNUAL_COMMITMENT = {"CHF": Money(200_000, "CHF"), "EUR": Money(180_000, "EUR")}
MAX_RATE_BP = 3500  # 35 %


class PartnerStatus(StrEnum):
    """Where an organisation stands in the programme."""

    APPLIED = "applied"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    LEFT = "left"


# Moves the programme allows; leaving is always possible, coming back means applying again.
TRANSITIONS: dict[PartnerStatus, frozenset[PartnerStatus]] = {
    PartnerStatus.APPLIED: frozenset({PartnerStatus.ACTIVE, PartnerStatus.LEFT}),
    PartnerStatus.ACTIVE: frozenset({PartnerStatus.SUSPENDED, PartnerStatus.LEFT}),
    PartnerStatus.SUSPENDED: frozenset({PartnerStatus.ACTIVE, PartnerStatus.LEFT}),
    PartnerStatus.LEFT: frozenset(),
}


class Condition(StrEnum):
    """One condition of admission, checked and reported on its own."""

    COMPANY = "company"
    REGISTRY_NUMBER = "registry_number"
    ACTIVE_WEBSITE = "active_website"
    RESELLER_TERMS = "reseller_terms"
    ANNUAL_COMMITMENT = "annual_commitment"
    # Not a condition of admission: measured from billing's invoices once the partner manages clients.
    MANAGED_VOLUME = "managed_volume"


ADMISSION_CONDITIONS = (
    Condition.COMPANY,
    Condition.REGISTRY_NUMBER,
    Condition.ACTIVE_WEBSITE,
    Condition.RESELLER_TERMS,
    Condition.ANNUAL_COMMITMENT,
)


@dataclass(frozen=True)
class ConditionCheck:
    """Whether one condition is met, and why not when it is not."""

    condition: Condition
    met: bool
    detail: str


@dataclass(frozen=True)
class Application:
    """What an organisation brings to the programme."""

    organisation_kind: str
    country: str
    registry_number: str | None
    website_url: str
    website_answered: bool | None  # None: reachability not checked (switched off)
    accepts_reseller_terms: bool
    annual_commitment: Money


@dataclass(frozen=True)
class Tier:
    """A benefit level: the reseller discount when the partner pays, the cashback when the client pays."""

    name: str
    reseller_discount_bp: int
    cashback_bp: int


TIERS: dict[str, Tier] = {
    tier.name: tier
    for tier in (
        Tier("bronze", reseller_discount_bp=1000, cashback_bp=1000),
        Tier("silver", reseller_discount_bp=2000, cashback_bp=1500),
        Tier("gold", reseller_discount_bp=3000, cashback_bp=2500),
        Tier("platinum", reseller_discount_bp=3500, cashback_bp=3500),
    )
}
ENTRY_TIER = "bronze"


def tier_named(name: str) -> Tier:
    """A tier of the catalogue."""
    tier = TIERS.get(name)
    if tier is None:
        raise UnknownTier(f"unknown tier {name!r}; the tiers are {', '.join(TIERS)}")
    return tier


def website_problem(url: str) -> str | None:
    """Why ``url`` cannot be a company's public website, or None when its form is right."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return "the website address must start with https:// or http://"
    host = parts.hostname or ""
    if parts.username or parts.password:
        return "the website address must not carry credentials"
    try:
        ipaddress.ip_address(host)
        return "the website address must name a domain, not an IP address"
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) < 2 or not all(labels) or len(labels[-1]) < 2 or host in ("localhost",):
        return "the website address must name a public domain such as https://example.ch"
    return None


def check_application(application: Application) -> list[ConditionCheck]:
    """Every admission condition, each checked on its own."""
    return [
        _company(application),
        _registry(application),
        _website(application),
        ConditionCheck(
            Condition.RESELLER_TERMS,
            application.accepts_reseller_terms,
            "accepted" if application.accepts_reseller_terms else "the reseller terms must be accepted",
        ),
        _commitment(application.annual_commitment),
    ]


def _company(application: Application) -> ConditionCheck:
    met = application.organisation_kind == "company"
    detail = (
        "a company" if met else "only companies can be partners; individuals can join the affiliate programme"
    )
    return ConditionCheck(Condition.COMPANY, met, detail)


def _registry(application: Application) -> ConditionCheck:
    if not application.registry_number:
        return ConditionCheck(Condition.REGISTRY_NUMBER, False, "a company registry number is required")
    try:
        compact = checked_registry_number(application.country, application.registry_number)
    except InvalidRegistryNumber as error:
        return ConditionCheck(Condition.REGISTRY_NUMBER, False, str(error))
    return ConditionCheck(Condition.REGISTRY_NUMBER, True, compact)


def _website(application: Application) -> ConditionCheck:
    problem = website_problem(application.website_url)
    if problem is not None:
        return ConditionCheck(Condition.ACTIVE_WEBSITE, False, problem)
    if application.website_answered is False:
        return ConditionCheck(Condition.ACTIVE_WEBSITE, False, "the website did not answer")
    answered = "answered" if application.website_answered else "well-formed (not fetched)"
    return ConditionCheck(Condition.ACTIVE_WEBSITE, True, answered)


def _commitment(commitment: Money) -> ConditionCheck:
    minimum = MINIMUM_ANNUAL_COMMITMENT.get(commitment.currency)
    if minimum is None:
        return ConditionCheck(Condition.ANNUAL_COMMITMENT, False, "the commitment is in CHF or EUR")
    met = commitment.amount_minor >= minimum.amount_minor
    detail = f"{commitment} a year" if met else f"at least {minimum} a year is required"
    return ConditionCheck(Condition.ANNUAL_COMMITMENT, met, detail)


@dataclass
class Partner:
    """An organisation in the partner programme."""

    organisation_id: UUID
    status: PartnerStatus
    website_url: str
    registry_number: str
    annual_commitment: Money
    applied_at: datetime
    status_changed_at: datetime
    tier: str | None = None

    @classmethod
    def admit_application(
        cls, organisation_id: UUID, application: Application, *, now: datetime
    ) -> tuple["Partner", list[ConditionCheck]]:
        """A new applicant when every condition is met; ApplicationRefused (with the report) otherwise."""
        checks = check_application(application)
        if not all(check.met for check in checks):
            raise ApplicationRefusedWith(checks)
        registry = next(check.detail for check in checks if check.condition is Condition.REGISTRY_NUMBER)
        partner = cls(
            organisation_id=organisation_id,
            status=PartnerStatus.APPLIED,
            website_url=application.website_url.strip(),
            registry_number=registry,
            annual_commitment=application.annual_commitment,
            applied_at=now,
            status_changed_at=now,
        )
        return partner, checks

    def move_to(self, status: PartnerStatus, now: datetime) -> PartnerStatus:
        """Change standing as the programme allows; the previous status."""
        if status not in TRANSITIONS[self.status]:
            raise ProgrammeTransitionRefused(
                f"a partner cannot go from {self.status.value} to {status.value}"
            )
        previous, self.status, self.status_changed_at = self.status, status, now
        return previous

    def assign_tier(self, tier: Tier) -> None:
        """Give the partner a benefit tier (only while it is in the programme)."""
        if self.status in (PartnerStatus.LEFT, PartnerStatus.APPLIED):
            raise ProgrammeTransitionRefused(f"a partner that is {self.status.value} has no benefit tier")
        self.tier = tier.name

    @property
    def in_programme(self) -> bool:
        """Applied, active or suspended: still bound by the programme (and so not an affiliate)."""
        return self.status is not PartnerStatus.LEFT

    def assign_reviewed_tier(self, tier: Tier, managed_volume: ConditionCheck) -> None:
        """Give the partner a tier; one above the entry tier is earned: the managed volume of the last
        12 months (billing's figures) must reach the programme's minimum."""
        if tier.name != ENTRY_TIER and not managed_volume.met:
            raise TierNeedsManagedVolume(
                f"the {tier.name} tier needs the managed volume the programme requires: "
                f"{managed_volume.detail}"
            )
        self.assign_tier(tier)


class ApplicationRefusedWith(ApplicationRefused):
    """The application misses conditions; carries every check so each can be shown."""

    def __init__(self, checks: list[ConditionCheck]) -> None:
        missing = ", ".join(check.condition.value for check in checks if not check.met)
        super().__init__(f"the application does not meet: {missing}")
        self.checks = checks


def require_not_affiliate(is_affiliate: bool) -> None:
    """A partner cannot be an affiliate at the same time."""
    if is_affiliate:
        raise PartnerAndAffiliate(
            "an affiliate cannot join the partner programme; leave the affiliate programme first"
        )


def require_not_partner(partner: Partner | None) -> None:
    """An affiliate cannot be a partner at the same time."""
    if partner is not None and partner.in_programme:
        raise PartnerAndAffiliate("a partner cannot become an affiliate; leave the partner programme first")


def require_admitted_partner(partner: Partner | None) -> None:
    """Only a partner the programme admitted, and has not suspended, takes on clients (409 otherwise)."""
    if problem := _not_acting(partner):
        raise PartnerNotActive(f"{problem}: it cannot take on clients")


def require_partner_may_pay(partner: Partner | None) -> None:
    """A client's invoices move to its partner (partner pays) only while the partner is active (409)."""
    if problem := _not_acting(partner):
        raise PartnerNotActive(f"{problem}: it cannot take over the client's invoices")


def require_partner_may_act(partner: Partner | None) -> None:
    """Nobody acts for a partner's clients unless the partner is active in the programme (403 otherwise):
    while it is suspended its relationships stay, but they give no access until it is readmitted."""
    if problem := _not_acting(partner):
        raise PartnerMayNotAct(f"{problem}: nobody may act for its clients")


def _not_acting(partner: Partner | None) -> str | None:
    if partner is None or partner.status is PartnerStatus.APPLIED:
        return "the partner has not been admitted to the partner programme"
    if partner.status is not PartnerStatus.ACTIVE:
        return f"the partner is {partner.status.value} in the partner programme"
    return None


@dataclass(frozen=True)
class ManagedInvoice:
    """An invoice billing issued under a partner's relationship, as the managed volume counts it."""

    invoice_id: UUID
    partner_id: UUID
    client_id: UUID
    payer_id: UUID
    relationship_id: UUID | None
    subtotal: Money
    issued_at: datetime


@dataclass(frozen=True)
class ManagedVolume:
    """What a partner managed over the last 12 months, from billing's invoices, net of tax and per
    currency: what its clients were invoiced under its relationships, and what it paid itself for them
    (invoices under partner pays)."""

    invoiced_to_clients: tuple[Money, ...] = ()
    paid_by_partner: tuple[Money, ...] = ()

    @property
    def total(self) -> tuple[Money, ...]:
        """Both together, one amount per currency."""
        currencies = sorted({m.currency for m in (*self.invoiced_to_clients, *self.paid_by_partner)})
        return tuple(self.in_currency(currency) for currency in currencies)

    def in_currency(self, currency: str) -> Money:
        """The managed volume in one currency (amounts in others are not converted)."""
        amounts = (*self.invoiced_to_clients, *self.paid_by_partner)
        return Money(sum(m.amount_minor for m in amounts if m.currency == currency), currency)


def standing_conditions(partner: Partner, volume: ManagedVolume) -> list[ConditionCheck]:
    """The programme's volume condition as a partner stands: the yearly commitment it declared, and
    whether billing's figures show it reached the programme's minimum over the last 12 months."""
    return [_commitment(partner.annual_commitment), managed_volume_check(partner, volume)]


def managed_volume_check(partner: Partner, volume: ManagedVolume) -> ConditionCheck:
    """Whether the last 12 months' managed volume, in the currency of the partner's commitment, reached
    the programme's minimum."""
    currency = partner.annual_commitment.currency
    minimum = MINIMUM_ANNUAL_COMMITMENT.get(currency, MINIMUM_ANNUAL_COMMITMENT["CHF"])
    managed = volume.in_currency(minimum.currency)
    met = managed.amount_minor >= minimum.amount_minor
    detail = (
        f"{managed} managed over the last 12 months; the programme requires {minimum} a year "
        f"(declared: {partner.annual_commitment} a year)"
    )
    return ConditionCheck(Condition.MANAGED_VOLUME, met, detail)
