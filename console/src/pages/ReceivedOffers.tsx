// Offer requests a partner received: an excerpt each; opening one (while it is valid) reveals the
// whole request and the client's contact details.
import { useState } from "react";
import { ErrorNote, useAction } from "../components/ui";
import { useI18n } from "../i18n";
import { call } from "../lib/api";
import { formatDate } from "../lib/format";
import { useOrganisationId } from "../lib/session";
import { useLoad } from "../lib/useLoad";

interface Excerpt {
  offer_request_id: string;
  title: string;
  excerpt: string;
  country: string;
  languages: string[];
  posted_at: string;
  expires_at: string;
}

interface Opened extends Excerpt {
  description: string;
  contact: { name: string; email: string; phone: string | null };
}

export function ReceivedOffersSection() {
  const { t, locale } = useI18n();
  const organisationId = useOrganisationId();
  const base = `/v1/organisations/${organisationId}/received-offer-requests`;
  const received = useLoad(() => call<Excerpt[]>("partnership", base), [base]);
  const [opened, setOpened] = useState<Record<string, Opened>>({});
  const action = useAction();

  async function open(request: Excerpt) {
    const found = await action.run(() => call<Opened>("partnership", `${base}/${request.offer_request_id}/open`, { method: "POST" }));
    if (found) setOpened({ ...opened, [request.offer_request_id]: found });
  }

  return (
    <section aria-labelledby="offers-title" className="panel">
      <h2 id="offers-title">{t("console.offers")}</h2>
      <ErrorNote error={received.error ?? action.error} />
      {received.data && received.data.length === 0 && <p>{t("app.none")}</p>}
      <ul className="offers">
        {(received.data ?? []).map((request) => {
          const full = opened[request.offer_request_id];
          return (
            <li key={request.offer_request_id}>
              <h3>{request.title}</h3>
              <p>{full ? full.description : request.excerpt}</p>
              <p className="hint">
                {request.country} · {request.languages.join(", ")} · {t("console.expires")} {formatDate(request.expires_at, locale)}
              </p>
              {full ? (
                <dl className="pairs contact">
                  <dt>{t("console.contact")}</dt>
                  <dd>{full.contact.name}</dd>
                  <dt>{t("signIn.email")}</dt>
                  <dd>
                    <a href={`mailto:${full.contact.email}`}>{full.contact.email}</a>
                  </dd>
                  {full.contact.phone && (
                    <>
                      <dt>{t("offers.contactPhone")}</dt>
                      <dd>{full.contact.phone}</dd>
                    </>
                  )}
                </dl>
              ) : (
                <button type="button" className="primary" onClick={() => open(request)} disabled={action.busy}>
                  {t("console.open")} <span className="visually-hidden">{request.title}</span>
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
