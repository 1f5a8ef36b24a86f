// The seed's headline path: a client grants a partner full access, the partner accepts, the client
// clicks Partner in the sidebar, the partner's name, the pencil next to Payment, switches to
// partner pays and confirms a change that names its effective date and the partner's e-mail.
import { env, run, signIn } from "./lib.mjs";
import { retryUntilNotice } from "./steps.mjs";

const { client, partner } = env.input;

await run("headline", async ({ open, recorder }) => {
  const clientPage = await open("en");
  await signIn(clientPage, client.email, client.password);
  await clientPage.getByRole("link", { name: "Partner", exact: true }).click();
  await clientPage.getByRole("heading", { name: "Partner", exact: true }).waitFor();
  await recorder.axe(clientPage, "partners");
  await clientPage.getByLabel("Partner organisation ID").fill(partner.organisation_id);
  await recorder.shot(clientPage, "client-asks-partner-for-full-access");
  await retryUntilNotice(clientPage, () => clientPage.getByRole("button", { name: "Send the request" }).click(), /Request sent/);
  await recorder.shot(clientPage, "request-sent");

  const partnerPage = await open("en");
  await signIn(partnerPage, partner.email, partner.password);
  await partnerPage.getByRole("link", { name: "Partner console" }).click();
  await partnerPage.getByRole("heading", { name: "Proposals waiting for you" }).waitFor();
  await recorder.axe(partnerPage, "partner-console");
  await recorder.shot(partnerPage, "partner-sees-the-proposal");
  await partnerPage.getByRole("button", { name: "Accept" }).click();
  await partnerPage.getByRole("cell", { name: client.name, exact: true }).waitFor();
  await recorder.shot(partnerPage, "partner-accepted");

  await clientPage.reload();
  // The partner is in the directory, so the client sees its name.
  const partnerLink = clientPage.getByRole("link", { name: partner.name });
  await partnerLink.click();
  await clientPage.getByRole("heading", { name: "Payment" }).waitFor();
  await recorder.axe(clientPage, "partner");
  await recorder.shot(clientPage, "partner-page");
  await clientPage.getByRole("button", { name: "Edit who pays" }).click();
  await clientPage.getByRole("radio", { name: /^Partner pays/ }).check();
  await recorder.shot(clientPage, "partner-pays-chosen");
  await clientPage.getByRole("button", { name: "Save" }).click();
  const dialog = clientPage.getByRole("dialog", { name: "Confirm the change" });
  await dialog.waitFor();
  const confirmation = await dialog.innerText();
  await recorder.axe(clientPage, "partner-confirmation");
  await recorder.shot(clientPage, "confirmation-names-date-and-email");
  await dialog.getByRole("button", { name: "Confirm" }).click();
  const notice = clientPage.getByRole("status").filter({ hasText: "Payment changed" });
  await notice.waitFor();
  await clientPage.getByText("Partner pays —").waitFor();
  await recorder.shot(clientPage, "switched-to-partner-pays");
  return { confirmation, notice: await notice.innerText() };
});
