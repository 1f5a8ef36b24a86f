"""Renewals, invoices, payments and the wallet: the payer hears it, unless it switched the category off."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from notify_harness import BILLING, WALLET, RunningNotify, SmtpInbox
from test_partnership_notices import organisation_with_administrators, text_of

from tessera_devtools.testing import envelope
from tessera_events import Currency, Money
from tessera_events.billing import (
    InvoiceIssued,
    PaymentFailed,
    PaymentSucceeded,
    ReminderKind,
    RenewalReminderDue,
    TaxTreatment,
)
from tessera_events.identity import Locale, Role
from tessera_events.wallet import Balance, LowBalance, RechargeFailed

pytestmark = pytest.mark.integration


def chf(amount_minor: int) -> Money:
    return Money(amount_minor=amount_minor, currency=Currency.CHF)


def reminder(kind: ReminderKind, payer_id: object, owner_id: object) -> RenewalReminderDue:
    return RenewalReminderDue(
        reminder_id=uuid4(),
        subscription_id=uuid4(),
        owner_organisation_id=owner_id,
        payer_organisation_id=payer_id,
        kind=kind,
        product_code="web-hosting-pro",
        product_name="Web Hosting Pro",
        price=chf(11900),
        renews_on=date(2026, 12, 15),
        lead_days=30 if kind is ReminderKind.RENEWAL_REMINDER else 14,
        due_at=datetime.now(UTC),
    )


async def test_renewal_reminders_switched_off_by_the_organisation_are_not_sent_but_the_auto_renewal_notice_is(
    notify: RunningNotify, smtp_inbox: SmtpInbox
) -> None:
    issuer = await notify.trust_new_signing_key()
    payer, [anna, bruno] = await organisation_with_administrators(
        notify,
        "Reminder Test AG",
        Locale.DE,
        "CH",
        ("Anna Huber", Locale.DE, Role.LEGAL_REPRESENTATIVE),
        ("Bruno Meier", Locale.IT, Role.ADMINISTRATOR),
    )
    admin = issuer.headers({payer.organisation_id: Role.ADMINISTRATOR}, user_id=bruno.user_id)
    url = f"/v1/organisations/{payer.organisation_id}/notification-preferences"

    switched = await notify.http.put(f"{url}/renewal_reminders", json={"enabled": False}, headers=admin)
    listed = await notify.http.get(url, headers=admin)
    reminded = envelope(
        reminder(ReminderKind.RENEWAL_REMINDER, payer.organisation_id, payer.organisation_id), source=BILLING
    )
    auto = envelope(
        reminder(ReminderKind.AUTO_RENEWAL_NOTICE, payer.organisation_id, payer.organisation_id),
        source=BILLING,
    )
    await notify.kafka.publish(reminded)
    await notify.kafka.publish(auto)
    suppressed = await notify.deliveries_of(reminded.id, settled=3)
    noticed = await notify.deliveries_of(auto.id, settled=3)

    assert switched.status_code == 200
    assert switched.json() == {
        "category": "renewal_reminders",
        "enabled": False,
        "always_sent": False,
        "notifications": ["renewal_reminder"],
    }
    assert {choice["category"]: choice["enabled"] for choice in listed.json()}["renewal_reminders"] is False
    assert {row["status"] for row in suppressed} == {"suppressed"}
    assert {row["status"] for row in noticed} == {"delivered"}
    assert {row["recipient"] for row in noticed} == {payer.billing_email, str(anna.email), str(bruno.email)}
    [to_bruno] = smtp_inbox.to(str(bruno.email))
    assert to_bruno["Subject"] == "Rinnovo automatico di Web Hosting Pro il 15 dicembre 2026"
    assert "CHF 119.00 saranno addebitati" in text_of(to_bruno)
    log = await notify.http.get(
        f"/v1/organisations/{payer.organisation_id}/deliveries",
        params={"status": "suppressed"},
        headers=admin,
    )
    assert {delivery["notification"] for delivery in log.json()} == {"renewal_reminder"}
    assert {delivery["last_error"] for delivery in log.json()} == {
        "renewal_reminders notifications are switched off"
    }


async def test_only_administrators_choose_and_nobody_switches_off_security_notices(
    notify: RunningNotify,
) -> None:
    issuer = await notify.trust_new_signing_key()
    organisation = await notify.register_organisation("Prefs SA", Locale.FR, "CH")
    url = f"/v1/organisations/{organisation.organisation_id}/notification-preferences"
    member = issuer.headers({organisation.organisation_id: Role.MEMBER})
    admin = issuer.headers({organisation.organisation_id: Role.ADMINISTRATOR})
    outsider = issuer.headers({uuid4(): Role.ADMINISTRATOR})

    as_member = await notify.http.put(f"{url}/invoices", json={"enabled": False}, headers=member)
    as_outsider = await notify.http.put(f"{url}/invoices", json={"enabled": False}, headers=outsider)
    security = await notify.http.put(f"{url}/security", json={"enabled": False}, headers=admin)
    own_security = await notify.http.put(
        "/v1/users/me/notification-preferences/security", json={"enabled": False}, headers=member
    )
    unknown = await notify.http.put(f"{url}/newsletters", json={"enabled": False}, headers=admin)
    not_a_bool = await notify.http.put(f"{url}/invoices", json={"enabled": "no"}, headers=admin)
    member_reads = await notify.http.get(url, headers=member)

    assert as_member.status_code == 403
    assert as_outsider.status_code == 404
    assert security.status_code == 422
    assert own_security.status_code == 422
    assert unknown.status_code == 422
    assert not_a_bool.status_code == 422
    for refused in (as_member, as_outsider, security, unknown):
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert member_reads.status_code == 200
    assert {choice["category"] for choice in member_reads.json() if choice["always_sent"]} == {"security"}


async def test_invoice_payment_and_dunning_reach_the_payer_worded_by_how_far_dunning_went(
    notify: RunningNotify, smtp_inbox: SmtpInbox
) -> None:
    issuer = await notify.trust_new_signing_key()
    payer, [clara] = await organisation_with_administrators(
        notify, "Dunning Sarl", Locale.FR, "FR", ("Clara Petit", Locale.FR, Role.LEGAL_REPRESENTATIVE)
    )
    owner = await notify.register_organisation("Client Géré SA", Locale.FR, "FR")
    mine = issuer.headers({payer.organisation_id: Role.LEGAL_REPRESENTATIVE}, user_id=clara.user_id)
    await notify.http.put(
        "/v1/users/me/notification-preferences/payment_problems", json={"enabled": False}, headers=mine
    )
    invoice_id = uuid4()
    issued = envelope(
        InvoiceIssued(
            invoice_id=invoice_id,
            number="FR-2026-000123",
            payer_organisation_id=payer.organisation_id,
            owner_organisation_id=owner.organisation_id,
            relationship_id=uuid4(),
            partner_organisation_id=payer.organisation_id,
            subtotal=chf(10000),
            tax=chf(2000),
            total=chf(12000),
            tax_treatment=TaxTreatment.STANDARD_RATE,
            issued_at=datetime.now(UTC),
            due_on=date(2026, 12, 31),
        ),
        source=BILLING,
    )
    failed = [
        envelope(
            PaymentFailed(
                payment_id=uuid4(),
                invoice_id=invoice_id,
                invoice_number="FR-2026-000123",
                payer_organisation_id=payer.organisation_id,
                amount=chf(12000),
                attempt=attempt,
                failure_reason="card_declined",
                next_attempt_at=next_attempt_at,
                failed_at=datetime.now(UTC),
            ),
            source=BILLING,
        )
        for attempt, next_attempt_at in ((1, datetime.now(UTC) + timedelta(days=3)), (4, None))
    ]
    paid = envelope(
        PaymentSucceeded(
            payment_id=uuid4(),
            invoice_id=invoice_id,
            payer_organisation_id=payer.organisation_id,
            amount=chf(12000),
            card_last4="4242",
            succeeded_at=datetime.now(UTC),
        ),
        source=BILLING,
    )

    for event in (issued, *failed, paid):
        await notify.kafka.publish(event)
    await notify.deliveries_of(issued.id, settled=1)
    first, final = [await notify.deliveries_of(event.id, settled=2) for event in failed]
    await notify.deliveries_of(paid.id, settled=1)

    subjects = [message["Subject"] for message in smtp_inbox.to(payer.billing_email)]
    assert subjects[0].startswith("Facture FR-2026-000123 : 120,00")
    assert "Client Géré SA" in text_of(smtp_inbox.to(payer.billing_email)[0])
    assert subjects[1:] == [
        "Le paiement de la facture FR-2026-000123 a échoué",
        "Dernier avis : la facture FR-2026-000123 reste impayée",
        "Paiement de 120,00\u00a0CHF reçu pour la facture FR-2026-000123",
    ]
    assert {row["recipient"]: row["status"] for row in first + final} == {
        payer.billing_email: "delivered",
        str(clara.email): "suppressed",
    }
    assert smtp_inbox.to(str(clara.email)) == []


async def test_wallet_owners_hear_of_low_balance_and_paused_auto_recharge(
    notify: RunningNotify, smtp_inbox: SmtpInbox
) -> None:
    organisation, [ines] = await organisation_with_administrators(
        notify, "Wallet SL", Locale.ES, "ES", ("Ines Vidal", Locale.ES, Role.ADMINISTRATOR)
    )
    wallet_id = uuid4()
    balance = Balance(paid=chf(500), complimentary=chf(0))
    low = envelope(
        LowBalance(
            wallet_id=wallet_id,
            organisation_id=organisation.organisation_id,
            balance=balance,
            threshold=chf(1000),
            auto_recharge_active=True,
            noticed_at=datetime.now(UTC),
        ),
        source=WALLET,
    )
    paused = envelope(
        RechargeFailed(
            wallet_id=wallet_id,
            organisation_id=organisation.organisation_id,
            recharge_id=uuid4(),
            amount=chf(5000),
            reason="card expired",
            failures_in_a_row=3,
            next_attempt_at=None,
            paused=True,
            failed_at=datetime.now(UTC),
        ),
        source=WALLET,
    )

    await notify.kafka.publish(low)
    await notify.kafka.publish(paused)
    await notify.deliveries_of(paused.id, settled=2)

    for address in (organisation.billing_email, str(ines.email)):
        subjects = [message["Subject"] for message in smtp_inbox.to(address)]
        assert subjects == [
            "El saldo de su monedero es bajo",
            "La recarga automática de su monedero está en pausa",
        ]
    assert "Tras 3 fallos seguidos" in text_of(smtp_inbox.to(str(ines.email))[1])
