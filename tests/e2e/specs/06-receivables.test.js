// Receivables: a payment recorded from an invoice row (prefilled with what is open; part, then
// the rest), bad amounts refused at their field, a payment larger than the balance leaving
// credit, a refund of credit, a payment reversed (its invoices open again), a statement saved as
// a PDF and read back, and the credit stop asked before selling more to a customer who owes too
// much. Every figure is checked against what the CLI says.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { launch, freshDb, cli, seedCompany, automationDir, waitFor, SCREENS, addDays, monthBack, TODAY } from "../lib/app.js";

const db = freshDb("receivables");
const dialogs = automationDir(db);
const BASIC = "CFQ7TTC0LH18:0001";
const PREMIUM = "CFQ7TTC0LCHC:0002";
const CONTOSO = 1;
const NORTHWIND = 2;
const FABRIKAM = 3;
let app;

const pad = (n) => String(n).padStart(2, "0");


// Money in the tests: decimal strings compared as strings, arithmetic in integer cents.
function cents(s) {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(s));
  assert.ok(m, `'${s}' is a decimal amount`);
  const c = Number(m[2]) * 100 + Number((m[3] || "").padEnd(2, "0"));
  return m[1] === "-" ? -c : c;
}
function decimal(c) {
  const a = Math.abs(c);
  return `${c < 0 ? "-" : ""}${Math.floor(a / 100)}.${pad(a % 100)}`;
}
/** A ZAR amount as the screens show it for a South African company: "R 1 499,72". */
function zar(s) {
  const [whole, frac] = decimal(cents(s)).replace("-", "").split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  return `${cents(s) < 0 ? "−" : ""}R ${grouped},${frac}`;
}
/** Text with its no-break spaces as plain ones (WebDriver's text and textContent differ there). */
const plain = (s) => String(s).replace(/[\u00a0\u202f]/g, " ");
/** An amount as the PDFs of a South African supplier print it, as the screens do: "1 499,72". */
function printed(s) {
  const [whole, frac] = decimal(cents(s)).replace("-", "").split(".");
  return `${cents(s) < 0 ? "−" : ""}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, " ")},${frac}`;
}

const account = (id) => cli(db, ["report", "account", "--customer", String(id)], { json: true });
const payments = (id) => cli(db, ["payment", "list", "--customer", String(id)], { json: true });
const subscriptions = (id) => cli(db, ["subscription", "list", "--customer", String(id)], { json: true });

before(async () => {
  seedCompany(db);
  cli(db, ["customer", "add", "--name", "Contoso Ltd", "--domain", "contoso.onmicrosoft.com"]);
  cli(db, ["customer", "add", "--name", "Northwind Health", "--domain", "northwind.onmicrosoft.com"]);
  cli(db, ["customer", "add", "--name", "Fabrikam Inc", "--domain", "fabrikam.onmicrosoft.com", "--credit-limit", "1000"]);
  // Four months back, Fabrikam's first invoice is over 60 days overdue today: a credit stop.
  cli(db, ["subscription", "add", "--customer", String(FABRIKAM), "--product", BASIC, "--term", "P1Y", "--billing", "monthly",
    "--quantity", "2", "--start", addDays(monthBack(4).last, -10)]);
  cli(db, ["subscription", "add", "--customer", String(CONTOSO), "--product", BASIC, "--term", "P1Y", "--billing", "monthly",
    "--quantity", "10", "--start", addDays(monthBack(3).last, -16)]);
  cli(db, ["subscription", "add", "--customer", String(NORTHWIND), "--product", PREMIUM, "--term", "P1Y", "--billing", "monthly",
    "--quantity", "4", "--start", addDays(monthBack(2).last, -11)]);
  for (const k of [4, 3, 2, 1]) {
    const m = monthBack(k);
    cli(db, ["bill", "--month", m.month, "--issue", "--date", m.last]);
  }
  assert.equal(account(CONTOSO).invoices.length, 3, "Contoso owes three invoices");
  assert.ok(cli(db, ["customer", "show", String(FABRIKAM)], { json: true }).credit_stop, "Fabrikam is on credit stop");
  app = await launch(db, { name: "receivables" });
  await app.waitScreen("dashboard", { timeout: 30000 });
});
after(async () => {
  await app?.close();
});

