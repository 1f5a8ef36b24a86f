// Organisation: its details with VAT / UID / SIRET (a refusal shown next to its field) and its
// members with their roles; identity refuses to leave the organisation without a legal representative.
import { type FormEvent, useState } from "react";
import { Checkbox, ErrorNote, Field, Loading, Notice, Select, useAction } from "../components/ui";
import { LANGUAGE_NAMES, LOCALES, useI18n } from "../i18n";
import { ApiError, call } from "../lib/api";
import { type OrganisationField, fieldOfProblem } from "../lib/fieldErrors";
import { type Role, useOrganisationId, useSession } from "../lib/session";
import { useLoad } from "../lib/useLoad";
import { isEmail } from "../lib/validate";

interface OrganisationOut {
  organisation_id: string;
  name: string;
  kind: string;
  country: string;
  locale: string;
  billing_email: string;
  vat_number: string | null;
  vat_terms_accepted_at: string | null;
  registry_number: string | null;
}

interface Member {
  user_id: string;
  email: string;
  display_name: string;
  role: Role;
}

const ROLES: Role[] = ["legal_representative", "administrator", "member"];

export function OrganisationPage() {
  const { t } = useI18n();
  const organisationId = useOrganisationId();
  const organisation = useLoad(() => call<OrganisationOut>("identity", `/v1/organisations/${organisationId}`), [organisationId]);
  return (
    <>
      <h1>{t("org.title")}</h1>
      <Loading when={organisation.loading && !organisation.data} />
      <ErrorNote error={organisation.error} />
      {organisation.data && <DetailsForm key={organisation.data.organisation_id} organisation={organisation.data} onSaved={organisation.reload} />}
      <MembersSection />
    </>
  );
}

function DetailsForm({ organisation, onSaved }: { organisation: OrganisationOut; onSaved: () => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState({
    name: organisation.name,
    billing_email: organisation.billing_email,
    locale: organisation.locale,
    vat_number: organisation.vat_number ?? "",
    registry_number: organisation.registry_number ?? "",
  });
  const [terms, setTerms] = useState(organisation.vat_terms_accepted_at !== null);
  const [errors, setErrors] = useState<Partial<Record<OrganisationField, string>>>({});
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value });

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    if (!isEmail(form.billing_email)) return setErrors({ billing_email: t("field.email") });
    setErrors({});
    const body = {
      name: form.name,
      billing_email: form.billing_email,
      locale: form.locale,
      vat_number: form.vat_number.trim() || null,
      vat_terms_accepted: terms,
      registry_number: form.registry_number.trim() || null,
    };
    try {
      await call("identity", `/v1/organisations/${organisation.organisation_id}`, { method: "PATCH", body });
      setSaved(true);
      onSaved();
    } catch (error) {
      if (error instanceof ApiError && error.status === 422) setErrors({ [fieldOfProblem(error.problem.detail)]: error.problem.detail });
      else action.setError(error);
    }
  }

  return (
    <section aria-labelledby="details-title" className="panel">
      <h2 id="details-title">{t("org.details")}</h2>
      <form onSubmit={submit} noValidate>
        <Field label={t("org.name")} value={form.name} onChange={set("name")} error={errors.name} required />
        <p>
          {t("org.country")}: {organisation.country}
        </p>
        <Field label={t("org.billingEmail")} value={form.billing_email} onChange={set("billing_email")} type="email" error={errors.billing_email} required />
        <Select label={t("org.locale")} value={form.locale} onChange={set("locale")} options={LOCALES.map((code) => ({ value: code, label: LANGUAGE_NAMES[code] }))} />
        <Field label={t("org.vat")} value={form.vat_number} onChange={set("vat_number")} error={errors.vat_number} placeholder="FR40303265045" />
        <Checkbox label={t("org.vatTerms")} checked={terms} onChange={setTerms} />
        {errors.vat_terms_accepted && <small className="field-error">{errors.vat_terms_accepted}</small>}
        <Field label={t("org.registry")} value={form.registry_number} onChange={set("registry_number")} error={errors.registry_number} placeholder="CHE-109.322.551" />
        {errors.form && <p className="field-error">{errors.form}</p>}
        <ErrorNote error={action.error} />
        {saved && <Notice>{t("app.saved")}</Notice>}
        <button type="submit" className="primary">
          {t("app.save")}
        </button>
      </form>
    </section>
  );
}

function MembersSection() {
  const { t } = useI18n();
  const { me } = useSession();
  const organisationId = useOrganisationId();
  const base = `/v1/organisations/${organisationId}/members`;
  const members = useLoad(() => call<Member[]>("identity", base), [base]);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("member");
  const action = useAction();
  const legalReps = (members.data ?? []).filter((member) => member.role === "legal_representative").length;

  async function add(event: FormEvent) {
    event.preventDefault();
    if (await action.run(() => call("identity", base, { method: "POST", body: { email: email.trim(), role } }))) {
      setEmail("");
      members.reload();
    }
  }
  const change = (path: string, method: string, body?: unknown) => action.run(() => call("identity", path, { method, body })).then(members.reload);

  return (
    <section aria-labelledby="members-title" className="panel">
      <h2 id="members-title">{t("org.members")}</h2>
      <ErrorNote error={members.error ?? action.error} />
      {legalReps === 1 && <p className="hint">{t("org.lastLegalRep")}</p>}
      <table>
        <thead>
          <tr>
            <th scope="col">{t("org.member")}</th>
            <th scope="col">{t("org.role")}</th>
            <th scope="col">
              <span className="visually-hidden">{t("app.remove")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(members.data ?? []).map((member) => (
            <tr key={member.user_id}>
              <td>
                {member.display_name} ({member.email}){member.user_id === me.user_id && " ★"}
              </td>
              <td>
                <select aria-label={`${t("org.role")}: ${member.display_name}`} value={member.role} onChange={(event) => change(`${base}/${member.user_id}/role`, "PUT", { role: event.target.value })}>
                  {ROLES.map((one) => (
                    <option key={one} value={one}>
                      {t(`role.${one}`)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <button type="button" onClick={() => change(`${base}/${member.user_id}`, "DELETE")}>
                  {t("org.removeMember", { name: member.display_name })}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={add} className="inline">
        <Field label={t("org.memberEmail")} value={email} onChange={setEmail} type="email" required />
        <Select label={t("org.role")} value={role} onChange={(value) => setRole(value as Role)} options={ROLES.map((one) => ({ value: one, label: t(`role.${one}`) }))} />
        <button type="submit" disabled={action.busy || !email.trim()}>
          {t("org.addMember")}
        </button>
      </form>
    </section>
  );
}
