"""Work identity does on its own: keep a signing key and rotate it, sweep unused API tokens, and
forget failed sign-ins whose window ended.

Each job computes when it next has work and sleeps until then (never longer than a cap, so a
change made meanwhile by another replica or an operator is picked up)."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

import structlog

from tessera_identity.adapters.keys import generate_ed25519_key_pair
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.config import IdentitySettings
from tessera_identity.service_layer.api_tokens import next_sweep_due, sweep_api_tokens
from tessera_identity.service_layer.attempts import forget_old_attempts
from tessera_identity.service_layer.signing_keys import ensure_signing_key, rotate_when_due
from tessera_kit.service import Runtime

log = structlog.get_logger(__name__)
Job = Callable[[Runtime[IdentityUnitOfWork]], Awaitable[None]]
_ROTATION_CHECK_CAP_SECONDS = 300.0
_ATTEMPTS_CLEANUP_SECONDS = 600.0


def signing_keys_job(settings: IdentitySettings) -> Job:
    """Make sure a key signs tokens (making and publishing one on first start), then rotate it."""

    async def keep_signing_keys(runtime: Runtime[IdentityUnitOfWork]) -> None:
        key = await ensure_signing_key(runtime.unit_of_work(), generate_ed25519_key_pair)
        log.info("signing key ready", key_id=key.key_id, not_before=key.not_before.isoformat())
        while True:
            due = await rotate_when_due(
                runtime.unit_of_work(), generate_ed25519_key_pair, settings.rotation_policy
            )
            await asyncio.sleep(seconds_until(due, runtime.clock.now(), _ROTATION_CHECK_CAP_SECONDS))

    return keep_signing_keys


def api_token_sweep_job(settings: IdentitySettings) -> Job:
    """Warn about, then deactivate, API tokens unused for a year; deactivate expired ones."""

    async def sweep_unused_api_tokens(runtime: Runtime[IdentityUnitOfWork]) -> None:
        while True:
            while (acted := await sweep_api_tokens(runtime.unit_of_work())) > 0:
                log.info("api tokens swept", acted=acted)
            due = await next_sweep_due(runtime.unit_of_work())
            await asyncio.sleep(
                seconds_until(due, runtime.clock.now(), settings.api_token_sweep_max_sleep_seconds)
            )

    return sweep_unused_api_tokens


def attempts_cleanup_job(settings: IdentitySettings) -> Job:
    """Delete failed-sign-in counters once their window has ended (a guesser's many addresses and
    made-up e-mail addresses would otherwise pile up)."""
    window = settings.attempt_limits.window

    async def forget_old_sign_in_attempts(runtime: Runtime[IdentityUnitOfWork]) -> None:
        while True:
            await forget_old_attempts(runtime.unit_of_work(), window)
            await asyncio.sleep(max(window.total_seconds(), _ATTEMPTS_CLEANUP_SECONDS))

    return forget_old_sign_in_attempts


def seconds_until(due: datetime | None, now: datetime, cap: float) -> float:
    """How long to sleep until ``due`` (at least a moment, at most ``cap``)."""
    if due is None:
        return cap
    return min(cap, max(0.05, (due - now).total_seconds()))
