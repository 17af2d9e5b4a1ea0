// First run: an empty database opens on the set-up screen; a bad entry is shown at its field
// without losing what was typed; the profile (and a logo "chosen" in the file dialog) lands in the
// database the app was given (SEATBOOK_DB through tauri-driver); the next start skips set-up.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { launch, freshDb, cli, automationDir, ROOT } from "../lib/app.js";

const db = freshDb("first-run");
let app;

before(async () => {
  // The logo the set-up's "Choose logo…" dialog answers with.
  fs.copyFileSync(path.join(ROOT, "icons/128x128.png"), path.join(automationDir(db), "acme-logo.png"));
  app = await launch(db, { name: "first-run" });
});
after(async () => {
  await app?.close();
});

test("an empty database starts on the set-up screen", async () => {
  await app.step("start", async () => {
    await app.waitScreen("setup", { timeout: 30000 });
    assert.equal(await app.screen(), "setup");
    assert.equal(await app.s.title(), "Seatbook");
    await app.form("setup");
    const text = await app.text("#screen-setup");
    assert.match(text, /Welcome to Seatbook/);
    await app.screenshot("01-setup");
  });
});

test("a bad VAT rate is shown at its field and keeps what was typed", async () => {
  await app.step("setup-error", async () => {
    await app.fill("setup", {
      name: "Acme Cloud Ltd",
      address: "1 Long Street\nCape Town 8001",
      vat_number: "4123456789",
      email: "billing@acme.test",
      country: "ZA",
      currency: "ZAR",
      vat_rate: "fifteen",
      bank_name: "First Bank",
      bank_account_holder: "Acme Cloud Ltd",
      bank_account_number: "62000000001",
    });
    await app.click('[data-action="pick-logo"]');
    await app.waitText("#screen-setup", "acme-logo.png");
    await app.submit("setup");
    const msg = await app.waitFieldError("setup", "vat_rate");
    assert.match(msg, /fifteen/, `the error says what is wrong: ${msg}`);
    assert.equal(await app.fieldError("setup", "name"), "", "no error at other fields");
    assert.equal(await app.screen(), "setup", "still on the set-up screen");
    assert.equal(await app.value("setup", "name"), "Acme Cloud Ltd");
    assert.equal(await app.value("setup", "address"), "1 Long Street\nCape Town 8001");
    assert.equal(await app.value("setup", "vat_number"), "4123456789");
    assert.equal(await app.value("setup", "vat_rate"), "fifteen");
    assert.equal(await app.value("setup", "bank_account_number"), "62000000001");
    assert.equal((await app.s.alertText()), null);
    await app.screenshot("01-setup-error");
  });
});

test("a complete profile lands on the dashboard and is saved in SEATBOOK_DB", async () => {
  await app.step("setup-done", async () => {
    await app.fill("setup", { vat_rate: "15" });
    await app.submit("setup");
    await app.waitScreen("dashboard");
    assert.match(await app.toast(), /Acme Cloud Ltd/);
    // What a new reseller sees: no customers, nothing recurring, nothing open or overdue.
    assert.equal(await app.text('#screen-dashboard [data-stat="customers"]'), "0");
    for (const stat of ["mrr", "open", "overdue"]) {
      const a = await app.attr(`#screen-dashboard [data-stat="${stat}"]`, "data-amount");
      assert.equal(Number(a), 0, `${stat} is zero (${a})`);
    }
    assert.match(await app.text("#screen-dashboard"), /No month has been billed yet/);
    await app.screenshot("02-dashboard-empty");
    // The app wrote the profile into the database named by SEATBOOK_DB.
    const company = cli(db, ["company", "show"], { json: true });
    assert.equal(company.name, "Acme Cloud Ltd");
    assert.equal(company.address, "1 Long Street\nCape Town 8001");
    assert.equal(company.vat_number, "4123456789");
    assert.equal(company.currency, "ZAR");
    assert.equal(String(company.vat_rate), "15");
    assert.equal(company.bank_account_number, "62000000001");
    assert.match(company.logo_path, /\.png$/i, "the logo chosen in the dialog is saved");
  });
});

test("the next start skips set-up", async () => {
  await app.close();
  app = await launch(db, { name: "first-run-again" });
  await app.step("restart", async () => {
    await app.waitScreen("dashboard", { timeout: 30000 });
    assert.equal((await app.findAll("#screen-setup")).length, 0, "no set-up screen");
    for (const name of ["dashboard", "customers", "catalogue", "subscriptions", "billing", "invoices", "settings"]) {
      assert.ok(await app.waitFor(`[data-nav="${name}"]`), `navigation to ${name}`);
    }
    assert.match(await app.bodyText(), /Acme Cloud Ltd/);
  });
});
