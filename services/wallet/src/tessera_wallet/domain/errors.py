"""What the wallet's rules refuse."""


class WalletRuleBroken(Exception):
    """A request breaks one of the wallet's rules."""


class InsufficientCredits(WalletRuleBroken):
    """A debit would take the balance below zero."""

    def __init__(self, requested_minor: int, available_minor: int) -> None:
        super().__init__(f"{requested_minor} requested, {available_minor} available")
        self.requested_minor = requested_minor
        self.available_minor = available_minor


class UnbalancedTransaction(WalletRuleBroken):
    """A ledger transaction whose entries do not sum to zero (a bug, never a user error)."""


class InvalidAutoRecharge(WalletRuleBroken):
    """Auto-recharge settings that cannot work."""
