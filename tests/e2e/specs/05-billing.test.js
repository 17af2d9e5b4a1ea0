// Billing and invoices: choose where PDFs go (Settings, folder dialog answered by the automation
// folder), preview a month (drafts per customer equal to the CLI's preview, problems listed),
// issue it with progress, issue again (nothing twice), then the Invoices screen: open an
// invoice, save its PDF and read it, credit it; and the dashboard after the run.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { launch, freshDb, cli, seedCompany, automationDir, SCREENS, addDays, TODAY } from "../lib/app.js";

const db = freshDb("billing");
const dialogs = automationDir(db);
const MONTH = TODAY.slice(0, 7);
const YEAR = TODAY.slice(0, 4);
let app;
let preview;

const sum = (xs) => xs.reduce((a, x) => a + Math.round(Number(x) * 100), 0) / 100;

before(async () => {
  seedCompany(db);
  cli(db, ["customer", "add", "--name", "Contoso Ltd", "--domain", "contoso.onmicrosoft.com", "--email", "it@contoso.test",
    "--address", "5 Main Road\nJohannesburg"]);
  cli(db, ["customer", "add", "--name", "Northwind Health", "--domain", "northwind.onmicrosoft.com"]);
  cli(db, ["customer", "add", "--name", "Tailspin GmbH", "--domain", "tailspin.onmicrosoft.com", "--country", "DE", "--currency", "EUR"]);
  cli(db, ["subscription", "add", "--customer", "1", "--product", "CFQ7TTC0LH18:0001", "--term", "P1Y", "--billing", "monthly",
    "--quantity", "10", "--start", addDays(TODAY, -30)]);
  cli(db, ["subscription", "add", "--customer", "2", "--product", "CFQ7TTC0LCHC:0002", "--term", "P1Y", "--billing", "monthly",
    "--quantity", "4", "--start", addDays(TODAY, -10)]);
  // A USD charge for a EUR customer, with no USD→EUR rate: a problem that leaves Tailspin out.
  cli(db, ["charge", "add", "--customer", "3", "--description", "Migration", "--amount", "500", "--currency", "USD",
    "--date", addDays(TODAY, -5)]);
  preview = cli(db, ["bill", "--month", MONTH, "--preview", "--date", TODAY], { json: true });
  assert.equal(preview.invoices.length, 2, "the CLI previews two invoices");
  assert.equal(preview.problems.length, 1, "and one problem");
  app = await launch(db, { name: "billing" });
  await app.waitScreen("dashboard", { timeout: 30000 });
});
after(async () => {
  await app?.close();
});

test("invoice PDFs go to the folder chosen in Settings", async () => {
  await app.step("settings", async () => {
    await app.nav("settings");
    assert.equal(await app.value("company", "name"), "Acme Cloud Ltd");
    await app.click('#screen-settings [data-action="pick-pdf-dir"]');
    assert.equal(await app.toast(), "PDF folder changed.");
    await app.waitFor(`#screen-settings [data-pdf-dir="${dialogs}"]`);
    await app.screenshot("11-settings");
  });
});

test("the preview shows each customer's draft and the problems, and changes nothing", async () => {
  await app.step("preview", async () => {
    await app.nav("billing");
    await app.form("billing");
    assert.equal(await app.value("billing", "month"), MONTH, "this month by default");
    assert.equal(await app.value("billing", "date"), TODAY);
    await app.click('[data-action="preview"]');
    const rows = await app.waitRows("drafts", (r) => r.length === 2, "two drafts");
    for (const inv of preview.invoices) {
      const row = rows.find((r) => r.id === String(inv.customer_id));
      assert.ok(row, `a draft for ${inv.customer_name}`);
      assert.equal(row.cells[1], inv.customer_name);
      assert.equal(row.cells[2], String(inv.lines.length), "lines");
      assert.deepEqual(row.amounts, [inv.net, inv.vat, inv.total], `${inv.customer_name}: net, VAT, total as the CLI computes them`);
      assert.deepEqual(row.dates, [inv.due_date]);
    }
    const problems = await app.waitRows("problems");
    assert.equal(problems.length, 1);
    assert.equal(problems[0].id, "3");
    assert.equal(problems[0].cells[0], "Tailspin GmbH");
    assert.match(problems[0].cells[1], /USD.EUR exchange rate/);
    // The lines of one draft, as a user opens them.
    await app.click('[data-list="drafts"] [data-id="1"] button');
    const lines = await app.execute(
      "return [...document.querySelectorAll('[data-list=\"drafts\"] .table-inner tbody tr')].filter(r => r.getClientRects().length).map(r => r.innerText)",
    );
    assert.equal(lines.length, preview.invoices.find((i) => i.customer_id === 1).lines.length);
    assert.match(lines[0], /Microsoft 365 Business Basic/);
    await app.screenshot("09-billing-preview");
    assert.deepEqual(cli(db, ["invoice", "list"], { json: true }), [], "a preview issues nothing");
  });
});

