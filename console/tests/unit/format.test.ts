import { describe, expect, it } from "vitest";
import { formatBasisPoints, formatDate, formatDateTime, formatMoney, minorPerMajor } from "../../src/lib/format";

// Intl separates with no-break spaces, and ICU versions differ on the Swiss apostrophe (' or ’):
// compare with plain spaces and a plain apostrophe.
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, " ").replace(/’/g, "'");

describe("money in each language, from integer minor units", () => {
  it("writes Swiss francs the Swiss way in German, French and Italian", () => {
    expect(plain(formatMoney(123456, "CHF", "de"))).toBe("CHF 1'234.56");
    expect(plain(formatMoney(123456, "CHF", "fr"))).toBe("1 234.56 CHF");
    expect(plain(formatMoney(12345678, "CHF", "it"))).toBe("CHF 123'456.78");
  });

  it("writes euros in Spanish and English", () => {
    expect(plain(formatMoney(123456, "EUR", "es"))).toBe("1234,56 €");
    expect(plain(formatMoney(123456, "EUR", "en"))).toBe("€1,234.56");
  });

  it("keeps every cent of amounts a float would round", () => {
    expect(plain(formatMoney(9_007_199_254_740_991, "CHF", "en"))).toBe("CHF 90,071,992,547,409.91");
    expect(formatMoney(1, "EUR", "en")).toBe("€0.01");
  });

  it("shows refunds and debits with their sign", () => {
    expect(plain(formatMoney(-2550, "CHF", "en"))).toBe("-CHF 25.50");
  });

  it("knows both currencies have cents", () => {
    expect(minorPerMajor("CHF")).toBe(100);
    expect(minorPerMajor("EUR")).toBe(100);
  });
});

describe("dates in each language, in UTC", () => {
  it("writes a renewal date the same day whatever the browser's time zone", () => {
    expect(formatDate("2026-12-31", "en")).toBe("31 Dec 2026");
    expect(formatDate("2026-12-31", "de")).toBe("31.12.2026");
    expect(formatDate("2026-12-31", "fr")).toBe("31 déc. 2026");
    expect(formatDate("2026-12-31", "es")).toBe("31 dic 2026");
  });

  it("writes timestamps with their time and says it is UTC", () => {
    expect(formatDateTime("2026-12-02T23:30:00Z", "en")).toBe("2 Dec 2026, 23:30 UTC");
  });

  it("writes a dash for a date that is not there", () => {
    expect(formatDate(null, "it")).toBe("—");
    expect(formatDateTime(undefined, "it")).toBe("—");
  });

  it("writes basis points as a percentage", () => {
    expect(plain(formatBasisPoints(1500, "de"))).toBe("15%");
    expect(plain(formatBasisPoints(1500, "es"))).toBe("15 %");
    expect(formatBasisPoints(1250, "en")).toBe("12.5%");
  });
});
