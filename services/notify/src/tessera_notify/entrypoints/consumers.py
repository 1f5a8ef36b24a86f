"""Events notify reacts to: identity's (the recipients projection) and billing's (e-mails to send).

Handlers run inside the kit's transaction, which also records the inbox row; they never commit.
"""

import structlog

from tessera_events import CloudEvent
from tessera_events.billing import PayerReassigned
from tessera_events.identity import MembershipGranted, OrganisationRegistered, UserRegistered
from tessera_kit.consumers import EventHandlers
from tessera_notify.adapters.templates import TemplateRenderer
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.billing_mode import BillingMode, MovedRenewal
from tessera_notify.service_layer import billing_mode, projection

log = structlog.get_logger(__name__)
handlers = EventHandlers[NotifyUnitOfWork]()
renderer = TemplateRenderer()


@handlers.on(OrganisationRegistered)
async def remember_organisation(event: CloudEvent[OrganisationRegistered], uow: NotifyUnitOfWork) -> None:
    """A new organisation: where its notices go and in which language."""
    data = event.data
    await projection.record_organisation(
        uow,
        organisation_id=data.organisation_id,
        name=data.name,
        kind=data.kind.value,
        country=data.country,
        locale=data.locale.value,
        billing_email=str(data.billing_email),
        registered_at=data.registered_at,
    )


@handlers.on(UserRegistered)
async def remember_user(event: CloudEvent[UserRegistered], uow: NotifyUnitOfWork) -> None:
    """A new person: their address and language."""
    data = event.data
    await projection.record_user(
        uow,
        user_id=data.user_id,
        email=str(data.email),
        display_name=data.display_name,
        locale=data.locale.value,
    )


@handlers.on(MembershipGranted)
async def remember_membership(event: CloudEvent[MembershipGranted], uow: NotifyUnitOfWork) -> None:
    """A person joined an organisation, or their role in it changed."""
    data = event.data
    await projection.record_membership(
        uow, organisation_id=data.organisation_id, user_id=data.user_id, role=data.role.value
    )


@handlers.on(PayerReassigned)
async def tell_parties_who_pays_now(event: CloudEvent[PayerReassigned], uow: NotifyUnitOfWork) -> None:
    """Billing moved the client's renewals to another payer: e-mail the partner and the client."""
    if uow.too_old_to_tell(event.time):
        log.info(
            "billing-mode change too old to e-mail about", event_id=str(event.id), time=event.time.isoformat()
        )
        return
    data = event.data
    await billing_mode.tell_parties_billing_mode_changed(
        uow,
        renderer,
        cause_event_id=event.id,
        relationship_id=data.relationship_id,
        partner_organisation_id=data.partner_organisation_id,
        client_organisation_id=data.client_organisation_id,
        mode=BillingMode(data.billing_mode.value),
        effective_at=data.effective_at,
        renewals=[
            MovedRenewal(
                product_name=subscription.product_name,
                amount_minor=subscription.price.amount_minor,
                currency=subscription.price.currency.value,
                next_renewal_on=subscription.next_renewal_on,
            )
            for subscription in data.subscriptions
        ],
    )
