"""Billing addresses: real country codes, no blank lines, exactly one default."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from tessera_billing.domain.addresses import AddressBook, InvalidAddress, PostalAddress

NOW = datetime(2026, 1, 5, tzinfo=UTC)


def _address(country: str = "CH", name: str = "Acme SA") -> PostalAddress:
    return PostalAddress(name=name, line1="Rue du Lac 1", postal_code="1200", city="Genève", country=country)


def test_a_country_is_an_iso_code_written_in_any_case() -> None:
    assert _address(country="de").country == "DE"


@pytest.mark.parametrize("country", ["XX", "EU", "UK", "C", "CHE", ""])
def test_an_unknown_country_code_is_refused(country: str) -> None:
    with pytest.raises(InvalidAddress, match="ISO 3166"):
        _address(country=country)


def test_a_blank_name_is_refused() -> None:
    with pytest.raises(InvalidAddress, match="name"):
        _address(name="  ")


def test_the_first_address_is_the_default_and_a_new_default_moves_the_flag() -> None:
    book = AddressBook(uuid4())
    first = book.add(uuid4(), _address(), NOW, default=False)
    second = book.add(uuid4(), _address("FR"), NOW + timedelta(days=1), default=True)

    assert first.default is True
    assert [entry.default for entry in book.addresses] == [False, True]
    assert book.find(second.address_id).default


def test_removing_the_default_makes_the_oldest_remaining_address_the_default() -> None:
    book = AddressBook(uuid4())
    first = book.add(uuid4(), _address(), NOW, default=False)
    second = book.add(uuid4(), _address("FR"), NOW + timedelta(days=1), default=False)
    third = book.add(uuid4(), _address("IT"), NOW + timedelta(days=2), default=False)

    book.remove(first.address_id)

    assert book.find(second.address_id).default
    assert not book.find(third.address_id).default


def test_changing_an_address_keeps_it_default_unless_moved() -> None:
    book = AddressBook(uuid4())
    entry = book.add(uuid4(), _address(), NOW, default=False)

    changed = book.change(entry.address_id, _address("AT"), NOW + timedelta(days=1), default=False)

    assert changed.default
    assert changed.address.country == "AT"
    assert changed.updated_at == NOW + timedelta(days=1)
