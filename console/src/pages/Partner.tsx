// One partner, as the client sees it: the access granted, and "Payment" with the pencil to switch
// who pays. The confirmation names the day the change takes effect and says the partner is e-mailed.
import { type FormEvent, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { Dialog, ErrorNote, Field, Loading, Notice, PencilIcon, Select, split, useAction } from "../components/ui";
import { useI18n } from "../i18n";
import { call } from "../lib/api";
import { formatDate, formatDateTime } from "../lib/format";
import { type Access, type BillingMode, type Relationship, directoryNames, effectiveAt, partnerName } from "../lib/partnership";
import { useOrganisationId } from "../lib/session";
import { useLoad } from "../lib/useLoad";

export function PartnerPage() {
  const { t } = useI18n();
  const { relationshipId = "" } = useParams();
  const organisationId = useOrganisationId();
  const relationship = useLoad(
    () => call<Relationship>("partnership", `/v1/organisations/${organisationId}/relationships/${relationshipId}`),
    [organisationId, relationshipId],
  );
  const names = useLoad(directoryNames, []);
  const found = relationship.data;
  const name = found ? partnerName(names.data, found.partner_organisation_id) : "";
  return (
    <>
      <p>
        <Link to="/partners">← {t("partners.title")}</Link>
      </p>
      <Loading when={relationship.loading && !found} />
      <ErrorNote error={relationship.error} />
      {found && (
        <>
          <h1>{t("partner.title", { name })}</h1>
          <PaymentSection relationship={found} onChanged={relationship.reload} />
          <AccessSection relationship={found} onChanged={relationship.reload} />
          <EndSection relationship={found} name={name} onChanged={relationship.reload} />
        </>
      )}
    </>
  );
}

function PaymentSection({ relationship, onChanged }: { relationship: Relationship; onChanged: () => void }) {
  const { t, locale } = useI18n();
  const organisationId = useOrganisationId();
  const [editing, setEditing] = useState(false);
  const [mode, setMode] = useState<BillingMode>(relationship.billing_mode);
  const [day, setDay] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const full = relationship.access === "full" && relationship.status === "active";
  const effectiveDay = formatDate(day || new Date().toISOString(), locale);

  async function confirm() {
    const body = { billing_mode: mode, effective_at: effectiveAt(day) };
    const path = `/v1/organisations/${organisationId}/partners/${relationship.relationship_id}/billing-mode`;
    const changed = await action.run(() => call<Relationship>("partnership", path, { method: "PUT", body }));
    setConfirming(false);
    if (changed) {
      setEditing(false);
      setDone(t("partner.switched", { mode: t(`mode.${mode}`), date: effectiveDay }));
      onChanged();
    }
  }

  function review(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    setConfirming(true);
  }

  return (
    <section aria-labelledby="payment-title" className="panel">
      <div className="panel-head">
        <h2 id="payment-title">{t("partner.payment")}</h2>
        <button type="button" className="icon" aria-label={t("partner.editPayment")} title={t("partner.editPayment")} disabled={!full} onClick={() => setEditing(true)}>
          <PencilIcon />
        </button>
      </div>
      <p className="mode">
        <strong>{t(`mode.${relationship.billing_mode}`)}</strong> — {t(`mode.${relationship.billing_mode}.explain`)}
      </p>
      {!full && <p className="hint">{t("partner.fullOnly")}</p>}
      {done && <Notice>{done}</Notice>}
      <ErrorNote error={action.error} />
      {editing && (
        <form onSubmit={review}>
          <fieldset>
            <legend>{t("partner.payment")}</legend>
            {(["client_pays", "partner_pays"] as const).map((option) => (
              <div className="radio" key={option}>
                <input id={`mode-${option}`} type="radio" name="billing-mode" value={option} checked={mode === option} onChange={() => setMode(option)} />
                <label htmlFor={`mode-${option}`}>
                  <strong>{t(`mode.${option}`)}</strong>
                  <span className="explain">{t(`mode.${option}.explain`)}</span>
                </label>
              </div>
            ))}
          </fieldset>
          <Field label={t("partner.effective")} value={day} onChange={setDay} type="date" hint={t("partner.effectiveHint")} />
          <div className="actions">
            <button type="submit" className="primary" disabled={mode === relationship.billing_mode}>
              {t("app.save")}
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              {t("app.cancel")}
            </button>
          </div>
        </form>
      )}
      <Dialog title={t("partner.confirmTitle")} open={confirming} onClose={() => setConfirming(false)}>
        <p>{t("partner.confirmText", { date: effectiveDay, mode: t(`mode.${mode}`) })}</p>
        <div className="actions">
          <button type="button" className="primary" disabled={action.busy} onClick={confirm}>
            {t("app.confirm")}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            {t("app.cancel")}
          </button>
        </div>
      </Dialog>
      {relationship.billing_mode_history.length > 0 && (
        <>
          <h3>{t("partner.history")}</h3>
          <ul>
            {relationship.billing_mode_history.map((change) => (
              <li key={change.changed_at}>
                {formatDate(change.effective_at, locale)}: {t(`mode.${change.previous_mode}`)} → {t(`mode.${change.billing_mode}`)} ({formatDateTime(change.changed_at, locale)})
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function AccessSection({ relationship, onChanged }: { relationship: Relationship; onChanged: () => void }) {
  const { t, locale } = useI18n();
  const organisationId = useOrganisationId();
  const [access, setAccess] = useState<Access>(relationship.access);
  const [products, setProducts] = useState(relationship.product_codes.join(", "));
  const [until, setUntil] = useState(relationship.access_ends_at?.slice(0, 10) ?? "");
  const [saved, setSaved] = useState(false);
  const action = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const body = { access, product_codes: access === "restricted" ? split(products) : [], access_ends_at: effectiveAt(until) };
    const path = `/v1/organisations/${organisationId}/partners/${relationship.relationship_id}/access`;
    if (await action.run(() => call("partnership", path, { method: "PUT", body }))) {
      setSaved(true);
      onChanged();
    }
  }

  return (
    <section aria-labelledby="access-title" className="panel">
      <h2 id="access-title">{t("partner.access")}</h2>
      <p>
        {t(`access.${relationship.access}`)}
        {relationship.product_codes.length > 0 && `: ${relationship.product_codes.join(", ")}`}
        {relationship.access_ends_at && ` (${t("partner.accessUntil", { date: formatDate(relationship.access_ends_at, locale) })})`} · {t(`status.${relationship.status}`)}
      </p>
      {relationship.status === "active" && (
        <details>
          <summary>{t("partner.changeAccess")}</summary>
          <form onSubmit={submit}>
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
            {saved && <Notice>{t("app.saved")}</Notice>}
            <button type="submit" className="primary" disabled={action.busy}>
              {t("app.save")}
            </button>
          </form>
        </details>
      )}
    </section>
  );
}

function EndSection({ relationship, name, onChanged }: { relationship: Relationship; name: string; onChanged: () => void }) {
  const { t } = useI18n();
  const organisationId = useOrganisationId();
  const [asking, setAsking] = useState(false);
  const action = useAction();
  if (relationship.status !== "active" && relationship.status !== "proposed") return null;

  async function end() {
    const verb = relationship.status === "active" ? "end" : "decline";
    const path = `/v1/organisations/${organisationId}/relationships/${relationship.relationship_id}/${verb}`;
    const ended = await action.run(() => call("partnership", path, { method: "POST" }));
    setAsking(false);
    if (ended) onChanged();
  }

  return (
    <section className="panel danger-zone">
      <ErrorNote error={action.error} />
      <button type="button" className="danger" onClick={() => setAsking(true)}>
        {t("partner.end")}
      </button>
      <Dialog title={t("partner.end")} open={asking} onClose={() => setAsking(false)}>
        <p>{t("partner.endConfirm", { name })}</p>
        <div className="actions">
          <button type="button" className="danger" onClick={end} disabled={action.busy}>
            {t("app.confirm")}
          </button>
          <button type="button" onClick={() => setAsking(false)}>
            {t("app.cancel")}
          </button>
        </div>
      </Dialog>
    </section>
  );
}
