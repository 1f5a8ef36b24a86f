// Settings > Billing > Wallet & Transactions: the balance (paid and complimentary credits), adding
// funds with the primary card, auto-recharge, a chart of the balance, the transactions and charges.
import { type FormEvent, useState } from "react";
import { Checkbox, ErrorNote, Field, Loading, Notice, Select, useAction } from "../components/ui";
import { useI18n } from "../i18n";
import { call } from "../lib/api";
import { type BalancePoint, scalePoints } from "../lib/chart";
import { formatDateTime, formatMoney, minorPerMajor } from "../lib/format";
import { useOrganisationId } from "../lib/session";
import { useLoad } from "../lib/useLoad";
import { parseAmount } from "../lib/validate";

interface Balance {
  paid_minor: number;
  complimentary_minor: number;
  total_minor: number;
}

interface Wallet {
  wallet_id: string;
  currency: string;
  balance: Balance;
  auto_recharge: {
    enabled: boolean;
    threshold_minor?: number | null;
    amount_minor?: number | null;
    monthly_cap_minor?: number | null;
    paused: boolean;
  };
  receipts_to_client: boolean;
}

interface Movement {
  movement_id: string;
  kind: "top_up" | "auto_recharge" | "complimentary" | "debit";
  amount_minor: number;
  balance_after: Balance;
  recorded_at: string;
  note: string | null;
}

interface Charge {
  charge_id: string;
  kind: "top_up" | "auto_recharge";
  amount_minor: number;
  status: "due" | "charging" | "pending" | "succeeded" | "failed";
  last_error: string | null;
  created_at: string;
}

export function WalletPage() {
  const { t } = useI18n();
  const organisationId = useOrganisationId();
  const base = `/v1/organisations/${organisationId}/wallets`;
  const wallets = useLoad(() => call<Wallet[]>("wallet", base), [base]);
  const [currency, setCurrency] = useState<string | null>(null);
  const action = useAction();
  const list = wallets.data ?? [];
  const chosen = list.find((wallet) => wallet.currency === currency) ?? list[0];
  const missing = ["CHF", "EUR"].filter((code) => !list.some((wallet) => wallet.currency === code));

  return (
    <>
      <h1>{t("wallet.title")}</h1>
      <Loading when={wallets.loading && !wallets.data} />
      <ErrorNote error={wallets.error ?? action.error} />
      {list.length > 1 && (
        <Select label={t("billing.currency")} value={chosen?.currency ?? ""} onChange={setCurrency} options={list.map((w) => ({ value: w.currency, label: w.currency }))} />
      )}
      {wallets.data && (
        <p className="actions">
          {missing.map((code) => (
            <button key={code} type="button" onClick={() => action.run(() => call("wallet", base, { method: "POST", body: { currency: code } })).then(wallets.reload)}>
              {t("wallet.open", { currency: code })}
            </button>
          ))}
        </p>
      )}
      {chosen && <WalletView key={chosen.wallet_id} wallet={chosen} path={`${base}/${chosen.currency}`} onChanged={wallets.reload} />}
    </>
  );
}

