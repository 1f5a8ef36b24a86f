import { describe, expect, it } from "vitest";
import { CATALOGUES, LOCALES, preferredLocale, translate } from "../../src/i18n";
import { en } from "../../src/i18n/en";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("the console speaks es, de, fr, it and en", () => {
  it("has every message in every language, with the same placeholders", () => {
    for (const locale of LOCALES) {
      for (const key of Object.keys(en) as (keyof typeof en)[]) {
        const message = CATALOGUES[locale][key];
        expect(message, `${locale} ${key}`).toBeTruthy();
        expect(placeholders(message), `${locale} ${key}`).toEqual(placeholders(en[key]));
      }
    }
  });

  it("fills placeholders and names the help pages' menu items", () => {
    expect(translate("es", "partner.switched", { mode: "Paga el socio", date: "2 dic 2026" })).toContain("«Paga el socio»");
    expect(translate("es", "nav.partners")).toBe("Partenaire");
    expect(translate("es", "security.createToken")).toBe("Crear un token");
    expect(translate("de", "partner.payment")).toBe("Zahlung");
  });

  it("picks the browser's language when it speaks it", () => {
    expect(preferredLocale(["fr-CH", "en"])).toBe("fr");
    expect(preferredLocale(["pt-BR"])).toBe("en");
  });
});
