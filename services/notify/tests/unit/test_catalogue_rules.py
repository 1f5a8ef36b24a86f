"""Who hears a notice, which categories can be switched off, and the wording decisions behind it."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from tessera_notify.domain.catalogue import CATALOGUE, Audience, Category
from tessera_notify.domain.notices import OrganisationContact, Person, audience_of, notices_for
from tessera_notify.domain.preferences import AlwaysSent, check_may_switch, wanted
from tessera_notify.domain.rules import (
    DunningStage,
    RechargeStage,
    RepresentationChange,
    dunning_stage,
    recharge_stage,
    representation_change,
)

ORGANISATION = OrganisationContact(uuid4(), "Alpenweb AG", "billing@alpenweb.example", "de", "CH")
ANNA = Person(uuid4(), "Anna Keller", "anna@alpenweb.example", "it")
MARCO = Person(uuid4(), "Marco Rossi", "BILLING@alpenweb.example", "en")
LATER = datetime(2026, 4, 1, tzinfo=UTC)


def test_billing_contact_and_administrators_each_hear_once_in_their_own_language() -> None:
    recipients = audience_of(Audience.BILLING_CONTACT_AND_ADMINISTRATORS, ORGANISATION, [ANNA])

    assert [(r.address, r.language, r.user_id) for r in recipients] == [
        ("anna@alpenweb.example", "it", ANNA.user_id),
        ("billing@alpenweb.example", "de", None),
    ]
    assert {r.country for r in recipients} == {"CH"}


def test_an_administrator_who_is_also_the_billing_contact_hears_once() -> None:
    recipients = audience_of(Audience.BILLING_CONTACT_AND_ADMINISTRATORS, ORGANISATION, [MARCO])

    assert [r.user_id for r in recipients] == [MARCO.user_id]


def test_administrators_unknown_to_notify_leave_the_billing_contact_to_tell() -> None:
    recipients = audience_of(Audience.ADMINISTRATORS, ORGANISATION, [])

    assert [r.address for r in recipients] == ["billing@alpenweb.example"]


def test_each_notice_greets_its_recipient_by_name() -> None:
    recipients = audience_of(Audience.BILLING_CONTACT_AND_ADMINISTRATORS, ORGANISATION, [ANNA])

    notices = notices_for("wallet_low_balance", recipients, {"auto_recharge_active": True})

    assert [notice.facts["recipient_name"] for notice in notices] == ["Anna Keller", "Alpenweb AG"]
    assert {notice.category for notice in notices} == {Category.WALLET}


def test_renewal_reminders_switched_off_by_the_organisation_or_the_person_are_not_sent() -> None:
    assert wanted(Category.RENEWAL_REMINDERS, None, None)
    assert not wanted(Category.RENEWAL_REMINDERS, False, None)
    assert not wanted(Category.RENEWAL_REMINDERS, None, False)
    assert not wanted(Category.RENEWAL_REMINDERS, True, False)


def test_security_notices_go_whatever_anyone_chose() -> None:
    assert wanted(Category.SECURITY, False, False)
    with pytest.raises(AlwaysSent):
        check_may_switch(Category.SECURITY, enabled=False)
    check_may_switch(Category.SECURITY, enabled=True)


def test_the_security_category_holds_the_account_notices() -> None:
    security = {name for name, kind in CATALOGUE.items() if kind.category is Category.SECURITY}

    assert security == {
        "two_factor_disabled",
        "recovery_approved",
        "recovery_rejected",
        "api_token_deactivation_warning",
        "api_token_deactivated",
        "legal_representative_changed",
    }


def test_dunning_is_worded_by_attempt_and_by_whether_another_follows() -> None:
    assert dunning_stage(1, LATER) is DunningStage.FIRST_FAILURE
    assert dunning_stage(3, LATER) is DunningStage.REMINDER
    assert dunning_stage(4, None) is DunningStage.FINAL


def test_a_failed_recharge_is_retried_given_up_or_paused() -> None:
    assert recharge_stage(False, LATER) is RechargeStage.RETRYING
    assert recharge_stage(False, None) is RechargeStage.GAVE_UP
    assert recharge_stage(True, None) is RechargeStage.PAUSED


def test_the_first_legal_representative_of_a_new_organisation_is_not_news() -> None:
    assert representation_change("legal_representative", None, had_other_representative=False) is None


def test_appointing_or_unmaking_a_legal_representative_is_a_change() -> None:
    appointed = representation_change("legal_representative", "member", had_other_representative=True)
    stepped_down = representation_change(
        "administrator", "legal_representative", had_other_representative=True
    )

    assert appointed is RepresentationChange.APPOINTED
    assert stepped_down is RepresentationChange.STEPPED_DOWN
    assert representation_change("administrator", "member", had_other_representative=True) is None