function WalletView({ wallet, path, onChanged }: { wallet: Wallet; path: string; onChanged: () => void }) {
  const { t, locale } = useI18n();
  const money = (minor: number) => formatMoney(minor, wallet.currency, locale);
  const history = useLoad(() => call<{ items: Movement[] }>("wallet", `${path}/transactions`, { query: { limit: 200 } }), [path, wallet.balance.total_minor]);
  const charges = useLoad(() => call<Charge[]>("wallet", `${path}/charges`, { query: { kind: "top_up" } }), [path, wallet.balance.total_minor]);
  const refresh = () => (onChanged(), history.reload(), charges.reload());
  const movements = history.data?.items ?? [];
  return (
    <>
      <section aria-labelledby="balance-title" className="panel">
        <h2 id="balance-title">{t("wallet.balance")}</h2>
        <p className="balance" data-testid="balance">
          {money(wallet.balance.total_minor)}
        </p>
        <dl className="pairs">
          <dt>{t("wallet.paid")}</dt>
          <dd>{money(wallet.balance.paid_minor)}</dd>
          <dt>{t("wallet.complimentary")}</dt>
          <dd>{money(wallet.balance.complimentary_minor)}</dd>
        </dl>
        <TopUpForm wallet={wallet} path={path} onDone={refresh} />
      </section>
      <AutoRechargeForm wallet={wallet} path={path} onSaved={onChanged} />
      <section aria-labelledby="chart-title" className="panel">
        <h2 id="chart-title">{t("wallet.chart")}</h2>
        <BalanceChart points={[...movements].reverse().map((m) => ({ at: m.recorded_at, totalMinor: m.balance_after.total_minor }))} format={money} />
      </section>
      <section aria-labelledby="transactions-title" className="panel">
        <h2 id="transactions-title">{t("wallet.transactions")}</h2>
        <ErrorNote error={history.error} />
        {history.data && movements.length === 0 && <p>{t("app.none")}</p>}
        {movements.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">{t("billing.date")}</th>
                <th scope="col">{t("wallet.kind")}</th>
                <th scope="col">{t("wallet.amount")}</th>
                <th scope="col">{t("wallet.after")}</th>
              </tr>
            </thead>
            <tbody>
              {movements.map((movement) => (
                <tr key={movement.movement_id}>
                  <td>{formatDateTime(movement.recorded_at, locale)}</td>
                  <td>{t(`tx.${movement.kind}`)}</td>
                  <td>{money(movement.amount_minor)}</td>
                  <td>{money(movement.balance_after.total_minor)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="charges-title" className="panel">
        <h2 id="charges-title">{t("wallet.charges")}</h2>
        <ErrorNote error={charges.error} />
        {charges.data && charges.data.length === 0 && <p>{t("app.none")}</p>}
        {charges.data && charges.data.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">{t("billing.date")}</th>
                <th scope="col">{t("wallet.amount")}</th>
                <th scope="col">{t("billing.status")}</th>
                <th scope="col">{t("billing.description")}</th>
              </tr>
            </thead>
            <tbody>
              {charges.data.map((charge) => (
                <tr key={charge.charge_id}>
                  <td>{formatDateTime(charge.created_at, locale)}</td>
                  <td>{money(charge.amount_minor)}</td>
                  <td>{t(`charge.${charge.status}`)}</td>
                  <td>{charge.last_error ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function TopUpForm({ wallet, path, onDone }: { wallet: Wallet; path: string; onDone: () => void }) {
  const { t, locale } = useI18n();
  const [amount, setAmount] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const action = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setResult(null);
    const minor = parseAmount(amount, minorPerMajor(wallet.currency));
    if (minor === null || minor <= 0) return setInvalid(t("wallet.amountInvalid"));
    setInvalid(null);
    const topUp = await action.run(() => call<{ status: Charge["status"] }>("wallet", `${path}/top-ups`, { method: "POST", body: { amount_minor: minor, top_up_id: crypto.randomUUID() } }));
    if (topUp) setResult(t("wallet.toppedUp", { amount: formatMoney(minor, wallet.currency, locale), status: t(`charge.${topUp.status}`) }));
    onDone();
  }

  return (
    <form onSubmit={submit} className="inline" aria-label={t("wallet.topUp")}>
      <Field label={`${t("wallet.amount")} (${wallet.currency})`} value={amount} onChange={setAmount} error={invalid} inputMode="decimal" />
      <button type="submit" className="primary" disabled={action.busy}>
        {t("wallet.topUp")}
      </button>
      {result && <Notice>{result}</Notice>}
      <ErrorNote error={action.error} />
    </form>
  );
}

function AutoRechargeForm({ wallet, path, onSaved }: { wallet: Wallet; path: string; onSaved: () => void }) {
  const { t } = useI18n();
  const per = minorPerMajor(wallet.currency);
  const shown = (minor?: number | null) => (minor ? String(minor / per) : "");
  const rule = wallet.auto_recharge;
  const [enabled, setEnabled] = useState(rule.enabled);
  const [threshold, setThreshold] = useState(shown(rule.threshold_minor));
  const [amount, setAmount] = useState(shown(rule.amount_minor));
  const [cap, setCap] = useState(shown(rule.monthly_cap_minor));
  const [invalid, setInvalid] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const action = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const parsed = [threshold, amount].map((text) => parseAmount(text, per));
    if (enabled && parsed.some((value) => value === null)) return setInvalid(t("wallet.amountInvalid"));
    setInvalid(null);
    const body = enabled
      ? { enabled, threshold_minor: parsed[0], amount_minor: parsed[1], monthly_cap_minor: cap ? parseAmount(cap, per) : null }
      : { enabled };
    if (await action.run(() => call("wallet", `${path}/auto-recharge`, { method: "PUT", body }))) {
      setSaved(true);
      onSaved();
    }
  }

  return (
    <section aria-labelledby="auto-title" className="panel">
      <h2 id="auto-title">{t("wallet.autoRecharge")}</h2>
      {rule.paused && (
        <p>
          {t("wallet.paused")}{" "}
          <button type="button" onClick={() => action.run(() => call("wallet", `${path}/auto-recharge/resume`, { method: "POST" })).then(onSaved)}>
            {t("wallet.resume")}
          </button>
        </p>
      )}
      <form onSubmit={submit}>
        <Checkbox label={t("wallet.autoEnabled")} checked={enabled} onChange={setEnabled} />
        {enabled && (
          <div className="row">
            <Field label={t("wallet.threshold")} value={threshold} onChange={setThreshold} error={invalid} inputMode="decimal" />
            <Field label={t("wallet.rechargeAmount")} value={amount} onChange={setAmount} inputMode="decimal" />
            <Field label={t("wallet.monthlyCap")} value={cap} onChange={setCap} inputMode="decimal" />
          </div>
        )}
        <ErrorNote error={action.error} />
        {saved && <Notice>{t("app.saved")}</Notice>}
        <button type="submit" disabled={action.busy}>
          {t("app.save")}
        </button>
      </form>
      <Checkbox
        label={t("wallet.receipts")}
        checked={wallet.receipts_to_client}
        onChange={(value) => action.run(() => call("wallet", `${path}/receipts`, { method: "PUT", body: { to_client: value } })).then(onSaved)}
      />
    </section>
  );
}

const WIDTH = 600;
const HEIGHT = 160;

function BalanceChart({ points, format }: { points: BalancePoint[]; format: (minor: number) => string }) {
  const { t } = useI18n();
  if (points.length === 0) return <p>{t("wallet.chartEmpty")}</p>;
  const scaled = scalePoints(points, WIDTH, HEIGHT);
  const line = scaled.map((point) => `${point.x.toFixed(1)},${point.y.toFixed(1)}`).join(" ");
  const last = points[points.length - 1];
  return (
    <figure>
      <svg viewBox={`-8 -8 ${WIDTH + 16} ${HEIGHT + 16}`} role="img" aria-label={`${t("wallet.chart")}: ${format(last.totalMinor)}`} className="chart">
        <line x1="0" y1={HEIGHT} x2={WIDTH} y2={HEIGHT} stroke="#9ca3af" />
        <polyline points={line} fill="none" stroke="#1d4ed8" strokeWidth="2" />
        {scaled.map((point, index) => (
          <circle key={index} cx={point.x} cy={point.y} r="3" fill="#1d4ed8" />
        ))}
      </svg>
    </figure>
  );
}
