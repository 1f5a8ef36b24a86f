// The console speaks the five languages notify writes e-mails in. A message is looked up by key and
// its {placeholders} filled in; the language is the user's choice, kept in this browser.
import { createContext, useContext } from "react";
import { de } from "./de";
import { en, type MessageKey, type Messages } from "./en";
import { es } from "./es";
import { fr } from "./fr";
import { it } from "./it";

export const LOCALES = ["es", "de", "fr", "it", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export type { MessageKey };

export const LANGUAGE_NAMES: Record<Locale, string> = {
  es: "Español",
  de: "Deutsch",
  fr: "Français",
  it: "Italiano",
  en: "English",
};

export const CATALOGUES: Record<Locale, Messages> = { en, de, fr, it, es };

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** The message ``key`` in ``locale`` with ``{name}`` placeholders replaced by ``params``. */
export function translate(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = CATALOGUES[locale][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The language a browser asks for, if the console speaks it; else English. */
export function preferredLocale(languages: readonly string[]): Locale {
  for (const language of languages) {
    const base = language.slice(0, 2).toLowerCase();
    if (isLocale(base)) return base;
  }
  return "en";
}

export interface I18n {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
}

export const I18nContext = createContext<I18n>({
  locale: "en",
  setLocale: () => undefined,
  t: (key, params) => translate("en", key, params),
});

export function useI18n(): I18n {
  return useContext(I18nContext);
}
