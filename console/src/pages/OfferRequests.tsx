// Offer requests a client posts (seed 003): post one, see who it reached, cancel it after a confirmation.
import { type FormEvent, useState } from "react";
import { Dialog, ErrorNote, Field, Loading, Notice, split, useAction } from "../components/ui";
import { useI18n } from "../i18n";
import { call } from "../lib/api";
import { formatDate } from "../lib/format";
import { useOrganisationId } from "../lib/session";
import { useLoad } from "../lib/useLoad";
import { isEmail } from "../lib/validate";

interface OfferRequest {
  offer_request_id: string;
  title: string;
  description: string;
  posted_at: string;
  expires_at: string;
  status: string;
  recipients: number;
  opened_by_partner_organisation_ids: string[];
}

export function OfferRequestsPage() {
  const { t, locale } = useI18n();
  const organisationId = useOrganisationId();
  const base = `/v1/organisations/${organisationId}/offer-requests`;
  const requests = useLoad(() => call<OfferRequest[]>("partnership", base), [base]);
  const [cancelling, setCancelling] = useState<OfferRequest | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const action = useAction();

  async function cancel() {
    const request = cancelling!;
    setCancelling(null);
    if (await action.run(() => call("partnership", `${base}/${request.offer_request_id}`, { method: "DELETE" }))) {
      setNotice(t("offers.cancelled"));
      requests.reload();
    }
  }

  return (
    <>
      <h1>{t("offers.title")}</h1>
      <p>{t("offers.intro")}</p>
      <Loading when={requests.loading && !requests.data} />
      <ErrorNote error={requests.error ?? action.error} />
      <Notice>{notice}</Notice>
      {requests.data && requests.data.length === 0 && <p>{t("app.none")}</p>}
      {requests.data && requests.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("offers.requestTitle")}</th>
              <th scope="col">{t("offers.status")}</th>
              <th scope="col">{t("offers.recipients")}</th>
              <th scope="col">{t("offers.opened")}</th>
              <th scope="col">{t("console.expires")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("offers.cancel")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {requests.data.map((request) => (
              <tr key={request.offer_request_id}>
                <td>{request.title}</td>
                <td>{request.status}</td>
                <td>{request.recipients}</td>
                <td>{request.opened_by_partner_organisation_ids.length}</td>
                <td>{formatDate(request.expires_at, locale)}</td>
                <td>
                  {request.status === "open" && (
                    <button type="button" onClick={() => setCancelling(request)}>
                      {t("offers.cancel")} <span className="visually-hidden">{request.title}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Dialog title={t("offers.cancel")} open={cancelling !== null} onClose={() => setCancelling(null)}>
        <p>{t("offers.cancelConfirm", { title: cancelling?.title ?? "" })}</p>
        <div className="actions">
          <button type="button" className="danger" onClick={cancel}>
            {t("app.confirm")}
          </button>
          <button type="button" onClick={() => setCancelling(null)}>
            {t("app.cancel")}
          </button>
        </div>
      </Dialog>
      <PostForm base={base} onPosted={(count) => (setNotice(t("offers.posted", { count })), requests.reload())} />
    </>
  );
}

function PostForm({ base, onPosted }: { base: string; onPosted: (recipients: number) => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState({ title: "", description: "", country: "", languages: "", name: "", email: "", phone: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const action = useAction();
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    for (const key of ["title", "description", "country", "languages", "name"] as const) if (!form[key].trim()) found[key] = t("field.required");
    if (!isEmail(form.email)) found.email = t("field.email");
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const body = {
      title: form.title,
      description: form.description,
      country: form.country.trim().toUpperCase(),
      languages: split(form.languages),
      contact: { name: form.name, email: form.email.trim(), phone: form.phone || null },
    };
    const posted = await action.run(() => call<{ recipients: number }>("partnership", base, { method: "POST", body }));
    if (posted) onPosted(posted.recipients);
  }

  return (
    <section aria-labelledby="post-title" className="panel">
      <h2 id="post-title">{t("offers.post")}</h2>
      <form onSubmit={submit} noValidate>
        <Field label={t("offers.requestTitle")} value={form.title} onChange={set("title")} error={errors.title} required />
        <div className="field">
          <label htmlFor="offer-description">{t("offers.description")}</label>
          <textarea id="offer-description" value={form.description} onChange={(event) => set("description")(event.target.value)} aria-invalid={errors.description ? true : undefined} />
          {errors.description && <small className="field-error">{errors.description}</small>}
        </div>
        <div className="row">
          <Field label={t("offers.country")} value={form.country} onChange={set("country")} error={errors.country} required />
          <Field label={t("offers.languages")} value={form.languages} onChange={set("languages")} error={errors.languages} required />
        </div>
        <Field label={t("offers.contactName")} value={form.name} onChange={set("name")} error={errors.name} required />
        <Field label={t("offers.contactEmail")} value={form.email} onChange={set("email")} type="email" error={errors.email} required />
        <Field label={t("offers.contactPhone")} value={form.phone} onChange={set("phone")} type="tel" />
        <ErrorNote error={action.error} />
        <button type="submit" className="primary" disabled={action.busy}>
          {t("offers.post")}
        </button>
      </form>
    </section>
  );
}
