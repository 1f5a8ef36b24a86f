"""Organisations and their members on real PostgreSQL and Kafka: profile, VAT, roles, and the rule
that an organisation always keeps a legal representative, even under concurrent removals."""

import asyncio
from uuid import UUID

import pytest
from identity_harness import new_person, problem, sign_up

from tessera_devtools.testing import KafkaProbe, RunningService
from tessera_events.identity import ORGANISATIONS, MembershipGranted, MembershipRevoked, OrganisationUpdated
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.config import IdentitySettings
from tessera_identity.domain.model import Role
from tessera_identity.service_layer.memberships import add_member, change_role, remove_member
from tessera_kit.problems import Conflict

pytestmark = pytest.mark.integration
Identity = RunningService[IdentitySettings]


async def test_a_legal_representative_gives_the_vat_number_and_everyone_hears_the_whole_profile(
    identity_with_operator: Identity, kafka_probe: KafkaProbe, suffix: str
) -> None:
    http = identity_with_operator.http
    org, anna = await sign_up(http, f"anna-{suffix}@meier.example")

    changed = await http.patch(
        f"/v1/organisations/{org}",
        headers=anna.auth,
        json={
            "vat_number": "DE 136 695 976",
            "vat_terms_accepted": True,
            "registry_number": "Aachen HRA 11223",
            "locale": "en",
            "addresses": [
                {
                    "purpose": "billing",
                    "street": "Hauptstr. 1",
                    "postal_code": "52062",
                    "city": "Aachen",
                    "country": "de",
                }
            ],
        },
    )

    assert changed.status_code == 200, changed.text
    profile = changed.json()
    assert (profile["vat_number"], profile["registry_number"], profile["locale"]) == (
        "DE136695976",
        "Aachen HRA 11223",
        "en",
    )
    assert profile["vat_terms_accepted_by_user_id"] == anna.user_id
    assert profile["vat_terms_accepted_at"] is not None
    assert profile["addresses"][0]["country"] == "DE"
    updated = await kafka_probe.first(
        ORGANISATIONS.name, lambda e: e.subject == org and isinstance(e.data, OrganisationUpdated)
    )
    assert updated.data.vat_number == "DE136695976"
    assert set(updated.data.changed_fields) == {"vat_number", "registry_number", "locale", "addresses"}
    assert updated.data.name == "Meier Hosting GmbH"
    assert (await http.get(f"/v1/organisations/{org}", headers=anna.auth)).json() == profile


async def test_vat_numbers_that_do_not_hold_are_refused_with_the_reason(
    identity_with_operator: Identity, suffix: str
) -> None:
    http = identity_with_operator.http
    swiss, urs = await sign_up(http, f"urs-{suffix}@alpen.example", country="CH")
    german, anna = await sign_up(http, f"anna-{suffix}@meier.example")

    che_as_vat = await http.patch(
        f"/v1/organisations/{swiss}",
        headers=urs.auth,
        json={"vat_number": "CHE-100.155.212", "vat_terms_accepted": True},
    )
    bad_digits = await http.patch(
        f"/v1/organisations/{german}",
        headers=anna.auth,
        json={"vat_number": "DE136695978", "vat_terms_accepted": True},
    )
    no_terms = await http.patch(
        f"/v1/organisations/{german}", headers=anna.auth, json={"vat_number": "DE136695976"}
    )
    che_as_registry = await http.patch(
        f"/v1/organisations/{swiss}", headers=urs.auth, json={"registry_number": "CHE-100.155.212"}
    )
    at_sign_up = await http.post(
        "/v1/organisations",
        json={
            "name": "Dupont SA",
            "kind": "company",
            "country": "FR",
            "locale": "fr",
            "billing_email": f"billing-{suffix}@dupont.example",
            "vat_number": "FR41303265045",
            "vat_terms_accepted": True,
            "legal_representative": {
                "email": f"jean-{suffix}@dupont.example",
                "display_name": "Jean Dupont",
                "password": "correct horse battery",
            },
        },
    )

    assert "CHE UID" in problem(che_as_vat, 422)["detail"]
    assert "not an EU VAT id" in problem(che_as_vat, 422)["detail"]
    assert "check digits are wrong" in problem(bad_digits, 422)["detail"]
    assert "accept the terms" in problem(no_terms, 422)["detail"]
    assert che_as_registry.status_code == 200
    assert che_as_registry.json()["registry_number"] == "CHE100155212"
    assert "check digits are wrong" in problem(at_sign_up, 422)["detail"]


