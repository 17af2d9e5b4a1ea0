// Backups (Settings): the day's automatic backup is listed, "Back up now" adds one, "Save a
// backup as" writes a .db into the chosen folder; a backup restored from its row (the dialog
// names it; cancel changes nothing) brings its data back, on the screens and for the CLI, with
// the data as it was kept aside; damaged or foreign files are refused with the core's message
// before any dialog, and change nothing; a good file restores from the open dialog.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { launch, freshDb, cli, seedCompany, automationDir, waitFor, CLI, TODAY } from "../lib/app.js";

const db = freshDb("backups");
const dialogs = automationDir(db);
const backupsDir = path.join(path.dirname(db), "backups");
let app;
let madeNow; // the backup made with "Back up now": {name, path}
let savedAs; // the backup saved into the dialog folder

/** The names of the customers in the database (by default the app's), as the CLI lists them. */
const customers = (file = db) => cli(file, ["customer", "list"], { json: true }).map((c) => c.name).sort();

/** The same for a backup, read from a copy (opening a database may write to it). */
function customersIn(file) {
  const copy = path.join(path.dirname(db), "probe", `copy-${crypto.randomUUID()}.db`);
  fs.mkdirSync(path.dirname(copy), { recursive: true });
  fs.copyFileSync(file, copy);
  return customers(copy);
}

/** The databases kept aside by restores, beside the app's database. */
const keptAside = () => fs.readdirSync(path.dirname(db)).filter((f) => f.includes(".before-restore-")).sort();

/** The error the CLI gives for `seatbook backup restore FILE` (on a scratch database: it must refuse). */
function restoreRefusal(file) {
  const probe = path.join(path.dirname(db), "probe", "seatbook.db");
  fs.mkdirSync(path.dirname(probe), { recursive: true });
  const r = spawnSync(CLI, ["--db", probe, "--json", "backup", "restore", file], { encoding: "utf8", env: { ...process.env, SEATBOOK_TODAY: TODAY } });
  assert.equal(r.status, 2, `the CLI refuses ${file}: ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stderr).message;
}

/** A whole, valid one-page SQLite database of some other program: no tables, user_version 1. */
function foreignSqlite() {
  const page = 4096;
  const b = Buffer.alloc(page);
  b.write("SQLite format 3\0", 0, "latin1");
  b.writeUInt16BE(page, 16); // page size
  Object.assign(b, { 18: 1, 19: 1, 20: 0, 21: 64, 22: 32, 23: 32 }); // versions, payload fractions
  for (const [at, v] of [[24, 1], [28, 1], [44, 4], [56, 1], [60, 1], [92, 1], [96, 3045001]]) b.writeUInt32BE(v, at);
  b[100] = 0x0d; // page 1: an empty table leaf (sqlite_schema without rows)
  b.writeUInt16BE(page, 105);
  return b;
}

before(async () => {
  seedCompany(db);
  cli(db, ["customer", "add", "--name", "Contoso Ltd", "--domain", "contoso.onmicrosoft.com"]);
  cli(db, ["customer", "add", "--name", "Northwind Health", "--domain", "northwind.onmicrosoft.com"]);
  app = await launch(db, { name: "backups" });
  await app.waitScreen("dashboard", { timeout: 30000 });
});
after(async () => {
  await app?.close();
});

test("the day's automatic backup is listed, and Back up now adds one", async () => {
  const daily = `seatbook-${TODAY}.db`;
  // Taken in the background when the app starts.
  await waitFor(() => fs.existsSync(path.join(backupsDir, daily)), { what: `${daily} in ${backupsDir}` });
  await app.step("backups-list", async () => {
    await app.nav("settings");
    await app.waitFor(`#screen-settings [data-backup-folder="${backupsDir}"]`);
    const rows = await app.waitRows("backups");
    assert.deepEqual(rows.map((r) => r.id), [daily]);
    assert.deepEqual(cli(db, ["backup", "list"], { json: true }).map((b) => path.basename(b.path)), [daily], "the CLI sees the same");
  });

  await app.step("backup-now", async () => {
    await app.click('#screen-settings [data-action="backup-now"]');
    const toast = await app.toast();
    const made = toast.replace(/^Backed up to (.*)\.$/, "$1");
    assert.equal(path.dirname(made), backupsDir, `the new backup is named: ${toast}`);
    assert.notEqual(path.basename(made), daily, "a new file, not the day's automatic one");
    assert.deepEqual(customersIn(made), ["Contoso Ltd", "Northwind Health"], "a whole database, as it was");
    madeNow = { name: path.basename(made), path: made };
    const rows = await app.waitRows("backups", (r) => r.length === 2, "two backups");
    assert.deepEqual(rows.map((r) => r.id), [madeNow.name, daily], "newest first");
    const listed = cli(db, ["backup", "list"], { json: true }).map((b) => path.basename(b.path)).sort();
    assert.deepEqual(rows.map((r) => r.id).sort(), listed);
    await app.screenshot("28-settings-backups", { scrollTo: '[data-list="backups"]' });
  });
});

test("Save a backup as writes a .db into the chosen folder", async () => {
  await app.step("save-backup", async () => {
    await app.click('#screen-settings [data-action="save-backup"]');
    savedAs = (await app.toast()).replace(/^Backed up to (.*)\.$/, "$1");
    assert.equal(path.dirname(savedAs), dialogs);
    assert.match(path.basename(savedAs), /^seatbook-.*\.db$/);
    assert.deepEqual(customersIn(savedAs), ["Contoso Ltd", "Northwind Health"]);
    assert.equal((await app.rows("backups")).length, 2, "not one of the automatic backups");
  });
});

