"""Billing's rules, free of I/O: money, periods, the catalogue, partnerships and who pays for what."""
