"""How broken domain rules reach the caller: as problem+json with the right status."""

from collections.abc import Iterator
from contextlib import contextmanager

from tessera_kit.problems import Conflict, Forbidden, InvalidInput, Problem
from tessera_partnership.domain import errors
from tessera_partnership.domain.programme import ApplicationRefusedWith


def problem_of(error: errors.PartnershipError) -> Problem:
    """The problem answering a broken rule: 422 for bad input, 409 for a clash with state, 403 for the
    wrong side. A refused application lists every condition, met or not."""
    if isinstance(error, ApplicationRefusedWith):
        return InvalidInput(
            str(error),
            conditions=[
                {"condition": check.condition.value, "met": check.met, "detail": check.detail}
                for check in error.checks
            ],
        )
    if isinstance(error, errors.NotAllowed):
        return Forbidden(str(error))
    if isinstance(error, errors.StateConflict):
        return Conflict(str(error))
    return InvalidInput(str(error))


@contextmanager
def domain_rules() -> Iterator[None]:
    """Turn a broken partnership rule raised inside the block into its problem."""
    try:
        yield
    except errors.PartnershipError as error:
        raise problem_of(error) from error