/** The row of an invoice on the Invoices screen, its status and its amounts. */
async function invoiceRow(number) {
  const rows = await app.waitRows("invoices");
  const row = rows.find((r) => r.id === number);
  assert.ok(row, `a row for ${number}`);
  const status = await app.attr(`[data-list="invoices"] [data-id="${number}"] [data-status]`, "data-status");
  return { ...row, status };
}

test("a payment recorded from an invoice row pays it, in part and then in full; bad amounts change nothing", async () => {
  const was = account(CONTOSO);
  // The newest invoice is not due yet (open); the oldest is past due (overdue).
  const newest = was.invoices[was.invoices.length - 1];
  const oldest = was.invoices[0];
  assert.deepEqual([newest.status, oldest.status], ["open", "overdue"]);
  await app.step("invoice-payment-open", async () => {
    await app.nav("invoices");
    const row = await invoiceRow(newest.number);
    assert.equal(row.status, newest.status, "the status the CLI gives");
    assert.equal(row.amounts[0], newest.total);
    assert.equal((await invoiceRow(oldest.number)).status, oldest.status);
    await app.click(`[data-list="invoices"] [data-id="${newest.number}"] [data-action="record-payment"]`);
    await app.waitFor('dialog[data-dialog="payment"] form[data-form="payment"]');
    assert.equal(await app.value("payment", "amount"), newest.open, "prefilled with what is open");
    assert.equal(await app.value("payment", "date"), TODAY);
    assert.equal(await app.value("payment", "method"), "eft");
    assert.match(await app.text('dialog[data-dialog="payment"]'), new RegExp(`Contoso Ltd · invoice ${newest.number}`));
  });

  await app.step("invoice-payment-bad-amounts", async () => {
    await app.fill("payment", { amount: "abc" });
    await app.submit("payment");
    assert.match(await app.waitFieldError("payment", "amount"), /'abc' is not a decimal amount/);
    assert.equal(await app.value("payment", "amount"), "abc", "what was typed stays");
    await app.screenshot("14-payment-bad-amount", { scrollTo: '[data-error-for="amount"]' });
    await app.fill("payment", { amount: "0" });
    await app.submit("payment");
    await waitFor(async () => /more than zero/.test(await app.fieldError("payment", "amount")), { what: "the refusal of 0 at the amount" });
    assert.ok(await (await app.find('dialog[data-dialog="payment"]')).displayed(), "the dialog stays open");
    assert.deepEqual(payments(CONTOSO), [], "nothing was recorded");
    assert.deepEqual(account(CONTOSO), was, "the account is unchanged");
  });

  const part = "500.00";
  await app.step("invoice-payment-part", async () => {
    await app.fill("payment", { amount: part, reference: "EFT 1001" });
    await app.submit("payment");
    await app.waitGone('dialog[data-dialog="payment"]');
    assert.equal(plain(await app.toast()), `Payment of ${zar(part)} recorded.`);
    const [p] = payments(CONTOSO);
    assert.equal(p.amount, part);
    assert.equal(p.reference, "EFT 1001");
    assert.deepEqual(p.allocations.map((a) => [a.invoice, a.amount]), [[newest.number, part]], "applied to the invoice it was recorded on");
    const inv = account(CONTOSO).invoices.find((i) => i.number === newest.number);
    assert.equal(inv.status, "partly-paid");
    assert.equal(inv.open, decimal(cents(newest.open) - cents(part)));
    await app.waitFor(`[data-list="invoices"] [data-id="${newest.number}"] [data-status="partly-paid"]`);
    const row = await invoiceRow(newest.number);
    assert.match(row.text, /Partly paid/);
    assert.deepEqual(row.amounts, [inv.total, inv.paid, inv.open], "total, paid and open as the CLI says");
    await app.screenshot("15-invoices-partly-paid");
  });

  await app.step("invoice-payment-rest", async () => {
    const inv = account(CONTOSO).invoices.find((i) => i.number === newest.number);
    await app.click(`[data-list="invoices"] [data-id="${newest.number}"] [data-action="record-payment"]`);
    await app.waitFor('dialog[data-dialog="payment"] form[data-form="payment"]');
    assert.equal(await app.value("payment", "amount"), inv.open, "prefilled with what is still open");
    await app.submit("payment");
    await app.waitGone('dialog[data-dialog="payment"]');
    assert.equal(plain(await app.toast()), `Payment of ${zar(inv.open)} recorded.`);
    await app.waitFor(`[data-list="invoices"] [data-id="${newest.number}"] [data-status="paid"]`);
    const row = await invoiceRow(newest.number);
    assert.match(row.text, /Paid/);
    assert.deepEqual(row.amounts, [newest.total, newest.total], "total, and paid in full");
    assert.equal((await app.findAll(`[data-list="invoices"] [data-id="${newest.number}"] [data-action="record-payment"]`)).length, 0,
      "no more payments on a paid invoice");
    const later = account(CONTOSO);
    assert.ok(!later.invoices.some((i) => i.number === newest.number), "the CLI no longer lists it as open");
    assert.equal(later.balance, decimal(cents(was.balance) - cents(newest.total)));
    assert.deepEqual(payments(CONTOSO).map((p) => p.amount), [part, inv.open]);
  });

  await app.step("invoice-payment-overdue", async () => {
    // Part of an overdue invoice: still overdue (past due beats partly paid), with what is left.
    await app.click(`[data-list="invoices"] [data-id="${oldest.number}"] [data-action="record-payment"]`);
    await app.waitFor('dialog[data-dialog="payment"] form[data-form="payment"]');
    assert.equal(await app.value("payment", "amount"), oldest.open);
    await app.fill("payment", { amount: "0.72" });
    await app.submit("payment");
    await app.waitGone('dialog[data-dialog="payment"]');
    assert.equal(plain(await app.toast()), `Payment of ${zar("0.72")} recorded.`);
    const inv = account(CONTOSO).invoices.find((i) => i.number === oldest.number);
    assert.equal(inv.open, decimal(cents(oldest.open) - 72));
    await app.waitFor(`[data-list="invoices"] [data-id="${oldest.number}"] [data-amount="${inv.open}"]`);
    const row = await invoiceRow(oldest.number);
    assert.equal(row.status, inv.status);
    assert.equal(inv.status, "overdue");
    assert.deepEqual(row.amounts, [inv.total, inv.paid, inv.open]);
  });
});

