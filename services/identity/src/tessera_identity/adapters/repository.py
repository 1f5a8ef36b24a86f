"""Every query identity makes, translating rows to the domain and back."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tessera_identity.adapters.orm import MembershipRow, OrganisationRow, SigningKeyRow, UserRow
from tessera_identity.adapters.secrets import SecretBox
from tessera_identity.domain.errors import EmailAlreadyRegistered
from tessera_identity.domain.model import (
    Address,
    Locale,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    TaxIds,
    User,
)
from tessera_identity.domain.signing_keys import KeyPair, SigningKey

# Serialises "is there an active key? if not, make one" across replicas starting together.
_SIGNING_KEY_LOCK = 0x1DE7_0001


@dataclass(frozen=True)
class MembershipView:
    """A membership as a person sees it: the organisation's name and their role there."""

    organisation_id: UUID
    organisation_name: str
    role: Role


@dataclass(frozen=True)
class MemberView:
    """A member as their organisation sees them."""

    user_id: UUID
    email: str
    display_name: str
    role: Role
    granted_at: datetime


class OrganisationRepository:
    """Organisations and their memberships."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, organisation: Organisation) -> None:
        """Store a new organisation with its memberships (its members must be stored first)."""
        self._session.add(OrganisationRow(id=organisation.id, **_profile_columns(organisation)))
        await self._session.flush()
        await self.save_memberships(organisation)

    async def get(self, organisation_id: UUID, *, for_update: bool = False) -> Organisation | None:
        """The organisation with its memberships, or None.

        ``for_update`` locks its row until the transaction ends: every change to its memberships
        takes that lock first, so two of them never judge the invariant on the same stale state.
        """
        query = select(OrganisationRow).where(OrganisationRow.id == organisation_id)
        if for_update:
            query = query.with_for_update()
        row = await self._session.scalar(query)
        if row is None:
            return None
        members = await self._session.scalars(
            select(MembershipRow).where(MembershipRow.organisation_id == organisation_id)
        )
        return _organisation(row, [_membership(member) for member in members])

    async def save_profile(self, organisation: Organisation) -> None:
        """Store an organisation's profile, VAT and registry numbers."""
        await self._session.execute(
            update(OrganisationRow)
            .where(OrganisationRow.id == organisation.id)
            .values(**_profile_columns(organisation))
        )

    async def save_memberships(self, organisation: Organisation) -> None:
        """Make the stored memberships those of ``organisation``."""
        kept = [member.user_id for member in organisation.memberships]
        await self._session.execute(
            delete(MembershipRow).where(
                MembershipRow.organisation_id == organisation.id, MembershipRow.user_id.not_in(kept)
            )
        )
        for member in organisation.memberships:
            await self._session.merge(
                MembershipRow(
                    organisation_id=member.organisation_id,
                    user_id=member.user_id,
                    role=member.role.value,
                    granted_at=member.granted_at,
                )
            )
        await self._session.flush()

    async def members(self, organisation_id: UUID) -> list[MemberView]:
        """The organisation's members with their names and e-mail addresses."""
        rows = await self._session.execute(
            select(
                UserRow.id, UserRow.email, UserRow.display_name, MembershipRow.role, MembershipRow.granted_at
            )
            .join(MembershipRow, MembershipRow.user_id == UserRow.id)
            .where(MembershipRow.organisation_id == organisation_id)
            .order_by(UserRow.display_name, UserRow.id)
        )
        return [
            MemberView(row.id, row.email, row.display_name, Role(row.role), row.granted_at) for row in rows
        ]

    async def role_of(self, organisation_id: UUID, user_id: UUID) -> Role | None:
        """A person's current role in an organisation, or None."""
        role = await self._session.scalar(
            select(MembershipRow.role).where(
                MembershipRow.organisation_id == organisation_id, MembershipRow.user_id == user_id
            )
        )
        return Role(role) if role else None

    async def memberships_of(self, user_id: UUID) -> list[MembershipView]:
        """Every organisation a person belongs to, by name."""
        rows = await self._session.execute(
            select(MembershipRow.organisation_id, OrganisationRow.name, MembershipRow.role)
            .join(OrganisationRow, OrganisationRow.id == MembershipRow.organisation_id)
            .where(MembershipRow.user_id == user_id)
            .order_by(OrganisationRow.name, MembershipRow.organisation_id)
        )
        return [MembershipView(row.organisation_id, row.name, Role(row.role)) for row in rows]


