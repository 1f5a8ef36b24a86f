"""How broken rules answer: 422 for bad input, 409 for a clash with the state, 403 for the wrong side."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from tessera_kit.problems import Conflict, Forbidden, InvalidInput
from tessera_partnership.domain import errors
from tessera_partnership.domain.money import Money
from tessera_partnership.domain.programme import Application, ApplicationRefusedWith, Partner
from tessera_partnership.service_layer.problems import domain_rules, problem_of


@pytest.mark.parametrize(
    ("error", "problem"),
    [
        (errors.InvalidAccessScope("x"), InvalidInput),
        (errors.BillingModeNeedsFullAccess("x"), Conflict),
        (errors.PartnerAndAffiliate("x"), Conflict),
        (errors.OfferRequestClosed("x"), Conflict),
        (errors.OnlyClientChoosesPayer("x"), Forbidden),
        (errors.StaffNotPermitted("x"), Forbidden),
        (errors.AccessExpired("x"), Forbidden),
    ],
)
def test_each_family_of_rules_has_its_status(error: errors.PartnershipError, problem: type) -> None:
    assert isinstance(problem_of(error), problem)


def test_a_refused_application_lists_every_condition_in_the_problem() -> None:
    refused = Application("individual", "CH", None, "https://a.example.ch", None, True, Money(200_000, "CHF"))
    with pytest.raises(ApplicationRefusedWith) as caught:
        Partner.admit_application(uuid4(), refused, now=datetime.now(UTC))
    body = problem_of(caught.value).body()
    assert body["status"] == 422
    assert [(c["condition"], c["met"]) for c in body["conditions"]] == [
        ("company", False),
        ("registry_number", False),
        ("active_website", True),
        ("reseller_terms", True),
        ("annual_commitment", True),
    ]


def test_domain_rules_turn_a_broken_rule_into_its_problem() -> None:
    with pytest.raises(Forbidden), domain_rules():
        raise errors.ProposerCannotAccept("the partner proposed this")
