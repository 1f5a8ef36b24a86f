"""API tokens: created after the password is confirmed again, exchanged for short-lived access
tokens, revoked by hand, and deactivated by the sweep after a year unused (with a warning first)."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tessera_events import identity as contract
from tessera_identity.adapters import secrets
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.domain.api_tokens import (
    ApiToken,
    Application,
    DeactivationReason,
    InvalidApiToken,
    next_sweep_at,
    sweep_action,
)
from tessera_identity.domain.permissions import Action, may
from tessera_identity.service_layer.access import require
from tessera_identity.service_layer.accounts import confirm_password
from tessera_identity.service_layer.alerts import raise_alert
from tessera_identity.service_layer.attempts import AttemptKind, Throttle, attempt_succeeded, begin_attempt
from tessera_identity.service_layer.issuing import Claims, IssuedToken, TokenPolicy, issue
from tessera_identity.service_layer.ports import Passwords
from tessera_identity.service_layer.revocation import revocation_instant
from tessera_kit.permissions import CATALOGUE, named
from tessera_kit.problems import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from tessera_kit.revocations import record_api_token_revoked


@dataclass(frozen=True)
class NewApiToken:
    """What a person asks for: a named token for one application, with permissions and an optional expiry."""

    organisation_id: UUID
    user_id: UUID
    password: str
    name: str
    application: Application
    permissions: list[str]
    expires_at: datetime | None


@dataclass(frozen=True)
class CreatedApiToken:
    """A new token and its secret, which is never shown again."""

    token: ApiToken
    secret: str


async def create_api_token(
    uow: IdentityUnitOfWork, passwords: Passwords, command: NewApiToken, throttle: Throttle
) -> CreatedApiToken:
    """Make a token once the person has confirmed their password; they are alerted.

    Its permissions must be in its application's catalogue (``tessera_kit.permissions``): a token
    naming one no service checks would promise something nothing enforces.
    """
    _refuse_unknown_permissions(command.application, command.permissions)
    async with uow:
        await require(uow, command.organisation_id, command.user_id, Action.CREATE_API_TOKEN)
    await confirm_password(uow, passwords, command.user_id, command.password, throttle)
    secret = secrets.new_api_token()
    async with uow:
        await require(uow, command.organisation_id, command.user_id, Action.CREATE_API_TOKEN)
        try:
            token = ApiToken.create(
                organisation_id=command.organisation_id,
                owner_user_id=command.user_id,
                name=command.name,
                application=command.application,
                permissions=command.permissions,
                expires_at=command.expires_at,
                at=uow.clock.now(),
            )
        except InvalidApiToken as error:
            raise InvalidInput(str(error)) from error
        await uow.api_tokens.add(token, secrets.secret_hash(secret))
        raise_alert(uow, command.user_id, contract.SecurityAlertKind.API_TOKEN_CREATED, detail=token.name)
        await uow.commit()
    return CreatedApiToken(token, secret)


def _refuse_unknown_permissions(application: Application, permissions: list[str]) -> None:
    unknown = sorted({p for p in permissions if named(application.value, p) is None})
    if unknown:
        known = [permission.short_name for permission in CATALOGUE[application.value].values()]
        raise InvalidInput(
            f"{application.value} has no permission {', '.join(unknown)}; it has {', '.join(known)}",
            unknown_permissions=unknown,
            known_permissions=known,
        )


async def api_tokens_of(uow: IdentityUnitOfWork, organisation_id: UUID, user_id: UUID) -> list[ApiToken]:
    """The organisation's tokens an administrator sees, or a member's own."""
    async with uow:
        role = await require(uow, organisation_id, user_id, Action.VIEW)
        owner = None if may(role, Action.MANAGE_ALL_API_TOKENS) else user_id
        return await uow.api_tokens.of_organisation(organisation_id, owner)


async def revoke_api_token(
    uow: IdentityUnitOfWork, organisation_id: UUID, user_id: UUID, token_id: UUID
) -> ApiToken:
    """Refuse a token from now on (its owner, or an administrator); revoking twice changes nothing."""
    async with uow:
        role = await require(uow, organisation_id, user_id, Action.VIEW)
        token = await uow.api_tokens.get(token_id, for_update=True)
        if token is None or token.organisation_id != organisation_id:
            raise NotFound(f"no API token {token_id} in this organisation")
        if token.owner_user_id != user_id and not may(role, Action.MANAGE_ALL_API_TOKENS):
            raise Forbidden(f"a {role.value} may revoke only their own API tokens")
        if token.deactivation_reason is DeactivationReason.REVOKED:
            return token
        if token.deactivated_at is not None:
            raise Conflict(f"this API token is already deactivated ({token.deactivation_reason})")
        now = revocation_instant(uow)
        revoked = token.deactivated(DeactivationReason.REVOKED, now)
        await uow.api_tokens.save(revoked)
        # Access tokens exchanged for it are refused here at once, and everywhere once the event is in.
        await record_api_token_revoked(uow.session, revoked.id, now)
        uow.emit(_deactivated(revoked, DeactivationReason.REVOKED, now))
        await uow.commit()
    return revoked


async def exchange_api_token(
    uow: IdentityUnitOfWork, policy: TokenPolicy, secret: str, throttle: Throttle
) -> IssuedToken:
    """A short-lived access token for the API token's organisation only, with its owner's current
    role there, the application and the permissions (as full names, e.g. ``billing:invoices:read``).

    Refused (403) once the owner no longer belongs to the organisation: the token acts for them.
    """
    secret_hash = secrets.secret_hash(secret.strip())
    attempt = throttle.attempt(AttemptKind.API_TOKEN, secret_hash)
    await begin_attempt(uow, throttle, attempt)
    async with uow:
        token = await uow.api_tokens.with_secret(secret_hash)
        if token is None:
            raise Unauthenticated("unknown API token")
        now = uow.clock.now()
        if refusal := token.refusal_at(now):
            raise Unauthenticated(refusal)
        role = await uow.organisations.role_of(token.organisation_id, token.owner_user_id)
        if role is None:
            raise Forbidden("the owner of this API token no longer belongs to its organisation")
        await uow.api_tokens.save(token.used(now))
        application = token.application.value
        claims = Claims(
            user_id=token.owner_user_id,
            roles={token.organisation_id: role},
            method="api_token",
            scopes=tuple(f"{application}:{permission}" for permission in token.permissions),
            application=application,
            api_token_id=token.id,
        )
        issued = await issue(uow, policy, claims)
        await attempt_succeeded(uow, attempt)
        await uow.commit()
    return issued


async def sweep_api_tokens(uow: IdentityUnitOfWork, batch_size: int = 100) -> int:
    """Warn about and deactivate the tokens due now, one batch in one transaction; how many were acted on.

    The warning or deactivation is recorded on the token in the same transaction as its event, and
    the rows are locked (skipping those another replica holds), so each happens exactly once.
    """
    async with uow:
        now = uow.clock.now()
        acted = 0
        for token in await uow.api_tokens.claim_due(now, batch_size):
            action = sweep_action(token, now)
            if action == "warn":
                warned = token.warned(now)
                await uow.api_tokens.save(warned)
                uow.emit(_warned(warned))
            elif isinstance(action, DeactivationReason):
                deactivated = token.deactivated(action, now)
                await uow.api_tokens.save(deactivated)
                await record_api_token_revoked(uow.session, deactivated.id, now)
                uow.emit(_deactivated(deactivated, action, now))
            else:
                continue
            acted += 1
        await uow.commit()
    return acted


async def next_sweep_due(uow: IdentityUnitOfWork) -> datetime | None:
    """When the sweep next has work, or None with no active token."""
    async with uow:
        return min((next_sweep_at(token) for token in await uow.api_tokens.earliest_active(50)), default=None)


def _warned(token: ApiToken) -> contract.ApiTokenDeactivationWarned:
    return contract.ApiTokenDeactivationWarned(
        token_id=token.id,
        owner_user_id=token.owner_user_id,
        organisation_id=token.organisation_id,
        token_name=token.name,
        last_used_at=token.last_used_at,
        deactivates_on=token.deactivation_due_at.date(),
    )


def _deactivated(token: ApiToken, reason: DeactivationReason, at: datetime) -> contract.ApiTokenDeactivated:
    return contract.ApiTokenDeactivated(
        token_id=token.id,
        owner_user_id=token.owner_user_id,
        organisation_id=token.organisation_id,
        token_name=token.name,
        reason=contract.TokenDeactivationReason(reason.value),
        deactivated_at=at,
    )
