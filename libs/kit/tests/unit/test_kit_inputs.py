"""Request bodies refuse NUL in any text, and amounts beyond what PostgreSQL's bigint holds."""

import pytest
from pydantic import BaseModel, Field, ValidationError

from tessera_kit.inputs import (
    MAX_AMOUNT_MINOR,
    NUL_MESSAGE,
    SURROGATE_MESSAGE,
    AmountMinor,
    RequestBody,
    Text,
    unstorable_in,
)


class Contact(BaseModel):
    name: str


class Order(RequestBody):
    title: str = Field(max_length=100)
    languages: list[str] = []
    contact: Contact | None = None
    labels: dict[str, str] = {}
    amount_minor: AmountMinor = 100


class Search(BaseModel):
    q: Text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "shop\x00"}, "title"),
        ({"title": "shop", "languages": ["de", "\x00"]}, "languages"),
        ({"title": "shop", "contact": {"name": "An\x00na"}}, "contact"),
        ({"title": "shop", "labels": {"\x00": "key"}}, "labels"),
    ],
)
def test_nul_anywhere_in_a_body_is_refused_at_its_field(body: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Order.model_validate(body)

    [error] = refused.value.errors()
    assert error["loc"] == (field,)
    assert "NUL" in error["msg"]


@pytest.mark.parametrize("amount", [0, -1, MAX_AMOUNT_MINOR + 1, 2**63, 10**30])
def test_amounts_outside_one_minor_unit_to_the_maximum_are_refused(amount: int) -> None:
    with pytest.raises(ValidationError):
        Order.model_validate({"title": "shop", "amount_minor": amount})


def test_unknown_fields_are_refused_and_good_bodies_pass() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        Order.model_validate({"title": "shop", "discount": 100})

    order = Order.model_validate({"title": "Bäckerei Müller", "amount_minor": MAX_AMOUNT_MINOR})
    assert order.amount_minor == MAX_AMOUNT_MINOR


def test_text_refuses_nul_and_keeps_everything_else() -> None:
    assert Search(q="Genève — 100 %").q == "Genève — 100 %"
    with pytest.raises(ValidationError, match="NUL"):
        Search(q="a\x00b")
    assert unstorable_in(["a", {"b": ("c", "\x00")}]) == NUL_MESSAGE
    assert unstorable_in({"a": [1, 2.5, None, True]}) is None


def test_a_lone_surrogate_anywhere_in_a_body_is_refused_like_a_nul() -> None:
    assert unstorable_in({"name": ["ok", "ZX\udabe\udd5e"]}) == SURROGATE_MESSAGE
    assert unstorable_in("a paired surrogate is just a character: \U0001f600") is None
