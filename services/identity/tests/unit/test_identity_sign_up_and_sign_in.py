"""Signing an organisation up, then signing in as its legal representative."""

from datetime import timedelta

import jwt
import pytest
from identity_fakes import FakePasswords, FakeUnitOfWork

from tessera_events.identity import (
    MembershipGranted,
    OrganisationRegistered,
    Role,
    SigningKeyPublished,
    UserRegistered,
)
from tessera_identity.adapters.keys import generate_ed25519_key_pair
from tessera_identity.domain.model import Locale, OrganisationKind
from tessera_identity.service_layer.attempts import AttemptLimits, Throttle
from tessera_identity.service_layer.errors import SigningUnavailable, TooManyAttempts
from tessera_identity.service_layer.profiles import profile_of
from tessera_identity.service_layer.registration import RegisterOrganisation, register_organisation
from tessera_identity.service_layer.sessions import TokenPolicy, sign_in
from tessera_identity.service_layer.signing_keys import ensure_signing_key, published_keys
from tessera_kit.problems import Conflict, InvalidInput, Unauthenticated

POLICY = TokenPolicy(issuer="tessera-identity", audience="tessera", lifetime=timedelta(minutes=5))
THROTTLE = Throttle(AttemptLimits(per_account=5, per_address=20), address="203.0.113.7")


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def passwords() -> FakePasswords:
    return FakePasswords()


def sign_up(**overrides: object) -> RegisterOrganisation:
    details: dict[str, object] = {
        "name": "Meier Hosting GmbH",
        "kind": OrganisationKind.COMPANY,
        "country": "ch",
        "locale": Locale.DE,
        "billing_email": "billing@meier.example",
        "representative_email": "Anna.Meier@meier.example",
        "representative_name": "Anna Meier",
        "representative_password": "correct horse battery",
    }
    details.update(overrides)
    return RegisterOrganisation(**details)  # type: ignore[arg-type]


async def test_signing_up_announces_the_organisation_its_representative_and_their_membership(
    uow: FakeUnitOfWork, passwords: FakePasswords
) -> None:
    created = await register_organisation(uow, passwords, sign_up())

    assert [type(event.data) for event in uow.published] == [
        OrganisationRegistered,
        UserRegistered,
        MembershipGranted,
    ]
    organisation, user, membership = (event.data for event in uow.published)
    assert organisation == OrganisationRegistered(
        organisation_id=created.organisation_id,
        name="Meier Hosting GmbH",
        kind=OrganisationKind.COMPANY.value,
        country="CH",
        locale="de",
        billing_email="billing@meier.example",
        registered_at=uow.clock.now(),
    )
    assert user == UserRegistered(
        user_id=created.user_id, email="anna.meier@meier.example", display_name="Anna Meier", locale="de"
    )
    assert membership == MembershipGranted(
        organisation_id=created.organisation_id,
        user_id=created.user_id,
        role=Role.LEGAL_REPRESENTATIVE,
        changed_by_user_id=created.user_id,
    )
    assert uow.committed.users[created.user_id].password_hash == "hashed:correct horse battery"


async def test_an_email_address_signs_up_only_once_whatever_its_case(
    uow: FakeUnitOfWork, passwords: FakePasswords
) -> None:
    await register_organisation(uow, passwords, sign_up())
    published = len(uow.published)

    with pytest.raises(Conflict):
        await register_organisation(uow, passwords, sign_up(representative_email="ANNA.meier@MEIER.example"))

    assert len(uow.published) == published
    assert len(uow.committed.organisations) == 1


@pytest.mark.parametrize(
    "mistake",
    [{"representative_password": "too short"}, {"country": "XX"}, {"name": " "}],
    ids=["short password", "unknown country", "blank name"],
)
async def test_a_sign_up_breaking_a_rule_is_invalid_input_and_creates_nothing(
    uow: FakeUnitOfWork, passwords: FakePasswords, mistake: dict[str, str]
) -> None:
    with pytest.raises(InvalidInput):
        await register_organisation(uow, passwords, sign_up(**mistake))

    assert uow.published == []
    assert uow.committed.users == {}


async def test_the_first_start_makes_and_publishes_one_signing_key(uow: FakeUnitOfWork) -> None:
    first = await ensure_signing_key(uow, generate_ed25519_key_pair)
    again = await ensure_signing_key(uow, generate_ed25519_key_pair)

    assert again == first
    assert [event.data for event in uow.published] == [
        SigningKeyPublished(
            key_id=first.key_id,
            algorithm="EdDSA",
            public_key_pem=first.key_pair.public_key_pem,
            not_before=uow.clock.now(),
        )
    ]
    assert "PRIVATE" not in uow.published[0].to_json().decode()
    assert await published_keys(uow) == [first]


