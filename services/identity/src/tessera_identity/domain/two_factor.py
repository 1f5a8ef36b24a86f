"""Two-factor sign-in: a TOTP authenticator, backup codes, and recovery when the device is lost."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from tessera_identity.domain.errors import IdentityRuleBroken

BACKUP_CODE_COUNT = 10
# Six digits are guessed in a million tries: after a few wrong codes, wait before the next.
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


class TwoFactorRefused(IdentityRuleBroken):
    """A 2FA step cannot happen in the account's current state."""


@dataclass(frozen=True)
class TwoFactor:
    """A person's 2FA state: the confirmed secret (when on), a secret awaiting confirmation, the last
    TOTP time step accepted (so one code cannot be replayed), and wrong codes in a row."""

    secret: str | None = None
    pending_secret: str | None = None
    enabled_at: datetime | None = None
    last_step: int | None = None
    failures: int = 0
    locked_until: datetime | None = None

    def locked_at(self, instant: datetime) -> bool:
        """Whether codes are refused unchecked at ``instant`` after too many wrong ones."""
        return self.locked_until is not None and instant < self.locked_until

    def failed(self, at: datetime) -> "TwoFactor":
        """The state after a wrong code: the MAX_FAILURES-th in a row locks codes out for LOCKOUT."""
        failures = self.failures + 1
        if failures >= MAX_FAILURES:
            return replace(self, failures=0, locked_until=at + LOCKOUT)
        return replace(self, failures=failures)

    def passed(self, step: int | None) -> "TwoFactor":
        """The state after a right code (``step``: the TOTP step it used, None for a backup code)."""
        return replace(
            self, failures=0, locked_until=None, last_step=self.last_step if step is None else step
        )

    @property
    def enabled(self) -> bool:
        """Whether sign-in asks for a second factor."""
        return self.secret is not None

    def enrolling(self, secret: str) -> "TwoFactor":
        """A new secret to confirm with a code from the authenticator."""
        if self.enabled:
            raise TwoFactorRefused("two-factor authentication is already on; disable it first")
        return replace(self, pending_secret=secret)

    def confirmed(self, at: datetime, step: int) -> "TwoFactor":
        """2FA on, with the pending secret."""
        if self.pending_secret is None:
            raise TwoFactorRefused("start the enrolment first: no authenticator secret awaits confirmation")
        return TwoFactor(secret=self.pending_secret, enabled_at=at, last_step=step)


class RecoveryStatus(StrEnum):
    """Where a recovery request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class RecoveryDocument:
    """Metadata of a document the person submitted to prove who they are (the file stays elsewhere)."""

    kind: str
    filename: str
    sha256: str


@dataclass(frozen=True)
class RecoveryRequest:
    """A person who lost their authenticator asks for 2FA to be reset; an identity operator decides."""

    id: UUID
    user_id: UUID
    documents: tuple[RecoveryDocument, ...]
    message: str | None
    submitted_at: datetime
    status: RecoveryStatus = RecoveryStatus.PENDING
    decided_at: datetime | None = None
    decided_by: UUID | None = None
    decision_reason: str | None = None

    @classmethod
    def submit(
        cls, user_id: UUID, documents: tuple[RecoveryDocument, ...], message: str | None, at: datetime
    ) -> "RecoveryRequest":
        """A pending request; at least one identity document is needed."""
        if not documents:
            raise TwoFactorRefused("a recovery request needs at least one identity document")
        return cls(uuid4(), user_id, documents, message, at)

    def decided(self, approve: bool, by: UUID, reason: str | None, at: datetime) -> "RecoveryRequest":
        """The request approved or rejected by operator ``by``; only a pending one can be decided."""
        if self.status is not RecoveryStatus.PENDING:
            raise TwoFactorRefused(f"this recovery request was already {self.status.value}")
        if not approve and not (reason and reason.strip()):
            raise TwoFactorRefused("say why the request is rejected: the person is told")
        status = RecoveryStatus.APPROVED if approve else RecoveryStatus.REJECTED
        return replace(self, status=status, decided_at=at, decided_by=by, decision_reason=reason)
