"""What a client may send: text PostgreSQL can store, and amounts and counts it can store.

PostgreSQL refuses U+0000 in ``text`` (SQLSTATE 22021) and integers beyond 64 bits (22003), and a
lone UTF-16 surrogate (JSON allows ``"\\ud800"``) cannot even be encoded as UTF-8 to be sent; all
used to reach the database and come back as 500s. Refusing them in the schema answers 422 problem+json
naming the field, before any work is done. Request bodies subclass :class:`RequestBody`, which checks
every string anywhere in the body (nested models, lists and keys included); single values such as
query parameters use :data:`Text`. Amounts are integer minor units and use :data:`AmountMinor`.
"""

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

NUL = "\x00"
# 100 million in major units (CHF, EUR): far beyond any invoice or top-up, far below 2^63.
MAX_AMOUNT_MINOR = 100_000_000_00
# Counts a client may ask for (quantities, pages): a million of anything is more than any request needs.
MAX_COUNT = 1_000_000
NUL_MESSAGE = "must not contain the NUL character (U+0000)"
SURROGATE_MESSAGE = "must not contain a lone UTF-16 surrogate (U+D800 to U+DFFF)"
_SURROGATE = re.compile("[\ud800-\udfff]")


def unstorable(value: str) -> str | None:
    """Why PostgreSQL cannot store ``value`` as text (None: it can)."""
    if NUL in value:
        return NUL_MESSAGE
    if _SURROGATE.search(value):
        return SURROGATE_MESSAGE
    return None


def storable_text(value: str) -> str:
    """``value`` unchanged; ValueError when it holds U+0000 or a lone surrogate."""
    if reason := unstorable(value):
        raise ValueError(reason)
    return value


Text = Annotated[str, AfterValidator(storable_text)]
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


def unstorable_in(value: object) -> str | None:
    """Why a decoded JSON value cannot be stored (a string, key or nested value holding U+0000 or a
    lone surrogate), or None."""
    if isinstance(value, str):
        return unstorable(value)
    if isinstance(value, Mapping):
        items: list[object] = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    else:
        return None
    return next((reason for item in items if (reason := unstorable_in(item))), None)


class RequestBody(BaseModel):
    """A request body: unknown fields are refused, and so is text PostgreSQL cannot store (U+0000, a
    lone surrogate) in any string of any field."""

    model_config = ConfigDict(extra="forbid")

    # "before": the raw value, so text inside lists, dicts and nested objects is seen whatever the
    # field's type (an enum, an e-mail address), and the error names the field it is in.
    @field_validator("*", mode="before")
    @classmethod
    def _refuse_unstorable_text(cls, value: Any) -> Any:
        if reason := unstorable_in(value):
            raise ValueError(reason)
        return value
