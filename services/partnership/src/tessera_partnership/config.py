"""Partnership's settings, from PARTNERSHIP_* environment variables."""

from uuid import UUID

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from tessera_kit.settings import ServiceSettings


class PartnershipSettings(ServiceSettings):
    """Settings of the partnership service."""

    model_config = SettingsConfigDict(env_prefix="PARTNERSHIP_", extra="ignore")

    service_name: str = "partnership"
    programme_admin_organisation_ids: list[UUID] = Field(
        default_factory=list,
        description=(
            "The operator organisations whose legal representatives and administrators run the partner "
            'programme (JSON list, e.g. ["…uuid…"]). Empty: nobody can approve partners.'
        ),
    )
    offer_link_key: SecretStr | None = Field(
        default=None,
        description=(
            "Key (at least 32 bytes) that verifies offer-request cancel links; notify signs them with the "
            "same key (NOTIFY_OFFER_LINK_KEY). Unset: cancel links answer 503."
        ),
    )
    website_check_enabled: bool = Field(
        default=True, description="Fetch an applicant's website to check that it answers."
    )
    website_check_timeout_seconds: float = Field(default=5.0, gt=0)
    proposal_valid_days: int = Field(default=14, ge=1, le=90, description="How long an invitation waits.")
    access_warning_days: int = Field(
        default=7, ge=1, le=60, description="How long before time-bound access ends both sides are warned."
    )
    offer_request_valid_days: int = Field(default=30, ge=1, le=90)
    schedule_sweep_seconds: float = Field(
        default=300.0, gt=0, description="Longest sleep of the scheduler between looks for due work."
    )

    @field_validator("offer_link_key")
    @classmethod
    def _long_enough(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and len(key.get_secret_value().encode()) < 32:
            raise ValueError("PARTNERSHIP_OFFER_LINK_KEY needs at least 32 bytes")
        return key
