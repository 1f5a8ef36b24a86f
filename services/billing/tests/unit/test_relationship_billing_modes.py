"""billing's view of a partnership: its billing modes over time, even when events arrive out of order."""

from datetime import UTC, datetime
from uuid import UUID, uuid4

from tessera_billing.domain.relationships import Access, BillingMode, Relationship

CLIENT = UUID("00000000-0000-4000-8000-00000000c11e")
PARTNER = UUID("00000000-0000-4000-8000-0000000ba27e")


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def started(mode: BillingMode) -> Relationship:
    return Relationship.started(
        relationship_id=uuid4(),
        partner_organisation_id=PARTNER,
        client_organisation_id=CLIENT,
        access=Access.FULL,
        mode=mode,
        started_at=at(2025, 1, 1),
    )


def test_partner_pays_makes_the_partner_the_payer() -> None:
    relationship = started(BillingMode.PARTNER_PAYS)

    assert relationship.payer_in(relationship.mode_on(at(2025, 2, 1))) == PARTNER


def test_a_mode_change_keeps_the_earlier_mode_for_the_earlier_stretch() -> None:
    relationship = started(BillingMode.CLIENT_PAYS)

    assert relationship.change_mode(BillingMode.PARTNER_PAYS, at(2025, 3, 1))

    assert relationship.mode_on(at(2025, 2, 28)) is BillingMode.CLIENT_PAYS
    assert relationship.mode_on(at(2025, 3, 1)) is BillingMode.PARTNER_PAYS


def test_a_change_to_the_mode_in_force_is_no_change() -> None:
    relationship = started(BillingMode.CLIENT_PAYS)

    assert not relationship.change_mode(BillingMode.CLIENT_PAYS, at(2025, 3, 1))
    assert len(relationship.modes.changes) == 1


def test_a_mode_change_seen_before_the_start_is_taken_as_the_truth() -> None:
    relationship = Relationship.first_seen_changing_mode(
        relationship_id=uuid4(),
        partner_organisation_id=PARTNER,
        client_organisation_id=CLIENT,
        mode=BillingMode.PARTNER_PAYS,
        effective_at=at(2025, 3, 1),
    )

    assert relationship.access is None
    assert relationship.mode_on(at(2025, 3, 1)) is BillingMode.PARTNER_PAYS


def test_the_start_arriving_late_fills_in_the_past_without_undoing_the_change() -> None:
    relationship = Relationship.first_seen_changing_mode(
        relationship_id=uuid4(),
        partner_organisation_id=PARTNER,
        client_organisation_id=CLIENT,
        mode=BillingMode.PARTNER_PAYS,
        effective_at=at(2025, 3, 1),
    )

    relationship.record_start(access=Access.FULL, mode=BillingMode.CLIENT_PAYS, started_at=at(2025, 1, 1))

    assert relationship.access is Access.FULL
    assert relationship.mode_on(at(2025, 2, 1)) is BillingMode.CLIENT_PAYS
    assert relationship.mode_on(at(2025, 4, 1)) is BillingMode.PARTNER_PAYS


def test_payers_from_now_on_include_a_change_planned_for_later() -> None:
    relationship = started(BillingMode.CLIENT_PAYS)
    relationship.change_mode(BillingMode.PARTNER_PAYS, at(2025, 6, 1))

    payers = relationship.payers_since(at(2025, 2, 1))

    assert [(change.value, change.effective_from) for change in payers.changes] == [
        (CLIENT, at(2025, 2, 1)),
        (PARTNER, at(2025, 6, 1)),
    ]
