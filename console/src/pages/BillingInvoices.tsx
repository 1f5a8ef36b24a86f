// Invoices with their PDF, and the history of charges, refunds and credits with a CSV export.
import { useState } from "react";
import { ErrorNote, Loading, download, useAction } from "../components/ui";
import { useI18n } from "../i18n";
import { call } from "../lib/api";
import { type HistoryEntry, type Invoice } from "../lib/billing";
import { formatDate, formatDateTime, formatMoney } from "../lib/format";
import { useOrganisationId } from "../lib/session";
import { useLoad } from "../lib/useLoad";
import { toCsv } from "../lib/validate";

export function InvoicesSection() {
  const { t, locale } = useI18n();
  const organisationId = useOrganisationId();
  const base = `/v1/organisations/${organisationId}/invoices`;
  const invoices = useLoad(() => call<Invoice[]>("billing", base), [base]);
  const action = useAction();

  // The PDF needs the bearer token, so it is fetched and handed to the browser as a file.
  async function pdf(invoice: Invoice) {
    await action.run(async () => {
      const response = await call<Response>("billing", `${base}/${invoice.invoice_id}/pdf`, { raw: true });
      const url = URL.createObjectURL(await response.blob());
      window.open(url, "_blank", "noopener");
    });
  }

  return (
    <section aria-labelledby="invoices-title" className="panel">
      <h2 id="invoices-title">{t("billing.invoices")}</h2>
      <Loading when={invoices.loading && !invoices.data} />
      <ErrorNote error={invoices.error ?? action.error} />
      {invoices.data && invoices.data.length === 0 && <p>{t("app.none")}</p>}
      {invoices.data && invoices.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("billing.number")}</th>
              <th scope="col">{t("billing.issued")}</th>
              <th scope="col">{t("billing.status")}</th>
              <th scope="col">{t("billing.total")}</th>
              <th scope="col">{t("billing.pdf")}</th>
            </tr>
          </thead>
          <tbody>
            {invoices.data.map((invoice) => (
              <tr key={invoice.invoice_id}>
                <td>{invoice.number ?? "—"}</td>
                <td>{formatDate(invoice.issued_at, locale)}</td>
                <td>{t(`invoice.${invoice.status}`)}</td>
                <td>{formatMoney(invoice.total.amount_minor, invoice.total.currency, locale)}</td>
                <td>
                  <button type="button" onClick={() => pdf(invoice)}>
                    {t("billing.pdf")} <span className="visually-hidden">{invoice.number}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

interface HistoryPage {
  entries: HistoryEntry[];
  next_cursor: string | null;
}

export function HistorySection() {
  const { t, locale } = useI18n();
  const organisationId = useOrganisationId();
  const path = `/v1/organisations/${organisationId}/billing-history`;
  const first = useLoad(() => call<HistoryPage>("billing", path, { query: { limit: 50 } }), [path]);
  const [more, setMore] = useState<HistoryEntry[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const action = useAction();
  const entries = [...(first.data?.entries ?? []), ...more];
  const next = cursor === undefined ? first.data?.next_cursor : cursor;

  async function loadMore() {
    const page = await action.run(() => call<HistoryPage>("billing", path, { query: { limit: 50, cursor: next } }));
    if (page) {
      setMore([...more, ...page.entries]);
      setCursor(page.next_cursor);
    }
  }

  function exportCsv() {
    const rows = entries.map((entry) => [entry.occurred_at, entry.kind, entry.description, entry.amount.amount_minor, entry.amount.currency, entry.invoice_id ?? ""]);
    download("billing-history.csv", toCsv([["occurred_at", "kind", "description", "amount_minor", "currency", "invoice_id"], ...rows]));
  }

  return (
    <section aria-labelledby="history-title" className="panel">
      <div className="panel-head">
        <h2 id="history-title">{t("billing.history")}</h2>
        <button type="button" onClick={exportCsv} disabled={entries.length === 0}>
          {t("billing.exportCsv")}
        </button>
      </div>
      <Loading when={first.loading && !first.data} />
      <ErrorNote error={first.error ?? action.error} />
      {first.data && entries.length === 0 && <p>{t("app.none")}</p>}
      {entries.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("billing.date")}</th>
              <th scope="col">{t("billing.kind")}</th>
              <th scope="col">{t("billing.description")}</th>
              <th scope="col">{t("billing.amount")}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.entry_id}>
                <td>{formatDateTime(entry.occurred_at, locale)}</td>
                <td>{t(`history.${entry.kind}`)}</td>
                <td>{entry.description}</td>
                <td>{formatMoney(entry.amount.amount_minor, entry.amount.currency, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <button type="button" onClick={loadMore} disabled={action.busy}>
          {t("billing.loadMore")}
        </button>
      )}
    </section>
  );
}

