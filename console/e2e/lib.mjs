// What every browser scenario shares: Debian's Chromium through playwright-core, a screenshot per
// step, an axe-core check per page, and the addresses the pytest fixture passes in the environment.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { chromium } from "playwright-core";

export const env = {
  console: required("CONSOLE_URL"),
  screenshots: process.env.SCREENSHOT_DIR ?? ".local/screenshots/console",
  chromium: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  input: JSON.parse(process.env.SCENARIO_INPUT ?? "{}"),
};

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export async function launch() {
  return chromium.launch({
    executablePath: env.chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
}

/** A fresh browser context (its own session storage) speaking ``locale``. */
export async function newPage(browser, locale = "en") {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  await context.addInitScript((chosen) => localStorage.getItem("tessera.console.locale") || localStorage.setItem("tessera.console.locale", chosen), locale);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  return page;
}

/** Records screenshots and axe results of one scenario. */
export class Recorder {
  constructor(scenario) {
    this.scenario = scenario;
    this.step = 0;
    this.dir = join(env.screenshots, scenario);
    this.violations = [];
    this.checked = [];
    mkdirSync(this.dir, { recursive: true });
  }

  async shot(page, name) {
    this.step += 1;
    const file = join(this.dir, `${String(this.step).padStart(2, "0")}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`screenshot ${file}`);
  }

  /** axe-core on the page as it is; serious and critical violations are kept for the verdict. */
  async axe(page, name) {
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    const bad = results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
    this.checked.push(name);
    for (const violation of bad) {
      this.violations.push({ page: name, id: violation.id, impact: violation.impact, help: violation.help, targets: violation.nodes.map((node) => node.target.join(" ")).slice(0, 5) });
    }
    console.log(`axe ${name}: ${results.violations.length} violations, ${bad.length} serious or critical`);
  }

  /** Write what the scenario saw for the pytest side to assert on. */
  finish(result) {
    const report = { scenario: this.scenario, axe_checked: this.checked, axe_violations: this.violations, ...result };
    writeFileSync(join(this.dir, "result.json"), JSON.stringify(report, null, 2));
    console.log(`RESULT ${JSON.stringify(report)}`);
  }
}

export async function signIn(page, email, password) {
  await page.goto(`${env.console}/sign-in`);
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Main menu" }).waitFor();
}

/** Run a scenario; any failure prints the error, saves a screenshot of where it happened, exits 1. */
export async function run(scenario, body) {
  const recorder = new Recorder(scenario);
  const browser = await launch();
  const pages = [];
  try {
    const result = await body({ browser, recorder, open: async (locale) => { const page = await newPage(browser, locale); pages.push(page); return page; } });
    recorder.finish(result ?? {});
  } catch (error) {
    for (const [index, page] of pages.entries()) {
      await page.screenshot({ path: join(recorder.dir, `failure-${index}.png`), fullPage: true }).catch(() => undefined);
    }
    console.error(error);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}
