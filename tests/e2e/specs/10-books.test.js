// The books in the app: the journal exported from the Reports screen in each format is the CLI's
// `seatbook export journal --format F`, byte for byte, and hledger and beancount accept it; the
// trial balance lists the CLI's balances, each currency adding up to zero; Settings → "Export
// all data…" writes the same files as `seatbook export all`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { launch, freshDb, cli, CLI, seedCompany, automationDir, monthBack, TODAY } from "../lib/app.js";

const db = freshDb("books");
const dialogs = automationDir(db);
let app;

const FORMATS = [
  { format: "csv", ext: "csv" },
  { format: "hledger", ext: "journal" },
  { format: "beancount", ext: "beancount" },
];
// A name that needs quoting in CSV, escaping in beancount, and loses its ";" in hledger.
const TAILSPIN = 'Tailspin "Alpen" GmbH; Wien';

/** The CLI's stdout as bytes (no decoding: the comparison is byte for byte). */
function cliBytes(args) {
  const r = spawnSync(CLI, ["--db", db, ...args], { env: { ...process.env, SEATBOOK_TODAY: TODAY }, maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, `seatbook ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** Runs a checker on a file; fails with its output unless it exits 0. */
function check(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  assert.equal(r.error, undefined, `${cmd} could not run: ${r.error}`);
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
}

before(async () => {
  seedCompany(db);
  cli(db, ["fx", "set", "--from", "USD", "--to", "EUR", "--rate", "0.92", "--on", "2025-01-01"]);
  cli(db, ["customer", "add", "--name", "Contoso Ltd", "--domain", "contoso.onmicrosoft.com"]);
  cli(db, ["customer", "add", "--name", TAILSPIN, "--domain", "tailspin.onmicrosoft.com", "--country", "AT", "--currency", "EUR"]);
  const start = monthBack(2).first;
  cli(db, ["subscription", "add", "--customer", "1", "--product", "CFQ7TTC0LH18:0001", "--term", "P1Y", "--billing", "monthly",
    "--quantity", "10", "--start", start]);
  cli(db, ["subscription", "add", "--customer", "2", "--product", "CFQ7TTC0LCHC:0002", "--term", "P1Y", "--billing", "monthly",
    "--quantity", "3", "--start", start]);
  for (let n = 2; n >= 1; n--) cli(db, ["bill", "--month", monthBack(n).month, "--issue", "--date", monthBack(n).last]);
  // Contoso pays part of what it owes; Tailspin pays more than its first invoice (the rest is credit).
  cli(db, ["payment", "add", "--customer", "1", "--amount", "1000", "--method", "eft", "--reference", "EFT 0042", "--date", TODAY]);
  cli(db, ["payment", "add", "--customer", "2", "--amount", "250", "--method", "card", "--date", TODAY]);
  app = await launch(db, { name: "books" });
  await app.waitScreen("dashboard", { timeout: 30000 });
});
after(async () => {
  await app?.close();
});

test("the journal exported in each format is the CLI's, byte for byte, and hledger and beancount accept it", async () => {
  await app.step("books-journal", async () => {
    await app.nav("reports");
    // As a user does, once the charts and the first report above have come in and the page
    // stands still (the form moves down as they come).
    await app.waitFor("[data-report-shown] .report-title");
    await app.form("journal");
    const { entries } = cli(db, ["export", "journal", "--format", "csv", "--out", path.join(path.dirname(db), "count.csv")], { json: true });
    assert.ok(entries >= 6, `invoices, payments and their applications: ${entries} entries`);
    for (const { format, ext } of FORMATS) {
      await app.fill("journal", { format });
      await app.submit("journal");
      const file = path.join(dialogs, `seatbook-journal-${TODAY}.${ext}`);
      assert.equal(await app.toast(), `Saved ${entries} journal entries to ${file}.`);
      const saved = fs.readFileSync(file);
      const expected = cliBytes(["export", "journal", "--format", format]);
      assert.ok(saved.equals(expected), `${format}: the app's file is the CLI's output\n--- app\n${saved}\n--- cli\n${expected}`);
      assert.ok(saved.includes(format === "hledger" ? 'Tailspin "Alpen" GmbH  Wien' : format === "beancount" ? 'Tailspin \\"Alpen\\" GmbH; Wien' : '"Payment from Tailspin ""Alpen"" GmbH; Wien (card)"'), `${format}: the name escaped`);
    }
    check("hledger", ["-f", path.join(dialogs, `seatbook-journal-${TODAY}.journal`), "check"]);
    check("bean-check", [path.join(dialogs, `seatbook-journal-${TODAY}.beancount`)]);
    await app.screenshot("50-books-journal", { scrollTo: 'form[data-form="journal"]' });
  });
});

test("the trial balance lists the CLI's balances, and each currency adds up to zero", async () => {
  await app.step("books-trial-balance", async () => {
    const expected = cli(db, ["report", "trial-balance"], { json: true });
    const currencies = [...new Set(expected.map((r) => r.currency))].sort();
    assert.deepEqual(currencies, ["EUR", "ZAR"]);
    // The journal is added up when the trial balance comes into view.
    await app.execute("document.querySelector('[data-trial-balance]').scrollIntoView({ block: 'center' })");
    const rows = await app.waitRows("trial-balance", (r) => r.length === expected.length + currencies.length, "the trial balance");
    const names = { C00001: "Contoso Ltd", C00002: TAILSPIN };
    for (const r of expected) {
      const row = rows.find((x) => x.id === `${r.account}/${r.currency}`);
      assert.ok(row, `${r.account} in ${r.currency} is listed`);
      assert.deepEqual(row.amounts, [r.balance], `${r.account} ${r.currency}: the balance to the cent`);
      assert.equal(row.cells[0], r.account);
      assert.equal(row.cells[1], names[r.account.split(":").pop()] ?? "", `${r.account}: its customer`);
      assert.equal(row.cells[2], r.currency);
    }
    for (const c of currencies) {
      const total = rows.find((x) => x.id === `Total/${c}`);
      assert.ok(total, `a total in ${c}`);
      assert.deepEqual(total.amounts, ["0.00"], `${c} adds up to zero`);
      // Each currency's accounts, then its total.
      const block = rows.slice(0, rows.indexOf(total) + 1).filter((x) => x.id.endsWith(`/${c}`));
      assert.equal(block.length, expected.filter((r) => r.currency === c).length + 1);
    }
    assert.equal(rows.at(-1).id, `Total/${currencies.at(-1)}`);
    await app.screenshot("51-books-trial-balance", { scrollTo: '[data-list="trial-balance"]' });
  });
});

test("exporting all data writes the CLI's files, with the same rows", async () => {
  await app.step("books-export-all", async () => {
    const cliDir = path.join(path.dirname(db), "cli-export");
    const expected = cli(db, ["export", "all", "--out-dir", cliDir], { json: true });
    assert.ok(expected.length > 10, "a file per table");
    const total = expected.reduce((n, f) => n + f.rows, 0);
    await app.nav("settings");
    await app.click('#screen-settings [data-action="export-all"]');
    assert.equal(await app.toast(), `Exported ${expected.length} files, ${total} rows to ${dialogs}.`);
    assert.equal(await app.attr("[data-export-folder]", "data-export-folder"), dialogs);
    const written = fs.readdirSync(dialogs).filter((f) => !f.startsWith("seatbook-journal-")).sort();
    assert.deepEqual(written, expected.map((f) => path.basename(f.file)).sort(), "the same files");
    for (const f of expected) {
      const name = path.basename(f.file);
      assert.ok(fs.readFileSync(path.join(dialogs, name)).equals(fs.readFileSync(f.file)), `${name}: the same ${f.rows} rows`);
    }
    const invoices = expected.find((f) => path.basename(f.file) === "invoices.csv");
    assert.equal(invoices.rows, 4, "two months for two customers");
    await app.screenshot("52-books-export-all", { scrollTo: '[data-action="export-all"]' });
  });
});
