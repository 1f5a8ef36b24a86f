"""Single-purpose signed links: a token that lets whoever holds it do one thing to one thing, until a time.

One service signs (e.g. notify, writing a cancel link into an e-mail), another verifies (e.g. partnership,
when the link is followed); both hold the same key from their settings. The token never travels in an
event: each side derives it from the facts both already know (purpose, subject id, expiry).

A link lives at most :data:`MAX_LIFETIME`: one whose expiry lies further ahead is refused, whoever signed
it. Whatever a client puts in the token (any length, any characters, broken base64) is refused with
:class:`InvalidLink`, never with another error.
"""

import base64
import hashlib
import hmac
import re
from datetime import datetime, timedelta
from uuid import UUID

# Longer than any link Tessera writes (an offer request's is valid up to 90 days), so that a key or
# clock mistake on the signing side cannot make a link that stays good for years.
MAX_LIFETIME = timedelta(days=100)
# An HMAC-SHA256 digest in URL-safe base64 without padding: exactly 43 of these characters.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


class InvalidLink(Exception):
    """The token does not match this purpose, subject and expiry, or the link has expired."""


def _message(purpose: str, subject_id: UUID, expires_at: datetime) -> bytes:
    return f"{purpose}\n{subject_id}\n{int(expires_at.timestamp())}".encode()


def sign_link(key: bytes, purpose: str, subject_id: UUID, expires_at: datetime) -> str:
    """The token for ``purpose`` on ``subject_id`` valid until ``expires_at`` (URL-safe, no padding)."""
    if len(key) < 32:
        raise ValueError("a link-signing key needs at least 32 bytes")
    digest = hmac.new(key, _message(purpose, subject_id, expires_at), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def verify_link(
    key: bytes, token: str, purpose: str, subject_id: UUID, expires_at: datetime, now: datetime
) -> None:
    """Raise InvalidLink unless ``token`` was signed for exactly this purpose, subject and expiry,
    ``now`` is before the expiry, and the expiry is at most :data:`MAX_LIFETIME` away."""
    # The shape first: a token of any other length or alphabet (non-ASCII, padding, an essay) cannot
    # match, and hmac.compare_digest refuses non-ASCII strings with a TypeError.
    if not _TOKEN_SHAPE.fullmatch(token):
        raise InvalidLink("the link is not valid for this request")
    expected = sign_link(key, purpose, subject_id, expires_at)
    if not hmac.compare_digest(expected.encode(), token.encode()):
        raise InvalidLink("the link is not valid for this request")
    if now >= expires_at:
        raise InvalidLink("the link has expired")
    if expires_at - now > MAX_LIFETIME:
        raise InvalidLink(f"the link claims to be valid for longer than {MAX_LIFETIME.days} days")
