"""The life of a relationship: proposals, scoped and time-bound access, staff permissions, endings."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from tessera_partnership.domain.errors import (
    AccessExpired,
    AccessRevoked,
    BillingModeNeedsFullAccess,
    InvalidAccessScope,
    NotPartnerStaff,
    OnlyClientGrantsAccess,
    OutsideGrantedAccess,
    ProposalNotPending,
    ProposerCannotAccept,
    RelationshipNotActive,
    StaffNotPermitted,
)
from tessera_partnership.domain.relationship import (
    Access,
    AccessScope,
    BillingMode,
    EndReason,
    Relationship,
    RelationshipStatus,
    Side,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
PARTNER, CLIENT, USER, STAFF = uuid4(), uuid4(), uuid4(), uuid4()
VALID_FOR = timedelta(days=14)


def invitation(scope: AccessScope | None = None) -> Relationship:
    return Relationship.propose(
        partner_organisation_id=PARTNER,
        client_organisation_id=CLIENT,
        scope=scope or AccessScope.of(Access.FULL, (), None, NOW),
        proposed_by=Side.PARTNER,
        proposed_by_user_id=USER,
        now=NOW,
        valid_for=VALID_FOR,
    )


def active(scope: AccessScope | None = None) -> Relationship:
    relationship = invitation(scope)
    relationship.accept(accepting_side=Side.CLIENT, now=NOW)
    return relationship


def restricted(*codes: str) -> AccessScope:
    return AccessScope.of(Access.RESTRICTED, codes, None, NOW)


def test_a_client_accepting_an_invitation_starts_the_relationship_with_the_client_paying() -> None:
    relationship = active()
    assert (relationship.status, relationship.started_at) == (RelationshipStatus.ACTIVE, NOW)
    assert relationship.billing_mode is BillingMode.CLIENT_PAYS


def test_the_partner_cannot_accept_its_own_invitation() -> None:
    with pytest.raises(ProposerCannotAccept):
        invitation().accept(accepting_side=Side.PARTNER, now=NOW)


def test_an_invitation_not_accepted_in_time_expires() -> None:
    relationship = invitation()
    later = NOW + VALID_FOR
    with pytest.raises(ProposalNotPending):
        relationship.accept(accepting_side=Side.CLIENT, now=later)
    assert relationship.lapse(later)
    assert relationship.status is RelationshipStatus.EXPIRED


def test_a_declined_invitation_cannot_be_accepted_afterwards() -> None:
    relationship = invitation()
    relationship.decline(declining_side=Side.CLIENT, now=NOW)
    assert relationship.status is RelationshipStatus.DECLINED
    with pytest.raises(ProposalNotPending):
        relationship.accept(accepting_side=Side.CLIENT, now=NOW)


def test_the_proposer_withdrawing_is_not_a_decline() -> None:
    relationship = invitation()
    relationship.decline(declining_side=Side.PARTNER, now=NOW)
    assert relationship.status is RelationshipStatus.WITHDRAWN


@pytest.mark.parametrize(
    ("access", "codes", "ends_at"),
    [
        (Access.RESTRICTED, (), None),
        (Access.FULL, ("web-hosting-pro",), None),
        (Access.RESTRICTED, ("not a code!",), None),
        (Access.FULL, (), NOW),
    ],
    ids=["restricted without products", "full with products", "malformed code", "end date not ahead"],
)
def test_an_access_scope_must_make_sense(
    access: Access, codes: tuple[str, ...], ends_at: datetime | None
) -> None:
    with pytest.raises(InvalidAccessScope):
        AccessScope.of(access, codes, ends_at, NOW)


def test_restricted_access_covers_only_its_products() -> None:
    scope = restricted("Web-Hosting-Pro ", "mail-pro")
    assert scope.product_codes == ("mail-pro", "web-hosting-pro")
    assert scope.covers("mail-pro")
    assert not scope.covers("domain-ch")


def test_restricting_access_while_the_partner_pays_returns_billing_to_the_client() -> None:
    relationship = active()
    relationship.change_billing_mode(
        BillingMode.PARTNER_PAYS,
        acting_organisation_id=CLIENT,
        changed_by_user_id=USER,
        effective_at=None,
        now=NOW,
    )
    returned = relationship.change_access(
        restricted("mail-pro"), acting_side=Side.CLIENT, changed_by_user_id=USER, now=NOW
    )
    assert returned
    assert relationship.billing_mode is BillingMode.CLIENT_PAYS
    assert [c.billing_mode for c in relationship.billing_mode_changes] == [
        BillingMode.PARTNER_PAYS,
        BillingMode.CLIENT_PAYS,
    ]
    with pytest.raises(BillingModeNeedsFullAccess):
        relationship.change_billing_mode(
            BillingMode.PARTNER_PAYS,
            acting_organisation_id=CLIENT,
            changed_by_user_id=USER,
            effective_at=None,
            now=NOW,
        )


def test_restricting_access_while_the_client_pays_changes_no_payer() -> None:
    relationship = active()
    assert not relationship.change_access(
        restricted("mail-pro"), acting_side=Side.CLIENT, changed_by_user_id=USER, now=NOW
    )
    assert relationship.billing_mode_changes == []


def test_only_the_client_changes_the_access() -> None:
    with pytest.raises(OnlyClientGrantsAccess):
        active().change_access(
            restricted("mail-pro"), acting_side=Side.PARTNER, changed_by_user_id=USER, now=NOW
        )


def test_partner_staff_need_a_permission_and_managers_do_not() -> None:
    relationship = active()
    with pytest.raises(StaffNotPermitted):
        relationship.authorise_partner_user(STAFF, is_partner_manager=False, now=NOW)
    relationship.authorise_partner_user(USER, is_partner_manager=True, now=NOW)
    assert relationship.set_staff(frozenset({STAFF}), partner_staff=frozenset({STAFF, USER}))
    relationship.authorise_partner_user(STAFF, is_partner_manager=False, now=NOW)
    assert not relationship.set_staff(frozenset({STAFF}), partner_staff=frozenset({STAFF, USER}))


def test_restricted_access_lets_partner_users_act_only_on_the_listed_products() -> None:
    relationship = active(restricted("mail-pro"))
    relationship.authorise_partner_user(USER, is_partner_manager=True, now=NOW, product_code="mail-pro")
    with pytest.raises(OutsideGrantedAccess):
        relationship.authorise_partner_user(USER, is_partner_manager=True, now=NOW, product_code="domain-ch")


def test_only_the_partners_own_members_can_be_given_a_client() -> None:
    with pytest.raises(NotPartnerStaff):
        active().set_staff(frozenset({uuid4()}), partner_staff=frozenset({STAFF}))


def test_an_expired_access_grant_stops_working() -> None:
    relationship = active(AccessScope.of(Access.FULL, (), NOW + timedelta(days=3), NOW))
    later = NOW + timedelta(days=3)
    relationship.authorise_partner_user(USER, is_partner_manager=True, now=NOW)
    with pytest.raises(AccessExpired):
        relationship.authorise_partner_user(USER, is_partner_manager=True, now=later)
    with pytest.raises(AccessExpired):
        relationship.change_billing_mode(
            BillingMode.PARTNER_PAYS,
            acting_organisation_id=CLIENT,
            changed_by_user_id=USER,
            effective_at=None,
            now=later,
        )


def test_both_sides_are_warned_once_before_time_bound_access_ends() -> None:
    ends_at = NOW + timedelta(days=10)
    relationship = active(AccessScope.of(Access.FULL, (), ends_at, NOW))
    lead = timedelta(days=7)
    assert not relationship.due_for_warning(NOW, lead)
    assert relationship.due_for_warning(NOW + timedelta(days=4), lead)
    relationship.ending_warned_for = ends_at
    assert not relationship.due_for_warning(NOW + timedelta(days=4), lead)


def test_a_new_end_date_is_warned_of_again() -> None:
    relationship = active(AccessScope.of(Access.FULL, (), NOW + timedelta(days=5), NOW))
    relationship.ending_warned_for = NOW + timedelta(days=5)
    relationship.change_access(
        AccessScope.of(Access.FULL, (), NOW + timedelta(days=6), NOW),
        acting_side=Side.CLIENT,
        changed_by_user_id=USER,
        now=NOW,
    )
    assert relationship.due_for_warning(NOW, timedelta(days=7))


def test_ending_revokes_access_and_returns_billing_to_the_client() -> None:
    relationship = active()
    relationship.change_billing_mode(
        BillingMode.PARTNER_PAYS,
        acting_organisation_id=CLIENT,
        changed_by_user_id=USER,
        effective_at=None,
        now=NOW,
    )
    ending = relationship.end(EndReason.STOPPED_BY_CLIENT, ended_by_user_id=USER, now=NOW)
    assert ending.reason is EndReason.STOPPED_BY_CLIENT
    assert relationship.billing_mode is BillingMode.CLIENT_PAYS
    with pytest.raises(AccessRevoked):
        relationship.authorise_partner_user(USER, is_partner_manager=True, now=NOW)
    with pytest.raises(RelationshipNotActive):
        relationship.end(EndReason.STOPPED_BY_PARTNER, ended_by_user_id=USER, now=NOW)