test("restoring a backup from its row brings its data back", async () => {
  await app.step("change-data", async () => {
    await app.nav("customers");
    await app.click('#screen-customers [data-action="add-customer"]');
    await app.fill("customer", { name: "Tailspin Toys", domain: "tailspin.onmicrosoft.com" });
    await app.submit("customer");
    assert.equal(await app.toast(), "Added Tailspin Toys.");
    cli(db, ["customer", "add", "--name", "Fabrikam Inc", "--domain", "fabrikam.onmicrosoft.com"]);
    assert.deepEqual(customers(), ["Contoso Ltd", "Fabrikam Inc", "Northwind Health", "Tailspin Toys"]);
  });

  const row = `[data-list="backups"] [data-id="${madeNow.name}"] [data-action="restore"]`;
  await app.step("restore-cancel", async () => {
    await app.nav("settings");
    await app.click(`#screen-settings ${row}`);
    await app.waitFor('dialog[data-dialog="restore"]');
    assert.equal(await app.text('dialog[data-dialog="restore"] [data-restore-file]'), madeNow.name, "the dialog names the file");
    assert.equal(await app.attr('dialog[data-dialog="restore"] [data-restore-file]', "data-restore-file"), madeNow.name);
    assert.match(await app.text('dialog[data-dialog="restore"]'), new RegExp(madeNow.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    await app.screenshot("29-restore-confirm");
    await app.click('dialog[data-dialog="restore"] [data-action="cancel-dialog"]');
    await app.waitGone('dialog[data-dialog="restore"]');
    assert.equal(customers().length, 4, "cancel restores nothing");
  });

  await app.step("restore-confirm", async () => {
    await app.click(`#screen-settings ${row}`);
    await app.click('dialog[data-dialog="restore"] [data-action="confirm"]');
    await app.waitGone('dialog[data-dialog="restore"]');
    const toast = await app.toast();
    const m = /^Restored (.*)\. The data as it was is kept in (.*)\.$/.exec(toast);
    assert.ok(m, toast);
    assert.equal(m[1], madeNow.name);
    assert.deepEqual(customers(), ["Contoso Ltd", "Northwind Health"], "the CLI reads the backup's data");
    assert.deepEqual(customersIn(m[2]), ["Contoso Ltd", "Fabrikam Inc", "Northwind Health", "Tailspin Toys"], "the data as it was is kept aside");
    assert.deepEqual(keptAside(), [path.basename(m[2])], "beside the database");
    await app.waitScreen("settings");

    await app.nav("customers");
    const rows = await app.waitRows("customers");
    assert.deepEqual(rows.map((r) => r.cells[0]).sort(), ["Contoso Ltd", "Northwind Health"], "the app shows the backup's data");
    await app.nav("dashboard");
    assert.equal(await app.text('#screen-dashboard [data-stat="customers"]'), "2");
  });
});

test("a damaged or foreign file is refused before the restore dialog, and changes nothing", async () => {
  // The data now: one customer more than the saved backup.
  cli(db, ["customer", "add", "--name", "Litware Inc", "--domain", "litware.onmicrosoft.com"]);
  const now = customers();
  const half = fs.readFileSync(savedAs).subarray(0, Math.floor(fs.statSync(savedAs).size / 2));
  const files = [
    ["0-random.db", crypto.randomBytes(8192)],
    ["0-notes.db", "Customers to call back:\nContoso, Northwind\n"],
    ["0-other-program.db", foreignSqlite()],
    ["0-cut-in-half.db", half],
  ];
  await app.nav("settings");
  for (const [name, bytes] of files) {
    await app.step(`refuse-${name}`, async () => {
      const file = path.join(dialogs, name);
      fs.writeFileSync(file, bytes);
      const expected = restoreRefusal(file);
      assert.match(expected, /cannot be restored: it is (not a database, or it is damaged|damaged \(.*\)|not a Seatbook database)$/);
      const aside = keptAside();
      await app.click('#screen-settings [data-action="restore-backup"]');
      // The message names the file, so an earlier refusal still shown cannot pass for this one.
      const shown = await waitFor(async () => {
        const t = await app.fieldError("backup", "form");
        return t.includes(name) ? t : null;
      }, { what: `the refusal of ${name}` });
      assert.equal(shown, expected, "the core's message");
      assert.equal((await app.findAll('dialog[data-dialog="restore"]')).length, 0, "no restore dialog");
      assert.deepEqual(customers(), now, "the data is unchanged");
      assert.deepEqual(keptAside(), aside, "nothing was swapped out");
      if (name === "0-other-program.db") await app.screenshot("30-restore-refused", { scrollTo: '[data-error-for="form"]' });
      fs.rmSync(file);
    });
  }
});

test("a good file restores from the open dialog", async () => {
  await app.step("restore-from-dialog", async () => {
    const [first] = fs.readdirSync(dialogs).filter((f) => f.endsWith(".db")).sort();
    assert.equal(path.join(dialogs, first), savedAs, "the saved backup is the dialog's answer");
    await app.click('#screen-settings [data-action="restore-backup"]');
    await app.waitFor('dialog[data-dialog="restore"]');
    assert.equal(await app.text('dialog[data-dialog="restore"] [data-restore-file]'), first);
    assert.equal(await app.fieldError("backup", "form"), "", "the earlier refusal is gone");
    await app.click('dialog[data-dialog="restore"] [data-action="confirm"]');
    assert.match(await app.toast(), new RegExp(`^Restored ${first.replace(/\./g, "\\.")}\\.`));
    assert.deepEqual(customers(), ["Contoso Ltd", "Northwind Health"]);
    await app.nav("customers");
    const rows = await app.waitRows("customers", (r) => r.length === 2, "the saved backup's two customers");
    assert.deepEqual(rows.map((r) => r.cells[0]).sort(), ["Contoso Ltd", "Northwind Health"]);
  });
});
