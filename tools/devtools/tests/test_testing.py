"""The integration-test helpers that need no infrastructure: tokens, envelopes, decoding and waiting."""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

import jwt
import pytest

from tessera_devtools.testing import TokenIssuer, _events, envelope, eventually
from tessera_events import EventData
from tessera_events.examples import example_event
from tessera_events.identity import OrganisationRegistered, Role
from tessera_events.kafka_binding import encode


def registered() -> EventData:
    """An OrganisationRegistered, as the contracts' examples have it."""
    return example_event(OrganisationRegistered.EVENT_TYPE).data


@dataclass
class Record:
    """What _events reads of a Kafka record."""

    value: bytes | None


def test_a_token_verifies_with_the_public_key_identity_would_publish_for_it() -> None:
    issuer = TokenIssuer("postgresql+asyncpg://unused/never-connected")
    organisation, user = uuid4(), uuid4()

    token = issuer.token({organisation: Role.ADMINISTRATOR}, user_id=user)

    published = issuer.signing_key_published()
    assert published.key_id == issuer.key_id == jwt.get_unverified_header(token)["kid"]
    claims = jwt.decode(
        token, published.public_key_pem, algorithms=["EdDSA"], audience="tessera", issuer="tessera-identity"
    )
    assert claims["sub"] == str(user)
    assert claims["orgs"] == {str(organisation): "administrator"}
    assert 299 < claims["exp"] - claims["iat"] <= 300  # the kit accepts no token living over 600 s
    assert published.not_before < datetime.now(UTC)


def test_headers_carry_a_bearer_token_for_a_new_user_unless_one_is_named() -> None:
    issuer = TokenIssuer("postgresql+asyncpg://unused/never-connected")

    claims = [
        jwt.decode(token, issuer.public_key_pem, algorithms=["EdDSA"], audience="tessera")
        for token in (bearer(issuer.headers({})), bearer(issuer.headers({})))
    ]

    assert [each["orgs"] for each in claims] == [{}, {}]
    assert claims[0]["sub"] != claims[1]["sub"]


def bearer(headers: dict[str, str]) -> str:
    scheme, token = headers["Authorization"].split(" ")
    assert scheme == "Bearer"
    return token


def test_an_envelope_takes_its_type_and_subject_from_the_data() -> None:
    data, event_id = registered(), uuid4()

    event = envelope(data, source="/tessera/identity", event_id=event_id)

    assert event.type == "tessera.identity.OrganisationRegistered.v1" == data.EVENT_TYPE
    assert isinstance(data, OrganisationRegistered)
    assert event.subject == str(data.organisation_id)
    assert (event.id, event.source, event.data) == (event_id, "/tessera/identity", data)
    assert envelope(data, source="/tessera/identity").id != envelope(data, source="/tessera/identity").id


def test_records_that_are_not_contract_events_are_passed_over() -> None:
    event = envelope(registered(), source="/tessera/identity")
    _, value, _ = encode(event)
    unknown_type = value.replace(b"tessera.identity.OrganisationRegistered.v1", b"tessera.nobody.Nothing.v1")

    decoded = _events([Record(b"not json"), Record(None), Record(unknown_type), Record(value), Record(b"{}")])

    assert [found.id for found in decoded] == [event.id]


async def test_eventually_returns_the_first_result_that_is_there() -> None:
    answers = iter([None, [], ["row"]])

    async def probe() -> list[str] | None:
        return next(answers)

    assert await eventually(probe, interval=0) == ["row"]


async def test_eventually_waits_until_the_condition_holds() -> None:
    counted = iter(range(10))

    async def probe() -> int:
        return next(counted)

    assert await eventually(probe, until=lambda count: count >= 3, interval=0) == 3


async def test_eventually_names_what_it_waited_for_when_it_gives_up() -> None:
    async def probe() -> str | None:
        return None

    with pytest.raises(AssertionError, match=r"waiting for the e-mail; last: None"):
        await eventually(probe, timeout=0.05, what="the e-mail")
