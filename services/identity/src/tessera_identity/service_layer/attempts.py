"""Brute-force protection: failed sign-ins counted per account and per client address, in PostgreSQL.

Every replica counts in identity's database, so a guesser gains nothing by spreading tries over them.
An attempt is counted *before* its secret is checked (one upsert that returns the count), so tries
sent all at once cannot slip past the limit together; a success then takes its own count back: it
clears the account's count and takes one off the address's (a success never clears the address's
count, or a guesser with one account of their own could reset it at will). While a count is over
its limit every attempt is refused unchecked, the right secret too, until the window ends.
"""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.service_layer.errors import TooManyAttempts


class AttemptKind(StrEnum):
    """The secret an attempt tries; each kind has its own count per account."""

    PASSWORD = "password"
    APP_PASSWORD = "app-password"
    API_TOKEN = "api-token"


@dataclass(frozen=True)
class AttemptLimits:
    """Failures tolerated in one window, per account and per client address."""

    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=1)


@dataclass(frozen=True)
class Attempt:
    """One try at a secret: its kind, the account it is for, and the client address it came from."""

    kind: AttemptKind
    account: str
    address: str | None

    @property
    def account_key(self) -> str:
        """The account's counter (one per kind of secret)."""
        return f"{self.kind}:{self.account}"

    @property
    def address_key(self) -> str | None:
        """The client address's counter, shared by every kind of secret."""
        return f"address:{self.address}" if self.address else None


@dataclass(frozen=True)
class Throttle:
    """The limits, and where the request came from: what a use case needs to count an attempt."""

    limits: AttemptLimits
    address: str | None

    def attempt(self, kind: AttemptKind, account: str) -> Attempt:
        """An attempt of this client at ``account`` (an e-mail address is compared in lower case)."""
        return Attempt(kind, account.strip().lower(), self.address)


async def begin_attempt(uow: IdentityUnitOfWork, throttle: Throttle, attempt: Attempt) -> None:
    """Count the attempt (committed at once, whatever follows); TooManyAttempts if a count is over
    its limit."""
    limits = throttle.limits
    keys = {attempt.account_key: limits.per_account}
    if attempt.address_key:
        keys[attempt.address_key] = limits.per_address
    async with uow:
        now = uow.clock.now()
        counts = await uow.attempts.add(sorted(keys), now, limits.window)
        await uow.commit()
    over = [count for count in counts if count.failures > keys[count.key]]
    if over:
        until = max(count.window_started_at for count in over) + limits.window
        whose = "this account" if any(c.key == attempt.account_key for c in over) else "this address"
        raise TooManyAttempts(f"too many failed sign-ins for {whose}: try again later", until, now)


async def attempt_succeeded(uow: IdentityUnitOfWork, attempt: Attempt) -> None:
    """Take the attempt's count back (inside the caller's open unit of work, which must commit)."""
    await uow.attempts.succeeded(attempt.account_key, attempt.address_key)


async def forget_old_attempts(uow: IdentityUnitOfWork, window: timedelta) -> int:
    """Delete counters whose window ended; how many."""
    async with uow:
        deleted = await uow.attempts.forget_before(uow.clock.now() - window)
        await uow.commit()
    return deleted
