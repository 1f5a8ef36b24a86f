"""Billing's database: tables, queries and the unit of work."""
