// Customers: the list, adding a customer through the form (an error beside its field keeps
// every typed value), search, the customer's page, and the injection case: a customer named
// `<img src=x onerror=alert(1)>` shows exactly that text, and no image or alert comes of it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, freshDb, cli, seedCompany } from "../lib/app.js";

const db = freshDb("customers");
const EVIL = "<img src=x onerror=alert(1)>";
let app;

before(async () => {
  seedCompany(db);
  cli(db, ["customer", "add", "--name", "Contoso Ltd", "--domain", "contoso.onmicrosoft.com", "--email", "it@contoso.test",
    "--contact-person", "Pieter Botha"]);
  app = await launch(db, { name: "customers" });
  await app.waitScreen("dashboard", { timeout: 30000 });
  // Catch any alert() the page might make from now on (a real one would also block WebDriver).
  await app.execute("window.__alerts = []; window.alert = (m) => window.__alerts.push(String(m));");
});
after(async () => {
  await app?.close();
});

test("the customer list shows the customers in the database", async () => {
  await app.step("list", async () => {
    await app.nav("customers");
    const rows = await app.waitRows("customers");
    assert.equal(rows.length, 1);
    assert.equal(rows[0].cells[0], "Contoso Ltd");
    assert.equal(rows[0].cells[1], "contoso.onmicrosoft.com");
    assert.equal(rows[0].cells[2], "Pieter Botha");
    await app.screenshot("03-customers");
  });
});

test("a taken tenant domain is refused at its field; the typed values stay", async () => {
  await app.step("add-error", async () => {
    await app.click('#screen-customers [data-action="add-customer"]');
    await app.waitFor('dialog[data-dialog="customer"] form[data-form="customer"]');
    await app.fill("customer", {
      name: "Fabrikam Traders",
      domain: "contoso.onmicrosoft.com",
      contact_person: "Thandi Nkosi",
      email: "accounts@fabrikam.test",
      vat_number: "4999999999",
      payment_terms_days: "14",
    });
    await app.submit("customer");
    const msg = await app.waitFieldError("customer", "domain");
    assert.match(msg, /contoso\.onmicrosoft\.com/);
    assert.match(msg, /Contoso Ltd/, `the message names the customer who has it: ${msg}`);
    assert.ok(await app.waitFor('dialog[data-dialog="customer"]'), "the form stays open");
    assert.equal(await app.value("customer", "name"), "Fabrikam Traders");
    assert.equal(await app.value("customer", "contact_person"), "Thandi Nkosi");
    assert.equal(await app.value("customer", "email"), "accounts@fabrikam.test");
    assert.equal(await app.value("customer", "vat_number"), "4999999999");
    assert.equal(await app.value("customer", "payment_terms_days"), "14");
    await app.screenshot("03-customer-form-error");
  });
});

test("a bad email is refused at the email field", async () => {
  await app.step("add-error-email", async () => {
    await app.fill("customer", { domain: "fabrikam.onmicrosoft.com", email: "accounts-at-fabrikam" });
    await app.submit("customer");
    const msg = await app.waitFieldError("customer", "email");
    assert.match(msg, /accounts-at-fabrikam/);
    assert.equal(await app.fieldError("customer", "domain"), "", "the domain error is gone");
    assert.equal(await app.value("customer", "domain"), "fabrikam.onmicrosoft.com");
  });
});

test("a valid customer is added and its page opens", async () => {
  await app.step("add-ok", async () => {
    await app.fill("customer", { email: "accounts@fabrikam.test" });
    await app.submit("customer");
    await app.waitGone('dialog[data-dialog="customer"]');
    assert.equal(await app.toast(), "Added Fabrikam Traders.");
    const page = await app.waitText("#screen-customers", "Fabrikam Traders");
    assert.match(page, /fabrikam\.onmicrosoft\.com/);
    assert.match(page, /Thandi Nkosi/);
    assert.match(page, /14 days/);
    assert.match(page, /No subscriptions yet/);
    await app.screenshot("04-customer-page");
    const [c] = cli(db, ["customer", "list", "--search", "fabrikam"], { json: true });
    assert.equal(c.name, "Fabrikam Traders");
    assert.equal(c.email, "accounts@fabrikam.test");
    assert.equal(c.payment_terms_days, 14);
    assert.equal(c.currency, "ZAR", "the company's currency by default");
  });
});

test("search narrows the list as you type", async () => {
  await app.step("search", async () => {
    await app.nav("customers");
    let rows = await app.waitRows("customers", (r) => r.length === 2, "both customers");
    assert.deepEqual(rows.map((r) => r.cells[0]), ["Contoso Ltd", "Fabrikam Traders"], "sorted by name");
    const box = await app.waitFor('input[type="search"][data-search="customers"]');
    await box.type("thandi");
    rows = await app.waitRows("customers", (r) => r.length === 1, "one match for 'thandi'");
    assert.equal(rows[0].cells[0], "Fabrikam Traders");
    await box.clear();
    await box.type("nobody-has-this");
    await app.waitText("#screen-customers", "No customer matches");
    assert.equal(await app.rows("customers"), null, "no table when nothing matches");
    await box.clear();
    await box.type("contoso");
    rows = await app.waitRows("customers", (r) => r.length === 1 && r[0].cells[0] === "Contoso Ltd", "Contoso");
  });
});

test("a customer named like HTML shows as text: no image, no alert", async () => {
  await app.step("injection", async () => {
    await app.nav("customers");
    await app.click('#screen-customers [data-action="add-customer"]');
    await app.fill("customer", { name: EVIL, domain: "inject.onmicrosoft.com", email: "x@inject.test" });
    await app.submit("customer");
    await app.waitGone('dialog[data-dialog="customer"]');
    assert.equal(await app.toast(), `Added ${EVIL}.`);
    const page = await app.waitText("#screen-customers", "inject.onmicrosoft.com");
    assert.ok(page.includes(EVIL), "the customer's page shows the name as typed");
    await app.screenshot("05-injection-page");

    await app.nav("customers");
    const rows = await app.waitRows("customers", (r) => r.length === 3, "three customers");
    const row = rows.find((r) => r.cells[1] === "inject.onmicrosoft.com");
    assert.equal(row.cells[0], EVIL, "the list shows exactly the name");
    await app.screenshot("05-injection-list");

    // The subscription form lists customers too.
    await app.nav("subscriptions");
    await app.click('#screen-subscriptions [data-action="add-subscription"]');
    await app.form("subscription");
    const options = await app.execute(
      "return [...document.querySelectorAll('form[data-form=\"subscription\"] [name=\"customer\"] option')].map(o => o.textContent)",
    );
    assert.ok(options.includes(`${EVIL} (inject.onmicrosoft.com)`), JSON.stringify(options));

    const dom = await app.execute(`return {
      imgs: [...document.querySelectorAll('img')].map(i => i.getAttribute('src')),
      onerror: document.querySelectorAll('[onerror]').length,
      alerts: window.__alerts,
    }`);
    assert.ok(!dom.imgs.includes("x"), `no <img src=x> in the page (${dom.imgs})`);
    assert.equal(dom.onerror, 0, "no element with an onerror attribute");
    assert.deepEqual(dom.alerts, [], "alert() was never called");
    assert.equal(await app.s.alertText(), null, "no alert dialog is open");
    const [c] = cli(db, ["customer", "list", "--search", "inject"], { json: true });
    assert.equal(c.name, EVIL, "stored exactly as typed");
  });
});
