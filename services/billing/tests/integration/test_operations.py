"""What operators see of billing: readiness, and the topics it speaks on."""

import pytest

from tessera_billing.config import BillingSettings
from tessera_devtools.testing import RunningService
from tessera_events.billing import PAYER_ASSIGNMENTS, SUBSCRIPTIONS
from tessera_events.partnership import RELATIONSHIPS

pytestmark = pytest.mark.integration


async def test_billing_is_ready_once_its_database_is_migrated_and_kafka_answers(
    billing: RunningService[BillingSettings],
) -> None:
    response = await billing.http.get("/readyz")

    assert response.status_code == 200, response.text
    assert response.json()["checks"] == {"database": "ok", "kafka": "ok", "migrations": "ok"}


async def test_the_asyncapi_document_names_what_billing_publishes_and_consumes(
    billing: RunningService[BillingSettings],
) -> None:
    response = await billing.http.get("/asyncapi.json")

    assert response.status_code == 200
    addresses = {channel["address"] for channel in response.json()["channels"].values()}
    assert {SUBSCRIPTIONS.name, PAYER_ASSIGNMENTS.name, RELATIONSHIPS.name} <= addresses
