"""Links into partnership's API that notify writes into e-mails, signed with the key both share."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote
from uuid import UUID

from tessera_kit.signed_links import sign_link

CANCEL_OFFER_REQUEST = "offer-request:cancel"


class LinkKeyMissing(Exception):
    """NOTIFY_OFFER_LINK_KEY is not set, so no cancel link can be signed."""


@dataclass(frozen=True)
class OfferLinks:
    """Signs the single-purpose cancel link of an offer request (partnership verifies it)."""

    partnership_public_url: str
    key: bytes

    def cancel_url(self, offer_request_id: UUID, expires_at: datetime) -> str:
        """``{public url}/v1/offer-requests/{id}/cancel?token=…``, valid until the request expires."""
        if not self.key:
            raise LinkKeyMissing("set NOTIFY_OFFER_LINK_KEY (the key partnership verifies cancel links with)")
        token = sign_link(self.key, CANCEL_OFFER_REQUEST, offer_request_id, expires_at)
        base = self.partnership_public_url.rstrip("/")
        return f"{base}/v1/offer-requests/{offer_request_id}/cancel?token={quote(token)}"
