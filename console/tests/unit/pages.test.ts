import { describe, expect, it } from "vitest";
import { scalePoints } from "../../src/lib/chart";
import { fieldOfProblem } from "../../src/lib/fieldErrors";
import { effectiveAt, partnerName } from "../../src/lib/partnership";

describe("the balance chart", () => {
  it("spreads movements over time and puts zero at the bottom", () => {
    const points = scalePoints(
      [
        { at: "2026-12-01T00:00:00Z", totalMinor: 0 },
        { at: "2026-12-02T00:00:00Z", totalMinor: 1000 },
        { at: "2026-12-03T00:00:00Z", totalMinor: 500 },
      ],
      200,
      100,
    );
    expect(points).toEqual([
      { x: 0, y: 100 },
      { x: 100, y: 0 },
      { x: 200, y: 50 },
    ]);
  });

  it("draws a single movement in the middle", () => {
    expect(scalePoints([{ at: "2026-12-01T00:00:00Z", totalMinor: 10 }], 200, 100)).toEqual([{ x: 100, y: 0 }]);
  });
});

describe("the organisation form", () => {
  it("puts identity's refusals next to the field they are about", () => {
    expect(fieldOfProblem("FR40303265046 is not a valid VAT number")).toBe("vat_number");
    expect(fieldOfProblem("a VAT number needs its terms accepted")).toBe("vat_terms_accepted");
    expect(fieldOfProblem("CHE-109.322.552 is not a valid UID")).toBe("registry_number");
    expect(fieldOfProblem("something else")).toBe("form");
  });
});

describe("the partner page", () => {
  it("sends a chosen effective day as its midnight UTC, and nothing for now", () => {
    expect(effectiveAt("2027-01-01")).toBe("2027-01-01T00:00:00Z");
    expect(effectiveAt("")).toBeNull();
  });

  it("names a partner from the directory, else by a short id", () => {
    const names = new Map([["d8b6617e-bb93-45bf-9cfc-e55087d1206f", "Alpenweb AG"]]);
    expect(partnerName(names, "d8b6617e-bb93-45bf-9cfc-e55087d1206f")).toBe("Alpenweb AG");
    expect(partnerName(names, "0a0a0a0a-0000-4000-8000-00000000c0de")).toBe("0a0a0a0a");
  });
});
