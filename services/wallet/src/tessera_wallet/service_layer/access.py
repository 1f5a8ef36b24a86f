"""Who may see or change an organisation's wallet.

* Members of the organisation: any role sees it and reports usage; legal representatives and
  administrators change it (top-ups, auto-recharge, receipts).
* Users of a partner that manages the organisation, with full access or restricted access that lists
  the product code ``wallet``: the same, by their role in the partner organisation — but only the
  partner's legal representatives and administrators and the users on the client's staff list, and
  only while the partner is not suspended in (or gone from) the partner programme.
* A partner's user charges the client's card (a top-up) only with full access while the client pays,
  within the per-call and per-day limits (``WALLET_PARTNER_TOP_UP_MAX_MINOR``,
  ``WALLET_PARTNER_TOP_UP_DAILY_MAX_MINOR``).
* Operators (legal representatives and administrators of the organisation named by
  ``WALLET_OPERATOR_ORGANISATION_ID``): see every wallet and grant complimentary credits.
* Anyone else is told the organisation's wallet does not exist (404); a known caller without the
  role the change needs is refused (403).

Roles come from the access token, corrected by identity's events (the kit's revocation projection): a
membership identity revoked, or a role it changed, counts from the event on, not from the token's
expiry.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from tessera_events.identity import Role
from tessera_kit.auth import MANAGER_ROLES, Caller
from tessera_kit.problems import Forbidden, NotFound
from tessera_wallet.adapters.uow import WalletUnitOfWork

WALLET_PRODUCT_CODE = "wallet"
# No status known yet means partnership admitted the partner (it starts no relationship otherwise).
DAY = timedelta(days=1)
BARRED_PARTNERS = frozenset({"applied", "suspended", "left"})


@dataclass(frozen=True)
class Permission:
    """What the caller may do with one organisation's wallet, and on whose behalf."""

    acting_organisation_id: UUID
    role: Role
    as_partner: bool = False
    as_operator: bool = False
    # As a partner: whether it manages all of the client's products, and whether the client pays.
    full_access: bool = False
    client_pays: bool = True

    @property
    def may_manage(self) -> bool:
        """Whether the caller may change the wallet (not an operator's read-only look)."""
        return self.role in MANAGER_ROLES and not self.as_operator


async def permission(
    uow: WalletUnitOfWork,
    caller: Caller,
    organisation_id: UUID,
    *,
    manage: bool,
    now: datetime,
) -> Permission:
    """The caller's permission on the organisation's wallet; NotFound or Forbidden otherwise."""
    roles = caller.roles
    found = _as_member(roles, organisation_id) or await _as_partner(
        uow, caller.user_id, roles, organisation_id, now
    )
    if found is None:
        found = as_operator(roles, uow.operator_organisation_id)
    if found is None:
        raise NotFound(f"organisation {organisation_id} has no wallet the caller may see")
    if manage and not found.may_manage:
        raise Forbidden("only a legal representative or an administrator can change the wallet")
    return found


async def require_card_charge(
    uow: WalletUnitOfWork, found: Permission, wallet_id: UUID, amount_minor: int, now: datetime
) -> None:
    """Forbidden unless this caller may charge the organisation's card ``amount_minor`` now: its own
    managers may; a partner's user only with full access, while the client pays, within the limits."""
    if not found.as_partner:
        return
    if not found.full_access or not found.client_pays:
        raise Forbidden("a partner charges its client's card only with full access while the client pays")
    already = await uow.charges.asked_by_partner_since(wallet_id, found.acting_organisation_id, now - DAY)
    if refusal := uow.partner_card_limits.refusal(amount_minor, already):
        raise Forbidden(refusal)


async def require_operator(uow: WalletUnitOfWork, caller: Caller, doing: str) -> None:
    """Forbidden unless the caller is an operator."""
    if as_operator(caller.roles, uow.operator_organisation_id) is None:
        raise Forbidden(f"only an operator {doing}")


def as_operator(roles: dict[UUID, Role], operator_organisation_id: UUID | None) -> Permission | None:
    """The caller's operator permission, if they manage the operator organisation."""
    if operator_organisation_id is None:
        return None
    role = roles.get(operator_organisation_id)
    if role not in MANAGER_ROLES:
        return None
    return Permission(operator_organisation_id, role, as_operator=True)


def _as_member(roles: dict[UUID, Role], organisation_id: UUID) -> Permission | None:
    role = roles.get(organisation_id)
    return None if role is None else Permission(organisation_id, role)


async def _as_partner(
    uow: WalletUnitOfWork, user_id: UUID, roles: dict[UUID, Role], organisation_id: UUID, now: datetime
) -> Permission | None:
    best: Permission | None = None
    for access in await uow.projections.partners_of(organisation_id):
        role = roles.get(access.partner_organisation_id)
        if role is None or (access.access_ends_at is not None and access.access_ends_at <= now):
            continue
        if access.access != "full" and WALLET_PRODUCT_CODE not in access.product_codes:
            continue
        if role not in MANAGER_ROLES and user_id not in access.staff_user_ids:
            continue
        if await uow.projections.partner_status(access.partner_organisation_id) in BARRED_PARTNERS:
            continue
        found = Permission(
            access.partner_organisation_id,
            role,
            as_partner=True,
            full_access=access.access == "full",
            client_pays=access.billing_mode == "client_pays",
        )
        if best is None or found.may_manage:
            best = found
    return best
