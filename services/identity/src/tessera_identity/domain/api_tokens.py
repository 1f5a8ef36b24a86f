"""API tokens: long-lived secrets for scripts and applications, scoped and swept when unused."""

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from tessera_identity.domain.errors import IdentityRuleBroken

UNUSED_LIFETIME = timedelta(days=365)
WARNING_NOTICE = timedelta(days=30)
MAX_PERMISSIONS = 32
PERMISSION = re.compile(r"^[a-z][a-z0-9_-]{0,40}:(read|write)$")


class Application(StrEnum):
    """The Tessera product an API token works for."""

    BILLING = "billing"
    PARTNERSHIP = "partnership"
    WALLET = "wallet"
    IDENTITY = "identity"
    NOTIFY = "notify"


class DeactivationReason(StrEnum):
    """Why a token stopped working."""

    UNUSED = "unused"
    EXPIRED = "expired"
    REVOKED = "revoked"


class InvalidApiToken(IdentityRuleBroken):
    """An API token's details break a rule."""


@dataclass(frozen=True)
class ApiToken:
    """A token a person made for one organisation and one application, with a set of permissions.

    It works until revoked, until its optional expiry, or until it has gone unused for a year;
    its owner is warned a month before that.
    """

    id: UUID
    organisation_id: UUID
    owner_user_id: UUID
    name: str
    application: Application
    permissions: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = None
    deactivation_warned_at: datetime | None = None
    deactivated_at: datetime | None = None
    deactivation_reason: DeactivationReason | None = None

    @classmethod
    def create(
        cls,
        *,
        organisation_id: UUID,
        owner_user_id: UUID,
        name: str,
        application: Application,
        permissions: list[str],
        expires_at: datetime | None,
        at: datetime,
    ) -> "ApiToken":
        """A new token; ``expires_at`` None means unlimited validity."""
        cleaned = " ".join(name.split())
        if not cleaned or len(cleaned) > 100:
            raise InvalidApiToken("a token's name has 1 to 100 characters")
        scopes = tuple(sorted(set(permissions)))
        if not scopes or len(scopes) > MAX_PERMISSIONS:
            raise InvalidApiToken(f"a token needs 1 to {MAX_PERMISSIONS} permissions")
        if bad := [p for p in scopes if not PERMISSION.match(p)]:
            raise InvalidApiToken(f"permissions look like 'invoices:read' or 'products:write', not {bad}")
        if expires_at is not None and expires_at <= at:
            raise InvalidApiToken("a token's expiry must be in the future")
        return cls(uuid4(), organisation_id, owner_user_id, cleaned, application, scopes, at, expires_at)

    @property
    def idle_since(self) -> datetime:
        """When the token was last used, or made if never used."""
        return self.last_used_at or self.created_at

    def refusal_at(self, instant: datetime) -> str | None:
        """Why the token cannot be used at ``instant``, or None if it can."""
        if self.deactivation_reason is DeactivationReason.REVOKED:
            return "this API token was revoked"
        if self.deactivated_at is not None:
            return f"this API token was deactivated ({self.deactivation_reason})"
        if self.expires_at is not None and instant >= self.expires_at:
            return "this API token has expired"
        if instant >= self.deactivation_due_at:
            return "this API token went unused for a year and is deactivated"
        return None

    @property
    def warning_due_at(self) -> datetime:
        """When its owner must hear that the unused token will be deactivated."""
        return self.idle_since + UNUSED_LIFETIME - WARNING_NOTICE

    @property
    def deactivation_due_at(self) -> datetime:
        """When the unused token is deactivated: a year idle, never sooner than 30 days after a warning."""
        due = self.idle_since + UNUSED_LIFETIME
        if self.deactivation_warned_at is not None:
            due = max(due, self.deactivation_warned_at + WARNING_NOTICE)
        return due

    def used(self, at: datetime) -> "ApiToken":
        """The token after a use: its idle time starts again, so any warning no longer holds."""
        return replace(self, last_used_at=at, deactivation_warned_at=None)

    def warned(self, at: datetime) -> "ApiToken":
        """The token once its owner was told it will be deactivated."""
        return replace(self, deactivation_warned_at=at)

    def deactivated(self, reason: DeactivationReason, at: datetime) -> "ApiToken":
        """The token refused from ``at`` on."""
        return replace(self, deactivated_at=at, deactivation_reason=reason)


def sweep_action(token: ApiToken, instant: datetime) -> DeactivationReason | str | None:
    """What the sweep must do with an active token now: deactivate (a reason), ``"warn"``, or nothing."""
    if token.expires_at is not None and instant >= token.expires_at:
        return DeactivationReason.EXPIRED
    if token.deactivation_warned_at is None:
        return "warn" if instant >= token.warning_due_at else None
    return DeactivationReason.UNUSED if instant >= token.deactivation_due_at else None


def next_sweep_at(token: ApiToken) -> datetime:
    """When the sweep next has something to do with an active token."""
    due = token.deactivation_due_at if token.deactivation_warned_at else token.warning_due_at
    return min(due, token.expires_at) if token.expires_at else due
