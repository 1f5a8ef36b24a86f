"""``python -m tessera_identity``: the same as the ``tessera-identity`` command."""

from tessera_identity.main import run

run()