test("issuing numbers the invoices, shows progress, and writes their PDFs", async () => {
  await app.step("issue", async () => {
    await app.execute(`
      window.__progress = [];
      for (const bar of document.querySelectorAll('progress[data-progress]')) {
        new MutationObserver(() => window.__progress.push({ job: bar.dataset.progress, shown: bar.getClientRects().length > 0,
          value: bar.getAttribute('value'), max: bar.getAttribute('max') })).observe(bar.parentElement, { attributes: true, subtree: true });
      }`);
    await app.click('[data-action="issue"]');
    assert.match(await app.toast(), /^Issued 2 invoices for /);
    const rows = await app.waitRows("invoices", (r) => r.length === 2, "two issued invoices");
    const numbers = rows.map((r) => r.id).sort();
    assert.deepEqual(numbers, [`INV-${YEAR}-00001`, `INV-${YEAR}-00002`]);
    for (const inv of preview.invoices) {
      const row = rows.find((r) => r.cells[1] === inv.customer_name);
      assert.deepEqual(row.amounts, [inv.net, inv.vat, inv.total], `${inv.customer_name}: the issued amounts are the previewed ones`);
    }
    const seen = await app.execute("return window.__progress");
    assert.ok(seen.some((p) => p.job === "billing" && p.shown), `the billing progress bar was shown: ${JSON.stringify(seen)}`);
    const folder = await app.attr("[data-pdf-folder]", "data-pdf-folder");
    assert.ok(folder.startsWith(dialogs), `PDFs under the chosen folder: ${folder}`);
    const pdfs = fs.readdirSync(folder).filter((f) => f.endsWith(".pdf"));
    assert.equal(pdfs.length, 2, `two PDFs in ${folder}: ${pdfs}`);
    await app.screenshot("10-billing-issued");
    const issued = cli(db, ["invoice", "list", "--month", MONTH], { json: true });
    assert.equal(issued.length, 2);
  });
});

test("issuing the month again bills nothing twice", async () => {
  await app.step("issue-again", async () => {
    await app.click('[data-action="issue"]');
    assert.match(await app.toast(), /^Nothing new to bill for /);
    assert.equal(cli(db, ["invoice", "list"], { json: true }).length, 2);
  });
});

test("an invoice opens, and its PDF says what the screen says", async () => {
  await app.step("invoice", async () => {
    await app.nav("invoices");
    const rows = await app.waitRows("invoices", (r) => r.length === 2, "two invoices");
    const contoso = preview.invoices.find((i) => i.customer_id === 1);
    const row = rows.find((r) => r.text.includes("Contoso Ltd"));
    assert.equal(row.amounts[0], contoso.total);
    assert.deepEqual(row.dates, [TODAY, contoso.due_date]);
    assert.match(row.text, /Open/);
    await app.screenshot("12-invoices");

    await app.click(`[data-list="invoices"] [data-id="${row.id}"] [data-action="open-pdf"]`);
    assert.equal(await app.toast(), `Opened ${row.id}.`);

    await app.click(`[data-list="invoices"] [data-id="${row.id}"] [data-action="save-pdf"]`);
    const saved = (await app.toast()).replace(/^Saved (.*)\.$/, "$1");
    assert.ok(saved.startsWith(dialogs) && fs.existsSync(saved), `saved into the chosen place: ${saved}`);
    const text = spawnSync("pdftotext", ["-layout", saved, "-"], { encoding: "utf8" }).stdout;
    assert.match(text, new RegExp(row.id));
    assert.match(text, /Contoso Ltd/);
    assert.match(text, /Acme Cloud Ltd/);
    assert.match(text, /Microsoft 365 Business Basic/);
    const digits = (s) => s.replace(/[^0-9]/g, "");
    assert.ok(digits(text).includes(digits(contoso.total)), `the total ${contoso.total} is printed`);
    // The invoice as the user sees it in a PDF viewer.
    spawnSync("pdftoppm", ["-png", "-r", "80", "-singlefile", saved, path.join(SCREENS, "13-invoice-pdf")]);
    assert.ok(fs.existsSync(path.join(SCREENS, "13-invoice-pdf.png")));
  });
});

test("a credit note corrects an invoice", async () => {
  await app.step("credit", async () => {
    const [row] = (await app.rows("invoices")).filter((r) => r.text.includes("Northwind Health"));
    await app.click(`[data-list="invoices"] [data-id="${row.id}"] [data-action="credit"]`);
    await app.waitFor('dialog[data-dialog="credit"] form[data-form="credit"]');
    await app.submit("credit");
    assert.match(await app.waitFieldError("credit", "reason"), /reason/i, "a reason is required");
    await app.fill("credit", { reason: "Seats bought by mistake" });
    await app.submit("credit");
    await app.waitGone('dialog[data-dialog="credit"]');
    assert.match(await app.toast(), new RegExp(`^Credit note CN-${YEAR}-00001 issued`));
    const rows = await app.waitRows("invoices", (r) => r.some((x) => x.id === row.id && /Credited/.test(x.text)), "the invoice credited");
    const after = rows.find((r) => r.id === row.id);
    assert.match(after.text, new RegExp(`CN-${YEAR}-00001`));
    await app.screenshot("12-invoices-credited");
  });
});

test("the dashboard shows the run and what is open", async () => {
  await app.step("dashboard", async () => {
    await app.nav("dashboard");
    const contoso = preview.invoices.find((i) => i.customer_id === 1);
    assert.equal(await app.text('#screen-dashboard [data-stat="customers"]'), "3");
    assert.equal(Number(await app.attr('#screen-dashboard [data-stat="open"]', "data-amount")), sum([contoso.total]), "only Contoso's invoice is still open");
    assert.ok(Number(await app.attr('#screen-dashboard [data-stat="mrr"]', "data-amount")) > 0, "recurring revenue");
    await app.waitFor(`#screen-dashboard [data-last-run="${MONTH}"]`);
    await app.screenshot("02-dashboard");
  });
});
