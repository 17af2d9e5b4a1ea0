// Partner Center from Settings, against the simulator (tests/pc/simulator.py): connect as the
// partner's application (the secret from SEATBOOK_PC_CLIENT_SECRET, as on a machine without a
// credential store), compare the book with Microsoft's customers and subscriptions (paged, the
// first request throttled with Retry-After), and take in what is only at Microsoft; the CLI then
// sees the adopted subscriptions with Microsoft's ids, billed from their next charge cycle.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { launch, freshDb, cli, seedCompany, ROOT, TODAY } from "../lib/app.js";

const db = freshDb("partner-center");
const TENANT = "11111111-0000-4000-8000-0000000000aa";
const CLIENT = "22222222-0000-4000-8000-0000000000bb";
const SECRET = "e2e-client-secret";
const CONTOSO = "aaaaaaaa-0000-4000-8000-000000000001";
const NEWCO = "aaaaaaaa-0000-4000-8000-000000000002";
let app;
let sim;

/** The simulator; `port` and `state` start it again as it was (Microsoft back after an outage). */
async function startSimulator(port, saved) {
  const state = saved || {
    tenant: TENANT, client_id: CLIENT, client_secret: SECRET, page_size: 1, throttle: 1, retry_after: 1,
    customers: [
      { id: CONTOSO, domain: "contoso.onmicrosoft.com", name: "Contoso Ltd", subscriptions: [
        { id: "c0000000-0000-4000-8000-000000000001", offerId: "CFQ7TTC0LH18:0001:CFQ7TTC0K971", quantity: 12,
          termDuration: "P1Y", billingCycle: "monthly", effectiveStartDate: "2025-06-01", commitmentEndDate: "2026-05-31" }] },
      { id: NEWCO, domain: "newco.onmicrosoft.com", name: "New Co", subscriptions: [
        { id: "c0000000-0000-4000-8000-000000000002", offerId: "CFQ7TTC0LH18:0001:CFQ7TTC0K971", quantity: 3,
          termDuration: "P1M", billingCycle: "monthly", effectiveStartDate: "2026-03-01", commitmentEndDate: "2026-03-31" }] },
    ],
  };
  const file = path.join(path.dirname(db), saved ? "pc-state-saved.json" : "pc-state.json");
  fs.writeFileSync(file, JSON.stringify(state));
  const args = [path.join(ROOT, "tests/pc/simulator.py"), file, ...(port ? [String(port)] : [])];
  const child = spawn("python3", args, { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).once("line", resolve);
    child.once("error", reject);
  });
  return { child, port: Number(line.replace("READY ", "")) };
}

/** GET one of the simulator's own pages (`/_state`, `/_subscription/ID`). */
async function simulator(pathname) {
  const res = await fetch(`http://127.0.0.1:${sim.port}${pathname}`);
  return res.json();
}

/** The app pointed at the simulator, its secret in the environment. */
function simulatorEnv() {
  return {
    SEATBOOK_PARTNER_CENTER_URL: `http://127.0.0.1:${sim.port}/pc`,
    SEATBOOK_LOGIN_URL: `http://127.0.0.1:${sim.port}/login`,
    SEATBOOK_PC_CLIENT_SECRET: SECRET,
  };
}

before(async () => {
  seedCompany(db);
  cli(db, ["customer", "add", "--name", "Contoso Ltd", "--domain", "contoso.onmicrosoft.com"]);
  sim = await startSimulator();
  app = await launch(db, {
    name: "partner-center",
    env: simulatorEnv(),
  });
  await app.waitScreen("dashboard", { timeout: 30000 });
});
after(async () => {
  await app?.close();
  sim?.child.kill();
});

