// Security: API tokens (application, permissions, validity, the password again, the secret shown
// once with a copy button), app passwords, and two-step verification with its backup-code sheet.
import { type FormEvent, useState } from "react";
import { CopyButton, Dialog, ErrorNote, Field, Loading, Select, split, useAction } from "../components/ui";
import { useI18n } from "../i18n";
import { call } from "../lib/api";
import { formatDate, formatDateTime } from "../lib/format";
import { useOrganisationId } from "../lib/session";
import { useLoad } from "../lib/useLoad";
import { validityEnd } from "../lib/validate";
import { TwoFactorSection } from "./TwoFactor";

const APPLICATIONS = ["billing", "partnership", "wallet", "identity", "notify"] as const;
const VALIDITIES = ["", "30", "90", "365"] as const;

interface ApiToken {
  api_token_id: string;
  name: string;
  application: string;
  permissions: string[];
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  deactivated_at: string | null;
}

export function SecurityPage() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t("security.title")}</h1>
      <ApiTokensSection />
      <AppPasswordsSection />
      <TwoFactorSection />
    </>
  );
}

function ApiTokensSection() {
  const { t, locale } = useI18n();
  const organisationId = useOrganisationId();
  const base = `/v1/organisations/${organisationId}/api-tokens`;
  const tokens = useLoad(() => call<ApiToken[]>("identity", base), [base]);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const revoke = useAction();
  const active = (tokens.data ?? []).filter((token) => !token.deactivated_at);

  async function revokeAll() {
    await revoke.run(async () => {
      for (const token of active) await call("identity", `${base}/${token.api_token_id}`, { method: "DELETE" });
    });
    tokens.reload();
  }

  return (
    <section aria-labelledby="tokens-title" className="panel">
      <div className="panel-head">
        <h2 id="tokens-title">{t("security.apiTokens")}</h2>
        <button type="button" className="primary" onClick={() => (setSecret(null), setCreating(true))}>
          {t("security.createToken")}
        </button>
      </div>
      {secret && (
        <div className="secret" role="status">
          <p>{t("security.tokenShownOnce")}</p>
          <code data-testid="token-secret">{secret}</code> <CopyButton text={secret} />
        </div>
      )}
      <Loading when={tokens.loading && !tokens.data} />
      <ErrorNote error={tokens.error ?? revoke.error} />
      {tokens.data && tokens.data.length === 0 && <p>{t("app.none")}</p>}
      {tokens.data && tokens.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("security.tokenName")}</th>
              <th scope="col">{t("security.application")}</th>
              <th scope="col">{t("security.permissions")}</th>
              <th scope="col">{t("security.expires")}</th>
              <th scope="col">{t("security.lastUsed")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("security.revoke")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((token) => (
              <tr key={token.api_token_id}>
                <td>{token.name}</td>
                <td>{token.application}</td>
                <td>{token.permissions.join(", ")}</td>
                <td>{token.expires_at ? formatDate(token.expires_at, locale) : t("security.unlimited")}</td>
                <td>{formatDateTime(token.last_used_at, locale)}</td>
                <td>
                  {token.deactivated_at ? (
                    t("security.revoked")
                  ) : (
                    <button
                      type="button"
                      onClick={() => revoke.run(() => call("identity", `${base}/${token.api_token_id}`, { method: "DELETE" })).then(tokens.reload)}
                    >
                      {t("security.revoke")} <span className="visually-hidden">{token.name}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {active.length > 1 && (
        <button type="button" className="danger" onClick={revokeAll} disabled={revoke.busy}>
          {t("security.revokeAll")}
        </button>
      )}
      <Dialog title={t("security.createToken")} open={creating} onClose={() => setCreating(false)}>
        <CreateTokenForm
          base={base}
          onCreated={(created) => {
            setCreating(false);
            setSecret(created);
            tokens.reload();
          }}
          onCancel={() => setCreating(false)}
        />
      </Dialog>
    </section>
  );
}

function CreateTokenForm({ base, onCreated, onCancel }: { base: string; onCreated: (secret: string) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState("");
  const [application, setApplication] = useState<string>("billing");
  const [permissions, setPermissions] = useState("invoices:read");
  const [validity, setValidity] = useState<string>("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const action = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!name.trim()) found.name = t("field.required");
    if (split(permissions).length === 0) found.permissions = t("field.required");
    if (!password) found.password = t("field.required");
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const body = {
      name: name.trim(),
      application,
      permissions: split(permissions),
      expires_at: validityEnd(validity ? Number(validity) : null, new Date()),
      password,
    };
    const created = await action.run(() => call<{ token: string }>("identity", base, { method: "POST", body }));
    if (created) onCreated(created.token);
  }

  return (
    <form onSubmit={submit} noValidate>
      <Field label={t("security.tokenName")} value={name} onChange={setName} error={errors.name} required />
      <Select label={t("security.application")} value={application} onChange={setApplication} options={APPLICATIONS.map((a) => ({ value: a, label: a }))} />
      <Field label={t("security.permissions")} value={permissions} onChange={setPermissions} error={errors.permissions} required />
      <Select
        label={t("security.validity")}
        value={validity}
        onChange={setValidity}
        options={VALIDITIES.map((days) => ({ value: days, label: days ? t("security.days", { days }) : t("security.unlimited") }))}
      />
      <Field label={t("security.passwordAgain")} value={password} onChange={setPassword} type="password" autoComplete="current-password" error={errors.password} required />
      <ErrorNote error={action.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={action.busy}>
          {t("security.createToken")}
        </button>
        <button type="button" onClick={onCancel}>
          {t("app.cancel")}
        </button>
      </div>
    </form>
  );
}

interface AppPassword {
  app_password_id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

function AppPasswordsSection() {
  const { t, locale } = useI18n();
  const passwords = useLoad(() => call<AppPassword[]>("identity", "/v1/me/app-passwords"), []);
  const [name, setName] = useState("");
  const [secret, setSecret] = useState<string | null>(null);
  const action = useAction();

  async function generate(event: FormEvent) {
    event.preventDefault();
    const created = await action.run(() => call<{ password: string }>("identity", "/v1/me/app-passwords", { method: "POST", body: { name } }));
    if (created) {
      setSecret(created.password);
      setName("");
      passwords.reload();
    }
  }

  const remove = (path: string) => action.run(() => call("identity", path, { method: "DELETE" })).then(passwords.reload);
  return (
    <section aria-labelledby="app-passwords-title" className="panel">
      <h2 id="app-passwords-title">{t("security.appPasswords")}</h2>
      {secret && (
        <div className="secret" role="status">
          <p>{t("security.appPasswordShownOnce")}</p>
          <code>{secret}</code> <CopyButton text={secret} />
        </div>
      )}
      <ErrorNote error={passwords.error ?? action.error} />
      <ul>
        {(passwords.data ?? []).map((password) => (
          <li key={password.app_password_id}>
            {password.name} · {formatDateTime(password.created_at, locale)}{" "}
            <button type="button" onClick={() => remove(`/v1/me/app-passwords/${password.app_password_id}`)}>
              {t("security.revoke")} <span className="visually-hidden">{password.name}</span>
            </button>
          </li>
        ))}
      </ul>
      {(passwords.data ?? []).length > 1 && (
        <button type="button" className="danger" onClick={() => remove("/v1/me/app-passwords")}>
          {t("security.revokeAll")}
        </button>
      )}
      <form onSubmit={generate} className="inline">
        <Field label={t("security.appPasswordName")} value={name} onChange={setName} required />
        <button type="submit" disabled={action.busy || !name.trim()}>
          {t("security.generate")}
        </button>
      </form>
    </section>
  );
}


