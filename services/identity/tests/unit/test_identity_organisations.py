"""The rules an organisation is signed up under."""

from datetime import UTC, datetime

import pytest

from tessera_identity.domain.errors import (
    InvalidOrganisation,
    InvalidUser,
    LegalRepresentativeRequired,
    WeakPassword,
)
from tessera_identity.domain.model import (
    Locale,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
    check_password_strength,
    normalise_email,
)

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def anna() -> User:
    return User.register(
        email="Anna.Meier@Example.CH",
        display_name="  Anna   Meier ",
        locale=Locale.DE,
        password_hash="argon2-hash",
        at=NOW,
    )


def register(user: User | None = None, **overrides: object) -> Organisation:
    details: dict[str, object] = {
        "name": "Meier Hosting GmbH",
        "kind": OrganisationKind.COMPANY,
        "country": "ch",
        "locale": Locale.DE,
        "billing_email": "billing@meier.example",
        "legal_representative": user or anna(),
        "at": NOW,
    }
    details.update(overrides)
    return Organisation.register(**details)  # type: ignore[arg-type]


def test_the_person_signing_an_organisation_up_becomes_its_legal_representative() -> None:
    representative = anna()

    organisation = register(representative)

    assert organisation.memberships == (
        Membership(organisation.id, representative.id, Role.LEGAL_REPRESENTATIVE, NOW),
    )


def test_an_organisation_cannot_exist_without_a_legal_representative() -> None:
    organisation = register()
    administrators_only = (
        Membership(organisation.id, organisation.memberships[0].user_id, Role.ADMINISTRATOR, NOW),
    )

    with pytest.raises(LegalRepresentativeRequired):
        Organisation(
            id=organisation.id,
            name=organisation.name,
            kind=organisation.kind,
            country=organisation.country,
            locale=organisation.locale,
            billing_email=organisation.billing_email,
            registered_at=NOW,
            memberships=administrators_only,
        )


def test_a_country_is_stored_as_its_upper_case_iso_code() -> None:
    assert register(country=" de ").country == "DE"


@pytest.mark.parametrize("country", ["XX", "C", "CHE", "", "12", "UK"])
def test_a_country_must_be_an_assigned_iso_alpha_2_code(country: str) -> None:
    with pytest.raises(InvalidOrganisation, match="country code"):
        register(country=country)


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_an_organisation_needs_a_sensible_name(name: str) -> None:
    with pytest.raises(InvalidOrganisation):
        register(name=name)


def test_a_malformed_billing_address_is_refused() -> None:
    with pytest.raises(InvalidOrganisation, match="billing"):
        register(billing_email="billing.meier.example")


def test_names_are_trimmed_and_inner_spaces_collapsed() -> None:
    assert register(name="  Meier   Hosting ").name == "Meier Hosting"
    assert anna().display_name == "Anna Meier"


def test_email_addresses_are_compared_in_lower_case() -> None:
    assert anna().email == "anna.meier@example.ch"
    assert normalise_email(" ANNA.MEIER@example.ch ") == "anna.meier@example.ch"


@pytest.mark.parametrize("email", ["anna", "@example.ch", "anna@", "a@b@c", ""])
def test_something_that_is_not_an_email_address_is_refused(email: str) -> None:
    with pytest.raises(InvalidUser):
        normalise_email(email)


def test_a_password_needs_ten_characters() -> None:
    check_password_strength("0123456789")
    with pytest.raises(WeakPassword, match="at least 10"):
        check_password_strength("012345678")


def test_an_absurdly_long_password_is_refused() -> None:
    with pytest.raises(WeakPassword, match="at most"):
        check_password_strength("x" * 1025)


def test_a_users_password_hash_never_shows_in_its_repr() -> None:
    assert "argon2-hash" not in repr(anna())
