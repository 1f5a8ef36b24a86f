// What the console computes for display: money in integer minor units, dates in UTC shown in the
// user's language. Nothing here rounds money: amounts arrive and leave in minor units.
import { type Locale } from "../i18n";

const INTL_LOCALE: Record<Locale, string> = {
  en: "en-GB",
  de: "de-CH",
  fr: "fr-CH",
  it: "it-CH",
  es: "es-ES",
};

export function intlLocale(locale: Locale): string {
  return INTL_LOCALE[locale];
}

/** The minor units of one major unit of a currency (100 for CHF and EUR). */
export function minorPerMajor(currency: string): number {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return 10 ** digits;
}

/** 123456 CHF in German: "CHF 1’234.56"; in French: "1 234,56 CHF". */
export function formatMoney(amountMinor: number, currency: string, locale: Locale): string {
  const per = minorPerMajor(currency);
  const digits = Math.round(Math.log10(per));
  const sign = amountMinor < 0 ? -1 : 1;
  const whole = Math.trunc(Math.abs(amountMinor) / per);
  const fraction = Math.abs(amountMinor) % per;
  // Build the decimal from integers, so no float ever holds the amount.
  const decimal = `${sign < 0 ? "-" : ""}${whole}.${String(fraction).padStart(digits, "0")}`;
  return new Intl.NumberFormat(intlLocale(locale), {
    style: "currency",
    currency,
    minimumFractionDigits: digits,
  }).format(decimal as unknown as number);
}

/** A date (an ISO date or timestamp) in the user's language, e.g. "2 Dec 2026" or "2. Dez. 2026". */
export function formatDate(value: string | null | undefined, locale: Locale): string {
  if (!value) return "—";
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : new Date(value);
  return new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: "medium", timeZone: "UTC" }).format(date);
}

/** A timestamp with its time, in UTC (what the services store), e.g. "2 Dec 2026, 14:05 UTC". */
export function formatDateTime(value: string | null | undefined, locale: Locale): string {
  if (!value) return "—";
  const text = new Intl.DateTimeFormat(intlLocale(locale), {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "UTC",
  }).format(new Date(value));
  return `${text} UTC`;
}

/** Basis points as a percentage, e.g. 1500 -> "15 %" (French) or "15%" (English). */
export function formatBasisPoints(bp: number, locale: Locale): string {
  return new Intl.NumberFormat(intlLocale(locale), { style: "percent", maximumFractionDigits: 2 }).format(bp / 10_000);
}
