"""Security notices reach the person whatever they chose; a change of legal representative reaches the
organisation's representatives and administrators; new addresses and languages are followed."""

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from notify_harness import IDENTITY, RunningNotify, SmtpInbox
from test_partnership_notices import organisation_with_administrators, text_of

from tessera_devtools.testing import envelope, eventually
from tessera_events.identity import (
    ApiTokenDeactivationWarned,
    Locale,
    MembershipGranted,
    MembershipRevoked,
    Role,
    SecurityAlertKind,
    SecurityAlertRaised,
    UserProfileChanged,
)
from tessera_notify.domain.catalogue import Category

pytestmark = pytest.mark.integration


def alert(user_id: object, kind: SecurityAlertKind, detail: str | None = None) -> SecurityAlertRaised:
    return SecurityAlertRaised(
        alert_id=uuid4(), user_id=user_id, kind=kind, occurred_at=datetime.now(UTC), detail=detail
    )


async def test_a_person_who_switched_everything_off_still_hears_that_2fa_was_disabled_once(
    notify: RunningNotify, smtp_inbox: SmtpInbox
) -> None:
    issuer = await notify.trust_new_signing_key()
    user = await notify.register_user("Noemi Weber", Locale.DE)
    mine = issuer.headers({}, user_id=user.user_id)
    for category in Category:
        if not category.always_sent:
            answer = await notify.http.put(
                f"/v1/users/me/notification-preferences/{category.value}",
                json={"enabled": False},
                headers=mine,
            )
            assert answer.status_code == 200
    disabled = envelope(alert(user.user_id, SecurityAlertKind.TWO_FACTOR_DISABLED), source=IDENTITY)
    ignored = envelope(alert(user.user_id, SecurityAlertKind.PASSWORD_CHANGED), source=IDENTITY)

    await notify.kafka.publish(disabled)
    await notify.kafka.publish(disabled)  # a redelivery
    await notify.kafka.publish(ignored)
    rejected = envelope(
        alert(user.user_id, SecurityAlertKind.RECOVERY_REJECTED, "blurred ID"), source=IDENTITY
    )
    await notify.kafka.publish(rejected)  # same person, same partition: read after the redelivery
    [row] = await notify.deliveries_of(rejected.id, settled=1)

    subjects = [message["Subject"] for message in smtp_inbox.to(str(user.email))]
    assert subjects == [
        "Die Zwei-Faktor-Authentifizierung wurde deaktiviert",
        "Ihre Kontowiederherstellung wurde abgelehnt",
    ]
    assert "Grund: blurred ID" in text_of(smtp_inbox.to(str(user.email))[1])
    assert row["organisation_id"] is None
    assert row["category"] == "security"
    own = await notify.http.get("/v1/users/me/deliveries", params={"category": "security"}, headers=mine)
    assert [delivery["notification"] for delivery in own.json()] == [
        "recovery_rejected",
        "two_factor_disabled",
    ]
    assert await notify.count("SELECT 1 FROM deliveries WHERE cause_event_id = $1", ignored.id) == 0


async def test_the_next_notice_follows_a_new_address_and_language(
    notify: RunningNotify, smtp_inbox: SmtpInbox
) -> None:
    organisation = await notify.register_organisation("Token GmbH", Locale.DE, "DE")
    user = await notify.register_user("Tom Baker", Locale.EN)
    new_address = f"tom-{uuid4().hex[:8]}@example.net"
    changed = UserProfileChanged(
        user_id=user.user_id,
        email=new_address,
        display_name="Tom Baker",
        locale=Locale.FR,
        previous_email=user.email,
        changed_at=datetime.now(UTC),
    )
    await notify.kafka.publish(envelope(changed, source=IDENTITY))
    await eventually(
        lambda: notify.fetch("SELECT 1 FROM users WHERE id = $1 AND email = $2", user.user_id, new_address),
        what="the new address",
    )
    warned = envelope(
        ApiTokenDeactivationWarned(
            token_id=uuid4(),
            owner_user_id=user.user_id,
            organisation_id=organisation.organisation_id,
            token_name="ci-deploy",
            last_used_at=None,
            deactivates_on=date(2026, 12, 22),
        ),
        source=IDENTITY,
    )

    await notify.kafka.publish(warned)
    await notify.deliveries_of(warned.id, settled=1)

    assert smtp_inbox.to(str(user.email)) == []
    [message] = smtp_inbox.to(new_address)
    assert message["Subject"] == "Votre jeton d'API « ci-deploy » sera désactivé le 22 décembre 2026"
    assert "de Token GmbH n'a jamais été utilisé" in text_of(message)


