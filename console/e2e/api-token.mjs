// A user creates an API token on the Security page, sees its secret once (with a copy button),
// and revokes it; the secret works until then and not after.
import { env, run, signIn } from "./lib.mjs";

const { user } = env.input;
const tokenName = `Newsletter sync ${Date.now() % 100000}`;

async function exchange(page, secret) {
  const response = await page.request.post(`${env.console}/api/identity/v1/tokens/exchange`, { data: { api_token: secret } });
  return response.status();
}

await run("api-token", async ({ open, recorder }) => {
  const page = await open("en");
  await signIn(page, user.email, user.password);
  await page.getByRole("link", { name: "Security" }).click();
  await page.getByRole("heading", { name: "API tokens" }).waitFor();
  await recorder.axe(page, "security");
  await page.getByRole("button", { name: "Create a token" }).click();
  const dialog = page.getByRole("dialog", { name: "Create a token" });
  await dialog.getByLabel("Name").fill(tokenName);
  await dialog.getByLabel("Application").selectOption("billing");
  await dialog.getByLabel("Permissions (comma separated, e.g. invoices:read)").fill("invoices:read");
  await dialog.getByLabel("Validity").selectOption("90");
  await dialog.getByLabel("Enter your password to confirm").fill("wrong password!");
  await dialog.getByRole("button", { name: "Create a token" }).click();
  const refusal = await dialog.getByRole("alert").innerText();
  await recorder.shot(page, "wrong-password-refused");
  await dialog.getByLabel("Enter your password to confirm").fill(user.password);
  await recorder.axe(page, "security-create-token");
  await recorder.shot(page, "token-form");
  await dialog.getByRole("button", { name: "Create a token" }).click();
  const secret = await page.getByTestId("token-secret").innerText();
  await page.getByRole("button", { name: "Copy" }).waitFor();
  await recorder.shot(page, "secret-shown-once");
  const exchangedBefore = await exchange(page, secret);

  await page.reload();
  await page.getByRole("cell", { name: tokenName, exact: true }).waitFor();
  const shownAfterReload = await page.getByTestId("token-secret").count();
  await recorder.shot(page, "secret-gone-after-reload");
  await page.getByRole("button", { name: `Revoke ${tokenName}` }).click();
  await page.getByRole("row", { name: new RegExp(tokenName) }).getByRole("cell", { name: "Revoked" }).waitFor();
  await recorder.shot(page, "token-revoked");
  const exchangedAfter = await exchange(page, secret);
  return { refusal, secret_prefix: secret.slice(0, 6), exchanged_before: exchangedBefore, shown_after_reload: shownAfterReload, exchanged_after: exchangedAfter };
});
