"""``python -m tessera_wallet``: the same as the ``tessera-wallet`` command."""

from tessera_wallet.main import run

run()
