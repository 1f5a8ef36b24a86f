"""The operators' renewal run is bounded: no far-future ``until``, a cap on periods per call, and the
same call twice issues nothing new."""

import time
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from core_support import operator, run_renewals

from tessera_billing.config import BillingSettings
from tessera_billing.entrypoints.http_operations import MAX_RENEWAL_LEAD
from tessera_billing.service_layer.renewals import renew_due
from tessera_devtools.testing import RunningService, TokenIssuer
from tessera_events.identity import Role

pytestmark = pytest.mark.integration
RUN = "/v1/operations/renewals/run"


async def order_mail(billing: RunningService[BillingSettings], tokens: TokenIssuer, count: int) -> None:
    organisation = uuid4()
    for _ in range(count):
        response = await billing.http.post(
            f"/v1/organisations/{organisation}/subscriptions",
            json={"product_code": "mail-pro", "currency": "CHF"},
            headers=tokens.headers({organisation: Role.MEMBER}),
        )
        assert response.status_code == 201, response.text


@pytest.mark.parametrize("until", ["9999-12-31", "2103-01-01"])
async def test_a_far_future_until_is_refused_at_once_and_renews_nothing(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, until: str
) -> None:
    await order_mail(billing, tokens, 1)
    started = time.monotonic()

    refused = await billing.http.post(RUN, params={"until": until}, headers=operator(tokens))

    assert time.monotonic() - started < 5
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    latest = datetime.now(UTC).date() + MAX_RENEWAL_LEAD
    assert refused.json()["latest_until"] in {latest.isoformat(), (latest - timedelta(days=1)).isoformat()}
    nothing = await run_renewals(billing, tokens, date.today().isoformat())
    assert nothing["renewed"] == 0


async def test_the_same_run_twice_issues_nothing_new(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    await order_mail(billing, tokens, 2)
    two_months = (datetime.now(UTC) + timedelta(days=62)).date().isoformat()

    first = await run_renewals(billing, tokens, two_months)
    second = await run_renewals(billing, tokens, two_months)

    assert first["renewed"] >= 4  # both mail-pro subscriptions, twice each (monthly)
    assert first["complete"] is True
    assert (second["renewed"], second["invoices"], second["complete"]) == (0, [], True)


async def test_a_run_stops_at_its_limit_and_the_next_goes_on_where_it_stopped(
    billing: RunningService[BillingSettings], tokens: TokenIssuer
) -> None:
    await order_mail(billing, tokens, 3)
    until = (datetime.now(UTC) + timedelta(days=32)).date()

    capped = await renew_due(billing.runtime.unit_of_work, until, limit=2)
    rest = await renew_due(billing.runtime.unit_of_work, until, limit=2)
    done = await renew_due(billing.runtime.unit_of_work, until, limit=2)

    assert (len(capped.invoices), capped.complete) == (2, False)
    assert (len(rest.invoices), rest.complete) == (1, True)
    assert (len(done.invoices), done.complete) == (0, True)
