// Azure usage: Microsoft's billed daily rated usage for February imported on the Reconcile screen
// through the file dialog (answered from SEATBOOK_AUTOMATION_DIR), shown there and on the
// customer's page (with a tenant nobody has kept apart), the customer's pricing rule set there
// (retail + 10 %), then March's billing run bills February's usage in arrears, one line per
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

test("the customer's page shows its usage and sets how it is priced", async () => {
  await app.step("usage-customer", async () => {
    await app.nav("customers");
    await app.click('[data-list="customers"] [data-id="1"] [data-action="open-customer"]');
    const rows = await app.waitRows("usage", (r) => r.length === 1, "Contoso's month");
    assert.match(rows[0].text, /February 2026/);
    assert.equal(await app.text("[data-usage-rule]"), "Priced at Retail + 0 % (the default).");
    await app.fill("usage-rule", { basis: "retail", percent: "10", on: "2026-02-01" });
    await app.click('[data-action="save-usage-rule"]');
    assert.equal(await app.toast(), "Azure pricing saved.");
    assert.equal(await app.text("[data-usage-rule]"), "Priced at Retail + 10 %.");
    await app.screenshot("71-usage-customer", { scrollTo: '[data-usage-customer]' });
  });
});

test("March's run bills February's usage, and the PDF says so", async () => {
  await app.step("usage-billed", async () => {
    await app.nav("billing");
    await app.click('[data-action="issue"]');
    assert.match(await app.toast(), /^Issued 1 invoice for March 2026\./);
    // (72 + 4) × 1.10 × 18.20 = 1 521,52, at Microsoft's rate for February.
    const folder = await app.attr("[data-pdf-folder]", "data-pdf-folder");
    const pdf = fs.readdirSync(folder).find((f) => f.endsWith(".pdf"));
    const text = spawnSync("pdftotext", ["-layout", path.join(folder, pdf), "-"], { encoding: "utf8" }).stdout.replace(/\u00a0/g, " ");
    assert.match(text, /Azure usage Feb 2026 — Contoso production/);
    assert.match(text, /1 521,52/);
    const run = cli(db, ["invoice", "list", "--month", "2026-03"], { json: true });
    assert.equal(run.length, 1);
    assert.equal(run[0].net, "1521.52");
    await app.screenshot("72-usage-billed");
  });
});

test("the Azure report shows what was billed, the margin and the PEC on each subscription", async () => {
  await app.step("usage-report", async () => {
    await app.nav("reports");
    await app.click('#screen-reports button[data-tab="azure"]');
    await app.waitFor('#screen-reports button[data-tab="azure"][aria-selected="true"]');
    const rows = await app.waitRows("report-azure", (r) => r.length === 2, "two subscriptions");
    const contoso = rows.find((r) => r.text.includes("Contoso production"));
    assert.match(contoso.text, /billed/);
    const report = cli(db, ["report", "azure", "--month", "2026-02"], { json: true });
    const mine = report.find((r) => r.entitlement_id === "ent-1");
    assert.equal(mine.state, "billed");
    assert.equal(mine.price, "1521.52");
    // Cost 1 113,84 + 72,80 = 1 186,64: a margin of 334,88.
    assert.equal(mine.margin, "334.88");
    assert.ok(contoso.amounts.includes("1521.52") && contoso.amounts.includes("334.88"), JSON.stringify(contoso.amounts));
    await app.screenshot("73-usage-report", { scrollTo: '[data-list="report-azure"]' });
  });
});