async def test_members_see_their_organisation_only_and_act_only_as_their_role_allows(
    identity_with_operator: Identity, suffix: str
) -> None:
    http = identity_with_operator.http
    org, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    other_org, _ = await sign_up(http, f"zoe-{suffix}@other.example")
    bruno = await new_person(http, f"bruno-{suffix}@meier.example")
    added = await http.post(
        f"/v1/organisations/{org}/members", headers=anna.auth, json={"email": bruno.email, "role": "member"}
    )
    assert added.status_code == 201, added.text

    as_member = await http.patch(f"/v1/organisations/{org}", headers=bruno.auth, json={"name": "Bruno's now"})
    member_adds = await http.post(
        f"/v1/organisations/{org}/members", headers=bruno.auth, json={"email": anna.email, "role": "member"}
    )
    outsider = await http.get(f"/v1/organisations/{other_org}", headers=bruno.auth)
    outsider_empty_change = await http.patch(f"/v1/organisations/{other_org}", headers=bruno.auth, json={})
    outsider_members = await http.get(f"/v1/organisations/{other_org}/members", headers=anna.auth)
    unknown_person = await http.post(
        f"/v1/organisations/{org}/members",
        headers=anna.auth,
        json={"email": f"nobody-{suffix}@x.example", "role": "member"},
    )
    twice = await http.post(
        f"/v1/organisations/{org}/members", headers=anna.auth, json={"email": bruno.email, "role": "member"}
    )
    no_token = await http.get(f"/v1/organisations/{org}")

    assert "a member may not change the organisation's profile" in problem(as_member, 403)["detail"]
    problem(member_adds, 403)
    problem(outsider, 404)
    assert outsider_empty_change.status_code in (403, 404)  # an empty change is no way to read a profile
    problem(outsider_members, 404)
    assert "POST /v1/users" in problem(unknown_person, 404)["detail"]
    problem(twice, 409)
    problem(no_token, 401)
    members = (await http.get(f"/v1/organisations/{org}/members", headers=bruno.auth)).json()
    assert {(m["email"], m["role"]) for m in members} == {
        (anna.email, "legal_representative"),
        (bruno.email, "member"),
    }


async def test_an_administrator_manages_members_but_not_legal_representatives(
    identity_with_operator: Identity, kafka_probe: KafkaProbe, suffix: str
) -> None:
    http = identity_with_operator.http
    org, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    bruno = await new_person(http, f"bruno-{suffix}@meier.example")
    carla = await new_person(http, f"carla-{suffix}@meier.example", "Carla Rossi")
    for person, role in ((bruno, "administrator"), (carla, "member")):
        response = await http.post(
            f"/v1/organisations/{org}/members", headers=anna.auth, json={"email": person.email, "role": role}
        )
        assert response.status_code == 201, response.text

    promoted = await http.put(
        f"/v1/organisations/{org}/members/{carla.user_id}/role",
        headers=bruno.auth,
        json={"role": "administrator"},
    )
    crowned = await http.put(
        f"/v1/organisations/{org}/members/{carla.user_id}/role",
        headers=bruno.auth,
        json={"role": "legal_representative"},
    )
    removes_anna = await http.delete(f"/v1/organisations/{org}/members/{anna.user_id}", headers=bruno.auth)
    removes_carla = await http.delete(f"/v1/organisations/{org}/members/{carla.user_id}", headers=bruno.auth)

    assert promoted.status_code == 200, promoted.text
    assert "may not name or remove legal representatives" in problem(crowned, 403)["detail"]
    problem(removes_anna, 403)
    assert removes_carla.status_code == 204
    events = await kafka_probe.collect(
        ORGANISATIONS.name,
        lambda e: e.subject == org and str(getattr(e.data, "user_id", "")) == carla.user_id,
        count=3,
    )
    granted, changed, revoked = (e.data for e in events)
    assert isinstance(granted, MembershipGranted)
    assert granted.previous_role is None
    assert isinstance(changed, MembershipGranted)
    assert (changed.role, changed.previous_role, str(changed.changed_by_user_id)) == (
        "administrator",
        "member",
        bruno.user_id,
    )
    assert isinstance(revoked, MembershipRevoked)
    assert (revoked.role, str(revoked.revoked_by_user_id)) == ("administrator", bruno.user_id)


