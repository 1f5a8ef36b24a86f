// The partner's own view: its clients and their access, staff permissions, proposals to accept,
// the billing export per client, the cashback statement; then the programme and offer requests.
import { type FormEvent, useState } from "react";
import { ErrorNote, Field, Loading, split, useAction } from "../components/ui";
import { useI18n } from "../i18n";
import { call } from "../lib/api";
import { type MoneyView } from "../lib/billing";
import { formatBasisPoints, formatDate, formatDateTime, formatMoney } from "../lib/format";
import { type Relationship } from "../lib/partnership";
import { useOrganisationId } from "../lib/session";
import { useLoad } from "../lib/useLoad";
import { ProgrammeSection } from "./PartnerProgramme";
import { ReceivedOffersSection } from "./ReceivedOffers";

interface ConsoleView {
  partner_status: string | null;
  tier: { tier: string; reseller_discount_bp: number; cashback_bp: number } | null;
  clients: { client_name: string; paid_last_12_months: MoneyView[]; relationship: Relationship }[];
  pending_proposals: Relationship[];
  managed_volume_last_12_months: MoneyView[] | null;
  cashback_last_12_months: MoneyView[] | null;
}

export function PartnerConsolePage() {
  const { t } = useI18n();
  const organisationId = useOrganisationId();
  const view = useLoad(() => call<ConsoleView>("partnership", `/v1/organisations/${organisationId}/console`), [organisationId]);
  return (
    <>
      <h1>{t("console.title")}</h1>
      <Loading when={view.loading && !view.data} />
      <ErrorNote error={view.error} />
      {view.data && (
        <>
          <PendingSection proposals={view.data.pending_proposals} onChanged={view.reload} />
          <ClientsSection view={view.data} onChanged={view.reload} />
        </>
      )}
      <ProgrammeSection />
      <ReceivedOffersSection />
      <CashbackSection />
    </>
  );
}

