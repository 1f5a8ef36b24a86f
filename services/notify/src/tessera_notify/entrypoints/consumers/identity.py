"""identity's events: who people and organisations are (the projection), and security notices."""

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from tessera_events import CloudEvent, EventData
from tessera_events.identity import (
    ApiTokenDeactivated,
    ApiTokenDeactivationWarned,
    MembershipGranted,
    MembershipRevoked,
    OrganisationRegistered,
    OrganisationUpdated,
    SecurityAlertKind,
    SecurityAlertRaised,
    UserProfileChanged,
    UserRegistered,
)
from tessera_notify.adapters.orm import OrganisationRow
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.notices import ORGANISATION, USER
from tessera_notify.entrypoints.consumers.registry import HandlerList
from tessera_notify.entrypoints.consumers.rendering import cause_of, renderer
from tessera_notify.service_layer import projection, representation
from tessera_notify.service_layer.telling import tell_person

handlers = HandlerList()
# identity's events that tell notify of an organisation or a person: what waited for them resumes.
ARRIVALS: dict[type[EventData], Callable[[Any], tuple[str, UUID]]] = {
    OrganisationRegistered: lambda data: (ORGANISATION, data.organisation_id),
    OrganisationUpdated: lambda data: (ORGANISATION, data.organisation_id),
    UserRegistered: lambda data: (USER, data.user_id),
    UserProfileChanged: lambda data: (USER, data.user_id),
}
# The security alerts a person is e-mailed about, and the notification of each.
ALERT_NOTIFICATIONS = {
    SecurityAlertKind.TWO_FACTOR_DISABLED: "two_factor_disabled",
    SecurityAlertKind.RECOVERY_APPROVED: "recovery_approved",
    SecurityAlertKind.RECOVERY_REJECTED: "recovery_rejected",
}


@handlers.on_batch(OrganisationRegistered)
async def remember_organisations(
    events: Sequence[CloudEvent[OrganisationRegistered]], uow: NotifyUnitOfWork
) -> None:
    """New organisations: where their notices go and in which language (a batch in one statement)."""
    await projection.record_organisations(
        uow,
        [
            OrganisationRow(
                id=data.organisation_id,
                name=data.name,
                kind=data.kind.value,
                country=data.country,
                locale=data.locale.value,
                billing_email=str(data.billing_email),
                registered_at=data.registered_at,
            )
            for data in (event.data for event in events)
        ],
    )


@handlers.on(OrganisationUpdated)
async def remember_organisation_profile(
    event: CloudEvent[OrganisationUpdated], uow: NotifyUnitOfWork
) -> None:
    """An organisation's name, billing address, country or language changed."""
    data = event.data
    await projection.update_organisation(
        uow,
        organisation_id=data.organisation_id,
        name=data.name,
        kind=data.kind.value,
        country=data.country,
        locale=data.locale.value,
        billing_email=str(data.billing_email),
        updated_at=data.updated_at,
    )


@handlers.on(UserRegistered)
async def remember_user(event: CloudEvent[UserRegistered], uow: NotifyUnitOfWork) -> None:
    """A new person: their address and language."""
    await _record_person(uow, event.data)


@handlers.on(UserProfileChanged)
async def remember_user_profile(event: CloudEvent[UserProfileChanged], uow: NotifyUnitOfWork) -> None:
    """A person's address, name or language changed: later notices follow."""
    await _record_person(uow, event.data)


async def _record_person(uow: NotifyUnitOfWork, data: UserRegistered | UserProfileChanged) -> None:
    await projection.record_user(
        uow,
        user_id=data.user_id,
        email=str(data.email),
        display_name=data.display_name,
        locale=data.locale.value,
    )


@handlers.on(MembershipGranted)
async def remember_membership(event: CloudEvent[MembershipGranted], uow: NotifyUnitOfWork) -> None:
    """A person joined an organisation or changed role; a change of legal representative is told."""
    data = event.data
    await representation.grant_membership(
        uow,
        renderer,
        cause_of(event),
        organisation_id=data.organisation_id,
        user_id=data.user_id,
        role=data.role.value,
        previous_role=data.previous_role.value if data.previous_role else None,
    )


@handlers.on(MembershipRevoked)
async def forget_membership(event: CloudEvent[MembershipRevoked], uow: NotifyUnitOfWork) -> None:
    """A person left an organisation; a legal representative leaving is told."""
    data = event.data
    await representation.revoke_membership(
        uow,
        renderer,
        cause_of(event),
        organisation_id=data.organisation_id,
        user_id=data.user_id,
        role=data.role.value,
    )


@handlers.on(SecurityAlertRaised)
async def tell_of_security_alert(event: CloudEvent[SecurityAlertRaised], uow: NotifyUnitOfWork) -> None:
    """2FA turned off, or a recovery decided: the person is told, whatever their preferences."""
    data = event.data
    notification = ALERT_NOTIFICATIONS.get(data.kind)
    if notification is None:
        return
    facts = {"occurred_at": data.occurred_at, "detail": data.detail}
    await tell_person(uow, renderer, cause_of(event), notification, data.user_id, facts)


@handlers.on(ApiTokenDeactivationWarned)
async def warn_of_token_deactivation(
    event: CloudEvent[ApiTokenDeactivationWarned], uow: NotifyUnitOfWork
) -> None:
    """An unused API token will be deactivated: its owner is warned."""
    data = event.data
    facts = {
        "token_name": data.token_name,
        "last_used_at": data.last_used_at,
        "deactivates_on": data.deactivates_on,
    }
    await tell_person(
        uow,
        renderer,
        cause_of(event),
        "api_token_deactivation_warning",
        data.owner_user_id,
        facts,
        organisation_id=data.organisation_id,
    )


@handlers.on(ApiTokenDeactivated)
async def tell_of_token_deactivation(event: CloudEvent[ApiTokenDeactivated], uow: NotifyUnitOfWork) -> None:
    """An API token is refused from now on: its owner is told why."""
    data = event.data
    facts = {
        "token_name": data.token_name,
        "reason": data.reason.value,
        "deactivated_at": data.deactivated_at,
    }
    await tell_person(
        uow,
        renderer,
        cause_of(event),
        "api_token_deactivated",
        data.owner_user_id,
        facts,
        organisation_id=data.organisation_id,
    )
