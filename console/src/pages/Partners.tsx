// "Partner" in the sidebar: the client's partners, and a request for a partner to manage its products.
import { type FormEvent, useState } from "react";
import { Link } from "react-router-dom";
import { ErrorNote, Field, Loading, Notice, Select, split, useAction } from "../components/ui";
import { useI18n } from "../i18n";
import { call } from "../lib/api";
import { formatDate } from "../lib/format";
import { type Access, type Relationship, directoryNames, effectiveAt, partnerName } from "../lib/partnership";
import { useOrganisationId } from "../lib/session";
import { useLoad } from "../lib/useLoad";
import { isUuid } from "../lib/validate";

export function PartnersPage() {
  const { t, locale } = useI18n();
  const organisationId = useOrganisationId();
  const partners = useLoad(() => call<Relationship[]>("partnership", `/v1/organisations/${organisationId}/partners`), [organisationId]);
  const names = useLoad(directoryNames, []);
  return (
    <>
      <h1>{t("partners.title")}</h1>
      <p>{t("partners.intro")}</p>
      <Loading when={partners.loading && !partners.data} />
      <ErrorNote error={partners.error} />
      {partners.data && partners.data.length === 0 && <p>{t("app.none")}</p>}
      {partners.data && partners.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("partners.partner")}</th>
              <th scope="col">{t("partners.access")}</th>
              <th scope="col">{t("partners.billingMode")}</th>
              <th scope="col">{t("partners.status")}</th>
              <th scope="col">{t("partner.since")}</th>
            </tr>
          </thead>
          <tbody>
            {partners.data.map((relationship) => (
              <tr key={relationship.relationship_id}>
                <td>
                  <Link to={`/partners/${relationship.relationship_id}`}>{partnerName(names.data, relationship.partner_organisation_id)}</Link>
                </td>
                <td>{t(`access.${relationship.access}`)}</td>
                <td>{t(`mode.${relationship.billing_mode}`)}</td>
                <td>{t(`status.${relationship.status}`)}</td>
                <td>{formatDate(relationship.started_at, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <GrantForm organisationId={organisationId} onSent={partners.reload} />
    </>
  );
}

function GrantForm({ organisationId, onSent }: { organisationId: string; onSent: () => void }) {
  const { t } = useI18n();
  const [partnerId, setPartnerId] = useState("");
  const [access, setAccess] = useState<Access>("full");
  const [products, setProducts] = useState("");
  const [until, setUntil] = useState("");
  const [idError, setIdError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const action = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSent(false);
    if (!isUuid(partnerId)) return setIdError(t("field.uuid"));
    setIdError(null);
    const body = {
      partner_organisation_id: partnerId.trim(),
      access,
      product_codes: access === "restricted" ? split(products) : [],
      access_ends_at: effectiveAt(until),
    };
    const done = await action.run(() => call("partnership", `/v1/organisations/${organisationId}/partners`, { method: "POST", body }));
    if (done !== undefined) {
      setSent(true);
      setPartnerId("");
      onSent();
    }
  }

  return (
    <section aria-labelledby="grant-title">
      <h2 id="grant-title">{t("partners.grant")}</h2>
      <form onSubmit={submit} noValidate>
        <Field label={t("partners.partnerId")} value={partnerId} onChange={setPartnerId} error={idError} required />
        <Select
          label={t("partners.access")}
          value={access}
          onChange={(value) => setAccess(value as Access)}
          options={[
            { value: "full", label: t("access.full") },
            { value: "restricted", label: t("access.restricted") },
          ]}
        />
        {access === "restricted" && <Field label={t("partners.productCodes")} value={products} onChange={setProducts} />}
        <Field label={t("partners.until")} value={until} onChange={setUntil} type="date" />
        <ErrorNote error={action.error} />
        {sent && <Notice>{t("partners.sent")}</Notice>}
        <button type="submit" className="primary" disabled={action.busy}>
          {t("partners.send")}
        </button>
      </form>
    </section>
  );
}
