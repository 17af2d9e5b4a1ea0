// Long lists draw what fits: with 320 customers, each with a monthly term ending this month and
// an invoice over its credit limit, the dashboard's renewals and credit stops show their first 25
// rows and "Showing 25 of 320", the customers, the subscriptions and the invoices their first 300
// and "Showing 300 of 320"; "Show all" draws every one. The counts are the CLI's.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { launch, freshDb, cli, seedCompany, monthBack } from "../lib/app.js";

const db = freshDb("long-lists");
const N = 320;
let app;

const pad = (n) => String(n).padStart(3, "0");

before(async () => {
  seedCompany(db);
  const dir = path.dirname(db);
  const customers = ["name,domain,credit_limit"];
  const subscriptions = ["customer_domain,product,term,billing,quantity,start,bill_from"];
  // Monthly terms that started on the 20th of last month end this month, within the dashboard's
  // 30 days; billed from their start, so last month's run gives each customer an invoice over
  // its credit limit.
  const start = `${monthBack(1).month}-20`;
  for (let i = 1; i <= N; i++) {
    customers.push(`Customer ${pad(i)},c${pad(i)}.onmicrosoft.com,1`);
    subscriptions.push(`c${pad(i)}.onmicrosoft.com,CFQ7TTC0LH18:0001,P1M,Monthly,2,${start},${start}`);
  }
  fs.writeFileSync(path.join(dir, "customers.csv"), customers.join("\n") + "\n");
  fs.writeFileSync(path.join(dir, "subscriptions.csv"), subscriptions.join("\n") + "\n");
  cli(db, ["customer", "import", path.join(dir, "customers.csv")]);
  cli(db, ["subscription", "import", path.join(dir, "subscriptions.csv")]);
  cli(db, ["bill", "--month", monthBack(1).month, "--issue", "--date", `${monthBack(1).month}-25`]);
  app = await launch(db, { name: "long-lists" });
  await app.waitScreen("dashboard", { timeout: 30000 });
});
after(async () => {
  await app?.close();
});

/** "Showing 300 of 320." under `within`, then "Show all" draws every row of `list`. */
async function showAll(within, list, total, first = 300) {
  const rows = await app.waitRows(list);
  assert.equal(rows.length, first, list);
  assert.match(await app.text(`${within} [data-more]`), new RegExp(`^Showing ${first} of ${total}\\.`));
  await app.click(`${within} [data-more] [data-action="show-all"]`);
  const all = await app.waitRows(list, (r) => r.length === total, `all ${total} rows of ${list}`);
  return all;
}

test("the dashboard draws the first 25 renewals and credit stops, and all on asking", async () => {
  await app.step("dashboard", async () => {
    const renewals = cli(db, ["report", "renewals", "--within", "30"], { json: true });
    assert.equal(renewals.length, N);
    const stops = cli(db, ["report", "credit-stop"], { json: true });
    assert.equal(stops.length, N);
    await app.screenshot("90-long-lists-dashboard");
    assert.match(await app.text("#screen-dashboard"), new RegExp(`On credit stop \\(${N}\\)`));
    const all = await showAll("#screen-dashboard [data-renewals]", "renewals", N, 25);
    assert.deepEqual(all.map((r) => Number(r.id)).sort((a, b) => a - b), renewals.map((r) => r.subscription_id).sort((a, b) => a - b));
    // "Show all" asked for every list: the credit stops are drawn whole too.
    const stopRows = await app.waitRows("credit-stops", (r) => r.length === N, "every credit stop");
    assert.equal(stopRows[0].cells[0], "Customer 001");
    await app.screenshot("91-long-lists-dashboard-all", { scrollTo: '[data-list="credit-stops"]' });
  });
});

test("customers and subscriptions draw their first 300 rows, and all on asking", async () => {
  await app.step("customers", async () => {
    await app.nav("customers");
    // The list fills in whole after its first page; then it says how many there are.
    await app.waitFor("#screen-customers [data-more]");
    const all = await showAll("#screen-customers", "customers", N);
    assert.equal(all[N - 1].cells[0], `Customer ${pad(N)}`);
  });
  await app.step("subscriptions", async () => {
    await app.nav("subscriptions");
    await showAll("#screen-subscriptions", "subscriptions", N);
    await app.screenshot("92-long-lists-subscriptions-all");
  });
});

test("invoices draw the newest 300 with the count of all, and all on asking", async () => {
  await app.step("invoices", async () => {
    const issued = cli(db, ["invoice", "list"], { json: true }).map((i) => i.number);
    assert.equal(issued.length, N);
    await app.nav("invoices");
    const first = await app.waitRows("invoices");
    assert.deepEqual(first.map((r) => r.id), issued.slice(-300).reverse(), "the newest 300, newest first");
    assert.match(await app.text("#screen-invoices .count"), new RegExp(`^${N} invoices`));
    const all = await showAll("#screen-invoices", "invoices", N);
    assert.deepEqual(all.map((r) => r.id), [...issued].reverse());
    await app.screenshot("93-long-lists-invoices-all");
  });
});
