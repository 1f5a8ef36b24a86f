"""Alembic environment of the partnership service."""

from tessera_kit.migrations import run_env
from tessera_partnership.adapters.orm import Base
from tessera_partnership.config import PartnershipSettings

run_env(Base.metadata, lambda: PartnershipSettings().database_url)
