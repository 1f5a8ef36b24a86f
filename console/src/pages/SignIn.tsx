// Sign in with e-mail and password; when 2FA is on, identity answers 401 with two_factor_required
// and the page asks for a code from the authenticator app or a backup code.
import { type FormEvent, useState } from "react";
import { Link } from "react-router-dom";
import { ErrorNote, Field, Notice, Select, useAction } from "../components/ui";
import { LANGUAGE_NAMES, LOCALES, isLocale, useI18n } from "../i18n";
import { ApiError, call } from "../lib/api";
import { secondFactorKind } from "../lib/validate";

interface Props {
  onSignedIn: (token: string) => Promise<void>;
  notice: string | null;
}

export function SignInPage({ onSignedIn, notice }: Props) {
  const { t, locale, setLocale } = useI18n();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [needsCode, setNeedsCode] = useState(false);
  const [codeError, setCodeError] = useState<string | null>(null);
  const action = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const kind = needsCode ? secondFactorKind(code) : null;
    if (needsCode && kind === null) return setCodeError(t("signIn.codeInvalid"));
    setCodeError(null);
    const body = {
      email,
      password,
      totp_code: kind === "totp" ? code.trim() : undefined,
      backup_code: kind === "backup" ? code.trim() : undefined,
    };
    await action.run(async () => {
      try {
        const session = await call<{ access_token: string }>("identity", "/v1/sessions", { method: "POST", body, token: null });
        await onSignedIn(session.access_token);
      } catch (error) {
        if (error instanceof ApiError && error.problem.two_factor_required && !needsCode) {
          setNeedsCode(true);
          return;
        }
        throw error;
      }
    });
  }

  return (
    <div className="centered">
      <main id="main" className="card narrow">
        <h1>{t("signIn.title")}</h1>
        <Select
          label={t("app.language")}
          value={locale}
          onChange={(value) => isLocale(value) && setLocale(value)}
          options={LOCALES.map((code) => ({ value: code, label: LANGUAGE_NAMES[code] }))}
        />
        <Notice>{notice}</Notice>
        <form onSubmit={submit} noValidate>
          <Field label={t("signIn.email")} value={email} onChange={setEmail} type="email" autoComplete="username" required />
          <Field label={t("signIn.password")} value={password} onChange={setPassword} type="password" autoComplete="current-password" required />
          {needsCode && (
            <fieldset>
              <legend>{t("signIn.secondFactor")}</legend>
              <Field
                label={t("signIn.code")}
                value={code}
                onChange={setCode}
                autoComplete="one-time-code"
                hint={t("signIn.codeHint")}
                error={codeError}
              />
              <p>
                <Link to="/recovery">{t("signIn.lostDevice")}</Link>
              </p>
            </fieldset>
          )}
          <ErrorNote error={action.error} />
          <button type="submit" className="primary" disabled={action.busy}>
            {needsCode ? t("signIn.verify") : t("signIn.submit")}
          </button>
        </form>
      </main>
    </div>
  );
}