async def test_the_legal_representative_signs_in_with_a_token_naming_their_organisation(
    uow: FakeUnitOfWork, passwords: FakePasswords
) -> None:
    key = await ensure_signing_key(uow, generate_ed25519_key_pair)
    created = await register_organisation(uow, passwords, sign_up())

    issued = await sign_in(
        uow, passwords, POLICY, "anna.MEIER@meier.example", "correct horse battery", THROTTLE
    )

    claims = jwt.decode(
        issued.access_token,
        key.key_pair.public_key_pem,
        algorithms=["EdDSA"],
        audience="tessera",
        issuer="tessera-identity",
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["sub"] == str(created.user_id)
    assert claims["orgs"] == {str(created.organisation_id): "legal_representative"}
    assert issued.expires_in == 300


async def test_a_wrong_password_and_an_unknown_address_are_refused_alike(
    uow: FakeUnitOfWork, passwords: FakePasswords
) -> None:
    await ensure_signing_key(uow, generate_ed25519_key_pair)
    await register_organisation(uow, passwords, sign_up())

    with pytest.raises(Unauthenticated) as wrong_password:
        await sign_in(uow, passwords, POLICY, "anna.meier@meier.example", "incorrect horse", THROTTLE)
    with pytest.raises(Unauthenticated) as unknown_address:
        await sign_in(uow, passwords, POLICY, "nobody@meier.example", "correct horse battery", THROTTLE)

    assert wrong_password.value.detail == unknown_address.value.detail
    assert passwords.verified_without_hash == 1


async def test_signing_in_before_any_key_exists_asks_to_try_again(
    uow: FakeUnitOfWork, passwords: FakePasswords
) -> None:
    await register_organisation(uow, passwords, sign_up())

    with pytest.raises(SigningUnavailable):
        await sign_in(uow, passwords, POLICY, "anna.meier@meier.example", "correct horse battery", THROTTLE)


async def test_signing_in_upgrades_a_hash_made_with_outdated_parameters(uow: FakeUnitOfWork) -> None:
    await ensure_signing_key(uow, generate_ed25519_key_pair)
    created = await register_organisation(uow, FakePasswords(scheme="old"), sign_up())

    await sign_in(
        uow,
        FakePasswords(scheme="new"),
        POLICY,
        "anna.meier@meier.example",
        "correct horse battery",
        THROTTLE,
    )

    assert uow.committed.users[created.user_id].password_hash == "new:correct horse battery"


async def test_a_profile_lists_the_organisations_a_person_belongs_to(
    uow: FakeUnitOfWork, passwords: FakePasswords
) -> None:
    created = await register_organisation(uow, passwords, sign_up())

    profile = await profile_of(uow, created.user_id)

    assert profile.user.email == "anna.meier@meier.example"
    assert [(m.organisation_id, m.organisation_name, m.role.value) for m in profile.memberships] == [
        (created.organisation_id, "Meier Hosting GmbH", "legal_representative")
    ]


async def test_after_five_wrong_passwords_the_sixth_try_is_refused_unchecked_even_if_right(
    uow: FakeUnitOfWork, passwords: FakePasswords
) -> None:
    await ensure_signing_key(uow, generate_ed25519_key_pair)
    await register_organisation(uow, passwords, sign_up())
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            await sign_in(uow, passwords, POLICY, "anna.meier@meier.example", "incorrect horse", THROTTLE)
    checked = passwords.verified

    with pytest.raises(TooManyAttempts) as refused:
        await sign_in(uow, passwords, POLICY, "Anna.Meier@meier.example", "correct horse battery", THROTTLE)

    assert passwords.verified == checked
    assert refused.value.status == 429
    assert refused.value.headers == {"Retry-After": "60"}


async def test_a_right_password_clears_the_account_s_count_but_not_the_address_s(
    uow: FakeUnitOfWork, passwords: FakePasswords
) -> None:
    await ensure_signing_key(uow, generate_ed25519_key_pair)
    await register_organisation(uow, passwords, sign_up())
    throttle = Throttle(AttemptLimits(per_account=3, per_address=4), address="203.0.113.7")

    async def attempt(password: str) -> str:
        try:
            await sign_in(uow, passwords, POLICY, "anna.meier@meier.example", password, throttle)
        except TooManyAttempts as refused:
            return f"429 {refused.detail}"
        except Unauthenticated:
            return "401"
        return "200"

    # The right password starts the account's count (three) again; the address's (four) keeps its
    # failures: the sixth try is its fifth failure.
    outcomes = [
        await attempt(p) for p in ("wrong", "wrong", "correct horse battery", "wrong", "wrong", "wrong")
    ]

    assert outcomes[:5] == ["401", "401", "200", "401", "401"]
    assert outcomes[5] == "429 too many failed sign-ins for this address: try again later"
