"""``python -m tessera_notify``: the same command line as ``tessera-notify``."""

from tessera_notify.main import run

run()
