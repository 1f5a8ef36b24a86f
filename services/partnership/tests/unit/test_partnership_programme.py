"""Admission to the partner programme, the partner's standing, tiers, and affiliates."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from tessera_partnership.domain.errors import (
    PartnerAndAffiliate,
    PartnerMayNotAct,
    PartnerNotActive,
    ProgrammeTransitionRefused,
    TierNeedsManagedVolume,
    UnknownTier,
)
from tessera_partnership.domain.money import Money
from tessera_partnership.domain.programme import (
    ADMISSION_CONDITIONS,
    MAX_RATE_BP,
    TIERS,
    Application,
    ApplicationRefusedWith,
    Condition,
    ManagedVolume,
    Partner,
    PartnerStatus,
    check_application,
    managed_volume_check,
    require_admitted_partner,
    require_not_affiliate,
    require_not_partner,
    require_partner_may_act,
    require_partner_may_pay,
    standing_conditions,
    tier_named,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def application(**changes: object) -> Application:
    values: dict[str, object] = {
        "organisation_kind": "company",
        "country": "CH",
        "registry_number": "CHE-109.322.551",
        "website_url": "https://alpenweb.example.ch",
        "website_answered": True,
        "accepts_reseller_terms": True,
        "annual_commitment": Money(200_000, "CHF"),
    }
    return Application(**(values | changes))  # type: ignore[arg-type]


def unmet(candidate: Application) -> dict[Condition, str]:
    return {check.condition: check.detail for check in check_application(candidate) if not check.met}


def test_a_company_meeting_every_condition_is_admitted_as_applied() -> None:
    partner, checks = Partner.admit_application(uuid4(), application(), now=NOW)
    assert partner.status is PartnerStatus.APPLIED
    assert partner.registry_number == "CHE109322551"
    assert all(check.met for check in checks)
    assert [check.condition for check in checks] == list(ADMISSION_CONDITIONS)


@pytest.mark.parametrize(
    ("changes", "condition", "detail"),
    [
        ({"organisation_kind": "individual"}, Condition.COMPANY, "affiliate"),
        ({"registry_number": None}, Condition.REGISTRY_NUMBER, "required"),
        ({"registry_number": "CHE-109.322.552"}, Condition.REGISTRY_NUMBER, "not a valid CH"),
        ({"country": "JP", "registry_number": "123"}, Condition.REGISTRY_NUMBER, "no registry number format"),
        ({"website_url": "alpenweb.ch"}, Condition.ACTIVE_WEBSITE, "https://"),
        ({"website_url": "https://localhost"}, Condition.ACTIVE_WEBSITE, "public domain"),
        ({"website_url": "http://192.168.1.1"}, Condition.ACTIVE_WEBSITE, "IP address"),
        ({"website_answered": False}, Condition.ACTIVE_WEBSITE, "did not answer"),
        ({"accepts_reseller_terms": False}, Condition.RESELLER_TERMS, "must be accepted"),
        ({"annual_commitment": Money(199_999, "CHF")}, Condition.ANNUAL_COMMITMENT, "CHF 2000.00"),
        ({"annual_commitment": Money(179_999, "EUR")}, Condition.ANNUAL_COMMITMENT, "EUR 1800.00"),
        ({"annual_commitment": Money(900_000, "USD")}, Condition.ANNUAL_COMMITMENT, "CHF or EUR"),
    ],
)
def test_each_condition_is_checked_and_reported_on_its_own(
    changes: dict[str, object], condition: Condition, detail: str
) -> None:
    found = unmet(application(**changes))
    assert list(found) == [condition]
    assert detail in found[condition]


def test_a_french_company_qualifies_with_its_siren_or_siret_and_eur_1800() -> None:
    for number in ("732 829 320", "73282932000074"):
        assert (
            unmet(application(country="FR", registry_number=number, annual_commitment=Money(180_000, "EUR")))
            == {}
        )


def test_a_website_not_fetched_is_judged_by_its_form() -> None:
    assert unmet(application(website_answered=None)) == {}


def test_a_refused_application_carries_every_check() -> None:
    with pytest.raises(ApplicationRefusedWith) as refused:
        Partner.admit_application(
            uuid4(), application(organisation_kind="individual", accepts_reseller_terms=False), now=NOW
        )
    assert {c.condition for c in refused.value.checks if not c.met} == {
        Condition.COMPANY,
        Condition.RESELLER_TERMS,
    }
    assert len(refused.value.checks) == len(ADMISSION_CONDITIONS)


def test_the_programme_moves_applied_to_active_to_suspended_and_back_and_anyone_may_leave() -> None:
    partner, _ = Partner.admit_application(uuid4(), application(), now=NOW)
    assert partner.move_to(PartnerStatus.ACTIVE, NOW) is PartnerStatus.APPLIED
    partner.move_to(PartnerStatus.SUSPENDED, NOW)
    partner.move_to(PartnerStatus.ACTIVE, NOW)
    partner.move_to(PartnerStatus.LEFT, NOW)
    with pytest.raises(ProgrammeTransitionRefused):
        partner.move_to(PartnerStatus.ACTIVE, NOW)


def test_an_applicant_cannot_be_suspended_before_it_is_admitted() -> None:
    partner, _ = Partner.admit_application(uuid4(), application(), now=NOW)
    with pytest.raises(ProgrammeTransitionRefused):
        partner.move_to(PartnerStatus.SUSPENDED, NOW)


def test_every_tier_stays_within_35_percent() -> None:
    assert all(t.reseller_discount_bp <= MAX_RATE_BP and t.cashback_bp <= MAX_RATE_BP for t in TIERS.values())
    assert max(t.reseller_discount_bp for t in TIERS.values()) == 3500


def test_only_catalogue_tiers_can_be_assigned_and_only_to_admitted_partners() -> None:
    partner, _ = Partner.admit_application(uuid4(), application(), now=NOW)
    with pytest.raises(UnknownTier):
        tier_named("diamond")
    with pytest.raises(ProgrammeTransitionRefused):
        partner.assign_tier(tier_named("gold"))
    partner.move_to(PartnerStatus.ACTIVE, NOW)
    partner.assign_tier(tier_named("gold"))
    assert partner.tier == "gold"


def test_an_organisation_cannot_be_a_partner_and_an_affiliate() -> None:
    partner, _ = Partner.admit_application(uuid4(), application(), now=NOW)
    with pytest.raises(PartnerAndAffiliate):
        require_not_affiliate(True)
    with pytest.raises(PartnerAndAffiliate):
        require_not_partner(partner)
    partner.move_to(PartnerStatus.LEFT, NOW)
    require_not_partner(partner)


def admitted() -> Partner:
    partner, _ = Partner.admit_application(uuid4(), application(), now=NOW)
    partner.move_to(PartnerStatus.ACTIVE, NOW)
    return partner


def test_only_an_active_partner_takes_on_clients_takes_over_invoices_and_acts_for_clients() -> None:
    applicant, _ = Partner.admit_application(uuid4(), application(), now=NOW)
    for partner, said in ((None, "not been admitted"), (applicant, "not been admitted")):
        with pytest.raises(PartnerNotActive, match=said):
            require_admitted_partner(partner)
        with pytest.raises(PartnerNotActive, match=said):
            require_partner_may_pay(partner)
        with pytest.raises(PartnerMayNotAct, match=said):
            require_partner_may_act(partner)
    partner = admitted()
    require_admitted_partner(partner)
    require_partner_may_act(partner)
    partner.move_to(PartnerStatus.SUSPENDED, NOW)
    with pytest.raises(PartnerMayNotAct, match="suspended"):
        require_partner_may_act(partner)
    partner.move_to(PartnerStatus.ACTIVE, NOW)
    require_partner_may_act(partner)


def test_managed_volume_adds_what_clients_were_invoiced_to_what_the_partner_paid_per_currency() -> None:
    volume = ManagedVolume(
        invoiced_to_clients=(Money(120_000, "CHF"), Money(5_000, "EUR")),
        paid_by_partner=(Money(80_000, "CHF"),),
    )
    assert volume.total == (Money(200_000, "CHF"), Money(5_000, "EUR"))
    assert volume.in_currency("CHF") == Money(200_000, "CHF")


def test_the_volume_condition_compares_billings_figures_with_the_programmes_minimum() -> None:
    partner = admitted()
    short = ManagedVolume(invoiced_to_clients=(Money(199_999, "CHF"), Money(900_000, "EUR")))
    reached = ManagedVolume(
        invoiced_to_clients=(Money(150_000, "CHF"),), paid_by_partner=(Money(50_000, "CHF"),)
    )

    declared, measured = standing_conditions(partner, short)

    assert (declared.condition, declared.met) == (Condition.ANNUAL_COMMITMENT, True)
    assert (measured.condition, measured.met) == (Condition.MANAGED_VOLUME, False)
    assert "CHF 1999.99 managed" in measured.detail
    assert "requires CHF 2000.00" in measured.detail
    assert managed_volume_check(partner, reached).met


def test_a_tier_above_the_entry_tier_is_earned_by_managed_volume() -> None:
    partner = admitted()
    short = managed_volume_check(partner, ManagedVolume())
    with pytest.raises(TierNeedsManagedVolume, match="gold"):
        partner.assign_reviewed_tier(tier_named("gold"), short)
    partner.assign_reviewed_tier(tier_named("bronze"), short)
    reached = managed_volume_check(partner, ManagedVolume(paid_by_partner=(Money(200_000, "CHF"),)))
    partner.assign_reviewed_tier(tier_named("gold"), reached)
    assert partner.tier == "gold"
