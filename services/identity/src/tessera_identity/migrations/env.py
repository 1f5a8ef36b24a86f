"""Alembic environment of identity's database."""

from tessera_identity.adapters.orm import Base
from tessera_identity.config import IdentitySettings
from tessera_kit.migrations import run_env

run_env(Base.metadata, lambda: IdentitySettings().database_url)
