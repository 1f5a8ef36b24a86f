"""Use cases fed by partnership's events: the relationship projection and the billing-mode switch.

These run inside the consumer's unit of work, which records the event in the inbox and commits:
they never open or commit a transaction themselves.
"""

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.domain.relationships import Relationship
from tessera_billing.service_layer.contracts import access, billing_mode, contract_money
from tessera_events.billing import PayerReassigned, ReassignedSubscription
from tessera_events.partnership import BillingModeChanged, RelationshipStarted


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
    await uow.relationships.save(relationship)


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

    new_payer = relationship.payer_in(new_mode)
    reassigned = []
    for subscription in await uow.subscriptions.managed_under(relationship.relationship_id):
        if subscription.reassign_payer(new_payer, change.effective_at):
            await uow.subscriptions.save(subscription)
            reassigned.append(subscription)

    uow.emit(
        PayerReassigned(
            relationship_id=relationship.relationship_id,
            client_organisation_id=relationship.client_organisation_id,
            partner_organisation_id=relationship.partner_organisation_id,
            billing_mode=change.billing_mode,
            previous_payer_organisation_id=relationship.payer_in(billing_mode(change.previous_mode)),
            new_payer_organisation_id=new_payer,
            effective_at=change.effective_at,
            changed_by_user_id=change.changed_by_user_id,
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
        )
    )
