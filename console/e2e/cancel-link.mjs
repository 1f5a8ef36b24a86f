// The cancel link of the offer-request e-mail opens a page that asks first: loading it (as a mail
// scanner would) cancels nothing; the button does.
import { env, run } from "./lib.mjs";

const { link } = env.input;

await run("cancel-link", async ({ open, recorder }) => {
  const page = await open("en");
  await page.goto(link);
  await page.getByRole("heading", { name: "Cancel your offer request" }).waitFor();
  await recorder.axe(page, "cancel-link");
  await recorder.shot(page, "asks-before-cancelling");
  const statusBefore = await page.request.get(`${env.console}/healthz`).then((r) => r.status());
  await page.getByRole("button", { name: "Yes, cancel my request" }).click();
  await page.getByRole("status").filter({ hasText: "cancelled" }).waitFor();
  await recorder.shot(page, "cancelled");
  return { console_up: statusBefore === 200 };
});
