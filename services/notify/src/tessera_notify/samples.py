"""Sample facts for every notification, one entry per wording branch (the first is the README's
example). The tests render each in every language; ``tessera_notify.catalogue_doc`` writes the
README's catalogue from them, so the documented e-mails are the ones the renderer produces."""

from collections.abc import Mapping
from datetime import UTC, date, datetime
from uuid import UUID

from tessera_notify.domain.billing_mode import MovedRenewal
from tessera_notify.domain.notices import Amount

Facts = Mapping[str, object]

_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
_LATER = datetime(2026, 3, 30, 22, 0, tzinfo=UTC)
_CHF = "CHF"
SAMPLE_OFFER_REQUEST = UUID("5f0c3c1e-8a8e-4a53-9a4e-0d6f1b2a7c11")


def _with_name(name: str, facts: Facts) -> Facts:
    return {"recipient_name": name, **facts}


def _billing_mode(role: str, mode: str) -> Facts:
    return _with_name(
        "Alpenweb Partner AG" if role == "partner" else "Boulangerie Dupont SA",
        {
            "role": role,
            "other_party_name": "Boulangerie Dupont SA" if role == "partner" else "Alpenweb Partner AG",
            "partner_name": "Alpenweb Partner AG",
            "client_name": "Boulangerie Dupont SA",
            "payer_name": "Alpenweb Partner AG" if mode == "partner_pays" else "Boulangerie Dupont SA",
            "mode": mode,
            "effective_at": _AT,
            "renewals": (MovedRenewal("Web Hosting Pro", 11900, _CHF, date(2026, 4, 1)),),
        },
    )


def _relationship(role: str, **facts: object) -> Facts:
    other = "Boulangerie Dupont SA" if role == "partner" else "Alpenweb Partner AG"
    return _with_name("Anna Keller", {"role": role, "other_party_name": other, **facts})


def _subscription(**facts: object) -> Facts:
    return _with_name(
        "Boulangerie Dupont SA",
        {"product_name": "Web Hosting Pro", "price": Amount(11900, _CHF), "owner_name": None, **facts},
    )


def _payment_failed(attempt: int, next_attempt_at: datetime | None, stage: str) -> Facts:
    return _with_name(
        "Boulangerie Dupont SA",
        {
            "invoice_number": "CH-2026-000042",
            "amount": Amount(12816, _CHF),
            "attempt": attempt,
            "failure_reason": "card declined",
            "next_attempt_at": next_attempt_at,
            "stage": stage,
        },
    )


def _recharge_failed(stage: str, next_attempt_at: datetime | None) -> Facts:
    return _with_name(
        "Boulangerie Dupont SA",
        {
            "amount": Amount(5000, _CHF),
            "reason": "insufficient funds",
            "failures_in_a_row": 3,
            "next_attempt_at": next_attempt_at,
            "stage": stage,
        },
    )


def _token(**facts: object) -> Facts:
    return _with_name(
        "Anna Keller", {"token_name": "deploy-bot", "organisation_name": "Alpenweb Partner AG", **facts}
    )


def _representative(change: str) -> Facts:
    return _with_name(
        "Anna Keller",
        {"organisation_name": "Alpenweb Partner AG", "person_name": "Marco Rossi", "change": change},
    )


