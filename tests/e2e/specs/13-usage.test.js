// Azure usage: Microsoft's billed daily rated usage for February imported on the Reconcile screen
// through the file dialog (answered from SEATBOOK_AUTOMATION_DIR), shown there and on the
// customer's page (with a tenant nobody has kept apart), the customer's pricing rule set there
// (retail + 10 %) and a budget March's estimate is over (the dashboard warns), then March's
// billing run bills February's usage in arrears, one line per
// Azure subscription at Microsoft's rate for the month; the PDF the app wrote is read back with
// pdftotext; the Reports screen's Azure tab shows the price billed and the margin.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { launch, freshDb, cli, seedCompany, automationDir } from "../lib/app.js";

const db = freshDb("usage");
const dialogs = automationDir(db);
const TENANT = "aaaaaaaa-0000-4000-8000-00000000000a";
let app;

const HEADER =
  "PartnerId,CustomerId,CustomerName,CustomerDomainName,InvoiceNumber,SubscriptionId,ChargeStartDate,ChargeEndDate,UsageDate,MeterCategory,UnitPrice,Quantity,EffectiveUnitPrice,BillingPreTaxTotal,BillingCurrency,PricingPreTaxTotal,PricingCurrency,PCToBCExchangeRate,EntitlementId,EntitlementDescription,PartnerEarnedCreditPercentage,CreditType";

before(async () => {
  seedCompany(db);
  cli(db, ["customer", "add", "--name", "Contoso Ltd", "--domain", "contoso.onmicrosoft.com", "--tenant-id", TENANT]);
  // February: 720 VM hours at 0.10 USD (PEC: cost 0.085), 200 GB of storage at 0.02 (no PEC),
  // billed in ZAR at Microsoft's February rate of 18.20; and a tenant Seatbook does not know.
  const rows = [
    `p,${TENANT},Contoso,contoso.onmicrosoft.com,G000123456,plan-1,02/01/2026,02/28/2026,02/14/2026,Virtual Machines,0.1,720,0.085,1113.84,ZAR,61.2,USD,18.2,ent-1,Contoso production,15,Partner Earned Credit Applied`,
    `p,${TENANT},Contoso,contoso.onmicrosoft.com,G000123456,plan-1,02/01/2026,02/28/2026,02/20/2026,Storage,0.02,200,0.02,72.8,ZAR,4,USD,18.2,ent-1,Contoso production,,Credit Not Applied`,
    `p,bbbbbbbb-0000-4000-8000-00000000000b,Stranger,stranger.example.com,G000123456,plan-1,02/01/2026,02/28/2026,02/20/2026,Storage,1,1,1,18.2,ZAR,1,USD,18.2,ent-9,Stranger prod,,Credit Not Applied`,
  ];
  fs.writeFileSync(path.join(dialogs, "usage-february.csv"), `${HEADER}\r\n${rows.join("\r\n")}\r\n`);
  app = await launch(db, { name: "usage" });
  await app.waitScreen("dashboard", { timeout: 30000 });
});
after(async () => {
  await app?.close();
});

test("usage is imported on the Reconcile screen, unknown tenants kept apart", async () => {
  await app.step("usage-import", async () => {
    await app.nav("reconcile");
    await app.click('[data-action="import-usage"]');
    assert.equal(await app.toast(), "usage-february.csv: 3 usage lines of 2 Azure subscriptions imported for February 2026.");
    const rows = await app.waitRows("usage", (r) => r.length === 2, "two subscriptions");
    const contoso = rows.find((r) => r.text.includes("Contoso production"));
    assert.match(contoso.text, /Contoso Ltd/);
    // Retail 72.00 + 4.00 USD; cost 1 113,84 + 72,80 ZAR.
    assert.deepEqual(contoso.amounts, ["76", "1186.64"]);
    assert.match(contoso.text, /1 of 2 lines/);
    const stranger = rows.find((r) => r.text.includes("Stranger prod"));
    assert.match(stranger.text, /no customer/);
    await app.waitFor('[data-unknown-tenants="1"]');
    await app.screenshot("70-usage-import", { scrollTo: '[data-list="usage"]' });
    // The same file again adds nothing.
    await app.click('[data-action="import-usage"]');
    assert.equal(await app.toast(), "usage-february.csv: the same 3 usage lines were imported before; nothing added.");
  });
});

test("the customer's page shows its usage, sets how it is priced and its budget; the dashboard warns", async () => {
  await app.step("usage-customer", async () => {
    // March so far, Microsoft's estimate: 60 USD of retail (imported by a script meanwhile).
    const march = path.join(path.dirname(db), "usage-march.csv");
    fs.writeFileSync(march, `${HEADER}\r\np,${TENANT},Contoso,contoso.onmicrosoft.com,,plan-1,03/01/2026,03/31/2026,03/05/2026,Storage,1,60,1,1092,ZAR,60,USD,18.2,ent-1,Contoso production,,\r\n`);
    cli(db, ["usage", "import", march]);
    await app.nav("customers");
    await app.click('[data-list="customers"] [data-id="1"] [data-action="open-customer"]');
    const rows = await app.waitRows("usage", (r) => r.length === 2, "Contoso's months");
    assert.match(rows[0].text, /February 2026/);
    assert.match(rows[1].text, /March 2026\s*estimate/);
    assert.equal(await app.text("[data-usage-rule]"), "Priced at Retail + 0 % (the default).");
    await app.fill("usage-rule", { basis: "retail", percent: "10", on: "2026-02-01" });
    await app.click('[data-action="save-usage-rule"]');
    assert.equal(await app.toast(), "Azure pricing saved.");
    assert.equal(await app.text("[data-usage-rule]"), "Priced at Retail + 10 %.");
    // A budget of R 1 000: March so far is 60 × 1.10 × 18.20 = R 1 201,20, over it.
    await app.fill("usage-budget", { amount: "1000" });
    await app.click('[data-action="save-usage-budget"]');
    assert.equal(await app.toast(), "Azure budget saved.");
    await app.waitFor('[data-usage-budget][data-warning="100"]');
    assert.match(await app.text("[data-usage-budget]"), /^Budget R 1 000,00 a month; March 2026 so far R 1 201,20 \(120 %\) over budget$/);
    await app.screenshot("71-usage-customer", { scrollTo: '[data-usage-customer]' });
    await app.nav("dashboard");
    const warned = await app.waitRows("azure-budgets", (r) => r.length === 1, "Contoso over budget");
    assert.deepEqual(warned[0].amounts, ["1000", "1201.20"]);
    assert.match(warned[0].text, /120 %/);
  });
});

