// axe-core on every page of the console (and a screenshot of each), signed in as a client, in
// each of the five languages for the sign-in page and in Spanish for the rest.
import { env, run, signIn } from "./lib.mjs";

const { user } = env.input;
const PAGES = [
  ["organisation", "/organisation"],
  ["partners", "/partners"],
  ["partner-console", "/partner-console"],
  ["billing", "/billing"],
  ["wallet", "/billing/wallet"],
  ["security", "/security"],
  ["notifications", "/notifications"],
  ["offer-requests", "/offer-requests"],
];

await run("every-page", async ({ open, recorder }) => {
  for (const locale of ["es", "de", "fr", "it", "en"]) {
    const page = await open(locale);
    await page.goto(`${env.console}/sign-in`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await recorder.axe(page, `sign-in-${locale}`);
    await recorder.shot(page, `sign-in-${locale}`);
    await page.close();
  }
  const anonymous = await open("en");
  for (const [name, path] of [["recovery", "/recovery"], ["cancel-link-incomplete", "/offer-requests/00000000-0000-4000-8000-000000000000/cancel"]]) {
    await anonymous.goto(`${env.console}${path}`);
    await anonymous.getByRole("heading", { level: 1 }).waitFor();
    await recorder.axe(anonymous, name);
    await recorder.shot(anonymous, name);
  }
  const page = await open("en");
  await signIn(page, user.email, user.password);
  await page.getByLabel("Language").selectOption("es");
  const headings = {};
  for (const [name, path] of PAGES) {
    await page.goto(`${env.console}${path}`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await page.waitForLoadState("networkidle");
    headings[name] = await page.getByRole("heading", { level: 1 }).innerText();
    await recorder.axe(page, name);
    await recorder.shot(page, `${name}-es`);
  }
  await page.goto(`${env.console}/partners/00000000-0000-4000-8000-000000000000`);
  const problem = await page.getByRole("alert").innerText();
  await recorder.shot(page, "unknown-partner-problem-shown");
  return { headings, problem };
});
