// Settings > Billing (seed 004): subscriptions by kind with their coloured tags, then payment
// methods, billing addresses, invoices and the history, each in its own section.
import { type FormEvent, useState } from "react";
import { Link } from "react-router-dom";
import { ErrorNote, Field, Loading, Select, useAction } from "../components/ui";
import { useI18n } from "../i18n";
import { call } from "../lib/api";
import { type Product, PRODUCT_KINDS, type Subscription, TAG_COLOURS, type Tag } from "../lib/billing";
import { formatDate, formatMoney } from "../lib/format";
import { useOrganisationId } from "../lib/session";
import { useLoad } from "../lib/useLoad";
import { AddressesSection, PaymentMethodsSection } from "./BillingPayments";
import { HistorySection, InvoicesSection } from "./BillingInvoices";

export function BillingPage() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t("billing.title")}</h1>
      <p>
        <Link to="/billing/wallet">{t("nav.wallet")}</Link>
      </p>
      <SubscriptionsSection />
      <PaymentMethodsSection />
      <AddressesSection />
      <InvoicesSection />
      <HistorySection />
    </>
  );
}

function TagChip({ tag }: { tag: Tag }) {
  return (
    <span className="tag" style={{ background: tag.colour }}>
      {tag.name}
    </span>
  );
}

