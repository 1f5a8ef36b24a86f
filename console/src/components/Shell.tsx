// The frame of every signed-in page: the sidebar menu of the help pages, the organisation being
// managed, and the language switch.
import { type ReactNode } from "react";
import { NavLink } from "react-router-dom";
import { LANGUAGE_NAMES, LOCALES, type MessageKey, isLocale, useI18n } from "../i18n";
import { useSession } from "../lib/session";
import { Select } from "./ui";

const MENU: { to: string; label: MessageKey }[] = [
  { to: "/partners", label: "nav.partners" },
  { to: "/partner-console", label: "nav.partnerConsole" },
  { to: "/billing", label: "nav.billing" },
  { to: "/billing/wallet", label: "nav.wallet" },
  { to: "/organisation", label: "nav.organisation" },
  { to: "/security", label: "nav.security" },
  { to: "/notifications", label: "nav.notifications" },
  { to: "/offer-requests", label: "nav.offerRequests" },
];

export function Shell({ children }: { children: ReactNode }) {
  const { t, locale, setLocale } = useI18n();
  const { me, organisation, chooseOrganisation, signOut } = useSession();
  return (
    <div className="shell">
      <a className="skip" href="#main">
        {t("app.skip")}
      </a>
      <header className="topbar">
        <span className="brand">{t("app.title")}</span>
        <div className="topbar-controls">
          {me.memberships.length > 1 ? (
            <Select
              label={t("app.organisation")}
              value={organisation.organisation_id}
              onChange={chooseOrganisation}
              options={me.memberships.map((m) => ({ value: m.organisation_id, label: m.name }))}
            />
          ) : (
            <span className="org-name">{organisation.name}</span>
          )}
          <Select
            label={t("app.language")}
            value={locale}
            onChange={(value) => isLocale(value) && setLocale(value)}
            options={LOCALES.map((code) => ({ value: code, label: LANGUAGE_NAMES[code] }))}
          />
          <span className="user">{me.display_name}</span>
          <button type="button" onClick={() => signOut()}>
            {t("app.signOut")}
          </button>
        </div>
      </header>
      <nav className="sidebar" aria-label={t("nav.label")}>
        <ul>
          {MENU.map((item) => (
            <li key={item.to}>
              <NavLink to={item.to} end={item.to === "/billing"}>
                {t(item.label)}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
