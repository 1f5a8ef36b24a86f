// Lost the authenticator and the backup codes: send identity documents for review. The console
// hashes each file in the browser; identity keeps the metadata and the review decides.
import { type FormEvent, useState } from "react";
import { Link } from "react-router-dom";
import { ErrorNote, Field, Notice, Select, useAction } from "../components/ui";
import { useI18n } from "../i18n";
import { call } from "../lib/api";
import { formatDateTime } from "../lib/format";

const KINDS = ["passport", "identity_card", "driving_licence", "selfie", "other"] as const;

async function sha256(file: File): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function RecoveryPage() {
  const { t, locale } = useI18n();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [kind, setKind] = useState<string>("passport");
  const [file, setFile] = useState<File | null>(null);
  const [message, setMessage] = useState("");
  const [sent, setSent] = useState<string | null>(null);
  const action = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    await action.run(async () => {
      const documents = file ? [{ kind, filename: file.name, sha256: await sha256(file) }] : [];
      const answer = await call<{ submitted_at: string }>("identity", "/v1/two-factor/recovery-requests", {
        method: "POST",
        token: null,
        body: { email, password, documents, message: message || null },
      });
      setSent(answer.submitted_at);
    });
  }

  return (
    <div className="centered">
      <main id="main" className="card narrow">
        <h1>{t("recovery.title")}</h1>
        <p>{t("recovery.intro")}</p>
        {sent ? (
          <Notice>{t("recovery.sent", { date: formatDateTime(sent, locale) })}</Notice>
        ) : (
          <form onSubmit={submit}>
            <Field label={t("signIn.email")} value={email} onChange={setEmail} type="email" required />
            <Field label={t("signIn.password")} value={password} onChange={setPassword} type="password" required />
            <Select label={t("recovery.kind")} value={kind} onChange={setKind} options={KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))} />
            <div className="field">
              <label htmlFor="recovery-file">{t("recovery.document")}</label>
              <input id="recovery-file" type="file" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
            </div>
            <div className="field">
              <label htmlFor="recovery-message">{t("recovery.message")}</label>
              <textarea id="recovery-message" value={message} onChange={(event) => setMessage(event.target.value)} />
            </div>
            <ErrorNote error={action.error} />
            <button type="submit" className="primary" disabled={action.busy}>
              {t("recovery.submit")}
            </button>
          </form>
        )}
        <p>
          <Link to="/sign-in">{t("recovery.back")}</Link>
        </p>
      </main>
    </div>
  );
}