test("a payment larger than the balance leaves credit, and credit can be refunded", async () => {
  const was = account(NORTHWIND);
  const extra = "250.00";
  await app.step("customer-payment", async () => {
    await app.nav("customers");
    await app.click(`[data-list="customers"] [data-id="${NORTHWIND}"] [data-action="open-customer"]`);
    await app.waitText("[data-customer-name]", "Northwind Health");
    assert.equal(await app.attr('[data-stat="balance"]', "data-amount"), was.balance);
    assert.equal(plain(await app.text('[data-stat="balance"]')), zar(was.balance), "the balance as the user reads it");
    const open = await app.waitRows("open-invoices");
    assert.deepEqual(open.map((r) => r.id), was.invoices.map((i) => i.number));
    for (const i of was.invoices) {
      assert.equal(await app.attr(`[data-list="open-invoices"] [data-id="${i.number}"] [data-status]`, "data-status"), i.status);
    }
    await app.screenshot("16-customer-account");

    await app.click('#screen-customers header [data-action="record-payment"]');
    await app.waitFor('dialog[data-dialog="payment"] form[data-form="payment"]');
    assert.equal(await app.value("payment", "amount"), was.balance, "prefilled with the balance");
    const paid = decimal(cents(was.balance) + cents(extra));
    await app.fill("payment", { amount: paid, method: "card", reference: "Card 4242" });
    await app.submit("payment");
    await app.waitGone('dialog[data-dialog="payment"]');
    assert.equal(plain(await app.toast()), `Payment of ${zar(paid)} recorded.`);

    const now = account(NORTHWIND);
    assert.equal(now.credit, extra, "the CLI sees the credit");
    assert.equal(now.invoices.length, 0, "and nothing open");
    await app.waitFor(`[data-account][data-credit="${now.credit}"]`);
    assert.equal(await app.attr('[data-stat="balance"]', "data-amount"), now.balance);
    assert.equal(plain(await app.text('[data-stat="balance"]')), zar(now.balance));
    assert.equal((await app.rows("open-invoices")), null, "no open invoices are listed");
    assert.match(await app.text("[data-account]"), /Nothing is owed/);
    const [p] = payments(NORTHWIND);
    const rows = await app.waitRows("payments");
    assert.deepEqual(rows.map((r) => [r.id, r.amounts[0]]), [[String(p.id), paid]]);
    assert.match(rows[0].text, /Card 4242/);
    await app.waitFor(`[data-list="payments"] [data-id="${p.id}"][data-kind="payment"]`);
    await app.screenshot("17-customer-credit");
  });

  await app.step("refund-credit", async () => {
    await app.click('#screen-customers [data-action="refund-credit"]');
    await app.waitFor('dialog[data-dialog="refund"] form[data-form="refund"]');
    assert.equal(await app.value("refund", "amount"), extra, "prefilled with the whole credit");
    // More than the credit is refused at the amount, and nothing is refunded.
    await app.fill("refund", { amount: "999.99" });
    await app.submit("refund");
    assert.match(await app.waitFieldError("refund", "amount"), /more than that/);
    assert.equal(payments(NORTHWIND).length, 1);
    await app.screenshot("18-refund-too-much", { scrollTo: '[data-error-for="amount"]' });

    await app.fill("refund", { amount: "100.00", reference: "Refund 7" });
    await app.submit("refund");
    await app.waitGone('dialog[data-dialog="refund"]');
    assert.equal(plain(await app.toast()), `Refund of ${zar("100.00")} recorded.`);
    const now = account(NORTHWIND);
    assert.equal(now.credit, decimal(cents(extra) - 10000));
    assert.equal(now.refunded, "100.00");
    await app.waitFor(`[data-account][data-credit="${now.credit}"]`);
    assert.equal(await app.attr('[data-stat="balance"]', "data-amount"), now.balance);
    assert.equal(await app.attr('[data-stat="refunded"]', "data-amount"), now.refunded, "what was paid back is shown");
    const refund = payments(NORTHWIND).find((p) => p.kind === "refund");
    await app.waitFor(`[data-list="payments"] [data-id="${refund.id}"][data-kind="refund"]`);
    const row = (await app.rows("payments")).find((r) => r.id === String(refund.id));
    assert.deepEqual(row.amounts, ["-100.00"], "a refund is money going out");
    await app.waitFor('#screen-customers [data-action="refund-credit"]');
  });
});