function PendingSection({ proposals, onChanged }: { proposals: Relationship[]; onChanged: () => void }) {
  const { t } = useI18n();
  const organisationId = useOrganisationId();
  const action = useAction();
  const incoming = proposals.filter((proposal) => proposal.partner_organisation_id === organisationId);
  if (incoming.length === 0) return null;
  const answer = (proposal: Relationship, verb: "accept" | "decline") =>
    action.run(() => call("partnership", `/v1/organisations/${organisationId}/relationships/${proposal.relationship_id}/${verb}`, { method: "POST" })).then(onChanged);
  return (
    <section aria-labelledby="pending-title" className="panel">
      <h2 id="pending-title">{t("console.pending")}</h2>
      <ErrorNote error={action.error} />
      <ul>
        {incoming.map((proposal) => (
          <li key={proposal.relationship_id}>
            {proposal.client_organisation_id.slice(0, 8)} · {t(`access.${proposal.access}`)}{" "}
            <button type="button" className="primary" onClick={() => answer(proposal, "accept")}>
              {t("console.accept")}
            </button>{" "}
            <button type="button" onClick={() => answer(proposal, "decline")}>
              {t("console.decline")}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ClientsSection({ view, onChanged }: { view: ConsoleView; onChanged: () => void }) {
  const { t, locale } = useI18n();
  const total = (amounts: MoneyView[] | null) => (amounts ?? []).map((m) => formatMoney(m.amount_minor, m.currency, locale)).join(" · ") || "—";
  return (
    <section aria-labelledby="clients-title" className="panel">
      <h2 id="clients-title">{t("console.clients")}</h2>
      <p>
        {t("console.managed")}: {total(view.managed_volume_last_12_months)} · {t("console.cashback")}: {total(view.cashback_last_12_months)}
      </p>
      {view.clients.length === 0 && <p>{t("app.none")}</p>}
      {view.clients.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("console.client")}</th>
              <th scope="col">{t("partners.access")}</th>
              <th scope="col">{t("partners.billingMode")}</th>
              <th scope="col">{t("console.paid")}</th>
              <th scope="col">{t("console.staff")}</th>
              <th scope="col">{t("console.export")}</th>
            </tr>
          </thead>
          <tbody>
            {view.clients.map(({ client_name, paid_last_12_months, relationship }) => (
              <tr key={relationship.relationship_id}>
                <td>{client_name}</td>
                <td>
                  {t(`access.${relationship.access}`)}
                  {relationship.product_codes.length > 0 && `: ${relationship.product_codes.join(", ")}`}
                  {relationship.access_ends_at && ` (${t("partner.accessUntil", { date: formatDate(relationship.access_ends_at, locale) })})`}
                </td>
                <td>{t(`mode.${relationship.billing_mode}`)}</td>
                <td>{total(paid_last_12_months)}</td>
                <td>
                  <StaffForm relationship={relationship} onSaved={onChanged} />
                </td>
                <td>
                  <ExportButton clientId={relationship.client_organisation_id} name={client_name} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function StaffForm({ relationship, onSaved }: { relationship: Relationship; onSaved: () => void }) {
  const { t } = useI18n();
  const organisationId = useOrganisationId();
  const [ids, setIds] = useState(relationship.staff_user_ids.join(", "));
  const action = useAction();
  async function submit(event: FormEvent) {
    event.preventDefault();
    const path = `/v1/organisations/${organisationId}/clients/${relationship.relationship_id}/staff`;
    if (await action.run(() => call("partnership", path, { method: "PUT", body: { user_ids: split(ids) } }))) onSaved();
  }
  return (
    <form onSubmit={submit}>
      <Field label={t("console.staffHint")} value={ids} onChange={setIds} />
      <button type="submit" disabled={action.busy}>
        {t("app.save")}
      </button>
      <ErrorNote error={action.error} />
    </form>
  );
}

function ExportButton({ clientId, name }: { clientId: string; name: string }) {
  const { t } = useI18n();
  const organisationId = useOrganisationId();
  const action = useAction();
  async function exportCsv() {
    await action.run(async () => {
      const response = await call<Response>("billing", `/v1/organisations/${organisationId}/clients/${clientId}/billing-export.csv`, { raw: true });
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = `billing-${name.replace(/[^A-Za-z0-9]+/g, "-")}.csv`;
      link.click();
      URL.revokeObjectURL(url);
    });
  }
  return (
    <>
      <button type="button" onClick={exportCsv} disabled={action.busy}>
        {t("console.export")} <span className="visually-hidden">{name}</span>
      </button>
      <ErrorNote error={action.error} />
    </>
  );
}

interface Cashback {
  entries: { entry_id: string; invoice_number: string; rate_bp: number; base: MoneyView; amount: MoneyView; earned_at: string }[];
  totals: MoneyView[];
}

function CashbackSection() {
  const { t, locale } = useI18n();
  const organisationId = useOrganisationId();
  const statement = useLoad(() => call<Cashback>("billing", `/v1/organisations/${organisationId}/cashback`), [organisationId]);
  const money = (m: MoneyView) => formatMoney(m.amount_minor, m.currency, locale);
  return (
    <section aria-labelledby="cashback-title" className="panel">
      <h2 id="cashback-title">{t("console.cashbackStatement")}</h2>
      <ErrorNote error={statement.error} />
      {statement.data && statement.data.entries.length === 0 && <p>{t("app.none")}</p>}
      {statement.data && statement.data.entries.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("billing.date")}</th>
              <th scope="col">{t("console.invoice")}</th>
              <th scope="col">{t("console.base")}</th>
              <th scope="col">{t("console.rate")}</th>
              <th scope="col">{t("billing.amount")}</th>
            </tr>
          </thead>
          <tbody>
            {statement.data.entries.map((entry) => (
              <tr key={entry.entry_id}>
                <td>{formatDateTime(entry.earned_at, locale)}</td>
                <td>{entry.invoice_number}</td>
                <td>{money(entry.base)}</td>
                <td>{formatBasisPoints(entry.rate_bp, locale)}</td>
                <td>{money(entry.amount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {statement.data && statement.data.totals.length > 0 && <p>{statement.data.totals.map(money).join(" · ")}</p>}
    </section>
  );
}
