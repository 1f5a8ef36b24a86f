"""Errors that carry their HTTP status and render as RFC 9457 problem+json."""

from typing import Any, ClassVar


class Problem(Exception):
    """An error a client caused or must know about, rendered as application/problem+json."""

    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"
    slug: ClassVar[str] = "bad-request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers the response must carry."""
        return {}

    def body(self, instance: str | None = None) -> dict[str, Any]:
        """The problem document."""
        document: dict[str, Any] = {
            "type": f"https://tessera.dev/problems/{self.slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            document["instance"] = instance
        document.update(self.extensions)
        return document


class InvalidInput(Problem):
    """The request is well-formed but its content breaks a rule."""

    status = 422
    title = "Invalid input"
    slug = "invalid-input"


class Unauthenticated(Problem):
    """No valid access token came with the request."""

    status = 401
    title = "Authentication required"
    slug = "unauthenticated"

    @property
    def headers(self) -> dict[str, str]:
        """RFC 6750: tell the client how to authenticate."""
        return {"WWW-Authenticate": 'Bearer realm="tessera"'}


class Forbidden(Problem):
    """The caller is known but may not do this."""

    status = 403
    title = "Forbidden"
    slug = "forbidden"


class NotFound(Problem):
    """The thing does not exist, or the caller may not know that it does."""

    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(Problem):
    """The request clashes with the current state of the thing."""

    status = 409
    title = "Conflict"
    slug = "conflict"


class ContentTooLarge(Problem):
    """The request's body is larger than the service accepts (RFC 9110's 413 Content Too Large)."""

    status = 413
    title = "Content too large"
    slug = "content-too-large"


class ServiceUnavailable(Problem):
    """The service cannot answer now; the client may retry later."""

    status = 503
    title = "Service unavailable"
    slug = "service-unavailable"

    def __init__(self, detail: str, retry_after_seconds: int = 5, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.retry_after_seconds = retry_after_seconds

    @property
    def headers(self) -> dict[str, str]:
        """When to try again."""
        return {"Retry-After": str(self.retry_after_seconds)}


class DependencyUnavailable(ServiceUnavailable):
    """A dependency (PostgreSQL, Kafka) is down or overloaded: the same request succeeds later.

    A problem type of its own, so clients and dashboards can tell an outage from a bug (a 500).
    """

    title = "Dependency unavailable"
    slug = "dependency-unavailable"