test("reversing a payment opens the invoices it paid again", async () => {
  const [payment] = payments(NORTHWIND).filter((p) => p.kind === "payment");
  const paidInvoices = payment.allocations.map((a) => a.invoice);
  const was = account(NORTHWIND);
  await app.step("reverse-cancel", async () => {
    await app.click(`[data-list="payments"] [data-id="${payment.id}"] [data-action="reverse"]`);
    await app.waitFor('dialog[data-dialog="reverse"]');
    const text = await app.text('dialog[data-dialog="reverse"]');
    assert.ok(plain(text).includes(zar(payment.amount)), `the dialog names the amount: ${text}`);
    assert.match(text, /Card 4242/);
    await app.screenshot("19-reverse-confirm");
    await app.click('dialog[data-dialog="reverse"] [data-action="cancel-dialog"]');
    await app.waitGone('dialog[data-dialog="reverse"]');
    assert.equal(payments(NORTHWIND).find((p) => p.id === payment.id).reversed_by, null, "cancel reverses nothing");
  });

  await app.step("reverse-confirm", async () => {
    await app.click(`[data-list="payments"] [data-id="${payment.id}"] [data-action="reverse"]`);
    await app.click('dialog[data-dialog="reverse"] [data-action="confirm"]');
    await app.waitGone('dialog[data-dialog="reverse"]');
    assert.equal(plain(await app.toast()), `Payment ${payment.id} reversed.`);
    await app.waitFor(`[data-list="payments"] [data-id="${payment.id}"] [data-reversed]`);
    const later = payments(NORTHWIND);
    const reversal = later.find((p) => p.kind === "reversal");
    assert.equal(later.find((p) => p.id === payment.id).reversed_by, reversal.id);
    assert.equal(reversal.amount, payment.amount);
    const rows = await app.rows("payments");
    assert.deepEqual(rows.map((r) => r.id).sort(), later.map((p) => String(p.id)).sort(), "every entry listed");
    await app.waitFor(`[data-list="payments"] [data-id="${reversal.id}"][data-kind="reversal"]`);
    assert.equal((await app.findAll(`[data-list="payments"] [data-id="${payment.id}"] [data-action="reverse"]`)).length, 0,
      "a reversed payment cannot be reversed again");

    const now = account(NORTHWIND);
    assert.deepEqual(now.invoices.map((i) => i.number), paidInvoices, "the invoices it paid are open again");
    assert.equal(now.credit, "0.00");
    assert.equal(now.balance, decimal(cents(was.balance) + cents(payment.amount)), "the payment is owed again");
    const open = await app.waitRows("open-invoices");
    assert.deepEqual(open.map((r) => r.id), now.invoices.map((i) => i.number));
    for (const i of now.invoices) {
      assert.ok(["open", "overdue"].includes(i.status), `${i.number} is ${i.status}`);
      assert.equal(await app.attr(`[data-list="open-invoices"] [data-id="${i.number}"] [data-status]`, "data-status"), i.status);
      const row = open.find((r) => r.id === i.number);
      assert.ok(row.amounts.includes(i.open), `${i.number}: open ${i.open} in ${row.amounts}`);
    }
    // The balance is what was invoiced and paid back, less what was received: all on the page.
    assert.equal(await app.attr('[data-stat="balance"]', "data-amount"), now.balance);
    assert.equal(now.balance, decimal(cents(now.invoiced) - cents(now.credited) - cents(now.received) + cents(now.refunded)));
    assert.equal(await app.attr('[data-stat="refunded"]', "data-amount"), now.refunded);
    assert.equal(await app.attr("[data-account]", "data-credit"), "0.00");
    assert.equal((await app.findAll('#screen-customers [data-action="refund-credit"]')).length, 0, "no credit left to refund");
    await app.screenshot("20-payment-reversed");

    // The Invoices screen agrees.
    await app.nav("invoices");
    for (const i of now.invoices) {
      await app.waitFor(`[data-list="invoices"] [data-id="${i.number}"] [data-status="${i.status}"]`);
    }
  });
});

