"""Single-purpose signed links: a token that lets whoever holds it do one thing to one thing, until a time.

One service signs (e.g. notify, writing a cancel link into an e-mail), another verifies (e.g. partnership,
when the link is followed); both hold the same key from their settings. The token never travels in an
event: each side derives it from the facts both already know (purpose, subject id, expiry).
"""

import base64
import hashlib
import hmac
from datetime import datetime
from uuid import UUID


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
    and ``now`` is before the expiry."""
    expected = sign_link(key, purpose, subject_id, expires_at)
    if not hmac.compare_digest(expected, token):
        raise InvalidLink("the link is not valid for this request")
    if now >= expires_at:
        raise InvalidLink("the link has expired")
