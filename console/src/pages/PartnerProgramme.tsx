// The programme's status and its conditions (as partnership judges them on application), and the
// directory listing through which clients find the partner and send offer requests.
import { type FormEvent, useState } from "react";
import { Checkbox, ErrorNote, Field, Notice, useAction } from "../components/ui";
import { useI18n } from "../i18n";
import { ApiError, call } from "../lib/api";
import { formatBasisPoints, formatDate, formatMoney } from "../lib/format";
import { type Listing } from "../lib/partnership";
import { useOrganisationId } from "../lib/session";
import { useLoad } from "../lib/useLoad";
import { parseAmount } from "../lib/validate";

interface Partner {
  status: string;
  website_url: string;
  annual_commitment: { amount_minor: number; currency: string };
  status_changed_at: string;
  tier: { tier: string; reseller_discount_bp: number; cashback_bp: number } | null;
}

interface Condition {
  condition: string;
  met: boolean;
  detail: string;
}

export function ProgrammeSection() {
  const { t, locale } = useI18n();
  const organisationId = useOrganisationId();
  const standing = useLoad(
    () => call<Partner>("partnership", `/v1/organisations/${organisationId}/partner-programme`).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }),
    [organisationId],
  );
  const partner = standing.data;
  return (
    <section aria-labelledby="programme-title" className="panel">
      <h2 id="programme-title">{t("console.programme")}</h2>
      <ErrorNote error={standing.error} />
      {partner === null && (
        <>
          <p>{t("console.notPartner")}</p>
          <ApplyForm onApplied={standing.reload} />
        </>
      )}
      {partner && (
        <>
          <dl className="pairs">
            <dt>{t("partners.status")}</dt>
            <dd>
              {t(`status.${partner.status}` as "status.active")} ({formatDate(partner.status_changed_at, locale)})
            </dd>
            <dt>{t("console.website")}</dt>
            <dd>{partner.website_url}</dd>
            <dt>{t("console.commitment")}</dt>
            <dd>{formatMoney(partner.annual_commitment.amount_minor, partner.annual_commitment.currency, locale)}</dd>
            {partner.tier && (
              <>
                <dt>{t("console.tier")}</dt>
                <dd>
                  {partner.tier.tier} · {t("console.discount")} {formatBasisPoints(partner.tier.reseller_discount_bp, locale)} · {t("console.cashback")}{" "}
                  {formatBasisPoints(partner.tier.cashback_bp, locale)}
                </dd>
              </>
            )}
          </dl>
          {partner.status === "active" && <ListingForm />}
        </>
      )}
    </section>
  );
}

function ApplyForm({ onApplied }: { onApplied: () => void }) {
  const { t } = useI18n();
  const organisationId = useOrganisationId();
  const [website, setWebsite] = useState("https://");
  const [commitment, setCommitment] = useState("2000");
  const [terms, setTerms] = useState(false);
  const [conditions, setConditions] = useState<Condition[]>([]);
  const action = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = { website_url: website, accepts_reseller_terms: terms, annual_commitment: { amount_minor: parseAmount(commitment) ?? 0, currency: "CHF" } };
    const applied = await action.run(async () => {
      try {
        return await call<{ conditions: Condition[] }>("partnership", `/v1/organisations/${organisationId}/partner-programme/application`, { method: "POST", body });
      } catch (error) {
        if (error instanceof ApiError && Array.isArray(error.problem.conditions)) setConditions(error.problem.conditions as Condition[]);
        throw error;
      }
    });
    if (applied) {
      setConditions(applied.conditions);
      onApplied();
    }
  }

  return (
    <form onSubmit={submit}>
      <Field label={t("console.website")} value={website} onChange={setWebsite} type="url" required />
      <Field label={`${t("console.commitment")} (CHF)`} value={commitment} onChange={setCommitment} inputMode="decimal" />
      <Checkbox label={t("console.acceptTerms")} checked={terms} onChange={setTerms} />
      <ErrorNote error={action.error} />
      {conditions.length > 0 && (
        <>
          <h3>{t("console.conditions")}</h3>
          <ul className="conditions">
            {conditions.map((condition) => (
              <li key={condition.condition} className={condition.met ? "met" : "unmet"}>
                {condition.met ? "✓" : "✗"} {condition.detail}
              </li>
            ))}
          </ul>
        </>
      )}
      <button type="submit" className="primary" disabled={action.busy}>
        {t("console.apply")}
      </button>
    </form>
  );
}

function ListingForm() {
  const organisationId = useOrganisationId();
  const path = `/v1/organisations/${organisationId}/directory-listing`;
  const listing = useLoad(() => call<Listing>("partnership", path).catch(() => null), [path]);
  return listing.loading ? null : <ListingFields path={path} listing={listing.data ?? null} />;
}

function ListingFields({ path, listing }: { path: string; listing: Listing | null }) {
  const { t } = useI18n();
  const [website, setWebsite] = useState(listing?.website_url ?? "https://");
  const [languages, setLanguages] = useState(listing?.languages.join(", ") ?? "");
  const [specialties, setSpecialties] = useState(listing?.specialties.join(", ") ?? "");
  const [description, setDescription] = useState(listing?.description ?? "");
  const [offers, setOffers] = useState(listing?.accepts_offer_requests ?? true);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const list = (text: string) => text.split(",").map((part) => part.trim()).filter(Boolean);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = { website_url: website, languages: list(languages), specialties: list(specialties), description, accepts_offer_requests: offers };
    setSaved(Boolean(await action.run(() => call("partnership", path, { method: "PUT", body }))));
  }

  return (
    <form onSubmit={submit}>
      <h3>{t("console.directory")}</h3>
      <Field label={t("console.website")} value={website} onChange={setWebsite} type="url" />
      <Field label={t("console.languages")} value={languages} onChange={setLanguages} />
      <Field label={t("console.specialties")} value={specialties} onChange={setSpecialties} />
      <Field label={t("console.description")} value={description} onChange={setDescription} />
      <Checkbox label={t("console.acceptsOffers")} checked={offers} onChange={setOffers} />
      <ErrorNote error={action.error} />
      {saved && <Notice>{t("console.listed")}</Notice>}
      <button type="submit" disabled={action.busy}>
        {t("app.save")}
      </button>
    </form>
  );
}
