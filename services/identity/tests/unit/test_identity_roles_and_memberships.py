"""An organisation always keeps a legal representative; each role may do what the seeds describe."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from tessera_identity.domain.errors import (
    AlreadyMember,
    InvalidOrganisation,
    LegalRepresentativeRequired,
    NotMember,
    VatTermsNotAccepted,
)
from tessera_identity.domain.model import Locale, Organisation, OrganisationKind, Role, User
from tessera_identity.domain.permissions import Action, action_for_membership_change, may

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def person(name: str) -> User:
    return User.register(
        email=f"{name}@meier.example", display_name=name, locale=Locale.DE, password_hash="h", at=NOW
    )


def organisation(kind: OrganisationKind = OrganisationKind.COMPANY, country: str = "DE") -> Organisation:
    return Organisation.register(
        name="Meier Hosting GmbH",
        kind=kind,
        country=country,
        locale=Locale.DE,
        billing_email="billing@meier.example",
        legal_representative=person("anna"),
        at=NOW,
    )


def test_removing_the_only_legal_representative_is_refused_asking_to_name_another_first() -> None:
    org = organisation()
    [anna] = org.memberships

    with pytest.raises(LegalRepresentativeRequired, match="Name another legal representative first"):
        org.without(anna.user_id)


def test_demoting_the_only_legal_representative_is_refused() -> None:
    org = organisation()
    [anna] = org.memberships

    with pytest.raises(LegalRepresentativeRequired, match="cannot demote the last legal representative"):
        org.with_role(anna.user_id, Role.ADMINISTRATOR)


def test_with_a_second_legal_representative_the_first_can_leave() -> None:
    org = organisation()
    [anna] = org.memberships
    bruno = uuid4()

    org = org.admit(bruno, Role.MEMBER, NOW)
    org, previous = org.with_role(bruno, Role.LEGAL_REPRESENTATIVE)
    org, ended = org.without(anna.user_id)

    assert previous is Role.MEMBER
    assert ended.role is Role.LEGAL_REPRESENTATIVE
    assert [(m.user_id, m.role) for m in org.memberships] == [(bruno, Role.LEGAL_REPRESENTATIVE)]


def test_a_person_is_admitted_once_and_only_members_change() -> None:
    org = organisation()
    [anna] = org.memberships

    with pytest.raises(AlreadyMember):
        org.admit(anna.user_id, Role.MEMBER, NOW)
    with pytest.raises(NotMember):
        org.without(uuid4())


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.LEGAL_REPRESENTATIVE, set(Action)),
        (
            Role.ADMINISTRATOR,
            {
                Action.VIEW,
                Action.EDIT_PROFILE,
                Action.MANAGE_MEMBERS,
                Action.MANAGE_ALL_API_TOKENS,
                Action.CREATE_API_TOKEN,
            },
        ),
        (Role.MEMBER, {Action.VIEW, Action.CREATE_API_TOKEN}),
    ],
)
def test_each_role_may_do_what_it_is_for(role: Role, allowed: set[Action]) -> None:
    assert {action for action in Action if may(role, action)} == allowed


def test_only_a_legal_representative_names_or_removes_legal_representatives() -> None:
    assert (
        action_for_membership_change(None, Role.LEGAL_REPRESENTATIVE) is Action.MANAGE_LEGAL_REPRESENTATIVES
    )
    assert (
        action_for_membership_change(Role.LEGAL_REPRESENTATIVE, None) is Action.MANAGE_LEGAL_REPRESENTATIVES
    )
    assert action_for_membership_change(Role.MEMBER, Role.ADMINISTRATOR) is Action.MANAGE_MEMBERS
    assert not may(Role.ADMINISTRATOR, Action.MANAGE_LEGAL_REPRESENTATIVES)


def test_a_vat_number_needs_the_terms_accepted_and_records_who_accepted_them_and_when() -> None:
    org = organisation()
    anna = org.memberships[0].user_id

    with pytest.raises(VatTermsNotAccepted):
        org.with_vat_number("DE136695976", terms_accepted=False, by=anna, at=NOW)
    with_vat = org.with_vat_number("DE136695976", terms_accepted=True, by=anna, at=NOW)

    assert with_vat.tax_ids.vat_number == "DE136695976"
    assert (with_vat.tax_ids.vat_terms_accepted_by, with_vat.tax_ids.vat_terms_accepted_at) == (anna, NOW)
    assert with_vat.with_vat_number(None, terms_accepted=False, by=anna, at=NOW).tax_ids.vat_number is None


def test_an_individual_gives_no_vat_number() -> None:
    org = organisation(OrganisationKind.INDIVIDUAL)

    with pytest.raises(InvalidOrganisation, match="only a company"):
        org.with_vat_number("DE136695976", terms_accepted=True, by=uuid4(), at=NOW)
