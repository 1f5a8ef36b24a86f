// Steps several scenarios take.

/** Press ``submit`` until a notice matching ``expected`` appears: right after sign-up a service may
 * not know the new organisations yet (its projection follows identity's events), and the page says
 * so in an alert; a person would try again a moment later. */
export async function retryUntilNotice(page, submit, expected, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let lastAlert = "";
  while (Date.now() < deadline) {
    await submit();
    const notice = page.getByRole("status").filter({ hasText: expected });
    const alert = page.getByRole("alert");
    await Promise.race([notice.waitFor({ timeout: 15_000 }), alert.first().waitFor({ timeout: 15_000 })]).catch(() => undefined);
    if (await notice.isVisible()) return;
    lastAlert = (await alert.first().innerText().catch(() => "")) || lastAlert;
    await page.waitForTimeout(1000);
  }
  throw new Error(`no notice ${expected} within ${timeoutMs} ms; last alert: ${lastAlert}`);
}
