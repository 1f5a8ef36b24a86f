"""Billing addresses: an organisation's addresses for its invoices, one of them the default."""

from uuid import UUID, uuid4

from tessera_billing.adapters.payments_repository import PaymentsRepository
from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.domain.addresses import AddressBook, BillingAddress, PostalAddress, UnknownAddress
from tessera_kit.problems import NotFound


async def list_addresses(uow: BillingUnitOfWork, organisation_id: UUID) -> AddressBook:
    """The organisation's billing addresses, oldest first."""
    async with uow:
        return await PaymentsRepository(uow.session).address_book(organisation_id)


async def get_address(uow: BillingUnitOfWork, organisation_id: UUID, address_id: UUID) -> BillingAddress:
    """One of the organisation's addresses; 404 for anyone else's."""
    book = await list_addresses(uow, organisation_id)
    return _find(book, address_id)


async def add_address(
    uow: BillingUnitOfWork, organisation_id: UUID, address: PostalAddress, *, default: bool
) -> BillingAddress:
    """A new billing address; the organisation's first is its default."""
    async with uow:
        payments = PaymentsRepository(uow.session)
        await payments.lock_organisation(organisation_id)
        book = await payments.address_book(organisation_id)
        added = book.add(uuid4(), address, uow.clock.now(), default=default)
        await payments.save_address_book(book)
        await uow.commit()
    return book.find(added.address_id)


async def change_address(
    uow: BillingUnitOfWork, organisation_id: UUID, address_id: UUID, address: PostalAddress, *, default: bool
) -> BillingAddress:
    """Replace an address; ``default`` makes it the default (the default moves, it is never unset)."""
    async with uow:
        payments = PaymentsRepository(uow.session)
        await payments.lock_organisation(organisation_id)
        book = await payments.address_book(organisation_id)
        _find(book, address_id)
        changed = book.change(address_id, address, uow.clock.now(), default=default)
        await payments.save_address_book(book)
        await uow.commit()
    return changed


async def remove_address(uow: BillingUnitOfWork, organisation_id: UUID, address_id: UUID) -> None:
    """Forget an address; the oldest remaining one becomes the default if it was."""
    async with uow:
        payments = PaymentsRepository(uow.session)
        await payments.lock_organisation(organisation_id)
        book = await payments.address_book(organisation_id)
        _find(book, address_id)
        book.remove(address_id)
        await payments.save_address_book(book)
        await uow.commit()


def _find(book: AddressBook, address_id: UUID) -> BillingAddress:
    try:
        return book.find(address_id)
    except UnknownAddress as error:
        raise NotFound(str(error)) from error
