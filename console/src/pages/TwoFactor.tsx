// Two-step verification: a TOTP secret shown as a QR code, confirmed with a code from the app,
// then ten backup codes shown once with a sheet to download.
import { type FormEvent, useEffect, useState } from "react";
import QRCode from "qrcode";
import { ErrorNote, Field, download, useAction } from "../components/ui";
import { useI18n } from "../i18n";
import { call } from "../lib/api";
import { useSession } from "../lib/session";

export function TwoFactorSection() {
  const { t } = useI18n();
  const { me, refreshMe } = useSession();
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauth_uri: string } | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [codes, setCodes] = useState<string[] | null>(null);
  const action = useAction();

  useEffect(() => {
    if (enrolment) QRCode.toDataURL(enrolment.otpauth_uri, { margin: 1, width: 200 }).then(setQr, () => setQr(null));
  }, [enrolment]);

  async function start() {
    const started = await action.run(() => call<{ secret: string; otpauth_uri: string }>("identity", "/v1/me/two-factor/enrolment", { method: "POST" }));
    if (started) setEnrolment(started);
  }

  async function confirm(event: FormEvent) {
    event.preventDefault();
    const confirmed = await action.run(() => call<{ backup_codes: string[] }>("identity", "/v1/me/two-factor/confirmation", { method: "POST", body: { code: code.trim() } }));
    if (confirmed) {
      setCodes(confirmed.backup_codes);
      setEnrolment(null);
      setCode("");
      await refreshMe();
    }
  }

  async function disable(event: FormEvent) {
    event.preventDefault();
    const done = await action.run(() => call("identity", "/v1/me/two-factor/disable", { method: "POST", body: { password, code: code.trim() } }).then(() => true));
    if (done) {
      setCode("");
      setPassword("");
      await refreshMe();
    }
  }

  const sheet = () => `${t("security.backupCodes")} — ${me.email}\n\n${(codes ?? []).join("\n")}\n`;
  return (
    <section aria-labelledby="two-factor-title" className="panel">
      <h2 id="two-factor-title">{t("security.twoFactor")}</h2>
      <p>{me.two_factor_enabled ? t("security.twoFactorOn") : t("security.twoFactorOff")}</p>
      <ErrorNote error={action.error} />
      {codes && (
        <div className="secret" role="status">
          <h3>{t("security.backupCodes")}</h3>
          <p>{t("security.backupIntro")}</p>
          <ul className="codes">
            {codes.map((one) => (
              <li key={one}>
                <code>{one}</code>
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => download("tessera-backup-codes.txt", sheet(), "text/plain")}>
            {t("security.download")}
          </button>
        </div>
      )}
      {!me.two_factor_enabled && !enrolment && (
        <button type="button" className="primary" onClick={start} disabled={action.busy}>
          {t("security.enrol")}
        </button>
      )}
      {enrolment && (
        <form onSubmit={confirm}>
          <p>{t("security.scan")}</p>
          {qr && <img src={qr} alt={enrolment.otpauth_uri} width={200} height={200} />}
          <p>
            <code>{enrolment.secret}</code>
          </p>
          <Field label={t("security.confirmCode")} value={code} onChange={setCode} autoComplete="one-time-code" required />
          <button type="submit" className="primary" disabled={action.busy}>
            {t("app.confirm")}
          </button>
        </form>
      )}
      {me.two_factor_enabled && (
        <details>
          <summary>{t("security.disable")}</summary>
          <form onSubmit={disable}>
            <Field label={t("signIn.password")} value={password} onChange={setPassword} type="password" autoComplete="current-password" required />
            <Field label={t("signIn.code")} value={code} onChange={setCode} autoComplete="one-time-code" required />
            <button type="submit" className="danger" disabled={action.busy}>
              {t("security.disable")}
            </button>
          </form>
        </details>
      )}

    </section>
  );
}