test("a statement saved as a PDF shows the opening and closing balance", async () => {
  const from = monthBack(2).first;
  const expected = cli(db, ["statement", "--customer", String(CONTOSO), "--from", from, "--to", TODAY], { json: true });
  assert.notEqual(expected.opening, "0.00", "the period opens with something owed");
  await app.step("statement", async () => {
    await app.nav("customers");
    await app.click(`[data-list="customers"] [data-id="${CONTOSO}"] [data-action="open-customer"]`);
    await app.waitText("[data-customer-name]", "Contoso Ltd");
    await app.click('#screen-customers [data-action="statement"]');
    await app.waitFor('dialog[data-dialog="statement"] form[data-form="statement"]');
    assert.equal(await app.value("statement", "to"), TODAY);
    await app.fill("statement", { from, to: TODAY });
    await app.screenshot("21-statement-dialog");
    await app.submit("statement");
    await app.waitGone('dialog[data-dialog="statement"]');
    const saved = (await app.toast()).replace(/^Saved (.*)\.$/, "$1");
    assert.equal(path.dirname(saved), dialogs, `saved into the chosen folder: ${saved}`);
    assert.ok(saved.endsWith(".pdf") && fs.existsSync(saved), saved);
    const text = spawnSync("pdftotext", ["-layout", saved, "-"], { encoding: "utf8" }).stdout;
    assert.match(text, /Statement of account/);
    assert.match(text, /Contoso Ltd/);
    const line = (label) => text.split("\n").filter((l) => l.includes(label)).map((l) => plain(l).trim());
    // The summary at the top and the first/last line of the table both carry the balances.
    const opening = line("Opening balance");
    const closing = line("Closing balance");
    assert.ok(opening.length >= 1 && opening.every((l) => l.endsWith(` ${printed(expected.opening)}`)), `opening ${expected.opening}: ${opening}`);
    assert.ok(closing.length >= 1 && closing.every((l) => l.endsWith(` ${printed(expected.closing)}`)), `closing ${expected.closing}: ${closing}`);
    for (const l of expected.lines) {
      if (l.document) assert.match(text, new RegExp(l.document), `${l.document} is listed`);
    }
    assert.ok(plain(text).includes(printed(expected.aging_total)), "the aging total is printed");
    spawnSync("pdftoppm", ["-png", "-r", "80", "-singlefile", saved, path.join(SCREENS, "22-statement-pdf")]);
    assert.ok(fs.existsSync(path.join(SCREENS, "22-statement-pdf.png")));
  });
});

