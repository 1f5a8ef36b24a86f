"""``python -m tessera_partnership``."""

from tessera_partnership.main import run

run()
