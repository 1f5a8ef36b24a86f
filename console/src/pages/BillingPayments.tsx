// Payment methods and billing addresses. Adding a card: billing opens a Stripe SetupIntent; in
// production Stripe.js would collect the card and confirm it (js.stripe.com is not reachable from
// this build's test machines), and Stripe's setup_intent.succeeded webhook makes billing save it.
// So the form never sends card details anywhere: it opens the setup, asks billing to save the card
// of the setup, and waits until the card appears in the list.
import { type FormEvent, useState } from "react";
import { ErrorNote, Field, Loading, Notice, useAction } from "../components/ui";
import { useI18n } from "../i18n";
import { ApiError, call } from "../lib/api";
import { type Card } from "../lib/billing";
import { useOrganisationId } from "../lib/session";
import { useLoad } from "../lib/useLoad";

const CONFIRM_WAIT_MS = 90_000;

function delay(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function PaymentMethodsSection() {
  const { t } = useI18n();
  const organisationId = useOrganisationId();
  const base = `/v1/organisations/${organisationId}`;
  const cards = useLoad(() => call<Card[]>("billing", `${base}/payment-methods`), [base]);
  const [adding, setAdding] = useState(false);
  const action = useAction();
  const change = (path: string, method: string) => action.run(() => call("billing", path, { method })).then(cards.reload);

  return (
    <section aria-labelledby="cards-title" className="panel">
      <div className="panel-head">
        <h2 id="cards-title">{t("billing.paymentMethods")}</h2>
        <button type="button" className="primary" onClick={() => setAdding(true)}>
          {t("billing.addCard")}
        </button>
      </div>
      <Loading when={cards.loading && !cards.data} />
      <ErrorNote error={cards.error ?? action.error} />
      {cards.data && cards.data.length === 0 && <p>{t("app.none")}</p>}
      <ul className="cards">
        {(cards.data ?? []).map((card) => (
          <li key={card.payment_method_id}>
            <span>
              {card.brand} •••• {card.last4} · {t("billing.expires", { month: String(card.exp_month).padStart(2, "0"), year: card.exp_year })}
            </span>
            {card.primary ? (
              <strong className="badge">{t("billing.primary")}</strong>
            ) : (
              <button type="button" onClick={() => change(`${base}/payment-methods/${card.payment_method_id}/primary`, "PUT")}>
                {t("billing.makePrimary")}
              </button>
            )}
            <button type="button" onClick={() => change(`${base}/payment-methods/${card.payment_method_id}`, "DELETE")}>
              {t("app.remove")} <span className="visually-hidden">•••• {card.last4}</span>
            </button>
          </li>
        ))}
      </ul>
      {adding && (
        <AddCardForm
          base={base}
          known={(cards.data ?? []).map((card) => card.payment_method_id)}
          onDone={() => {
            setAdding(false);
            cards.reload();
          }}
          onCancel={() => setAdding(false)}
        />
      )}
    </section>
  );
}

function AddCardForm({ base, known, onDone, onCancel }: { base: string; known: string[]; onDone: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [number, setNumber] = useState("4242 4242 4242 4242");
  const [expiry, setExpiry] = useState("12/34");
  const [cvc, setCvc] = useState("123");
  const [waiting, setWaiting] = useState(false);
  const [added, setAdded] = useState(false);
  const action = useAction();

  async function waitForCard(setupIntentId: string): Promise<boolean> {
    const deadline = Date.now() + CONFIRM_WAIT_MS;
    while (Date.now() < deadline) {
      try {
        await call("billing", `${base}/payment-methods`, { method: "POST", body: { setup_intent_id: setupIntentId } });
        return true;
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 409) throw error;
      }
      const listed = await call<Card[]>("billing", `${base}/payment-methods`);
      if (listed.some((card) => !known.includes(card.payment_method_id))) return true;
      await delay(1000);
    }
    return false;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    await action.run(async () => {
      const setup = await call<{ setup_intent_id: string }>("billing", `${base}/card-setups`, { method: "POST" });
      setWaiting(true);
      try {
        if (await waitForCard(setup.setup_intent_id)) {
          setAdded(true);
          onDone();
        }
      } finally {
        setWaiting(false);
      }
    });
  }

  return (
    <form onSubmit={submit} aria-label={t("billing.addCard")}>
      <p className="hint">{t("billing.cardTestMode")}</p>
      <Field label={t("billing.cardNumber")} value={number} onChange={setNumber} autoComplete="off" />
      <div className="row">
        <Field label={t("billing.cardExpiry")} value={expiry} onChange={setExpiry} autoComplete="off" />
        <Field label={t("billing.cardCvc")} value={cvc} onChange={setCvc} autoComplete="off" />
      </div>
      {waiting && <Notice>{t("billing.cardWaiting")}</Notice>}
      {added && <Notice>{t("billing.cardAdded")}</Notice>}
      <ErrorNote error={action.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={action.busy}>
          {t("billing.addCard")}
        </button>
        <button type="button" onClick={onCancel}>
          {t("app.cancel")}
        </button>
      </div>
    </form>
  );
}

interface Address {
  address_id: string;
  name: string;
  line1: string;
  line2: string | null;
  postal_code: string;
  city: string;
  country: string;
  default: boolean;
}

export function AddressesSection() {
  const { t } = useI18n();
  const organisationId = useOrganisationId();
  const base = `/v1/organisations/${organisationId}/billing-addresses`;
  const addresses = useLoad(() => call<Address[]>("billing", base), [base]);
  const [form, setForm] = useState({ name: "", line1: "", postal_code: "", city: "", country: "" });
  const action = useAction();
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value });

  async function add(event: FormEvent) {
    event.preventDefault();
    const body = { ...form, country: form.country.trim().toUpperCase(), default: (addresses.data ?? []).length === 0 };
    if (await action.run(() => call("billing", base, { method: "POST", body }))) {
      setForm({ name: "", line1: "", postal_code: "", city: "", country: "" });
      addresses.reload();
    }
  }

  return (
    <section aria-labelledby="addresses-title" className="panel">
      <h2 id="addresses-title">{t("billing.addresses")}</h2>
      <ErrorNote error={addresses.error ?? action.error} />
      <ul>
        {(addresses.data ?? []).map((address) => (
          <li key={address.address_id}>
            {address.name}, {address.line1}, {address.postal_code} {address.city}, {address.country}
            {address.default && <strong className="badge">{t("billing.default")}</strong>}{" "}
            <button type="button" onClick={() => action.run(() => call("billing", `${base}/${address.address_id}`, { method: "DELETE" })).then(addresses.reload)}>
              {t("app.remove")} <span className="visually-hidden">{address.name}</span>
            </button>
          </li>
        ))}
      </ul>
      <details>
        <summary>{t("billing.addAddress")}</summary>
        <form onSubmit={add}>
          <Field label={t("billing.addressName")} value={form.name} onChange={set("name")} required />
          <Field label={t("billing.line1")} value={form.line1} onChange={set("line1")} required />
          <div className="row">
            <Field label={t("billing.postalCode")} value={form.postal_code} onChange={set("postal_code")} required />
            <Field label={t("billing.city")} value={form.city} onChange={set("city")} required />
            <Field label={t("org.country")} value={form.country} onChange={set("country")} required />
          </div>
          <button type="submit" disabled={action.busy}>
            {t("app.save")}
          </button>
        </form>
      </details>
    </section>
  );
}