test("a customer on credit stop is asked about before a subscription is added", async () => {
  const reason = cli(db, ["customer", "show", String(FABRIKAM)], { json: true }).credit_stop;
  const was = subscriptions(FABRIKAM);
  await app.step("credit-stop-flags", async () => {
    // The dashboard lists who is on credit stop, and why; the customer's page says so too.
    await app.nav("dashboard");
    const stops = await app.waitRows("credit-stops");
    const row = stops.find((r) => r.id === String(FABRIKAM));
    assert.ok(row, `Fabrikam is listed: ${JSON.stringify(stops)}`);
    assert.equal(row.cells[0], "Fabrikam Inc");
    assert.equal(plain(row.cells[1]).toLowerCase(), plain(reason).toLowerCase(), "the CLI's reason");
    for (const r of stops) {
      assert.ok(cli(db, ["customer", "show", r.id], { json: true }).credit_stop, `customer ${r.id} is on credit stop for the CLI too`);
    }
    await app.screenshot("23-dashboard-credit-stops");
  });
  await app.step("credit-stop-cancel", async () => {
    await app.nav("customers");
    await app.click(`[data-list="customers"] [data-id="${FABRIKAM}"] [data-action="open-customer"]`);
    await app.waitText("[data-customer-name]", "Fabrikam Inc");
    // Amounts in the reason are written the company's way, with no-break spaces.
    assert.equal(plain(await app.text("#screen-customers [data-credit-stop-flag] [data-credit-stop-reason]")), plain(reason));
    await app.screenshot("23-customer-credit-stop");
    await app.click('#screen-customers [data-action="add-subscription"]');
    await app.form("subscription");
    assert.equal(await app.value("subscription", "customer"), String(FABRIKAM));
    await app.fill("subscription", { product: PREMIUM, quantity: "3" });
    await app.submit("subscription");
    await app.waitFor('dialog[data-dialog="credit-stop"]');
    assert.equal(plain(await app.text('dialog[data-dialog="credit-stop"] [data-credit-stop]')), plain(reason), "the reason the CLI gives");
    await app.screenshot("23-credit-stop");
    await app.click('dialog[data-dialog="credit-stop"] [data-action="cancel-dialog"]');
    await app.waitGone('dialog[data-dialog="credit-stop"]');
    await app.form("subscription");
    assert.equal(await app.value("subscription", "quantity"), "3", "the form keeps what was typed");
    assert.deepEqual(subscriptions(FABRIKAM), was, "cancel adds nothing");
  });

  await app.step("credit-stop-confirm", async () => {
    await app.submit("subscription");
    await app.click('dialog[data-dialog="credit-stop"] [data-action="confirm"]');
    await app.waitGone('dialog[data-dialog="credit-stop"]');
    const later = subscriptions(FABRIKAM);
    assert.equal(later.length, was.length + 1, "confirm adds it");
    const added = later.find((s) => !was.some((b) => b.id === s.id));
    assert.equal(added.product, PREMIUM);
    assert.equal(added.quantity, 3);
    assert.equal(added.term_start, TODAY);
    assert.equal(plain(await app.toast()), `Subscription ${added.id} added: 3 seats of ${added.product_title}.`);
    await app.waitFor("#screen-subscriptions [data-quantity]");
  });
});