class UserRepository:
    """People who sign in."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, user: User) -> None:
        """Store a new account; EmailAlreadyRegistered if its address is taken, whatever its case."""
        self._session.add(
            UserRow(
                id=user.id,
                email=user.email,
                display_name=user.display_name,
                locale=user.locale.value,
                password_hash=user.password_hash,
                registered_at=user.registered_at,
            )
        )
        try:
            await self._session.flush()
        except IntegrityError as error:
            if "users_email_lower_key" in str(error.orig):
                raise EmailAlreadyRegistered(f"{user.email} already has an account") from error
            raise

    async def with_email(self, email: str) -> User | None:
        """The account signing in with ``email`` (any case), or None."""
        row = await self._session.scalar(select(UserRow).where(func.lower(UserRow.email) == email.lower()))
        return _user(row) if row else None

    async def get(self, user_id: UUID) -> User | None:
        """The account with this id, or None."""
        row = await self._session.get(UserRow, user_id)
        return _user(row) if row else None

    async def save_profile(self, user: User) -> None:
        """Store a changed e-mail address, display name or locale; EmailAlreadyRegistered if taken."""
        try:
            await self._session.execute(
                update(UserRow)
                .where(UserRow.id == user.id)
                .values(email=user.email, display_name=user.display_name, locale=user.locale.value)
            )
        except IntegrityError as error:
            if "users_email_lower_key" in str(error.orig):
                raise EmailAlreadyRegistered(f"{user.email} already has an account") from error
            raise

    async def replace_password_hash(self, user_id: UUID, password_hash: str) -> None:
        """Store a stronger hash of the same password."""
        await self._session.execute(
            update(UserRow).where(UserRow.id == user_id).values(password_hash=password_hash)
        )


class SigningKeyRepository:
    """identity's token-signing keys, the private halves sealed at rest by ``box``."""

    def __init__(self, session: AsyncSession, box: SecretBox) -> None:
        self._session = session
        self._box = box

    async def lock(self) -> None:
        """Hold the signing-key lock until this transaction ends."""
        await self._session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SIGNING_KEY_LOCK})

    async def add(self, key: SigningKey) -> None:
        """Store a new key."""
        self._session.add(
            SigningKeyRow(
                key_id=key.key_id,
                algorithm=key.algorithm,
                public_key_pem=key.key_pair.public_key_pem,
                private_key_pem=self._box.seal(key.key_pair.private_key_pem),
                not_before=key.not_before,
                expires_at=key.expires_at,
                active=key.active,
            )
        )
        await self._session.flush()

    async def retire(self, key_id: str) -> None:
        """Stop signing with a key; it verifies the tokens it signed until it expires."""
        await self._session.execute(
            update(SigningKeyRow).where(SigningKeyRow.key_id == key_id).values(active=False)
        )

    async def pending(self) -> list[SigningKey]:
        """Keys published ahead of a rotation that have not signed yet."""
        rows = await self._session.scalars(
            select(SigningKeyRow).where(~SigningKeyRow.active, SigningKeyRow.expires_at.is_(None))
        )
        return [self._signing_key(row) for row in rows]

    async def hand_over(self, old: SigningKey, new: SigningKey) -> None:
        """Sign with ``new`` from now on; ``old`` verifies the tokens it signed until it expires."""
        await self._session.execute(
            update(SigningKeyRow)
            .where(SigningKeyRow.key_id == old.key_id)
            .values(active=False, expires_at=old.expires_at)
        )
        await self._session.flush()
        await self._session.execute(
            update(SigningKeyRow).where(SigningKeyRow.key_id == new.key_id).values(active=True)
        )

    async def active(self) -> list[SigningKey]:
        """The keys marked active (at most one, by the unique index)."""
        rows = await self._session.scalars(select(SigningKeyRow).where(SigningKeyRow.active))
        return [self._signing_key(row) for row in rows]

    async def seal_stored(self) -> int:
        """Encrypt the private keys stored before encryption keys were configured; how many."""
        if not self._box.encrypts:
            return 0
        rows = await self._session.scalars(
            select(SigningKeyRow).where(~SigningKeyRow.private_key_pem.startswith(SecretBox.PREFIX))
        )
        sealed = 0
        for row in rows:
            row.private_key_pem = self._box.seal(row.private_key_pem) or ""
            sealed += 1
        await self._session.flush()
        return sealed

    async def verifying_at(self, instant: datetime) -> list[SigningKey]:
        """Every key whose tokens are still trusted at ``instant``, newest first."""
        rows = await self._session.scalars(
            select(SigningKeyRow)
            .where((SigningKeyRow.expires_at.is_(None)) | (SigningKeyRow.expires_at > instant))
            .order_by(SigningKeyRow.not_before.desc())
        )
        return [self._signing_key(row) for row in rows]

    def _signing_key(self, row: SigningKeyRow) -> SigningKey:
        return SigningKey(
            key_id=row.key_id,
            algorithm=row.algorithm,
            key_pair=KeyPair(
                private_key_pem=self._box.open(row.private_key_pem) or "", public_key_pem=row.public_key_pem
            ),
            not_before=row.not_before,
            expires_at=row.expires_at,
            active=row.active,
        )


def _profile_columns(organisation: Organisation) -> dict[str, object]:
    tax = organisation.tax_ids
    return {
        "name": organisation.name,
        "kind": organisation.kind.value,
        "country": organisation.country,
        "locale": organisation.locale.value,
        "billing_email": organisation.billing_email,
        "registered_at": organisation.registered_at,
        "vat_number": tax.vat_number,
        "vat_terms_accepted_at": tax.vat_terms_accepted_at,
        "vat_terms_accepted_by": tax.vat_terms_accepted_by,
        "registry_number": tax.registry_number,
        "addresses": [
            {
                "purpose": a.purpose,
                "street": a.street,
                "postal_code": a.postal_code,
                "city": a.city,
                "country": a.country,
            }
            for a in organisation.addresses
        ],
    }


def _organisation(row: OrganisationRow, memberships: list[Membership]) -> Organisation:
    return Organisation(
        id=row.id,
        name=row.name,
        kind=OrganisationKind(row.kind),
        country=row.country,
        locale=Locale(row.locale),
        billing_email=row.billing_email,
        registered_at=row.registered_at,
        memberships=tuple(memberships),
        tax_ids=TaxIds(
            row.vat_number, row.vat_terms_accepted_at, row.vat_terms_accepted_by, row.registry_number
        ),
        addresses=tuple(Address(**address) for address in row.addresses),
    )


def _membership(row: MembershipRow) -> Membership:
    return Membership(row.organisation_id, row.user_id, Role(row.role), row.granted_at)


def _user(row: UserRow) -> User:
    return User(
        id=row.id,
        email=row.email,
        display_name=row.display_name,
        locale=Locale(row.locale),
        password_hash=row.password_hash,
        registered_at=row.registered_at,
    )
