// The console's root: the language, the signed-in session, and which page answers which path.
import { useCallback, useEffect, useMemo, useState } from "react";
import { Navigate, Route, Routes, useLocation, useNavigate } from "react-router-dom";
import { Shell } from "./components/Shell";
import { I18nContext, type Locale, isLocale, preferredLocale, translate } from "./i18n";
import { call, storeToken, storedToken, whenUnauthenticated } from "./lib/api";
import { type Me, SessionContext, type Session } from "./lib/session";
import { BillingPage } from "./pages/Billing";
import { CancelOfferLinkPage } from "./pages/CancelOfferLink";
import { NotificationsPage } from "./pages/Notifications";
import { OfferRequestsPage } from "./pages/OfferRequests";
import { OrganisationPage } from "./pages/Organisation";
import { PartnerConsolePage } from "./pages/PartnerConsole";
import { PartnerPage } from "./pages/Partner";
import { PartnersPage } from "./pages/Partners";
import { RecoveryPage } from "./pages/Recovery";
import { SecurityPage } from "./pages/Security";
import { SignInPage } from "./pages/SignIn";
import { WalletPage } from "./pages/Wallet";

const LOCALE_KEY = "tessera.console.locale";
const ORGANISATION_KEY = "tessera.console.organisation";

function initialLocale(): Locale {
  const stored = localStorage.getItem(LOCALE_KEY);
  return isLocale(stored) ? stored : preferredLocale(navigator.languages ?? []);
}

export function App() {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const [me, setMe] = useState<Me | null>(null);
  const [organisationId, setOrganisationId] = useState<string | null>(() => localStorage.getItem(ORGANISATION_KEY));
  const [notice, setNotice] = useState<string | null>(null);
  const [checking, setChecking] = useState(() => storedToken() !== null);
  const navigate = useNavigate();
  const location = useLocation();

  const setLocale = useCallback((next: Locale) => {
    localStorage.setItem(LOCALE_KEY, next);
    setLocaleState(next);
  }, []);
  const i18n = useMemo(
    () => ({ locale, setLocale, t: (key: Parameters<typeof translate>[1], params?: Record<string, string | number>) => translate(locale, key, params) }),
    [locale, setLocale],
  );
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const signOut = useCallback(
    (message?: string) => {
      storeToken(null);
      setMe(null);
      setNotice(message ?? null);
      navigate("/sign-in", { state: { from: location.pathname } });
    },
    [navigate, location.pathname],
  );
  // Access tokens live minutes: when one expires or is revoked, go back to sign-in, saying why.
  useEffect(() => whenUnauthenticated(() => signOut(translate(locale, "app.sessionExpired"))), [signOut, locale]);

  const refreshMe = useCallback(async () => {
    const found = await call<Me>("identity", "/v1/me");
    setMe(found);
  }, []);
  useEffect(() => {
    if (storedToken() === null) return;
    refreshMe()
      .catch(() => storeToken(null))
      .finally(() => setChecking(false));
  }, [refreshMe]);

  async function signedIn(token: string) {
    storeToken(token);
    const found = await call<Me>("identity", "/v1/me");
    setMe(found);
    setNotice(null);
    if (!localStorage.getItem(LOCALE_KEY) && isLocale(found.locale)) setLocaleState(found.locale);
    const from = (location.state as { from?: string } | null)?.from;
    navigate(from && from !== "/sign-in" ? from : "/partners");
  }

  const membership = me?.memberships.find((m) => m.organisation_id === organisationId) ?? me?.memberships[0];
  const session: Session | null =
    me && membership
      ? {
          me,
          organisation: membership,
          chooseOrganisation: (id) => {
            localStorage.setItem(ORGANISATION_KEY, id);
            setOrganisationId(id);
          },
          signOut,
          refreshMe,
        }
      : null;

  return (
    <I18nContext.Provider value={i18n}>
      <Routes>
        <Route path="/sign-in" element={<SignInPage onSignedIn={signedIn} notice={notice} />} />
        <Route path="/recovery" element={<RecoveryPage />} />
        <Route path="/offer-requests/:requestId/cancel" element={<CancelOfferLinkPage />} />
        <Route path="/v1/offer-requests/:requestId/cancel" element={<CancelOfferLinkPage />} />
        <Route
          path="*"
          element={
            checking ? null : session ? (
              <SessionContext.Provider value={session}>
                <Shell>
                  <Routes>
                    <Route path="/" element={<Navigate to="/partners" replace />} />
                    <Route path="/organisation" element={<OrganisationPage />} />
                    <Route path="/partners" element={<PartnersPage />} />
                    <Route path="/partners/:relationshipId" element={<PartnerPage />} />
                    <Route path="/partner-console" element={<PartnerConsolePage />} />
                    <Route path="/billing" element={<BillingPage />} />
                    <Route path="/billing/wallet" element={<WalletPage />} />
                    <Route path="/security" element={<SecurityPage />} />
                    <Route path="/notifications" element={<NotificationsPage />} />
                    <Route path="/offer-requests" element={<OfferRequestsPage />} />
                    <Route path="*" element={<p>{i18n.t("app.notFound")}</p>} />
                  </Routes>
                </Shell>
              </SessionContext.Provider>
            ) : (
              <Navigate to="/sign-in" replace state={{ from: location.pathname }} />
            )
          }
        />
      </Routes>
    </I18nContext.Provider>
  );
}
