"""``python -m tessera_billing``: the same as the ``tessera-billing`` command."""

from tessera_billing.main import run

run()
