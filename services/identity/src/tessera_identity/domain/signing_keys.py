"""The keys identity signs access tokens with: several may verify, one signs."""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

ALGORITHM = "EdDSA"


@dataclass(frozen=True)
class KeyPair:
    """A private key and its public half, both PEM-encoded."""

    private_key_pem: str = field(repr=False)
    public_key_pem: str


@dataclass(frozen=True)
class SigningKey:
    """A key pair with the window in which tokens it signed are trusted.

    Only the active key signs new tokens; a retired key keeps verifying the tokens it signed
    until ``expires_at``, which is how a rotation will overlap old and new keys.
    """

    key_id: str
    algorithm: str
    key_pair: KeyPair
    not_before: datetime
    expires_at: datetime | None
    active: bool

    @classmethod
    def create(cls, key_pair: KeyPair, at: datetime) -> "SigningKey":
        """A new active key, trusted from ``at`` on, with a random URL-safe key id."""
        return cls(
            key_id=secrets.token_urlsafe(16),
            algorithm=ALGORITHM,
            key_pair=key_pair,
            not_before=at,
            expires_at=None,
            active=True,
        )

    @classmethod
    def next(cls, key_pair: KeyPair, not_before: datetime) -> "SigningKey":
        """The key a rotation publishes ahead: trusted and signing only from ``not_before`` on, so
        every service has it before the first token it signs arrives."""
        return replace(cls.create(key_pair, not_before), active=False)

    def retiring(self, at: datetime, grace: timedelta) -> "SigningKey":
        """This key, no longer signing from ``at``, still verifying for ``grace`` (the longest token
        lifetime plus clock skew), so no token it signed is refused before it expires."""
        return replace(self, active=False, expires_at=at + grace)

    def verifies_at(self, instant: datetime) -> bool:
        """Whether tokens signed with this key are still trusted at ``instant``."""
        return self.expires_at is None or instant < self.expires_at

    def signs_at(self, instant: datetime) -> bool:
        """Whether this key may sign a new token at ``instant``."""
        return self.active and self.not_before <= instant and self.verifies_at(instant)


def signing_key_at(keys: Iterable[SigningKey], instant: datetime) -> SigningKey | None:
    """The key to sign with at ``instant``: the newest one allowed to sign, or None."""
    candidates = [key for key in keys if key.signs_at(instant)]
    return max(candidates, key=lambda key: key.not_before, default=None)


@dataclass(frozen=True)
class RotationPolicy:
    """How often identity changes the key it signs with, and how far ahead it publishes the next."""

    interval: timedelta
    publish_ahead: timedelta
    grace: timedelta


def next_rotation_step_at(active: SigningKey, pending: SigningKey | None, policy: RotationPolicy) -> datetime:
    """When the rotation has its next step: the pending key takes over at its not_before; otherwise
    the next key is published ``publish_ahead`` before the active one has signed for ``interval``."""
    if pending is not None:
        return pending.not_before
    return active.not_before + policy.interval - policy.publish_ahead
