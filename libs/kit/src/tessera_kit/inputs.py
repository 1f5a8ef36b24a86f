"""What a client may send: text without NUL characters, and amounts and counts PostgreSQL can store.

PostgreSQL refuses U+0000 in ``text`` (SQLSTATE 22021) and integers beyond 64 bits (22003); both used
to reach the database and come back as 500s. Refusing them in the schema answers 422 problem+json
naming the field, before any work is done. Request bodies subclass :class:`RequestBody`, which checks
every string anywhere in the body (nested models, lists and keys included); single values such as
query parameters use :data:`Text`. Amounts are integer minor units and use :data:`AmountMinor`.
"""

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

NUL = "\x00"
# 100 million in major units (CHF, EUR): far beyond any invoice or top-up, far below 2^63.
MAX_AMOUNT_MINOR = 100_000_000_00
# Counts a client may ask for (quantities, pages): a million of anything is more than any request needs.
MAX_COUNT = 1_000_000
NUL_MESSAGE = "must not contain the NUL character (U+0000)"


def without_nul(value: str) -> str:
    """``value`` unchanged; ValueError when it holds U+0000."""
    if NUL in value:
        raise ValueError(NUL_MESSAGE)
    return value


Text = Annotated[str, AfterValidator(without_nul)]
"""A string without U+0000 (e.g. a query parameter: ``q: Annotated[Text | None, Query(max_length=100)]``)."""

AmountMinor = Annotated[
    int, Field(gt=0, le=MAX_AMOUNT_MINOR, description="Integer minor units, e.g. 2500 = 25.00.")
]
"""A positive amount in minor units, at most :data:`MAX_AMOUNT_MINOR`."""

AmountMinorOrZero = Annotated[
    int, Field(ge=0, le=MAX_AMOUNT_MINOR, description="Integer minor units, e.g. 2500 = 25.00.")
]
"""An amount in minor units that may be zero, at most :data:`MAX_AMOUNT_MINOR`."""

Count = Annotated[int, Field(ge=1, le=MAX_COUNT)]
"""How many of something: 1 to :data:`MAX_COUNT`."""


def contains_nul(value: object) -> bool:
    """Whether a decoded JSON value holds U+0000 in any string, key or nested value."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, Mapping):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(contains_nul(item) for item in value)
    return False


class RequestBody(BaseModel):
    """A request body: unknown fields are refused, and so is U+0000 in any string of any field."""

    model_config = ConfigDict(extra="forbid")

    # "before": the raw value, so text inside lists, dicts and nested objects is seen whatever the
    # field's type (an enum, an e-mail address), and the error names the field it is in.
    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if contains_nul(value):
            raise ValueError(NUL_MESSAGE)
        return value
