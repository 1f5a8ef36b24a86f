// A client adds a card in the Billing panel, then tops up the wallet and sees the charge and the
// transactions. Stripe.js cannot load here, so this script plays Stripe's servers: it sends billing
// the signed setup_intent.succeeded webhook Stripe would send once the card is confirmed.
import { createHmac } from "node:crypto";
import { env, run, signIn } from "./lib.mjs";

const { client, billing_url: billingUrl, webhook_secret: webhookSecret } = env.input;

async function stripeConfirmsSetup(setup, organisationId) {
  const event = {
    id: `evt_console_${Date.now()}`,
    object: "event",
    type: "setup_intent.succeeded",
    data: {
      object: {
        id: setup.setup_intent_id,
        object: "setup_intent",
        status: "succeeded",
        payment_method: "pm_card_visa",
        metadata: { setup_id: setup.setup_id, organisation_id: organisationId },
      },
    },
  };
  const body = JSON.stringify(event);
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = createHmac("sha256", webhookSecret).update(`${timestamp}.${body}`).digest("hex");
  const response = await fetch(`${billingUrl}/v1/stripe/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": `t=${timestamp},v1=${signature}` },
    body,
  });
  if (!response.ok) throw new Error(`billing refused the webhook: ${response.status} ${await response.text()}`);
}

await run("card-and-wallet", async ({ open, recorder }) => {
  const page = await open("en");
  await signIn(page, client.email, client.password);
  await page.getByRole("link", { name: "Billing", exact: true }).click();
  await page.getByRole("heading", { name: "Payment methods" }).waitFor();
  await recorder.axe(page, "billing");
  await recorder.shot(page, "billing-panel");
  await page.getByRole("button", { name: "Add a new card" }).click();
  const form = page.getByRole("form", { name: "Add a new card" });
  await recorder.shot(page, "card-form");
  const setupAnswer = page.waitForResponse((r) => r.url().endsWith("/card-setups") && r.request().method() === "POST");
  await form.getByRole("button", { name: "Add a new card" }).click();
  const setup = await (await setupAnswer).json();
  await page.getByText("Waiting for Stripe to confirm the card").waitFor();
  await recorder.shot(page, "waiting-for-stripe");
  await stripeConfirmsSetup(setup, client.organisation_id);
  await page.getByText(/•••• 4242 · /).waitFor({ timeout: 60_000 });
  await recorder.shot(page, "card-added");

  await page.getByRole("link", { name: "Wallet & Transactions" }).first().click();
  await page.getByRole("button", { name: "Open a wallet in CHF" }).click();
  await page.getByTestId("balance").waitFor();
  await recorder.axe(page, "wallet");
  await page.getByLabel("Amount (CHF)").fill("25,x");
  await page.getByRole("button", { name: "Add funds" }).click();
  await page.getByText("Enter an amount such as 25 or 25.50.").waitFor();
  await page.getByLabel("Amount (CHF)").fill("25.50");
  await recorder.shot(page, "top-up-amount");
  const topUpAnswer = page.waitForResponse((r) => r.url().includes("/top-ups") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Add funds" }).click();
  const topUp = await topUpAnswer;
  const charges = page.getByRole("region", { name: "Card charges" });
  await charges.getByRole("cell", { name: "CHF 25.50" }).waitFor();
  const message = (await page.getByRole("form", { name: "Add funds" }).getByRole("alert").innerText().catch(() => "")) || "";
  await recorder.shot(page, "top-up-charged");
  return { top_up_status: topUp.status(), top_up_message: message, charge_rows: await charges.getByRole("row").count() };
});
