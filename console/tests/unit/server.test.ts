import { describe, expect, it } from "vitest";
// @ts-expect-error: the server is plain JavaScript run by Node, without type declarations.
import { route, upstreamsFrom } from "../../server/server.mjs";

const upstreams = upstreamsFrom({ CONSOLE_BILLING_URL: "http://127.0.0.1:8001/", CONSOLE_IDENTITY_URL: "http://127.0.0.1:8000" });

describe("the console's proxy", () => {
  it("reads each service's address from the environment", () => {
    expect(upstreams).toEqual({ billing: "http://127.0.0.1:8001", identity: "http://127.0.0.1:8000" });
  });

  it("forwards /api/<service>/v1/... to that service's public API", () => {
    const found = route("/api/billing/v1/organisations/x/invoices", upstreams);
    expect(found.service).toBe("billing");
    expect(String(found.target)).toBe("http://127.0.0.1:8001/v1/organisations/x/invoices");
  });

  it("forwards nothing else: unknown services, operational routes, Stripe's webhooks", () => {
    expect(route("/api/wallet/v1/organisations", upstreams)).toBeNull();
    expect(route("/api/billing/metrics", upstreams)).toBeNull();
    expect(route("/api/billing/v1/stripe/webhooks", upstreams)).toBeNull();
    expect(route("/api/billing/../identity/v1/me", upstreams)).toBeNull();
  });
});