async def test_representatives_and_administrators_hear_when_a_legal_representative_comes_or_goes(
    notify: RunningNotify, smtp_inbox: SmtpInbox
) -> None:
    organisation, [first, admin] = await organisation_with_administrators(
        notify,
        "Legal Rep AG",
        Locale.DE,
        "CH",
        ("Erika Muster", Locale.DE, Role.LEGAL_REPRESENTATIVE),
        ("Adam Admin", Locale.EN, Role.ADMINISTRATOR),
    )
    second = await notify.register_user("Sofia Rossi", Locale.IT)
    appointed = envelope(
        MembershipGranted(
            organisation_id=organisation.organisation_id,
            user_id=second.user_id,
            role=Role.LEGAL_REPRESENTATIVE,
        ),
        source=IDENTITY,
    )
    removed = envelope(
        MembershipRevoked(
            organisation_id=organisation.organisation_id,
            user_id=first.user_id,
            role=Role.LEGAL_REPRESENTATIVE,
            revoked_by_user_id=second.user_id,
            revoked_at=datetime.now(UTC),
        ),
        source=IDENTITY,
    )

    await notify.kafka.publish(appointed)
    await notify.kafka.publish(removed)
    told = await notify.deliveries_of(appointed.id, settled=3)
    retold = await notify.deliveries_of(removed.id, settled=2)

    assert {row["recipient"] for row in told} == {str(first.email), str(admin.email), str(second.email)}
    assert {row["recipient"] for row in retold} == {str(admin.email), str(second.email)}
    assert [message["Subject"] for message in smtp_inbox.to(str(admin.email))] == [
        "Legal Rep AG: legal representative changed",
        "Legal Rep AG: legal representative changed",
    ]
    assert "Sofia Rossi is now a legal representative of Legal Rep AG." in text_of(
        smtp_inbox.to(str(admin.email))[0]
    )
    assert "Erika Muster, rappresentante legale di Legal Rep AG, è stato rimosso" in text_of(
        smtp_inbox.to(str(second.email))[1]
    )
    # The organisation's first legal representative (at registration) was no news.
    first_grants = await notify.fetch(
        "SELECT 1 FROM deliveries WHERE notification = 'legal_representative_changed' AND recipient = $1",
        str(first.email),
    )
    assert len(first_grants) == 1


async def test_a_security_alert_that_arrives_before_the_person_is_sent_once_they_are_known(
    notify: RunningNotify, smtp_inbox: SmtpInbox
) -> None:
    user_id = uuid4()
    early = envelope(alert(user_id, SecurityAlertKind.RECOVERY_APPROVED), source=IDENTITY)

    await notify.kafka.publish(early)
    await notify.fetch_until("SELECT 1 FROM parked_events WHERE event_id = $1", early.id)
    await notify.kafka.publish(early)  # a redelivery while it waits
    user = await notify.register_user("Late Comer", Locale.IT, user_id=user_id)
    [row] = await notify.deliveries_of(early.id, settled=1)

    assert row["status"] == "delivered"
    [message] = smtp_inbox.to(str(user.email))
    assert message["Subject"] == "Il recupero del suo account è stato approvato"
    assert await notify.count("SELECT 1 FROM parked_events WHERE event_id = $1", early.id) == 0
