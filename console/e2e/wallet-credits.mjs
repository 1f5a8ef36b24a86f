// After credits reached the wallet, the client sees the balance, the transactions and the chart.
import { env, run, signIn } from "./lib.mjs";

const { client, amount_text: amountText } = env.input;

await run("wallet-credits", async ({ open, recorder }) => {
  const page = await open("en");
  await signIn(page, client.email, client.password);
  await page.getByRole("link", { name: "Wallet & Transactions" }).click();
  const transactions = page.getByRole("region", { name: "Transactions" });
  await transactions.getByRole("cell", { name: "Complimentary credit" }).waitFor();
  await page.getByRole("img", { name: /Balance over time/ }).waitFor();
  await recorder.axe(page, "wallet-with-transactions");
  await recorder.shot(page, "transaction-and-chart");
  return { balance: await page.getByTestId("balance").innerText(), amount_seen: await transactions.getByRole("cell", { name: amountText }).count() };
});
