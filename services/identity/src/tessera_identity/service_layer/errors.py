"""Problems particular to identity, beside the kit's."""

from datetime import datetime

from tessera_kit.problems import Problem, ServiceUnavailable


class SigningUnavailable(ServiceUnavailable):
    """identity has no key to sign tokens with yet (it makes one as it starts)."""

    title = "Signing unavailable"
    slug = "signing-unavailable"


class TooManyAttempts(Problem):
    """Too many wrong codes in a row: none is checked until the lockout ends."""

    status = 429
    title = "Too many attempts"
    slug = "too-many-attempts"

    def __init__(self, detail: str, until: datetime, now: datetime) -> None:
        super().__init__(detail, retry_at=until.isoformat())
        self.retry_after_seconds = max(1, int((until - now).total_seconds()))

    @property
    def headers(self) -> dict[str, str]:
        """When to try again."""
        return {"Retry-After": str(self.retry_after_seconds)}
