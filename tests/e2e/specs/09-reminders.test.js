// Overdue reminders from the Invoices screen: the reminders due today listed as the CLI's
// preview lists them, sending them writes one PDF letter each into the PDF folder and records
// them, and a second look finds nothing due.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { launch, freshDb, cli, seedCompany, automationDir, monthBack, TODAY } from "../lib/app.js";

const db = freshDb("reminders");
const dialogs = automationDir(db);
let app;
let due;

before(async () => {
  seedCompany(db);
  cli(db, ["customer", "add", "--name", "Contoso Ltd", "--domain", "contoso.onmicrosoft.com"]);
  cli(db, ["customer", "add", "--name", "Northwind Health", "--domain", "northwind.onmicrosoft.com"]);
  const first = monthBack(3).month;
  cli(db, ["subscription", "add", "--customer", "1", "--product", "CFQ7TTC0LH18:0001", "--term", "P1Y", "--billing", "monthly",
    "--quantity", "10", "--start", `${first}-01`]);
  cli(db, ["subscription", "add", "--customer", "2", "--product", "CFQ7TTC0LCHC:0002", "--term", "P1Y", "--billing", "monthly",
    "--quantity", "4", "--start", `${first}-01`]);
  // Three months issued on their last days (due 30 days later): on TODAY the oldest invoices
  // are more than 30 days overdue, the next more than 7, the newest not yet due.
  for (let n = 3; n >= 1; n--) {
    const { month, last } = monthBack(n);
    cli(db, ["bill", "--month", month, "--issue", "--date", last]);
  }
  // Northwind pays its oldest invoice: it gets no letter for it.
  const northwind = cli(db, ["invoice", "list", "--customer", "2"], { json: true });
  cli(db, ["payment", "add", "--customer", "2", "--amount", northwind[0].total, "--method", "eft", "--date", TODAY]);
  due = cli(db, ["reminders", "run", "--preview", "--as-of", TODAY], { json: true });
  assert.ok(due.length >= 3, `several reminders due: ${JSON.stringify(due)}`);
  assert.ok(new Set(due.map((r) => r.level)).size >= 2, "at more than one level");
  app = await launch(db, { name: "reminders" });
  await app.waitScreen("dashboard", { timeout: 30000 });
});
after(async () => {
  await app?.close();
});

test("the reminders due today are listed as the CLI lists them, and recorded by nothing", async () => {
  await app.step("reminders-due", async () => {
    await app.nav("settings");
    await app.click('#screen-settings [data-action="pick-pdf-dir"]');
    assert.equal(await app.toast(), "PDF folder changed.");
    await app.nav("invoices");
    await app.click('#screen-invoices [data-action="reminders"]');
    await app.waitFor('dialog[data-dialog="reminders"]');
    const rows = await app.waitRows("reminders-due", (r) => r.length === due.length, `${due.length} reminders due`);
    for (const r of due) {
      const row = rows.find((x) => x.id === `${r.invoice}:${r.level}`);
      assert.ok(row, `${r.invoice} at level ${r.level} is listed`);
      assert.equal(row.cells[1], r.customer_name);
      assert.deepEqual(row.amounts, [r.open], `${r.invoice}: the open amount to the cent`);
      assert.deepEqual(row.dates, [r.due_date]);
      assert.equal(row.cells[3], `${r.days_overdue} days`);
      assert.equal(row.cells[5], r.title);
    }
    await app.screenshot("40-reminders-due");
    assert.deepEqual(cli(db, ["reminders", "run", "--preview", "--as-of", TODAY], { json: true }), due, "opening the dialog sends nothing");
  });
});

test("sending writes one letter per reminder into the PDF folder and records them once", async () => {
  await app.step("reminders-send", async () => {
    await app.click('dialog[data-dialog="reminders"] [data-action="send-reminders"]');
    assert.equal(await app.toast(), `Sent ${due.length} reminders.`);
    const rows = await app.waitRows("reminders-sent", (r) => r.length === due.length, "the reminders sent");
    const folder = await app.attr("[data-reminders-folder]", "data-reminders-folder");
    assert.equal(folder, `${dialogs}/reminders/${TODAY}`);
    const letters = fs.readdirSync(folder).sort();
    assert.deepEqual(letters, due.map((r) => `${r.invoice}_reminder-${r.level}.pdf`).sort());
    const files = await app.execute(
      "return [...document.querySelectorAll('[data-list=\"reminders-sent\"] [data-file]')].map(r => r.getAttribute('data-file'))",
    );
    assert.deepEqual(files.map((f) => f.split("/").pop()).sort(), letters, "each row names its letter");
    assert.equal(rows.length, letters.length);
    await app.click('dialog[data-dialog="reminders"] [data-action="open-reminders-folder"]');
    assert.equal(await app.toast(), `Opened ${folder}.`);
    await app.screenshot("41-reminders-sent");
    // The final notice reads as one: the invoice, the title and the days overdue.
    const final = due.find((r) => r.level === Math.max(...due.map((x) => x.level)));
    const text = spawnSync("pdftotext", ["-layout", `${folder}/${final.invoice}_reminder-${final.level}.pdf`, "-"], { encoding: "utf8" }).stdout;
    for (const want of [final.title, final.invoice, "Contoso Ltd", String(final.days_overdue)]) {
      assert.ok(text.includes(want), `${want} in the letter:\n${text}`);
    }
    await app.click('dialog[data-dialog="reminders"] [data-action="cancel-dialog"]');
    await app.waitGone('dialog[data-dialog="reminders"]');
  });
});

test("a second look the same day finds nothing due", async () => {
  await app.step("reminders-again", async () => {
    await app.click('#screen-invoices [data-action="reminders"]');
    await app.waitFor('dialog[data-dialog="reminders"]');
    const text = await app.text('dialog[data-dialog="reminders"] .empty');
    assert.match(text, /^No reminders are due on /);
    assert.deepEqual(cli(db, ["reminders", "run", "--preview", "--as-of", TODAY], { json: true }), []);
    await app.click('dialog[data-dialog="reminders"] [data-action="close-dialog"]');
  });
});
