"""Tell both sides of a partner-client relationship, each in its own words."""

from collections.abc import Mapping
from uuid import UUID

from tessera_notify.adapters.templates import TemplateRenderer
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.rules import Side
from tessera_notify.service_layer.telling import Cause, organisation_name, tell_organisation


async def tell_both_sides(
    uow: NotifyUnitOfWork,
    renderer: TemplateRenderer,
    cause: Cause,
    notification: str,
    *,
    partner_organisation_id: UUID,
    client_organisation_id: UUID,
    facts: Mapping[str, object],
) -> int:
    """The partner's and the client's audiences, each told its ``role`` and the other party's name."""
    partner_name = await organisation_name(uow, partner_organisation_id)
    client_name = await organisation_name(uow, client_organisation_id)
    shared = {"partner_name": partner_name, "client_name": client_name, **facts}
    told = await tell_organisation(
        uow,
        renderer,
        cause,
        notification,
        partner_organisation_id,
        {**shared, "role": Side.PARTNER.value, "other_party_name": client_name},
    )
    return told + await tell_organisation(
        uow,
        renderer,
        cause,
        notification,
        client_organisation_id,
        {**shared, "role": Side.CLIENT.value, "other_party_name": partner_name},
    )


async def tell_invited_side(
    uow: NotifyUnitOfWork,
    renderer: TemplateRenderer,
    cause: Cause,
    *,
    proposed_by: Side,
    partner_organisation_id: UUID,
    client_organisation_id: UUID,
    facts: Mapping[str, object],
) -> int:
    """The side that did not propose the relationship hears who proposed it, and what."""
    proposer, invited = (
        (partner_organisation_id, client_organisation_id)
        if proposed_by is Side.PARTNER
        else (client_organisation_id, partner_organisation_id)
    )
    facts = {
        **facts,
        "proposed_by": proposed_by.value,
        "proposer_name": await organisation_name(uow, proposer),
    }
    return await tell_organisation(uow, renderer, cause, "relationship_invited", invited, facts)
