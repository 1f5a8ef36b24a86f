"""wallet's rules: the ledger, the order credits are spent in, auto-recharge. No I/O here."""
