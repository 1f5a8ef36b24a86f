import { describe, expect, it } from "vitest";
import { isEmail, isUuid, parseAmount, parseLeadDays, secondFactorKind, toCsv, validityEnd } from "../../src/lib/validate";

describe("an amount a person types becomes minor units", () => {
  it("reads whole amounts, cents with a point or a comma, and Swiss thousands", () => {
    expect(parseAmount("25")).toBe(2500);
    expect(parseAmount("25.5")).toBe(2550);
    expect(parseAmount("25,50")).toBe(2550);
    expect(parseAmount("1'000.05")).toBe(100005);
    expect(parseAmount(" 1 000 ")).toBe(100000);
  });

  it("refuses what is not an amount rather than guessing", () => {
    for (const text of ["", "abc", "25,x", "-5", "1.234", "1e3"]) expect(parseAmount(text)).toBeNull();
  });
});

describe("reminder lead times", () => {
  it("are whole days up to two months, distinct, latest first", () => {
    expect(parseLeadDays("7, 30 , 7")).toEqual([30, 7]);
    expect(parseLeadDays("62")).toEqual([62]);
  });

  it("refuse more than two months or part days", () => {
    expect(parseLeadDays("63")).toBeNull();
    expect(parseLeadDays("0")).toBeNull();
    expect(parseLeadDays("1.5")).toBeNull();
  });
});

describe("the sign-in's second factor", () => {
  it("tells a TOTP code from a backup code", () => {
    expect(secondFactorKind("123456")).toBe("totp");
    expect(secondFactorKind(" 123456 ")).toBe("totp");
    expect(secondFactorKind("abcd-efgh-1234")).toBe("backup");
    expect(secondFactorKind("12")).toBeNull();
  });
});

describe("other form checks", () => {
  it("checks e-mail addresses and ids", () => {
    expect(isEmail("anna@example.com")).toBe(true);
    expect(isEmail("anna@")).toBe(false);
    expect(isUuid("0a0a0a0a-0000-4000-8000-00000000c0de")).toBe(true);
    expect(isUuid("partner")).toBe(false);
  });

  it("turns a validity in days into the token's end, or none for unlimited", () => {
    const now = new Date("2026-12-02T10:00:00Z");
    expect(validityEnd(30, now)).toBe("2027-01-01T10:00:00.000Z");
    expect(validityEnd(null, now)).toBeNull();
  });

  it("quotes CSV cells that need it", () => {
    expect(toCsv([["a", 'say "hi"'], ["1,5", 2]])).toBe('a,"say ""hi"""\r\n"1,5",2\r\n');
  });
});
