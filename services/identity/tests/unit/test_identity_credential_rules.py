"""API tokens refused when revoked, expired or a year unused; 2FA lockout; key rotation steps."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from cryptography.fernet import Fernet

from tessera_identity.adapters.secrets import (
    SecretBox,
    new_api_token,
    new_app_password,
    new_backup_code,
    normalise_code,
)
from tessera_identity.config import IdentitySettings
from tessera_identity.domain.api_tokens import (
    ApiToken,
    Application,
    DeactivationReason,
    InvalidApiToken,
    next_sweep_at,
    sweep_action,
)
from tessera_identity.domain.signing_keys import KeyPair, RotationPolicy, SigningKey, next_rotation_step_at
from tessera_identity.domain.two_factor import TwoFactor

MADE = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def token(expires_at: datetime | None = None) -> ApiToken:
    return ApiToken.create(
        organisation_id=uuid4(),
        owner_user_id=uuid4(),
        name="deploy pipeline",
        application=Application.BILLING,
        permissions=["invoices:read", "invoices:read", "products:write"],
        expires_at=expires_at,
        at=MADE,
    )


def test_a_new_token_is_unlimited_by_default_and_keeps_its_permissions_once_each() -> None:
    made = token()

    assert made.expires_at is None
    assert made.permissions == ("invoices:read", "products:write")
    assert made.refusal_at(MADE + 300 * DAY) is None


@pytest.mark.parametrize("permissions", [[], ["everything"], ["invoices:delete"]])
def test_a_token_needs_well_formed_permissions(permissions: list[str]) -> None:
    with pytest.raises(InvalidApiToken):
        ApiToken.create(
            organisation_id=uuid4(),
            owner_user_id=uuid4(),
            name="x",
            application=Application.BILLING,
            permissions=permissions,
            expires_at=None,
            at=MADE,
        )


def test_an_unused_token_is_warned_335_days_after_its_last_use_then_deactivated_30_days_later() -> None:
    unused = token()

    assert sweep_action(unused, MADE + 334 * DAY) is None
    assert next_sweep_at(unused) == MADE + 335 * DAY
    assert sweep_action(unused, MADE + 335 * DAY) == "warn"
    warned = unused.warned(MADE + 335 * DAY)
    assert sweep_action(warned, MADE + 364 * DAY) is None
    assert next_sweep_at(warned) == MADE + 365 * DAY
    assert sweep_action(warned, MADE + 365 * DAY) is DeactivationReason.UNUSED


def test_a_warning_sent_late_still_gives_the_owner_30_days() -> None:
    warned_late = token().warned(MADE + 400 * DAY)  # identity was down when the warning was due

    assert warned_late.deactivation_due_at == MADE + 430 * DAY
    assert sweep_action(warned_late, MADE + 429 * DAY) is None
    assert warned_late.refusal_at(MADE + 429 * DAY) is None


def test_using_a_token_starts_its_year_again_and_forgets_the_warning() -> None:
    used = token().warned(MADE + 335 * DAY).used(MADE + 340 * DAY)

    assert used.deactivation_warned_at is None
    assert sweep_action(used, MADE + 365 * DAY) is None
    assert used.warning_due_at == MADE + 675 * DAY


def test_expired_revoked_and_deactivated_tokens_are_refused() -> None:
    expiring = token(expires_at=MADE + 30 * DAY)

    assert expiring.refusal_at(MADE + 29 * DAY) is None
    assert expiring.refusal_at(MADE + 30 * DAY) == "this API token has expired"
    assert sweep_action(expiring, MADE + 30 * DAY) is DeactivationReason.EXPIRED
    assert (
        token().deactivated(DeactivationReason.REVOKED, MADE).refusal_at(MADE) == "this API token was revoked"
    )
    assert "deactivated" in str(token().deactivated(DeactivationReason.UNUSED, MADE).refusal_at(MADE))
    assert "unused for a year" in str(token().refusal_at(MADE + 366 * DAY))


def test_secrets_are_long_and_typed_codes_match_however_they_are_spaced() -> None:
    code = new_backup_code()

    assert len(new_api_token()) > 40
    assert len(new_app_password().replace("-", "")) == 16
    assert normalise_code(code.upper().replace("-", " ")) == code


def test_the_next_key_is_published_ahead_and_takes_over_at_its_not_before() -> None:
    policy = RotationPolicy(
        interval=30 * DAY, publish_ahead=timedelta(minutes=10), grace=timedelta(minutes=16)
    )
    pair = KeyPair("private", "public")
    active = SigningKey.create(pair, MADE)
    upcoming = SigningKey.next(pair, MADE + 30 * DAY)

    assert next_rotation_step_at(active, None, policy) == MADE + 30 * DAY - timedelta(minutes=10)
    assert next_rotation_step_at(active, upcoming, policy) == MADE + 30 * DAY
    assert not upcoming.signs_at(MADE + 29 * DAY)
    retired = active.retiring(MADE + 30 * DAY, policy.grace)
    assert retired.verifies_at(MADE + 30 * DAY + timedelta(minutes=15))
    assert not retired.verifies_at(MADE + 30 * DAY + timedelta(minutes=16))
    assert not retired.signs_at(MADE + 30 * DAY)


def test_five_wrong_codes_in_a_row_lock_codes_out_for_a_quarter_of_an_hour() -> None:
    state = TwoFactor(secret="S", enabled_at=MADE)
    for _ in range(4):
        state = state.failed(MADE)
    assert not state.locked_at(MADE)

    locked = state.failed(MADE)

    assert locked.locked_at(MADE + timedelta(minutes=14))
    assert not locked.locked_at(MADE + timedelta(minutes=15))
    assert locked.failures == 0
    assert state.passed(7).failures == 0
    assert state.passed(None).last_step is None


def test_secrets_are_sealed_at_rest_and_read_back_with_any_of_the_keys() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = SecretBox([old]).seal("JBSWY3DPEHPK3PXP")

    assert sealed is not None
    assert sealed.startswith("fernet:")
    assert "JBSWY3DPEHPK3PXP" not in sealed
    assert SecretBox([new, old]).open(sealed) == "JBSWY3DPEHPK3PXP"
    assert SecretBox().open("JBSWY3DPEHPK3PXP") == "JBSWY3DPEHPK3PXP"  # stored before keys were set
    with pytest.raises(RuntimeError, match="IDENTITY_ENCRYPTION_KEYS"):
        SecretBox().open(sealed)


def test_outside_development_identity_refuses_to_start_without_encryption_keys() -> None:
    url = "postgresql+asyncpg://identity@127.0.0.1/identity"

    with pytest.raises(ValueError, match="IDENTITY_ENCRYPTION_KEYS is empty"):
        IdentitySettings(database_url=url)
    assert IdentitySettings(database_url=url, environment="development").encryption_keys == []
    assert IdentitySettings(database_url=url, encryption_keys=[Fernet.generate_key().decode()])
    with pytest.raises(ValueError, match="access_token_lifetime_seconds"):
        IdentitySettings(database_url=url, environment="development", access_token_lifetime_seconds=900)