function SubscriptionsSection() {
  const { t, locale } = useI18n();
  const organisationId = useOrganisationId();
  const base = `/v1/organisations/${organisationId}`;
  const [kind, setKind] = useState("");
  const [tagId, setTagId] = useState("");
  const subscriptions = useLoad(
    () => call<Subscription[]>("billing", `${base}/subscriptions`, { query: { kind, tag_id: tagId } }),
    [base, kind, tagId],
  );
  const tags = useLoad(() => call<Tag[]>("billing", `${base}/tags`), [base]);
  const action = useAction();
  const reload = () => (subscriptions.reload(), tags.reload());
  const tagging = (subscription: Subscription, tag: Tag, method: "PUT" | "DELETE") =>
    action.run(() => call("billing", `${base}/subscriptions/${subscription.subscription_id}/tags/${tag.tag_id}`, { method })).then(reload);

  return (
    <section aria-labelledby="subscriptions-title" className="panel">
      <h2 id="subscriptions-title">{t("billing.subscriptions")}</h2>
      <div className="filters">
        <Select
          label={t("billing.filterKind")}
          value={kind}
          onChange={setKind}
          options={[{ value: "", label: t("billing.allKinds") }, ...PRODUCT_KINDS.map((k) => ({ value: k, label: t(`product.${k}`) }))]}
        />
        <Select
          label={t("billing.filterTag")}
          value={tagId}
          onChange={setTagId}
          options={[{ value: "", label: t("billing.allTags") }, ...(tags.data ?? []).map((tag) => ({ value: tag.tag_id, label: tag.name }))]}
        />
      </div>
      <Loading when={subscriptions.loading && !subscriptions.data} />
      <ErrorNote error={subscriptions.error ?? action.error} />
      {subscriptions.data && subscriptions.data.length === 0 && <p>{t("app.none")}</p>}
      {subscriptions.data && subscriptions.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("billing.product")}</th>
              <th scope="col">{t("billing.kind")}</th>
              <th scope="col">{t("billing.price")}</th>
              <th scope="col">{t("billing.nextRenewal")}</th>
              <th scope="col">{t("billing.payer")}</th>
              <th scope="col">{t("billing.tag")}</th>
            </tr>
          </thead>
          <tbody>
            {subscriptions.data.map((subscription) => (
              <tr key={subscription.subscription_id}>
                <td>{subscription.product_name}</td>
                <td>{t(`product.${subscription.kind}`)}</td>
                <td>{formatMoney(subscription.price.amount_minor, subscription.price.currency, locale)}</td>
                <td>{subscription.cancelled_at ? "—" : formatDate(subscription.next_renewal_on, locale)}</td>
                <td>{subscription.payer_for_next_renewal_organisation_id === organisationId ? t("billing.payerYou") : t("billing.payerPartner")}</td>
                <td>
                  {subscription.tags.map((tag) => (
                    <button key={tag.tag_id} type="button" className="tag-button" onClick={() => tagging(subscription, tag, "DELETE")} aria-label={t("billing.removeTag", { tag: tag.name })}>
                      <TagChip tag={tag} /> ×
                    </button>
                  ))}
                  <TagPicker
                    label={t("billing.addTag", { product: subscription.product_name })}
                    tags={(tags.data ?? []).filter((tag) => !subscription.tags.some((on) => on.tag_id === tag.tag_id))}
                    onPick={(tag) => tagging(subscription, tag, "PUT")}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <OrderForm base={base} onOrdered={reload} />
      <TagsManager base={base} tags={tags.data ?? []} onChanged={reload} />
    </section>
  );
}

function TagPicker({ label, tags, onPick }: { label: string; tags: Tag[]; onPick: (tag: Tag) => void }) {
  if (tags.length === 0) return null;
  return (
    <select aria-label={label} value="" onChange={(event) => onPick(tags.find((tag) => tag.tag_id === event.target.value)!)}>
      <option value="">+</option>
      {tags.map((tag) => (
        <option key={tag.tag_id} value={tag.tag_id}>
          {tag.name}
        </option>
      ))}
    </select>
  );
}

function OrderForm({ base, onOrdered }: { base: string; onOrdered: () => void }) {
  const { t, locale } = useI18n();
  const catalogue = useLoad(() => call<Product[]>("billing", "/v1/catalogue"), []);
  const [product, setProduct] = useState("");
  const [currency, setCurrency] = useState("CHF");
  const action = useAction();
  const products = catalogue.data ?? [];
  const chosen = product || products[0]?.product_code || "";

  async function order(event: FormEvent) {
    event.preventDefault();
    const ordered = await action.run(() => call("billing", `${base}/subscriptions`, { method: "POST", body: { product_code: chosen, currency } }));
    if (ordered) onOrdered();
  }

  const priceOf = (entry: Product) => entry.prices.find((price) => price.currency === currency);
  return (
    <details>
      <summary>{t("billing.order")}</summary>
      <form onSubmit={order} className="inline">
        <Select
          label={t("billing.product")}
          value={chosen}
          onChange={setProduct}
          options={products.map((entry) => {
            const price = priceOf(entry);
            return { value: entry.product_code, label: `${entry.name}${price ? ` — ${formatMoney(price.amount_minor, price.currency, locale)}` : ""}` };
          })}
        />
        <Select label={t("billing.currency")} value={currency} onChange={setCurrency} options={["CHF", "EUR"].map((c) => ({ value: c, label: c }))} />
        <button type="submit" className="primary" disabled={action.busy || !chosen}>
          {t("billing.order")}
        </button>
      </form>
      <ErrorNote error={catalogue.error ?? action.error} />
    </details>
  );
}

function TagsManager({ base, tags, onChanged }: { base: string; tags: Tag[]; onChanged: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState("");
  const [colour, setColour] = useState(TAG_COLOURS[0]);
  const action = useAction();
  const change = (path: string, method: string, body?: unknown) => action.run(() => call("billing", path, { method, body })).then(onChanged);

  async function create(event: FormEvent) {
    event.preventDefault();
    await change(`${base}/tags`, "POST", { name: name.trim(), colour });
    setName("");
  }

  return (
    <details>
      <summary>{t("billing.tags")}</summary>
      <ul className="tag-list">
        {tags.map((tag) => (
          <li key={tag.tag_id}>
            <TagChip tag={tag} />{" "}
            <button
              type="button"
              onClick={() => {
                const renamed = window.prompt(t("billing.renameTag", { tag: tag.name }), tag.name);
                if (renamed) void change(`${base}/tags/${tag.tag_id}`, "PATCH", { name: renamed });
              }}
            >
              {t("app.edit")} <span className="visually-hidden">{tag.name}</span>
            </button>{" "}
            <button type="button" onClick={() => change(`${base}/tags/${tag.tag_id}`, "DELETE")} aria-label={t("billing.deleteTag", { tag: tag.name })}>
              {t("app.remove")}
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={create} className="inline">
        <Field label={t("billing.tagName")} value={name} onChange={setName} required />
        <Select label={t("billing.tagColour")} value={colour} onChange={setColour} options={TAG_COLOURS.map((c) => ({ value: c, label: c }))} />
        <button type="submit" disabled={action.busy || !name.trim()}>
          {t("billing.newTag")}
        </button>
      </form>
      <ErrorNote error={action.error} />
    </details>
  );
}