test("March's run bills February's usage, and the PDF says so", async () => {
  await app.step("usage-billed", async () => {
    await app.nav("billing");
    // The preview has the Azure line, with what it is made of.
    await app.click('[data-action="preview"]');
    await app.waitRows("drafts", (r) => r.length === 1, "Contoso's draft");
    await app.click('[data-list="drafts"] [data-id="1"] button');
    await app.waitFor('[data-list="drafts"] [data-detail="Virtual Machines"]');
    assert.deepEqual(await app.amounts('[data-list="drafts"] .table-inner [data-detail] [data-amount]'), ["1441.44", "80.08"]);
    await app.screenshot("72-usage-preview", { scrollTo: '[data-list="drafts"]' });
    await app.click('[data-action="issue"]');
    assert.match(await app.toast(), /^Issued 1 invoice for March 2026\./);
    // (72 + 4) × 1.10 × 18.20 = 1 521,52, at Microsoft's rate for February.
    const folder = await app.attr("[data-pdf-folder]", "data-pdf-folder");
    const pdf = fs.readdirSync(folder).find((f) => f.endsWith(".pdf"));
    const text = spawnSync("pdftotext", ["-layout", path.join(folder, pdf), "-"], { encoding: "utf8" }).stdout.replace(/\u00a0/g, " ");
    assert.match(text, /Azure usage Feb 2026 — Contoso production/);
    assert.match(text, /1 521,52/);
    // Under it, by meter category: 72 × 1.10 × 18.20 = 1 441,44 and 4 × 1.10 × 18.20 = 80,08.
    assert.match(text, /^\s+Virtual Machines\s+1 441,44$/m);
    assert.match(text, /^\s+Storage\s+80,08$/m);
    const run = cli(db, ["invoice", "list", "--month", "2026-03"], { json: true });
    assert.equal(run.length, 1);
    assert.equal(run[0].net, "1521.52");
    await app.screenshot("72-usage-billed");
  });
});

test("the Azure report shows what was billed, the margin and the PEC on each subscription", async () => {
  await app.step("usage-report", async () => {
    await app.nav("reports");
    // Once the charts above and the first report are in: the tabs stand still.
    await app.waitFor("[data-report-shown] .report-title");
    await app.click('#screen-reports button[data-tab="azure"]');
    await app.waitFor('#screen-reports button[data-tab="azure"][aria-selected="true"]');
    const rows = await app.waitRows("report-azure", (r) => r.length === 3, "two subscriptions in February, one in March");
    const contoso = rows.find((r) => r.text.includes("Contoso production") && /billed/i.test(r.text));
    assert.match(contoso.cells[7], /^billed$/i, JSON.stringify(contoso.cells));
    // The CSV's 17 columns folded into 8 that fit the window: nothing scrolls sideways.
    assert.equal(contoso.cells.length, 8);
    const wide = await app.execute("const w = document.querySelector('[data-list=\"report-azure\"]').closest('.table-wrap'); return w.scrollWidth - w.clientWidth;");
    assert.ok(wide <= 1, `the Azure table is ${wide} px wider than its panel`);
    const report = cli(db, ["report", "azure", "--month", "2026-02"], { json: true });
    const mine = report.find((r) => r.entitlement_id === "ent-1");
    assert.equal(mine.state, "billed");
    assert.equal(mine.price, "1521.52");
    // Cost 1 113,84 + 72,80 = 1 186,64: a margin of 334,88.
    assert.equal(mine.margin, "334.88");
    assert.ok(contoso.amounts.includes("1521.52") && contoso.amounts.includes("334.88"), JSON.stringify(contoso.amounts));
    // The chart: one bar per usage month, what customers pay (March is Microsoft's estimate).
    const bars = await app.execute(
      "return [...document.querySelectorAll('[data-chart=\"azure-ZAR\"] .chart-bar')].map(b => [b.dataset.label, b.dataset.amount, b.classList.contains('chart-info')])",
    );
    assert.deepEqual(bars, [["2026-02", "1521.52", false], ["2026-03", "1201.20", true]]);
    await app.screenshot("73-usage-report", { scrollTo: '[data-chart="azure-ZAR"]' });
  });
});

test("the dashboard shows Azure beside recurring revenue: last month and this month so far", async () => {
  await app.step("usage-dashboard", async () => {
    await app.nav("dashboard");
    assert.deepEqual(await app.amounts('[data-stat="azure"]'), ["1521.52"]);
    assert.equal(await app.text('[data-stat="azure-now"]'), "So far in March 2026: R 1 201,20 (estimate)");
    await app.screenshot("74-usage-dashboard");
    await app.click('[data-stat="azure"]');
    await app.waitFor('#screen-reports button[data-tab="azure"][aria-selected="true"]');
  });
});
