// A client posts an offer request; a partner in the directory sees its excerpt in the partner
// console and opens it, which reveals the whole request and the client's contact.
import { env, run, signIn } from "./lib.mjs";
import { retryUntilNotice } from "./steps.mjs";

const { client, partner, request } = env.input;

await run("offer-request", async ({ open, recorder }) => {
  const clientPage = await open("en");
  await signIn(clientPage, client.email, client.password);
  await clientPage.getByRole("link", { name: "Offer requests" }).click();
  await clientPage.getByRole("heading", { name: "Post an offer request" }).waitFor();
  await recorder.axe(clientPage, "offer-requests");
  await clientPage.getByRole("button", { name: "Post an offer request" }).click();
  await clientPage.getByText("This field is required.").first().waitFor();
  await recorder.shot(clientPage, "form-errors-next-to-fields");
  await clientPage.getByLabel("Title").fill(request.title);
  await clientPage.getByLabel("What do you need?").fill(request.description);
  await clientPage.getByLabel("Country (two letters)").fill(request.country);
  await clientPage.getByLabel("Languages (comma separated)").fill(request.languages);
  await clientPage.getByLabel("Contact name").fill(request.contact_name);
  await clientPage.getByLabel("Contact e-mail").fill(request.contact_email);
  await recorder.shot(clientPage, "client-describes-the-need");
  await retryUntilNotice(clientPage, () => clientPage.getByRole("button", { name: "Post an offer request" }).click(), /Posted/);
  await clientPage.getByRole("cell", { name: request.title, exact: true }).waitFor();
  await recorder.shot(clientPage, "request-posted");

  const partnerPage = await open("en");
  await signIn(partnerPage, partner.email, partner.password);
  await partnerPage.getByRole("link", { name: "Partner console" }).click();
  const offers = partnerPage.getByRole("region", { name: "Received offer requests" });
  await offers.getByRole("heading", { name: request.title }).waitFor();
  const contactBefore = await offers.getByText(request.contact_email).count();
  await recorder.shot(partnerPage, "partner-sees-the-excerpt");
  await offers.getByRole("button", { name: `Open ${request.title}` }).click();
  await offers.getByRole("link", { name: request.contact_email }).waitFor();
  await recorder.axe(partnerPage, "partner-console-offer-opened");
  await recorder.shot(partnerPage, "partner-opened-the-request");
  return { contact_before: contactBefore, contact_after: await offers.getByText(request.contact_email).count() };
});
