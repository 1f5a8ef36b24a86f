"""Use cases fed by partnership's events: the relationship projection, partners' terms, the
billing-mode switch, access changes and relationships ending.

These run inside the consumer's unit of work, which records the event in the inbox and commits:
they never open or commit a transaction themselves.
"""

from datetime import datetime
from uuid import UUID

import structlog

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.domain.pricing import PartnerTerms
from tessera_billing.domain.relationships import BillingMode, Relationship
from tessera_billing.domain.tax import UNKNOWN_PAYER, assess
from tessera_billing.service_layer.contracts import access, billing_mode, contract_money
from tessera_events import partnership
from tessera_events.billing import PayerReassigned, ReassignedSubscription, TaxTreatment
from tessera_events.partnership import (
    AccessChanged,
    BillingModeChanged,
    PartnerStaffChanged,
    PartnerStatusChanged,
    PartnerTierAssigned,
    RelationshipEnded,
    RelationshipStarted,
)

log = structlog.get_logger(__name__)


async def record_relationship_started(uow: BillingUnitOfWork, started: RelationshipStarted) -> None:
    """Project a new relationship (or complete one first seen through a change of its mode)."""
    relationship = await uow.relationships.get(started.relationship_id, for_update=True)
    if relationship is None:
        relationship = Relationship.started(
            relationship_id=started.relationship_id,
            partner_organisation_id=started.partner_organisation_id,
            client_organisation_id=started.client_organisation_id,
            access=access(started.access),
            mode=billing_mode(started.billing_mode),
            started_at=started.started_at,
        )
    else:
        relationship.record_start(
            access=access(started.access),
            mode=billing_mode(started.billing_mode),
            started_at=started.started_at,
        )
    relationship.product_codes = tuple(started.product_codes)
    await uow.relationships.save(relationship)


async def record_partner_tier(uow: BillingUnitOfWork, assigned: PartnerTierAssigned) -> None:
    """A partner's reseller discount and cashback rate from ``effective_at`` on."""
    terms = PartnerTerms(assigned.tier, assigned.reseller_discount_bp, assigned.cashback_bp)
    await uow.parties.record_terms(assigned.partner_organisation_id, terms, assigned.effective_at)


async def switch_billing_mode(uow: BillingUnitOfWork, change: BillingModeChanged) -> None:
    """Move the renewals of every subscription the relationship manages to the new mode's payer.

    Renewals due from ``effective_at`` on go to the new payer; earlier ones, and invoices already
    issued, stay where they are. Emits one PayerReassigned, even when no subscription moved: the
    partner hears about every change of mode.
    """
    new_mode = billing_mode(change.billing_mode)
    relationship = await uow.relationships.get(change.relationship_id, for_update=True)
    if relationship is None:
        # Out of order (its start is not here yet): the change carries everything we need.
        relationship = Relationship.first_seen_changing_mode(
            relationship_id=change.relationship_id,
            partner_organisation_id=change.partner_organisation_id,
            client_organisation_id=change.client_organisation_id,
            mode=new_mode,
            effective_at=change.effective_at,
        )
    else:
        relationship.change_mode(new_mode, change.effective_at)
    await uow.relationships.save(relationship)
    await _reassign(
        uow,
        relationship,
        billing_mode(change.previous_mode),
        new_mode,
        change.effective_at,
        change.changed_by_user_id,
    )


async def change_access(uow: BillingUnitOfWork, changed: AccessChanged) -> None:
    """The client changed what the partner manages; restricting access returns billing to the client."""
    relationship = await uow.relationships.get(changed.relationship_id, for_update=True)
    if relationship is None:
        log.warning(
            "access changed on a relationship billing never saw start",
            relationship=str(changed.relationship_id),
        )
        return
    relationship.restrict(access(changed.access), tuple(changed.product_codes))
    previous = relationship.mode_on(changed.changed_at)
    new_mode = billing_mode(changed.billing_mode)
    relationship.change_mode(new_mode, changed.changed_at)
    await uow.relationships.save(relationship)
    if previous is not new_mode:
        await _reassign(uow, relationship, previous, new_mode, changed.changed_at, changed.changed_by_user_id)


async def change_staff(uow: BillingUnitOfWork, changed: PartnerStaffChanged) -> None:
    """The partner named who of its members may act for the client (its managers always may)."""
    relationship = await uow.relationships.get(changed.relationship_id, for_update=True)
    if relationship is None:
        log.warning(
            "staff changed on a relationship billing never saw start",
            relationship=str(changed.relationship_id),
        )
        return
    relationship.staff_user_ids = frozenset(changed.staff_user_ids)
    await uow.relationships.save(relationship)


async def record_partner_status(uow: BillingUnitOfWork, changed: PartnerStatusChanged) -> None:
    """A partner's standing in the programme: while not active, nobody acts for its clients here."""
    await uow.parties.record_partner_status(
        changed.partner_organisation_id, changed.status.value, changed.changed_at
    )


async def end_relationship(uow: BillingUnitOfWork, ended: RelationshipEnded) -> None:
    """The partner stops managing the client: charges due from ``ended_at`` go to the client at the
    public price, and no cashback accrues on them. Invoices already issued stay where they are."""
    relationship = await uow.relationships.get(ended.relationship_id, for_update=True)
    if relationship is None or not relationship.end(ended.ended_at):
        return
    await uow.relationships.save(relationship)
    for subscription in await uow.subscriptions.managed_under(relationship.relationship_id):
        if subscription.reassign_payer(relationship.client_organisation_id, ended.ended_at):
            await uow.subscriptions.save(subscription)


async def _reassign(
    uow: BillingUnitOfWork,
    relationship: Relationship,
    previous_mode: BillingMode,
    new_mode: BillingMode,
    effective_at: datetime,
    changed_by_user_id: UUID,
) -> None:
    new_payer = relationship.payer_in(new_mode)
    reassigned = []
    for subscription in await uow.subscriptions.managed_under(relationship.relationship_id):
        if subscription.reassign_payer(new_payer, effective_at):
            await uow.subscriptions.save(subscription)
            reassigned.append(subscription)
    # The new payer's VAT status is checked again now, and announced with the switch.
    treatment = assess(await uow.parties.tax_profile(new_payer) or UNKNOWN_PAYER).treatment
    uow.emit(
        PayerReassigned(
            relationship_id=relationship.relationship_id,
            client_organisation_id=relationship.client_organisation_id,
            partner_organisation_id=relationship.partner_organisation_id,
            billing_mode=partnership.BillingMode(new_mode.value),
            previous_payer_organisation_id=relationship.payer_in(previous_mode),
            new_payer_organisation_id=new_payer,
            effective_at=effective_at,
            changed_by_user_id=changed_by_user_id,
            subscriptions=tuple(
                ReassignedSubscription(
                    subscription_id=subscription.subscription_id,
                    product_code=subscription.product_code,
                    product_name=subscription.product_name,
                    price=contract_money(subscription.price),
                    next_renewal_on=subscription.next_renewal_on,
                )
                for subscription in reassigned
            ),
            new_payer_tax_treatment=TaxTreatment(treatment.value),
        )
    )
