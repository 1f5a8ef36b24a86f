"""Cards on file: exactly one primary card whenever there is any, and who takes over when it goes."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from tessera_billing.domain.payments import Card, CardsOnFile, UnknownCard

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def _card(name: str) -> Card:
    return Card(f"pm_{name}", "visa", "4242", 1, 2031)


def test_the_first_card_saved_becomes_primary_and_later_ones_do_not() -> None:
    cards = CardsOnFile(uuid4())

    assert cards.add(_card("a"), NOW) is True
    assert cards.add(_card("b"), NOW + timedelta(minutes=1)) is False
    assert cards.primary is not None
    assert cards.primary.card.payment_method_id == "pm_a"


def test_saving_the_same_card_twice_keeps_one() -> None:
    cards = CardsOnFile(uuid4())
    cards.add(_card("a"), NOW)

    assert cards.add(_card("a"), NOW) is False
    assert len(cards.cards) == 1


def test_choosing_another_primary_card_leaves_exactly_one_primary() -> None:
    cards = CardsOnFile(uuid4())
    cards.add(_card("a"), NOW)
    cards.add(_card("b"), NOW + timedelta(minutes=1))

    assert cards.make_primary("pm_b") is True
    assert cards.make_primary("pm_b") is False
    assert [saved.primary for saved in cards.cards] == [False, True]


def test_removing_the_primary_card_hands_over_to_the_newest_other_card() -> None:
    cards = CardsOnFile(uuid4())
    for minute, name in enumerate("abc"):
        cards.add(_card(name), NOW + timedelta(minutes=minute))

    assert cards.remove("pm_a") is True
    assert cards.primary is not None
    assert cards.primary.card.payment_method_id == "pm_c"


def test_removing_the_last_card_leaves_no_primary_and_says_so() -> None:
    cards = CardsOnFile(uuid4())
    cards.add(_card("a"), NOW)

    assert cards.remove("pm_a") is True
    assert cards.primary is None


def test_removing_another_card_keeps_the_primary() -> None:
    cards = CardsOnFile(uuid4())
    cards.add(_card("a"), NOW)
    cards.add(_card("b"), NOW)

    assert cards.remove("pm_b") is False


def test_an_unknown_card_cannot_be_made_primary_or_removed() -> None:
    cards = CardsOnFile(uuid4())

    with pytest.raises(UnknownCard):
        cards.make_primary("pm_nope")
    with pytest.raises(UnknownCard):
        cards.remove("pm_nope")
