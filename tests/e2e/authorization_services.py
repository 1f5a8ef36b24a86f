"""The services the authorization tests attack: all five, knowing an operator organisation.

The partner programme admits partners only through its operators, and billing's and wallet's operator
routes exist only when an operator organisation is configured, so the matrix runs on services of its
own, each consuming in a consumer group of its own (another session's services may share the broker).
"""

from __future__ import annotations

from uuid import uuid4

OPERATOR = "0a0a0a0a-0000-4000-8000-0000000000a7"
SERVICES = ("identity", "partnership", "billing", "wallet", "notify")


def settings() -> dict[str, str]:
    """The extra settings: the operator organisation in partnership, billing and wallet, fresh groups."""
    run = uuid4().hex[:8]
    return {
        "PARTNERSHIP_PROGRAMME_ADMIN_ORGANISATION_IDS": f'["{OPERATOR}"]',
        "BILLING_OPERATOR_ORGANISATION_ID": OPERATOR,
        "WALLET_OPERATOR_ORGANISATION_ID": OPERATOR,
    } | {f"{name.upper()}_CONSUMER_GROUP": f"{name}-e2e-authz-{run}" for name in SERVICES}
