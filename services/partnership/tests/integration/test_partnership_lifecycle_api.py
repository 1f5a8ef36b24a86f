"""A relationship's life through the HTTP API, on real PostgreSQL and Kafka: invitations, access,
staff permissions, time-bound grants and endings, with every refusal."""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from conftest import Organisations, Steps
from sqlalchemy import update

from tessera_devtools.testing import KafkaProbe, RunningService, envelope, eventually
from tessera_events.identity import MembershipRevoked, Role
from tessera_events.partnership import (
    RELATIONSHIPS,
    AccessChanged,
    AccessEndingSoon,
    PartnerStaffChanged,
    RelationshipEnded,
    RelationshipEndReason,
    RelationshipProposed,
    RelationshipStarted,
)
from tessera_partnership.adapters.orm import RelationshipRow
from tessera_partnership.config import PartnershipSettings

pytestmark = pytest.mark.integration
Partnership = RunningService[PartnershipSettings]


async def test_partner_invitation_accepted_by_the_client_starts_the_relationship_with_its_scope(
    steps: Steps, organisations: Organisations, kafka: KafkaProbe
) -> None:
    partner = await steps.active_partner(organisations, "Invite Partner AG")
    client = await organisations.register("Invited Client AG")
    ends_at = (datetime.now(UTC) + timedelta(days=60)).replace(microsecond=0)

    started = await steps.invite(
        partner, client, "restricted", ["web-hosting-pro", "Mail-Pro"], ends_at.isoformat()
    )

    assert started["status"] == "active"
    assert started["product_codes"] == ["mail-pro", "web-hosting-pro"]
    proposed, began = await kafka.collect(
        RELATIONSHIPS.name, lambda e: e.subject == started["relationship_id"], count=2
    )
    assert isinstance(proposed.data, RelationshipProposed)
    assert proposed.data.proposed_by.value == "partner"
    assert isinstance(began.data, RelationshipStarted)
    assert began.data.product_codes == ("mail-pro", "web-hosting-pro")
    assert began.data.access_ends_at == ends_at
    access = f"/v1/organisations/{partner}/clients/{started['relationship_id']}/access"
    await steps.call("GET", f"{access}?product_code=mail-pro", steps.as_(partner), 200)
    outside = await steps.call("GET", f"{access}?product_code=domain-ch", steps.as_(partner), 403)
    assert "does not cover" in outside["detail"]


