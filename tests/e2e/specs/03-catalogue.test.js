// Catalogue: importing Microsoft's price list through the file dialog (answered from
// SEATBOOK_AUTOMATION_DIR, since WebDriver cannot click a native dialog) with its progress bar and
// its report; re-importing changes nothing; a bad file is refused with its lines listed; products
// and prices are searchable; an exchange rate and a markup rule are added.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { launch, freshDb, cli, automationDir, PRICELIST, TODAY } from "../lib/app.js";

const db = freshDb("catalogue");
const dialogs = automationDir(db);
let app;

// Records the import progress bar while a job runs: each change of its visibility, value or max.
const WATCH_PROGRESS = `
  window.__progress = [];
  const bar = document.querySelector('progress[data-progress="import"]');
  const note = () => window.__progress.push({ shown: bar.getClientRects().length > 0, value: bar.getAttribute('value'), max: bar.getAttribute('max') });
  new MutationObserver(note).observe(bar.closest('form'), { attributes: true, subtree: true });`;

before(async () => {
  cli(db, ["init", "--name", "Acme Cloud Ltd", "--country", "ZA", "--currency", "ZAR", "--vat-rate", "15"]);
  fs.copyFileSync(PRICELIST, path.join(dialogs, "nce-pricelist-sample.csv"));
  app = await launch(db, { name: "catalogue" });
  await app.waitScreen("dashboard", { timeout: 30000 });
});
after(async () => {
  await app?.close();
});

test("an empty catalogue says so", async () => {
  await app.step("empty", async () => {
    await app.nav("catalogue");
    await app.waitText("#screen-catalogue", "No products yet");
    assert.equal(await app.rows("products"), null);
  });
});

test("importing the price list shows progress, then what was added", async () => {
  await app.step("import", async () => {
    await app.click('#screen-catalogue [data-tab="import"]');
    await app.form("pricelist");
    assert.equal(await app.value("pricelist", "market"), "ZA", "the company's market by default");
    await app.execute(WATCH_PROGRESS);
    await app.click('[data-action="import-pricelist"]');
    assert.equal(await app.toast(), "Imported nce-pricelist-sample.csv: 28 added, 0 updated.");
    const report = await app.waitText("#screen-catalogue", "Imported nce-pricelist-sample.csv");
    assert.match(report, /Rows read\s*28/);
    assert.match(report, /Products\s*5/);
    assert.equal(await app.attr("#screen-catalogue [data-added]", "data-added"), "28");
    const seen = await app.execute("return window.__progress");
    assert.ok(seen.some((p) => p.shown), `the progress bar was shown (${JSON.stringify(seen)})`);
    assert.ok(seen.some((p) => p.value !== null && p.value === p.max), `it reached its end (${JSON.stringify(seen)})`);
    assert.equal(await (await app.find('progress[data-progress="import"]')).displayed(), false, "and is hidden when done");
    await app.screenshot("08-catalogue-import");
  });
});

test("importing the same file again adds nothing", async () => {
  await app.step("reimport", async () => {
    await app.click('[data-action="import-pricelist"]');
    assert.equal(await app.toast(), "Imported nce-pricelist-sample.csv: 0 added, 0 updated.");
    await app.waitText("#screen-catalogue", "Unchanged");
    assert.equal(await app.attr("#screen-catalogue [data-added]", "data-added"), "0");
  });
});

test("a broken price list is refused whole, with its bad lines", async () => {
  await app.step("broken", async () => {
    const lines = fs.readFileSync(PRICELIST, "utf8").split("\n");
    const bad = lines.findIndex((l) => l.includes('"75.60"')); // Business Basic P1Y monthly
    lines[bad] = lines[bad].replace('"75.60"', '"seventy"');
    const lineNo = bad + 1;
    const broken = path.join(dialogs, "0-broken.csv"); // sorts first: the dialog "chooses" it
    fs.writeFileSync(broken, lines.join("\n"));
    try {
      await app.click('[data-action="import-pricelist"]');
      const msg = await app.waitFieldError("pricelist", "form");
      assert.match(msg, new RegExp(`line ${lineNo}\\b`, "i"), `the bad line is named: ${msg}`);
      assert.match(msg, /seventy/);
      assert.equal(cli(db, ["product", "list", "--on", TODAY], { json: true }).length, 5, "nothing changed");
      await app.screenshot("08-catalogue-import-error");
    } finally {
      fs.rmSync(broken);
    }
  });
});

test("products and their prices, searchable", async () => {
  await app.step("products", async () => {
    await app.click('#screen-catalogue [data-tab="products"]');
    let rows = await app.waitRows("products", (r) => r.length === 5, "five products");
    assert.deepEqual(
      rows.map((r) => r.id).sort(),
      ["CFQ7TTC0LCH4:0001", "CFQ7TTC0LCHC:0002", "CFQ7TTC0LDPB:0001", "CFQ7TTC0LH16:0001", "CFQ7TTC0LH18:0001"],
    );
    await app.screenshot("08-catalogue");
    const box = await app.waitFor('input[type="search"][data-search="products"]');
    await box.type("premium");
    rows = await app.waitRows("products", (r) => r.length === 1, "one match for 'premium'");
    assert.equal(rows[0].id, "CFQ7TTC0LCHC:0002");
    assert.match(rows[0].text, /Microsoft 365 Business Premium/);
    // The partner's cost per seat per term, as in the file: P1M 26.40, P1Y monthly 277.20, ...
    for (const a of ["26.40", "277.20", "264.00", "831.60", "792.00"]) assert.ok(rows[0].amounts.includes(a), `${a} in ${rows[0].amounts}`);
  });
});

test("an exchange rate is added", async () => {
  await app.step("fx", async () => {
    await app.click('#screen-catalogue [data-tab="rates"]');
    await app.waitText("#screen-catalogue", "No exchange rates yet");
    await app.fill("fx", { from: "USD", rate: "18.50", to: "ZAR", on: "2025-01-01" });
    await app.submit("fx");
    assert.match(await app.toast(), /^1 USD = 18[.,]5 ZAR from /);
    const rows = await app.waitRows("rates");
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].dates, ["2025-01-01"]);
    const [fx] = cli(db, ["fx", "list"], { json: true });
    assert.equal(fx.from, "USD");
    assert.equal(fx.to, "ZAR");
    assert.equal(Number(fx.rate), 18.5);
    assert.equal(Number(rows[0].amounts[0]), 18.5);
  });
});

test("a markup rule is added and prices follow it", async () => {
  await app.step("markup", async () => {
    await app.click('#screen-catalogue [data-tab="markup"]');
    await app.form("markup");
    await app.fill("markup", { percent: "20", on: "2025-01-01" });
    await app.submit("markup");
    assert.match(await app.toast(), /^Markup rule \d+ added\.$/);
    const rows = await app.waitRows("markup");
    assert.equal(rows.length, 1);
    assert.match(rows[0].text, /Every customer/);
    assert.match(rows[0].text, /20/);
    const price = cli(db, ["product", "price", "CFQ7TTC0LCHC:0002", "--term", "P1Y", "--billing", "monthly", "--on", TODAY], { json: true });
    assert.match(price.price.rule, /20/);
    assert.equal(price.price.unit_price, "332.64", "277.20 USD × 1.20");
    await app.screenshot("08-catalogue-markup");
  });
});
