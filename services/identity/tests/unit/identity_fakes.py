"""In-memory stand-ins for identity's database and password hasher, for use-case tests."""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any
from uuid import UUID

from tessera_events import CloudEvent, EventData
from tessera_identity.adapters.attempts import Count
from tessera_identity.adapters.repository import MembershipView
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.domain.errors import EmailAlreadyRegistered
from tessera_identity.domain.model import Organisation, User
from tessera_identity.domain.signing_keys import SigningKey
from tessera_identity.domain.two_factor import TwoFactor


class FixedClock:
    def __init__(self, now: datetime = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)) -> None:
        self.instant = now

    def now(self) -> datetime:
        return self.instant


@dataclass
class Tables:
    organisations: dict[UUID, Organisation] = field(default_factory=dict)
    users: dict[UUID, User] = field(default_factory=dict)
    signing_keys: dict[str, SigningKey] = field(default_factory=dict)
    # key -> (failures, when its window started)
    attempts: dict[str, tuple[int, datetime]] = field(default_factory=dict)


class FakeOrganisations:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, organisation: Organisation) -> None:
        self._tables.organisations[organisation.id] = organisation

    async def memberships_of(self, user_id: UUID) -> list[MembershipView]:
        return sorted(
            (
                MembershipView(organisation.id, organisation.name, member.role)
                for organisation in self._tables.organisations.values()
                for member in organisation.memberships
                if member.user_id == user_id
            ),
            key=lambda view: view.organisation_name,
        )


class FakeUsers:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, user: User) -> None:
        if await self.with_email(user.email):
            raise EmailAlreadyRegistered(user.email)
        self._tables.users[user.id] = user

    async def with_email(self, email: str) -> User | None:
        return next((u for u in self._tables.users.values() if u.email.lower() == email.lower()), None)

    async def get(self, user_id: UUID) -> User | None:
        return self._tables.users.get(user_id)

    async def replace_password_hash(self, user_id: UUID, password_hash: str) -> None:
        self._tables.users[user_id] = replace(self._tables.users[user_id], password_hash=password_hash)


class FakeSigningKeys:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def lock(self) -> None:
        pass

    async def add(self, key: SigningKey) -> None:
        self._tables.signing_keys[key.key_id] = key

    async def retire(self, key_id: str) -> None:
        self._tables.signing_keys[key_id] = replace(self._tables.signing_keys[key_id], active=False)

    async def seal_stored(self) -> int:
        return 0

    async def active(self) -> list[SigningKey]:
        return [key for key in self._tables.signing_keys.values() if key.active]

    async def verifying_at(self, instant: datetime) -> list[SigningKey]:
        keys = [key for key in self._tables.signing_keys.values() if key.verifies_at(instant)]
        return sorted(keys, key=lambda key: key.not_before, reverse=True)


class FakeAttempts:
    """The failed-sign-in counters, with the upsert's rule: a window that ended starts again at 1."""

    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, keys: Sequence[str], now: datetime, window: timedelta) -> list[Count]:
        counts = []
        for key in keys:
            failures, started = self._tables.attempts.get(key, (0, now))
            if started <= now - window:
                failures, started = 0, now
            self._tables.attempts[key] = (failures + 1, started)
            counts.append(Count(key, failures + 1, started))
        return counts

    async def succeeded(self, account_key: str, address_key: str | None) -> None:
        self._tables.attempts.pop(account_key, None)
        if address_key in self._tables.attempts:
            failures, started = self._tables.attempts[address_key]
            self._tables.attempts[address_key] = (max(failures - 1, 0), started)


class FakeTwoFactor:
    """Nobody has 2FA on: the sign-in tests here are about the password (2FA runs on PostgreSQL)."""

    async def of(self, user_id: UUID, *, for_update: bool = False) -> TwoFactor:
        return TwoFactor()


class FakeUnitOfWork(IdentityUnitOfWork):
    """Commits to dictionaries; what a committed transaction emitted lands in ``published``."""

    def __init__(self, clock: FixedClock | None = None) -> None:
        super().__init__(database=None, source="/tessera/identity", clock=clock or FixedClock())  # type: ignore[arg-type]
        self.committed = Tables()
        self._working = Tables()
        self.published: list[CloudEvent[EventData]] = []

    async def __aenter__(self) -> "FakeUnitOfWork":
        self._events = []
        self._working = Tables(
            dict(self.committed.organisations),
            dict(self.committed.users),
            dict(self.committed.signing_keys),
            dict(self.committed.attempts),
        )
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._events = []

    async def commit(self) -> None:
        self.committed = self._working
        self.published.extend(self._events)
        self._events = []

    @property
    def organisations(self) -> Any:
        return FakeOrganisations(self._working)

    @property
    def users(self) -> Any:
        return FakeUsers(self._working)

    @property
    def signing_keys(self) -> Any:
        return FakeSigningKeys(self._working)

    @property
    def two_factor(self) -> Any:
        return FakeTwoFactor()

    @property
    def attempts(self) -> Any:
        return FakeAttempts(self._working)


class FakePasswords:
    """ "Hashes" as ``<scheme>:<password>``, so tests stay fast; the argon2 hasher is tested on its own."""

    def __init__(self, scheme: str = "hashed") -> None:
        self.scheme = scheme
        self.verified = 0
        self.verified_without_hash = 0

    async def hash(self, password: str) -> str:
        return f"{self.scheme}:{password}"

    async def verify(self, password_hash: str | None, password: str) -> bool:
        self.verified += 1
        if password_hash is None:
            self.verified_without_hash += 1
            return False
        return password_hash.partition(":")[2] == password

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith(f"{self.scheme}:")