test("Settings connects to Partner Center, shows the drift and takes in what is only at Microsoft", async () => {
  await app.step("pc-connect", async () => {
    await app.nav("settings");
    await app.waitFor('[data-pc-status][data-connected="false"]');
    await app.fill("pc-connect", { tenant: TENANT, client_id: CLIENT });
    await app.click('[data-action="pc-connect"]');
    assert.equal(await app.toast(), "Connected to Partner Center.");
    await app.waitFor('[data-pc-status][data-connected="true"]');
    assert.match(await app.text("[data-pc-status]"), new RegExp(`partner tenant ${TENANT} as application ${CLIENT}\\. Its secret comes from SEATBOOK_PC_CLIENT_SECRET\\. Not compared yet\\.`));
  });
  await app.step("pc-drift", async () => {
    await app.click('[data-action="pc-sync"]');
    const rows = await app.waitRows("pc-drift", (r) => r.length === 4, "two customers and two subscriptions");
    const kinds = Object.fromEntries(rows.map((r) => [r.id, r.cells[0]]));
    assert.deepEqual(kinds, {
      [`customer:${CONTOSO}`]: "Differs",
      [`customer:${NEWCO}`]: "Only at Microsoft",
      "subscription:c0000000-0000-4000-8000-000000000001": "Only at Microsoft",
      "subscription:c0000000-0000-4000-8000-000000000002": "Only at Microsoft",
    });
    assert.match(rows.find((r) => r.id === `customer:${CONTOSO}`).text, new RegExp(`Tenant id: Seatbook —, Microsoft ${CONTOSO}`));
    await app.waitFor('[data-action="pc-apply"]:not([hidden])');
    await app.screenshot("80-partner-center-drift", { scrollTo: '[data-pc]' });
  });
  await app.step("pc-apply", async () => {
    await app.click('[data-action="pc-apply"]');
    assert.equal(await app.toast(), "Taken in from Partner Center: 1 customer linked, 1 customer added, 2 subscriptions added.");
    await app.waitFor('[data-pc-result] .empty');
    assert.equal(await app.text("[data-pc-result]"), "The book agrees with Partner Center.");
    const subs = cli(db, ["subscription", "list"], { json: true });
    assert.deepEqual(
      subs.map((s) => [s.customer_id, s.ms_subscription_id, s.quantity, s.term_start, s.bill_from]),
      [
        [1, "c0000000-0000-4000-8000-000000000001", 12, "2025-06-01", "2026-04-01"],
        [2, "c0000000-0000-4000-8000-000000000002", 3, "2026-03-01", "2026-04-01"],
      ],
    );
    // Stamped on the app's today (SEATBOOK_TODAY), not the machine's calendar.
    const [year, month] = TODAY.split("-").map(Number);
    const shortMonth = new Intl.DateTimeFormat("en", { month: "short" }).format(new Date(Date.UTC(year, month - 1, 15)));
    assert.match(await app.text("[data-pc-status]"), new RegExp(`Last compared [^.]*${shortMonth}[^.]*${year}`));
    await app.screenshot("81-partner-center-taken-in", { scrollTo: '[data-pc]' });
  });
});

test("on start the app compares the book with Partner Center by itself", async () => {
  await app.step("pc-on-start", async () => {
    // Seats added in Partner Center meanwhile: 12 → 15.
    const state = JSON.parse(fs.readFileSync(path.join(path.dirname(db), "pc-state.json"), "utf8"));
    state.customers[0].subscriptions[0].quantity = 15;
    const res = await fetch(`http://127.0.0.1:${sim.port}/_state`, { method: "POST", body: JSON.stringify({ customers: state.customers }) });
    assert.equal(res.status, 200);
    await app.close();
    app = await launch(db, {
      name: "partner-center-restart",
      env: simulatorEnv(),
    });
    await app.waitScreen("dashboard", { timeout: 30000 });
    await app.nav("settings");
    await app.waitFor('[data-pc-on-start="done"]');
    const rows = await app.waitRows("pc-drift", (r) => r.length === 1, "the seats that differ");
    assert.equal(rows[0].id, "subscription:c0000000-0000-4000-8000-000000000001");
    assert.match(rows[0].text, /Differs[\s\S]*Seats: Seatbook 12, Microsoft 15/);
    await app.screenshot("82-partner-center-on-start", { scrollTo: '[data-pc]' });
  });
  await app.step("pc-take", async () => {
    // The seats Microsoft has are the truth here: taken into the book, as a seat change.
    await app.click('[data-action="pc-take"]');
    assert.equal(await app.toast(), "Subscription 1 now has Microsoft's values.");
    await app.waitFor("[data-pc-result] .empty");
    const view = cli(db, ["subscription", "show", "1"], { json: true });
    assert.equal(view.subscription.quantity, 15);
    assert.equal(view.history.at(-1).description, "seats as Partner Center has them: 12 → 15");
  });
});