async def test_a_proposal_is_accepted_only_by_the_other_side_and_only_while_pending(
    steps: Steps, organisations: Organisations, partnership: Partnership
) -> None:
    partner = await steps.active_partner(organisations, "Pending Partner AG")
    client = await organisations.register("Pending Client AG")
    body = {"partner_organisation_id": str(partner), "access": "full"}
    proposal = await steps.call("POST", f"/v1/organisations/{client}/partners", steps.as_(client), 201, body)
    accept = f"/relationships/{proposal['relationship_id']}/accept"

    await steps.call("POST", f"/v1/organisations/{client}{accept}", steps.as_(client), 403)
    await steps.call("POST", f"/v1/organisations/{client}/partners", steps.as_(client), 409, body)
    await steps.call("POST", f"/v1/organisations/{partner}{accept}", steps.as_(partner, Role.MEMBER), 403)
    await steps.call("POST", f"/v1/organisations/{uuid4()}{accept}", steps.as_(partner), 404)
    async with partnership.runtime.unit_of_work() as uow:
        await uow.session.execute(
            update(RelationshipRow)
            .where(RelationshipRow.id == UUID(proposal["relationship_id"]))
            .values(proposal_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        await uow.commit()

    refused = await steps.call("POST", f"/v1/organisations/{partner}{accept}", steps.as_(partner), 409)
    again = await steps.call("POST", f"/v1/organisations/{client}/partners", steps.as_(client), 201, body)

    assert "no longer pending" in refused["detail"]
    assert again["relationship_id"] != proposal["relationship_id"]


async def test_a_declined_invitation_never_starts(steps: Steps, organisations: Organisations) -> None:
    partner = await steps.active_partner(organisations, "Declined Partner AG")
    client = await organisations.register("Declining Client AG")
    body = {"client_organisation_id": str(client), "access": "full"}
    proposal = await steps.call("POST", f"/v1/organisations/{partner}/clients", steps.as_(partner), 201, body)
    path = f"/relationships/{proposal['relationship_id']}"

    declined = await steps.call("POST", f"/v1/organisations/{client}{path}/decline", steps.as_(client), 200)
    await steps.call("POST", f"/v1/organisations/{client}{path}/accept", steps.as_(client), 409)

    assert declined["status"] == "declined"


async def test_client_restricting_access_while_partner_pays_returns_billing_to_the_client(
    steps: Steps, organisations: Organisations, kafka: KafkaProbe
) -> None:
    partner = await steps.active_partner(organisations, "Restricted Partner AG")
    client = await organisations.register("Restricting Client AG")
    relationship = await steps.invite(partner, client)
    rid = relationship["relationship_id"]
    await steps.call(
        "PUT",
        f"/v1/organisations/{client}/partners/{rid}/billing-mode",
        steps.as_(client),
        200,
        {"billing_mode": "partner_pays"},
    )

    changed = await steps.call(
        "PUT",
        f"/v1/organisations/{client}/partners/{rid}/access",
        steps.as_(client),
        200,
        {"access": "restricted", "product_codes": ["web-hosting-pro"]},
    )
    history = await steps.call(
        "GET", f"/v1/organisations/{partner}/relationships/{rid}/billing-modes", steps.as_(partner), 200
    )

    assert (changed["access"], changed["billing_mode"]) == ("restricted", "client_pays")
    assert [entry["billing_mode"] for entry in history] == ["partner_pays", "client_pays"]
    event = await kafka.first(
        RELATIONSHIPS.name, lambda e: e.subject == rid and isinstance(e.data, AccessChanged)
    )
    assert event.data.billing_mode.value == "client_pays"
    assert event.data.product_codes == ("web-hosting-pro",)
    await steps.call(
        "PUT",
        f"/v1/organisations/{client}/partners/{rid}/billing-mode",
        steps.as_(client),
        409,
        {"billing_mode": "partner_pays"},
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("the partner's administrator", 403), ("a plain member of the client", 403), ("an outsider", 404)],
)
async def test_only_the_clients_managers_change_access(
    steps: Steps, organisations: Organisations, who: str, status: int
) -> None:
    partner = await steps.active_partner(organisations, f"Access Partner for {who}")
    client = await organisations.register(f"Access Client for {who}")
    rid = (await steps.invite(partner, client))["relationship_id"]
    headers = {
        "the partner's administrator": steps.tokens.headers(
            {client: Role.MEMBER, partner: Role.ADMINISTRATOR}
        ),
        "a plain member of the client": steps.as_(client, Role.MEMBER),
        "an outsider": steps.as_(uuid4()),
    }[who]
    path = f"/v1/organisations/{partner if who.startswith('the partner') else client}/partners/{rid}/access"

    await steps.call("PUT", path, headers, status, {"access": "restricted", "product_codes": ["mail-pro"]})


async def test_partner_staff_act_on_a_client_only_with_a_staff_permission(
    steps: Steps, organisations: Organisations, kafka: KafkaProbe
) -> None:
    partner = await steps.active_partner(organisations, "Staffed Partner AG")
    client = await organisations.register("Staffed Client AG")
    allowed, other = await organisations.add_member(partner), await organisations.add_member(partner)
    rid = (await steps.invite(partner, client))["relationship_id"]
    access = f"/v1/organisations/{partner}/clients/{rid}/access"
    staff = f"/v1/organisations/{partner}/clients/{rid}/staff"

    await steps.call(
        "PUT", staff, steps.as_(partner, Role.MEMBER, allowed), 403, {"user_ids": [str(allowed)]}
    )
    await steps.call("PUT", staff, steps.as_(partner), 422, {"user_ids": [str(uuid4())]})
    await steps.call("PUT", staff, steps.as_(partner), 200, {"user_ids": [str(allowed)]})

    granted = await steps.call("GET", access, steps.as_(partner, Role.MEMBER, allowed), 200)
    await steps.call("GET", access, steps.as_(partner, Role.MEMBER, other), 403)
    await steps.call("GET", access, steps.as_(uuid4(), Role.ADMINISTRATOR), 404)
    await steps.call("GET", access, steps.as_(partner, Role.ADMINISTRATOR), 200)
    listed = await steps.call(
        "GET", f"/v1/organisations/{partner}/clients", steps.as_(partner, Role.MEMBER, other), 200
    )

    assert granted["access"] == "full"
    assert listed == []
    await steps.call("PUT", staff, steps.as_(partner), 200, {"user_ids": [str(allowed)]})  # no change
    await steps.call("PUT", staff, steps.as_(partner), 200, {"user_ids": []})
    named, emptied = await kafka.collect(
        RELATIONSHIPS.name, lambda e: e.subject == rid and isinstance(e.data, PartnerStaffChanged), count=2
    )
    assert (named.data.staff_user_ids, emptied.data.staff_user_ids) == ((allowed,), ())
    assert (named.data.partner_organisation_id, named.data.client_organisation_id) == (partner, client)


async def test_a_member_who_leaves_the_partner_loses_the_clients_it_managed(
    steps: Steps, organisations: Organisations, kafka: KafkaProbe, partnership: Partnership
) -> None:
    partner = await steps.active_partner(organisations, "Leaving Staff Partner AG")
    client = await organisations.register("Leaving Staff Client AG")
    other_client = await organisations.register("Other Staffed Client AG")
    member, colleague = await organisations.add_member(partner), await organisations.add_member(partner)
    rid = (await steps.invite(partner, client))["relationship_id"]
    other = (await steps.invite(partner, other_client))["relationship_id"]
    for relationship, staff_list in ((rid, [member]), (other, [member, colleague])):
        await steps.call(
            "PUT",
            f"/v1/organisations/{partner}/clients/{relationship}/staff",
            steps.as_(partner),
            200,
            {"user_ids": [str(user) for user in staff_list]},
        )
    remover = uuid4()

    await kafka.publish(
        envelope(
            MembershipRevoked(
                organisation_id=partner,
                user_id=member,
                role=Role.MEMBER,
                revoked_by_user_id=remover,
                revoked_at=datetime.now(UTC),
            ),
            source="/tessera/identity",
        )
    )

    async def staff() -> list[str] | None:
        found = await partnership.http.get(
            f"/v1/organisations/{client}/relationships/{rid}", headers=steps.as_(client)
        )
        return None if found.json()["staff_user_ids"] else []

    assert (
        await eventually(staff, what="the departed member to lose its permission", until=lambda s: s == [])
        == []
    )
    told = await kafka.collect(
        RELATIONSHIPS.name,
        lambda e: isinstance(e.data, PartnerStaffChanged) and e.data.changed_by_user_id == remover,
        count=2,
    )
    assert {(e.subject, e.data.staff_user_ids) for e in told} == {(rid, ()), (other, (colleague,))}


async def test_client_stopping_the_relationship_revokes_access_and_tells_billing(
    steps: Steps, organisations: Organisations, kafka: KafkaProbe
) -> None:
    partner = await steps.active_partner(organisations, "Stopped Partner AG")
    client = await organisations.register("Stopping Client AG")
    rid = (await steps.invite(partner, client))["relationship_id"]
    await steps.call(
        "PUT",
        f"/v1/organisations/{client}/partners/{rid}/billing-mode",
        steps.as_(client),
        200,
        {"billing_mode": "partner_pays"},
    )
    user = uuid4()

    ended = await steps.call(
        "POST",
        f"/v1/organisations/{client}/relationships/{rid}/end",
        steps.as_(client, Role.ADMINISTRATOR, user),
        200,
    )

    assert (ended["status"], ended["end_reason"], ended["billing_mode"]) == (
        "ended",
        "stopped_by_client",
        "client_pays",
    )
    await steps.call("GET", f"/v1/organisations/{partner}/clients/{rid}/access", steps.as_(partner), 403)
    await steps.call("POST", f"/v1/organisations/{partner}/relationships/{rid}/end", steps.as_(partner), 409)
    event = await kafka.first(
        RELATIONSHIPS.name, lambda e: e.subject == rid and isinstance(e.data, RelationshipEnded)
    )
    assert event.data.reason is RelationshipEndReason.STOPPED_BY_CLIENT
    assert event.data.ended_by_user_id == user
    again = await steps.invite(partner, client)
    assert again["relationship_id"] != rid


async def test_time_bound_access_warns_both_sides_then_ends_and_stops_working(
    steps: Steps, organisations: Organisations, kafka: KafkaProbe
) -> None:
    partner = await steps.active_partner(organisations, "Time-bound Partner AG")
    client = await organisations.register("Time-bound Client AG")
    ends_at = datetime.now(UTC) + timedelta(seconds=4)

    rid = (await steps.invite(partner, client, ends_at=ends_at.isoformat()))["relationship_id"]
    access = f"/v1/organisations/{partner}/clients/{rid}/access"
    await steps.call("GET", access, steps.as_(partner), 200)

    warned = await kafka.first(
        RELATIONSHIPS.name, lambda e: e.subject == rid and isinstance(e.data, AccessEndingSoon)
    )
    ended = await kafka.first(
        RELATIONSHIPS.name, lambda e: e.subject == rid and isinstance(e.data, RelationshipEnded)
    )

    assert warned.data.access_ends_at == ends_at
    assert ended.data.reason is RelationshipEndReason.ACCESS_EXPIRED
    assert ended.data.ended_by_user_id is None
    refused = await steps.call("GET", access, steps.as_(partner), 403)
    assert "ended" in refused["detail"]
    warnings = await kafka.collect(
        RELATIONSHIPS.name, lambda e: e.subject == rid and isinstance(e.data, AccessEndingSoon), count=1
    )
    assert len(warnings) == 1


async def test_an_access_end_date_in_the_past_is_refused(steps: Steps, organisations: Organisations) -> None:
    partner = await steps.active_partner(organisations, "Past Partner AG")
    client = await organisations.register("Past Client AG")
    body = {
        "partner_organisation_id": str(partner),
        "access": "full",
        "access_ends_at": "2020-01-01T00:00:00Z",
    }

    problem = await steps.call("POST", f"/v1/organisations/{client}/partners", steps.as_(client), 422, body)
    restricted = {"partner_organisation_id": str(partner), "access": "restricted"}
    unlisted = await steps.call(
        "POST", f"/v1/organisations/{client}/partners", steps.as_(client), 422, restricted
    )

    assert "future" in problem["detail"]
    assert "product codes" in unlisted["detail"]


async def test_concurrent_requests_for_the_same_pair_start_one_proposal(
    steps: Steps, organisations: Organisations, partnership: Partnership
) -> None:
    partner = await steps.active_partner(organisations, "Raced Partner AG")
    client = await organisations.register("Racing Client AG")
    body = {"partner_organisation_id": str(partner), "access": "full"}

    responses = await asyncio.gather(
        *(
            partnership.http.post(
                f"/v1/organisations/{client}/partners", json=body, headers=steps.as_(client)
            )
            for _ in range(5)
        )
    )

    assert sorted(response.status_code for response in responses) == [201, 409, 409, 409, 409]
