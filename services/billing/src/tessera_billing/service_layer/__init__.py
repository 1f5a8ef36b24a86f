"""Billing's use cases: one function each, one transaction each."""
