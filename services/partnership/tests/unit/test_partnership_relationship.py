"""The rules of a partner-client relationship and of choosing who pays."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from tessera_partnership.domain.errors import (
    BillingModeNeedsFullAccess,
    BillingModeUnchanged,
    EffectiveDateInPast,
    OnlyClientChoosesPayer,
    PartnerIsClient,
)
from tessera_partnership.domain.relationship import Access, AccessScope, BillingMode, Relationship, Side

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
PARTNER, CLIENT, USER = uuid4(), uuid4(), uuid4()


def relationship(access: Access = Access.FULL) -> Relationship:
    """A relationship the client asked for and the partner accepted."""
    products = ("web-hosting-pro",) if access is Access.RESTRICTED else ()
    proposed = Relationship.propose(
        partner_organisation_id=PARTNER,
        client_organisation_id=CLIENT,
        scope=AccessScope.of(access, products, None, NOW),
        proposed_by=Side.CLIENT,
        proposed_by_user_id=USER,
        now=NOW,
        valid_for=timedelta(days=14),
    )
    proposed.accept(accepting_side=Side.PARTNER, now=NOW)
    return proposed


def test_a_new_relationship_starts_with_the_client_paying() -> None:
    assert relationship().billing_mode is BillingMode.CLIENT_PAYS


def test_an_organisation_cannot_be_its_own_partner() -> None:
    with pytest.raises(PartnerIsClient):
        Relationship.propose(
            partner_organisation_id=CLIENT,
            client_organisation_id=CLIENT,
            scope=AccessScope.of(Access.FULL, (), None, NOW),
            proposed_by=Side.CLIENT,
            proposed_by_user_id=USER,
            now=NOW,
            valid_for=timedelta(days=14),
        )


def test_client_switching_to_partner_pays_records_the_change_from_now() -> None:
    subject = relationship()
    change = subject.change_billing_mode(
        BillingMode.PARTNER_PAYS,
        acting_organisation_id=CLIENT,
        changed_by_user_id=USER,
        effective_at=None,
        now=NOW,
    )
    assert subject.billing_mode is BillingMode.PARTNER_PAYS
    assert (change.previous_mode, change.billing_mode, change.effective_at) == (
        BillingMode.CLIENT_PAYS,
        BillingMode.PARTNER_PAYS,
        NOW,
    )
    assert subject.billing_mode_changes == [change]


def test_client_can_schedule_the_switch_for_a_later_date() -> None:
    later = NOW + timedelta(days=30)
    change = relationship().change_billing_mode(
        BillingMode.PARTNER_PAYS,
        acting_organisation_id=CLIENT,
        changed_by_user_id=USER,
        effective_at=later,
        now=NOW,
    )
    assert change.effective_at == later


def test_partner_cannot_change_who_pays() -> None:
    subject = relationship()
    with pytest.raises(OnlyClientChoosesPayer):
        subject.change_billing_mode(
            BillingMode.PARTNER_PAYS,
            acting_organisation_id=PARTNER,
            changed_by_user_id=USER,
            effective_at=None,
            now=NOW,
        )
    assert subject.billing_mode is BillingMode.CLIENT_PAYS


def test_restricted_access_cannot_set_partner_pays() -> None:
    with pytest.raises(BillingModeNeedsFullAccess):
        relationship(Access.RESTRICTED).change_billing_mode(
            BillingMode.PARTNER_PAYS,
            acting_organisation_id=CLIENT,
            changed_by_user_id=USER,
            effective_at=None,
            now=NOW,
        )


def test_choosing_the_mode_already_in_use_is_refused() -> None:
    with pytest.raises(BillingModeUnchanged):
        relationship().change_billing_mode(
            BillingMode.CLIENT_PAYS,
            acting_organisation_id=CLIENT,
            changed_by_user_id=USER,
            effective_at=None,
            now=NOW,
        )


def test_a_switch_cannot_be_backdated() -> None:
    with pytest.raises(EffectiveDateInPast):
        relationship().change_billing_mode(
            BillingMode.PARTNER_PAYS,
            acting_organisation_id=CLIENT,
            changed_by_user_id=USER,
            effective_at=NOW - timedelta(days=1),
            now=NOW,
        )


def test_a_slightly_late_clock_still_means_now() -> None:
    change = relationship().change_billing_mode(
        BillingMode.PARTNER_PAYS,
        acting_organisation_id=CLIENT,
        changed_by_user_id=USER,
        effective_at=NOW - timedelta(minutes=1),
        now=NOW,
    )
    assert change.effective_at == NOW


def test_switching_back_and_forth_keeps_the_whole_history() -> None:
    subject = relationship()
    for mode in (BillingMode.PARTNER_PAYS, BillingMode.CLIENT_PAYS, BillingMode.PARTNER_PAYS):
        subject.change_billing_mode(
            mode, acting_organisation_id=CLIENT, changed_by_user_id=USER, effective_at=None, now=NOW
        )
    assert [c.billing_mode for c in subject.billing_mode_changes] == [
        BillingMode.PARTNER_PAYS,
        BillingMode.CLIENT_PAYS,
        BillingMode.PARTNER_PAYS,
    ]
