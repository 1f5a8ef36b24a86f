"""Whether someone wants a notification: organisations and people switch categories off; security
notices go regardless."""

from tessera_notify.domain.catalogue import Category


class AlwaysSent(Exception):
    """Someone tried to switch off a category that is always sent (security notices)."""


def wanted(category: Category, organisation_choice: bool | None, person_choice: bool | None) -> bool:
    """Whether a notice of ``category`` goes out, given the concerned organisation's choice and the
    recipient's own (none: never chosen, which means yes). Either one saying no is enough."""
    if category.always_sent:
        return True
    return organisation_choice is not False and person_choice is not False


def check_may_switch(category: Category, enabled: bool) -> None:
    """Refuse to switch off a category that is always sent."""
    if category.always_sent and not enabled:
        raise AlwaysSent(f"{category.value} notices are always sent and cannot be switched off")