SAMPLES: dict[str, tuple[Facts, ...]] = {
    "billing_mode_changed": (
        _billing_mode("partner", "partner_pays"),
        _billing_mode("client", "client_pays"),
        {**_billing_mode("client", "partner_pays"), "renewals": ()},
    ),
    "relationship_invited": (
        _with_name(
            "Anna Keller",
            {
                "proposer_name": "Alpenweb Partner AG",
                "proposed_by": "partner",
                "access": "full",
                "product_codes": (),
                "expires_at": _LATER,
            },
        ),
        _with_name(
            "Marco Rossi",
            {
                "proposer_name": "Boulangerie Dupont SA",
                "proposed_by": "client",
                "access": "restricted",
                "product_codes": ("web-hosting-pro", "domain-ch"),
                "expires_at": _LATER,
            },
        ),
    ),
    "relationship_started": (
        _relationship(
            "partner",
            access="full",
            billing_mode="client_pays",
            product_codes=(),
            started_at=_AT,
            access_ends_at=None,
        ),
        _relationship(
            "client",
            access="restricted",
            billing_mode="client_pays",
            product_codes=("web-hosting-pro",),
            started_at=_AT,
            access_ends_at=_LATER,
        ),
    ),
    "relationship_ended": tuple(
        _relationship(role, reason=reason, ended_at=_AT)
        for role, reason in (
            ("client", "stopped_by_partner"),
            ("partner", "stopped_by_client"),
            ("client", "access_expired"),
            ("partner", "partner_left_programme"),
        )
    ),
    "access_ending_soon": tuple(
        _relationship(
            role,
            partner_name="Alpenweb Partner AG",
            client_name="Boulangerie Dupont SA",
            access_ends_at=_LATER,
        )
        for role in ("client", "partner")
    ),
    "offer_request_received": (
        _with_name(
            "Alpenweb Partner AG",
            {
                "title": "Online shop for a bakery",
                "excerpt": "We need a web shop with click & collect for our three bakeries.",
                "country": "CH",
                "languages": ("fr", "de"),
                "expires_at": _LATER,
            },
        ),
    ),
    "offer_request_confirmed": (
        _with_name(
            "Claire Dupont",
            {
                "title": "Online shop for a bakery",
                "expires_at": _LATER,
                "cancel_url": f"https://partnership.tessera.example/v1/offer-requests/{SAMPLE_OFFER_REQUEST}"
                "/cancel?token=3q2-7wAAAAA",
            },
        ),
    ),
    "renewal_reminder": (
        _subscription(renews_on=date(2026, 4, 1), lead_days=30),
        _subscription(renews_on=date(2026, 4, 1), lead_days=30, owner_name="Boulangerie Dupont SA"),
    ),
    "auto_renewal_notice": (
        _subscription(renews_on=date(2026, 3, 16), lead_days=14),
        _subscription(renews_on=date(2026, 3, 16), lead_days=14, owner_name="Boulangerie Dupont SA"),
    ),
    "subscription_renewed": (
        _subscription(period_start=date(2026, 3, 1), next_renewal_on=date(2027, 3, 1)),
        _subscription(
            period_start=date(2026, 3, 1),
            next_renewal_on=date(2027, 3, 1),
            owner_name="Boulangerie Dupont SA",
        ),
    ),
    "payment_succeeded": (
        _with_name(
            "Boulangerie Dupont SA",
            {
                "amount": Amount(12816, _CHF),
                "card_last4": "4242",
                "invoice_number": "CH-2026-000042",
                "succeeded_at": _AT,
            },
        ),
        _with_name(
            "Boulangerie Dupont SA",
            {"amount": Amount(12816, "EUR"), "card_last4": None, "invoice_number": None, "succeeded_at": _AT},
        ),
    ),
    "invoice_issued": (
        _with_name(
            "Boulangerie Dupont SA",
            {
                "number": "CH-2026-000042",
                "subtotal": Amount(11900, _CHF),
                "tax": Amount(916, _CHF),
                "total": Amount(12816, _CHF),
                "tax_treatment": "swiss_vat",
                "issued_at": _AT,
                "due_on": date(2026, 4, 1),
                "owner_name": None,
            },
        ),
        _with_name(
            "Alpenweb Partner AG",
            {
                "number": "EU-2026-000007",
                "subtotal": Amount(11900, "EUR"),
                "tax": Amount(0, "EUR"),
                "total": Amount(11900, "EUR"),
                "tax_treatment": "eu_reverse_charge",
                "issued_at": _AT,
                "due_on": date(2026, 4, 1),
                "owner_name": "Boulangerie Dupont SA",
            },
        ),
    ),
    "payment_failed": (
        _payment_failed(1, _LATER, "first_failure"),
        _payment_failed(2, _LATER, "reminder"),
        _payment_failed(4, None, "final"),
    ),
    "wallet_recharged": (
        _with_name(
            "Boulangerie Dupont SA",
            {
                "amount": Amount(5000, _CHF),
                "paid": Amount(5750, _CHF),
                "complimentary": Amount(1000, _CHF),
                "succeeded_at": _AT,
            },
        ),
    ),
    "wallet_recharge_failed": (
        _recharge_failed("retrying", _LATER),
        _recharge_failed("paused", None),
        _recharge_failed("gave_up", None),
    ),
    "wallet_low_balance": tuple(
        _with_name(
            "Boulangerie Dupont SA",
            {
                "paid": Amount(750, _CHF),
                "complimentary": Amount(0, _CHF),
                "threshold": Amount(1000, _CHF),
                "auto_recharge_active": active,
            },
        )
        for active in (True, False)
    ),
    "two_factor_disabled": (_with_name("Anna Keller", {"occurred_at": _AT}),),
    "recovery_approved": (_with_name("Anna Keller", {"occurred_at": _AT}),),
    "recovery_rejected": (
        _with_name("Anna Keller", {"occurred_at": _AT, "detail": "the selfie does not match the ID"}),
        _with_name("Anna Keller", {"occurred_at": _AT, "detail": None}),
    ),
    "api_token_deactivation_warning": (
        _token(last_used_at=datetime(2025, 4, 1, 8, 0, tzinfo=UTC), deactivates_on=date(2026, 4, 1)),
        _token(last_used_at=None, deactivates_on=date(2026, 4, 1)),
    ),
    "api_token_deactivated": tuple(
        _token(reason=reason, deactivated_at=_AT) for reason in ("unused", "expired", "revoked")
    ),
    "legal_representative_changed": tuple(
        _representative(change) for change in ("appointed", "stepped_down", "removed")
    ),
}