async def test_the_last_legal_representative_cannot_be_removed_or_demoted_until_another_is_named(
    identity_with_operator: Identity, suffix: str
) -> None:
    http = identity_with_operator.http
    org, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    bruno = await new_person(http, f"bruno-{suffix}@meier.example")
    await http.post(
        f"/v1/organisations/{org}/members", headers=anna.auth, json={"email": bruno.email, "role": "member"}
    )

    leaves = await http.delete(f"/v1/organisations/{org}/members/{anna.user_id}", headers=anna.auth)
    demoted = await http.put(
        f"/v1/organisations/{org}/members/{anna.user_id}/role", headers=anna.auth, json={"role": "member"}
    )
    named = await http.put(
        f"/v1/organisations/{org}/members/{bruno.user_id}/role",
        headers=anna.auth,
        json={"role": "legal_representative"},
    )
    leaves_after = await http.delete(f"/v1/organisations/{org}/members/{anna.user_id}", headers=anna.auth)

    assert "Name another legal representative first" in problem(leaves, 409)["detail"]
    assert "cannot demote the last legal representative" in problem(demoted, 409)["detail"]
    assert named.status_code == 200
    assert leaves_after.status_code == 204
    members = (await http.get(f"/v1/organisations/{org}/members", headers=bruno.auth)).json()
    assert [(m["user_id"], m["role"]) for m in members] == [(bruno.user_id, "legal_representative")]


@pytest.mark.parametrize("second_step", ["leaves", "steps_down"])
async def test_the_last_two_legal_representatives_leaving_at_once_cannot_both_succeed(
    identity_with_operator: Identity, suffix: str, second_step: str
) -> None:
    http = identity_with_operator.http
    runtime = identity_with_operator.runtime
    org, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    bruno = await new_person(http, f"bruno-{suffix}@meier.example")
    response = await http.post(
        f"/v1/organisations/{org}/members",
        headers=anna.auth,
        json={"email": bruno.email, "role": "legal_representative"},
    )
    assert response.status_code == 201, response.text
    org_id, anna_id, bruno_id = UUID(org), UUID(anna.user_id), UUID(bruno.user_id)

    def uow() -> IdentityUnitOfWork:
        unit: IdentityUnitOfWork = runtime.unit_of_work()
        return unit

    for _ in range(5):  # each round both see two legal representatives before either commits
        second = (
            remove_member(uow(), org_id, bruno_id, bruno_id)
            if second_step == "leaves"
            else change_role(uow(), org_id, bruno_id, bruno_id, Role.MEMBER)
        )
        outcomes = await asyncio.gather(
            remove_member(uow(), org_id, anna_id, anna_id), second, return_exceptions=True
        )

        failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        assert len(failures) == 1, outcomes
        assert isinstance(failures[0], Conflict)
        assert "Name another legal representative first" in str(failures[0])
        async with uow() as check:
            members = await check.organisations.members(org_id)
        assert [m.role for m in members].count(Role.LEGAL_REPRESENTATIVE) == 1
        # Put things back for the next round: whoever is left names the other again.
        left = next(m.user_id for m in members if m.role is Role.LEGAL_REPRESENTATIVE)
        other = bruno_id if left == anna_id else anna_id
        async with uow() as check:
            still_member = await check.organisations.role_of(org_id, other)
        if still_member is None:
            await add_member(
                uow(),
                org_id,
                left,
                bruno.email if other == bruno_id else anna.email,
                Role.LEGAL_REPRESENTATIVE,
            )
        else:
            await change_role(uow(), org_id, left, other, Role.LEGAL_REPRESENTATIVE)


async def test_malformed_requests_are_problems_never_errors(
    identity_with_operator: Identity, suffix: str
) -> None:
    http = identity_with_operator.http
    org, anna = await sign_up(http, f"anna-{suffix}@meier.example")
    address = {"purpose": "billing", "street": "Rue 1", "postal_code": "1000", "city": "X", "country": "XX"}

    unknown_role = await http.post(
        f"/v1/organisations/{org}/members", headers=anna.auth, json={"email": anna.email, "role": "owner"}
    )
    not_an_id = await http.get("/v1/organisations/not-a-uuid", headers=anna.auth)
    bad_address = await http.patch(
        f"/v1/organisations/{org}", headers=anna.auth, json={"addresses": [address]}
    )
    individual_with_vat = await http.post(
        "/v1/organisations",
        json={
            "name": "Max Muster",
            "kind": "individual",
            "country": "DE",
            "locale": "de",
            "billing_email": f"max-{suffix}@muster.example",
            "vat_number": "DE136695976",
            "vat_terms_accepted": True,
            "legal_representative": {
                "email": f"max-{suffix}@muster.example",
                "display_name": "Max Muster",
                "password": "correct horse battery",
            },
        },
    )

    problem(unknown_role, 422)
    problem(not_an_id, 422)
    assert "not an ISO 3166-1 alpha-2 code" in problem(bad_address, 422)["detail"]
    assert "only a company" in problem(individual_with_vat, 422)["detail"]
