// Where the cancel link of the offer-request e-mail lands. Mail scanners follow links, so opening
// this page changes nothing: only the button press asks partnership to cancel.
import { useState } from "react";
import { useParams, useSearchParams } from "react-router-dom";
import { ErrorNote, Notice, useAction } from "../components/ui";
import { useI18n } from "../i18n";
import { call } from "../lib/api";

export function CancelOfferLinkPage() {
  const { t } = useI18n();
  const { requestId = "" } = useParams();
  const [search] = useSearchParams();
  const token = search.get("token");
  const [done, setDone] = useState(false);
  const action = useAction();

  async function confirm() {
    const path = `/v1/offer-requests/${requestId}/cancel`;
    if (await action.run(() => call("partnership", path, { query: { token }, token: null }).then(() => true))) setDone(true);
  }

  return (
    <div className="centered">
      <main id="main" className="card narrow">
        <h1>{t("cancelLink.title")}</h1>
        {!token ? (
          <p>{t("cancelLink.invalid")}</p>
        ) : done ? (
          <Notice>{t("cancelLink.done")}</Notice>
        ) : (
          <>
            <p>{t("cancelLink.text")}</p>
            <ErrorNote error={action.error} />
            <button type="button" className="danger" onClick={confirm} disabled={action.busy}>
              {t("cancelLink.confirm")}
            </button>
          </>
        )}
      </main>
    </div>
  );
}
