"""An invoice as a PDF (fpdf2, its built-in Helvetica: no font files to ship)."""

from fpdf import FPDF

from tessera_billing.domain.invoices import Invoice
from tessera_billing.domain.money import Money


def _text(value: str) -> str:
    # The built-in fonts speak Latin-1; anything else is shown as a question mark rather than failing.
    return value.replace("\u2013", "-").replace("\u2014", "-").encode("latin-1", "replace").decode("latin-1")


def _amount(money: Money) -> str:
    units, cents = divmod(money.amount_minor, 100)
    return f"{money.currency.value} {units:,}.{cents:02d}".replace(",", "'")


def render_invoice(invoice: Invoice, issuer: str) -> bytes:
    """The invoice's PDF: ``issuer`` (the seller's name, address and VAT number), payer, number and
    dates, lines, subtotal, tax with its reason, total."""
    pdf = FPDF(format="A4")
    pdf.set_title(_text(f"Invoice {invoice.number}"))
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=16)
    pdf.cell(0, 10, _text(f"Invoice {invoice.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(0, 5, _text(issuer), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    payer = invoice.payer
    for line in (
        f"Bill to: {payer.name}" + (f", {payer.country}" if payer.country else ""),
        f"VAT number: {payer.vat_number}" if payer.vat_number else "",
        f"Issued: {invoice.issued_at:%Y-%m-%d}   Due: {invoice.due_on}   Status: {invoice.status.value}"
        if invoice.issued_at
        else f"Status: {invoice.status.value}",
    ):
        if line:
            pdf.cell(0, 5, _text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _lines(pdf, invoice)
    _totals(pdf, invoice)
    return bytes(pdf.output())


def _lines(pdf: FPDF, invoice: Invoice) -> None:
    pdf.set_font("Helvetica", style="B", size=9)
    for width, title in ((95, "Description"), (30, "List price"), (30, "Discount"), (30, "Amount")):
        pdf.cell(width, 6, title, border="B")
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    for line in invoice.lines:
        pdf.cell(95, 6, _text(f"{line.description} ({line.period_start} - {line.period_end})"))
        pdf.cell(30, 6, _amount(line.list_price), align="R")
        pdf.cell(30, 6, _amount(line.discount), align="R")
        pdf.cell(30, 6, _amount(line.amount), align="R")
        pdf.ln()
        if line.discount_reason:
            pdf.set_font("Helvetica", style="I", size=8)
            pdf.cell(0, 5, _text(f"   {line.discount_reason}"), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", size=9)


def _totals(pdf: FPDF, invoice: Invoice) -> None:
    pdf.ln(2)
    for label, money, bold in (
        ("Subtotal", invoice.subtotal, False),
        (f"Tax ({invoice.tax.rate_bp / 100:g} %)", invoice.tax_amount, False),
        ("Total", invoice.total, True),
    ):
        pdf.set_font("Helvetica", style="B" if bold else "", size=10)
        pdf.cell(155, 6, _text(label), align="R")
        pdf.cell(30, 6, _amount(money), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", size=8)
    pdf.multi_cell(0, 4, _text(f"Tax: {invoice.tax.reason}"), new_x="LMARGIN", new_y="NEXT")
