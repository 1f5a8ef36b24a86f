"""Shared plumbing for every Tessera service, written once.

Outbox and relay, inbox and consumers with dead letters, telemetry, settings, database, health,
access-token verification and problem+json errors. A service composes them in its ``main.py``.
"""
