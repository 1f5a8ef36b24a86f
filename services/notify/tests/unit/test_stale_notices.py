"""News too old to tell: a fresh notify deployment replaying a topic e-mails nobody about the past."""

from datetime import UTC, datetime, timedelta

from tessera_notify.domain.notices import too_old_to_tell

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
THREE_DAYS = timedelta(hours=72)


def test_a_change_made_minutes_ago_is_told() -> None:
    assert not too_old_to_tell(NOW - timedelta(minutes=5), NOW, THREE_DAYS)


def test_a_change_just_inside_the_limit_is_still_told() -> None:
    assert not too_old_to_tell(NOW - THREE_DAYS, NOW, THREE_DAYS)


def test_a_change_from_last_month_read_by_a_new_deployment_is_not_told() -> None:
    assert too_old_to_tell(NOW - timedelta(days=30), NOW, THREE_DAYS)
