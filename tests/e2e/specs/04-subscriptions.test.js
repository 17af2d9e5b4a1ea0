// Subscriptions: adding one shows the price and the last day of the cancellation window before
// confirming; seats go up; a decrease outside the 7-day window is refused beside the field with
// the rule and the date; the history shows the changes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, freshDb, cli, seedCompany, addDays, TODAY } from "../lib/app.js";

const db = freshDb("subscriptions");
const PREMIUM = "CFQ7TTC0LCHC:0002";
const BASIC = "CFQ7TTC0LH18:0001";
let app;

const OLD_START = addDays(TODAY, -30);

before(async () => {
  seedCompany(db);
  cli(db, ["customer", "add", "--name", "Contoso Ltd", "--domain", "contoso.onmicrosoft.com", "--email", "it@contoso.test"]);
  cli(db, ["customer", "add", "--name", "Northwind Health", "--domain", "northwind.onmicrosoft.com", "--email", "it@northwind.test"]);
  // Contoso's 10 seats were bought 30 days ago: their 7-day window is long closed.
  cli(db, ["subscription", "add", "--customer", "1", "--product", BASIC, "--term", "P1Y", "--billing", "monthly",
    "--quantity", "10", "--start", OLD_START]);
  app = await launch(db, { name: "subscriptions" });
  await app.waitScreen("dashboard", { timeout: 30000 });
});
after(async () => {
  await app?.close();
});

test("the list shows the running subscriptions", async () => {
  await app.step("list", async () => {
    await app.nav("subscriptions");
    const rows = await app.waitRows("subscriptions");
    assert.equal(rows.length, 1);
    assert.equal(rows[0].id, "1");
    assert.match(rows[0].text, /Contoso Ltd/);
    assert.match(rows[0].text, /Microsoft 365 Business Basic/);
    assert.equal(rows[0].cells[3], "10");
    assert.deepEqual(rows[0].dates, [addDays(OLD_START, 364)], "the term's last day");
    await app.screenshot("06-subscriptions");
  });
});

test("adding shows the price and the cancellation window before confirming", async () => {
  await app.step("add-quote", async () => {
    await app.click('#screen-subscriptions [data-action="add-subscription"]');
    await app.form("subscription");
    assert.equal(await app.value("subscription", "start"), TODAY, "starts today by default");
    await app.fill("subscription", { customer: "2", product: PREMIUM, term: "P1Y", billing: "monthly", quantity: "5" });
    const expected = cli(db, ["product", "price", PREMIUM, "--term", "P1Y", "--billing", "monthly", "--customer", "2", "--on", TODAY], { json: true });
    await app.waitFor('[data-quote] [data-quote-price] [data-amount]');
    assert.equal(await app.attr("[data-quote] [data-quote-price] [data-amount]", "data-amount"), expected.price_per_cycle);
    const quoted = await app.amounts("[data-quote] [data-amount]");
    assert.ok(quoted.includes(expected.price.unit_price), `price per seat per term ${expected.price.unit_price} in ${quoted}`);
    assert.ok(quoted.includes(expected.price.unit_cost), `cost per seat per term ${expected.price.unit_cost} in ${quoted}`);
    // Day 1 is the day of purchase: the 7-day window ends 6 days after the start.
    assert.equal(await app.attr("[data-quote] [data-cancel-until]", "data-cancel-until"), addDays(TODAY, 6));
    assert.equal(await app.attr("[data-quote] [data-cancel-until] [data-date]", "data-date"), addDays(TODAY, 6));
    assert.match(await app.text("[data-quote]"), /Microsoft 365 Business Premium/);
    await app.screenshot("06-subscription-quote");
  });
});

test("confirming adds it and opens its page", async () => {
  await app.step("add-confirm", async () => {
    await app.submit("subscription");
    assert.match(await app.toast(), /Subscription 2 added: 5 seats of Microsoft 365 Business Premium/);
    await app.waitFor("#screen-subscriptions [data-quantity]");
    assert.equal(await app.attr("#screen-subscriptions [data-quantity]", "data-quantity"), "5");
    const s = cli(db, ["subscription", "show", "2"], { json: true });
    assert.equal(s.subscription.customer_id, 2);
    assert.equal(s.subscription.quantity, 5);
    assert.equal(s.subscription.term_start, TODAY);
    assert.equal(s.cancellable_until, addDays(TODAY, 6));
  });
});

test("seats can be added", async () => {
  await app.step("increase", async () => {
    await app.fill("quantity", { quantity: "8" });
    await app.submit("quantity");
    assert.match(await app.toast(), /Subscription 2 now has 8 seats/);
    await app.waitFor('#screen-subscriptions [data-quantity="8"]');
    const history = await app.waitRows("history", (r) => r.length === 2, "two events");
    assert.match(history[0].text, /\+3/, `the newest event adds 3 seats: ${history[0].text}`);
    assert.deepEqual(history[0].dates, [TODAY]);
    assert.equal(cli(db, ["subscription", "show", "2"], { json: true }).subscription.quantity, 8);
    await app.screenshot("07-subscription-page");
  });
});

test("a decrease after the 7-day window is refused beside the field, with the rule and the date", async () => {
  await app.step("refused", async () => {
    await app.nav("subscriptions");
    await app.waitRows("subscriptions", (r) => r.length === 2, "two subscriptions");
    await app.clickRow("subscriptions", 1);
    await app.waitFor('#screen-subscriptions [data-quantity="10"]');
    await app.fill("quantity", { quantity: "8" });
    await app.submit("quantity");
    const msg = await app.waitFieldError("quantity", "quantity");
    assert.match(msg, /7 days/, `the rule: ${msg}`);
    const until = addDays(OLD_START, 6);
    const shown = await app.execute(
      "return [...document.querySelectorAll('form[data-form=\"quantity\"] [data-error-for=\"quantity\"] [data-date]')].map(e => e.getAttribute('data-date'))",
    );
    assert.ok(msg.includes(until) || shown.includes(until), `the last day seats could be removed (${until}): ${msg}`);
    assert.equal(await app.value("quantity", "quantity"), "8", "the typed value stays");
    assert.equal(await app.attr("#screen-subscriptions [data-quantity]", "data-quantity"), "10", "nothing changed");
    assert.equal(cli(db, ["subscription", "show", "1"], { json: true }).subscription.quantity, 10);
    await app.screenshot("07-subscription-refused", { scrollTo: 'form[data-form="quantity"]' });
  });
});