test("seats added in the app go to Microsoft; offline they wait with a badge, and go when it is back", async () => {
  const MS_ID = "c0000000-0000-4000-8000-000000000001";
  await app.step("pc-provision", async () => {
    await app.nav("subscriptions");
    await app.waitRows("subscriptions", (r) => r.length === 2, "the two subscriptions taken in");
    await app.clickRow("subscriptions", 1);
    await app.waitFor('#screen-subscriptions [data-quantity="15"]');
    await app.fill("quantity", { quantity: "16" });
    await app.submit("quantity");
    assert.equal(await app.toast(), "Subscription 1 now has 16 seats. Microsoft made the change.");
    await app.waitFor('#screen-subscriptions [data-quantity="16"]');
    const atMicrosoft = await simulator(`/_subscription/${MS_ID}`);
    assert.equal(atMicrosoft.quantity, 16);
    assert.equal(atMicrosoft.autoRenewEnabled, true, "the whole object went back: auto-renew kept");
  });
  await app.step("pc-offline", async () => {
    const saved = await simulator("/_state");
    const port = sim.port;
    sim.child.kill();
    await new Promise((resolve) => sim.child.once("exit", resolve));
    await app.fill("quantity", { quantity: "18" });
    await app.submit("quantity");
    assert.equal(await app.toast(), "Subscription 1 now has 18 seats. It waits to reach Microsoft and is sent as soon as Partner Center answers.");
    await app.waitFor('#screen-subscriptions [data-quantity="18"]');
    await app.waitFor("#screen-subscriptions [data-pending-at-microsoft]");
    assert.match(await app.text("#screen-subscriptions [data-pending-at-microsoft]"), /18 seats: not sent yet \((Microsoft's sign-in|Partner Center) could not be reached \(no connection\)\)\. It is not billed until Microsoft takes it\./);
    await app.waitFor('[data-badge="pc"]:not([hidden])');
    assert.equal(await app.text('[data-badge="pc"]'), "1");
    const outbox = cli(db, ["pc", "outbox"], { json: true });
    assert.deepEqual([outbox[0].state, outbox[0].action, outbox[0].attempts], ["waiting", "seats", 1]);
    await app.screenshot("83-partner-center-pending", { scrollTo: "#screen-subscriptions .crumbs" });
    sim = await startSimulator(port, saved);
  });
  await app.step("pc-back-online", async () => {
    await app.nav("settings");
    await app.waitRows("pc-outbox", (r) => r.length === 2 && r[0].text.includes("Waiting"), "the change waiting, the one done");
    await app.click('[data-action="pc-send"]');
    assert.equal(await app.toast(), "Everything that waited has been sent.");
    const rows = await app.waitRows("pc-outbox", (r) => r[0].text.includes("Done"), "the change sent");
    assert.match(rows[0].text, /18 seats/);
    await app.waitGone('[data-badge="pc"]:not([hidden])');
    assert.equal((await simulator(`/_subscription/${MS_ID}`)).quantity, 18);
    await app.screenshot("84-partner-center-outbox", { scrollTo: "[data-pc-outbox]" });
  });
});

test("a customer is made at Microsoft from its page, with the agreement recorded", async () => {
  await app.step("pc-customer", async () => {
    cli(db, ["customer", "add", "--name", "Tailspin Toys", "--contact-person", "Ada Lovelace", "--email", "ada@tailspin.example", "--domain", "tailspin.onmicrosoft.com"]);
    const id = cli(db, ["customer", "list"], { json: true }).find((c) => c.name === "Tailspin Toys").id;
    await app.nav("customers");
    await app.clickRow("customers", id);
    await app.waitFor('[data-action="customer-provision"]');
    await app.fill("customer-provision", { address_line: "1 Long Street", city: "Cape Town", postal_code: "8001" });
    await app.screenshot("85-partner-center-new-customer", { scrollTo: '[data-form="customer-provision"]' });
    await app.submit("customer-provision");
    const text = await app.toast();
    const tenant = cli(db, ["customer", "show", String(id)], { json: true }).customer.tenant_id;
    assert.equal(text, `Tailspin Toys is made at Microsoft (tenant ${tenant}); the agreement is recorded as accepted by Ada Lovelace.`);
    const atMicrosoft = await simulator("/_customer/tailspin.onmicrosoft.com");
    assert.equal(atMicrosoft.id, tenant);
    assert.equal(atMicrosoft.agreements[0].primaryContact.email, "ada@tailspin.example");
    await app.waitGone('[data-action="customer-provision"]');
  });
  await app.step("pc-customer-profile", async () => {
    // Linked now: a new contact person goes to its billing profile at Microsoft as well.
    await app.click('[data-action="edit-customer"]');
    await app.waitFor('dialog[data-dialog="customer"] form[data-form="customer"]');
    await app.fill("customer", { contact_person: "Grace Brewster Hopper", phone: "+27 21 555 0123" });
    await app.submit("customer");
    await app.waitGone('dialog[data-dialog="customer"]');
    assert.equal(await app.toast(), "Saved Tailspin Toys. Its billing profile at Microsoft is changed too.");
    const profile = (await simulator("/_customer/tailspin.onmicrosoft.com")).billingProfile;
    assert.deepEqual(
      [profile.firstName, profile.lastName, profile.defaultAddress.phoneNumber, profile.defaultAddress.addressLine1],
      ["Grace Brewster", "Hopper", "+27 21 555 0123", "1 Long Street"],
    );
  });
});

test("signing in as a user needs a credential store: without one Settings says so before Microsoft is asked", async () => {
  await app.step("pc-device-code", async () => {
    await app.nav("settings");
    await app.waitFor('[data-pc-status][data-connected="true"]');
    const before = (await simulator("/_log")).length;
    await app.click('[data-action="pc-device-code"]');
    await app.waitFor('[data-error-for="pc-device-code"]');
    assert.match(await app.text('[data-error-for="pc-device-code"]'), /no credential store Seatbook can use.*Give the refresh token in the environment variable SEATBOOK_PC_REFRESH_TOKEN instead/s);
    const log = await simulator("/_log");
    assert.equal(log.slice(before).filter((r) => r.path.includes("devicecode")).length, 0, "nothing asked of Microsoft");
    assert.match(await app.text("[data-pc-status]"), /as application 22222222-0000-4000-8000-0000000000bb\. Its secret/);
  });
});
