// Reports: with nine months of history issued (seats added, a credit note, payments, a
// subscription expired and one cancelled, customers in ZAR and EUR), the MRR chart's bars and
// the aging chart of each currency equal the CLI's figures; every tab lists the CLI's rows, and
// "Export CSV" writes those rows into the chosen folder; the filters change the rows as the
// CLI's options do, and a range that ends before it starts is refused at its field.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { launch, freshDb, cli, seedCompany, automationDir, PRICELIST, addDays, monthBack, TODAY } from "../lib/app.js";

const db = freshDb("reports");
const dialogs = automationDir(db);
const BASIC = "CFQ7TTC0LH18:0001";
const PREMIUM = "CFQ7TTC0LCHC:0002";
let app;

const pad = (n) => String(n).padStart(2, "0");

const day = (k, d) => `${monthBack(k).month}-${pad(d)}`;

// The page's default range: the 12 months up to this one (the CLI's default too).
const FROM = monthBack(11);
const THIS = monthBack(0);

/**
 * What each tab lists, as the CLI gives it: the command's arguments and a row of its JSON as the
 * table's cells (raw strings), plus the CSV's header (the table's column keys).
 */
const REPORTS = {
  revenue: {
    args: ["report", "revenue", "--from", FROM.month, "--to", THIS.month],
    cells: (r) => [r.month, r.currency, r.invoiced, r.credited, r.net, r.azure],
    keys: ["month", "currency", "invoiced", "credited", "net", "azure"],
  },
  margin: {
    args: ["report", "margin", "--from", FROM.month, "--to", THIS.month],
    cells: (r) => [r.key, r.currency, r.revenue, r.cost, r.margin, r.margin_percent ?? ""],
    keys: ["key", "currency", "revenue", "cost", "margin", "margin_percent"],
  },
  renewals: {
    args: ["report", "renewals", "--within", "90", "--as-of", TODAY],
    cells: (r) => [r.term_end, r.customer_name, r.product_title, String(r.quantity), r.auto_renew ? "yes" : "no", r.schedule_cut_until, String(r.subscription_id)],
    keys: ["term_end", "customer", "product", "seats", "auto_renew", "schedule_by", "subscription_id"],
  },
  exposure: {
    args: ["report", "exposure", "--as-of", TODAY],
    cells: (r) => [r.customer_name, r.product, String(r.seats), r.term_end, r.cost_currency, r.remaining_cost, String(r.subscription_id)],
    keys: ["customer", "product", "seats", "term_end", "currency", "remaining_cost", "subscription_id"],
  },
  churn: {
    args: ["report", "churn", "--from", FROM.month, "--to", THIS.month],
    cells: (r) => [r.month, String(r.cancelled), String(r.expired), String(r.seats_lost)],
    keys: ["month", "cancelled", "expired", "seats_lost"],
  },
  aging: {
    args: ["report", "aging", "--as-of", TODAY],
    rows: (a) => [...a.rows, ...a.totals],
    cells: (r) => [r.customer_name, r.currency, ...r.buckets, r.total, r.credit],
    keys: ["customer", "currency", "current", "days_1_30", "days_31_60", "days_61_90", "over_90", "total", "credit"],
  },
  mrr: {
    args: ["report", "mrr", "--from", FROM.month, "--to", THIS.month],
    cells: (r) => [r.month, r.currency, r.mrr, r.arr, String(r.subscriptions), String(r.seats), String(r.unconverted)],
    keys: ["month", "currency", "mrr", "arr", "subscriptions", "seats", "unconverted"],
  },
};

/** The CLI's rows of a report as table cells; `flags` ({"--from": "2026-01"}) replace or add options. */
function expectedRows(name, flags = {}) {
  const spec = REPORTS[name];
  const args = [...spec.args];
  for (const [flag, value] of Object.entries(flags)) {
    const at = args.indexOf(flag);
    if (at >= 0) args[at + 1] = value;
    else args.push(flag, value);
  }
  const json = cli(db, args, { json: true });
  return (spec.rows ? spec.rows(json) : json).map(spec.cells);
}

before(async () => {
  // The sample price list, in force from January 2025 so that the history can start earlier.
  const list = path.join(path.dirname(db), "pricelist-2025.csv");
  fs.writeFileSync(list, fs.readFileSync(PRICELIST, "utf8").replaceAll('"11/1/2025 12:00:00 AM"', '"1/1/2025 12:00:00 AM"'));
  seedCompany(db);
  cli(db, ["pricelist", "import", list]);
  cli(db, ["fx", "set", "--from", "USD", "--to", "EUR", "--rate", "0.92", "--on", "2025-01-01"]);
  cli(db, ["customer", "add", "--name", "Contoso Ltd", "--domain", "contoso.onmicrosoft.com"]);
  cli(db, ["customer", "add", "--name", "Northwind Health", "--domain", "northwind.onmicrosoft.com"]);
  cli(db, ["customer", "add", "--name", "Tailspin GmbH", "--domain", "tailspin.onmicrosoft.com", "--country", "DE", "--currency", "EUR"]);
  cli(db, ["customer", "add", "--name", "Fabrikam Inc", "--domain", "fabrikam.onmicrosoft.com"]);
  const sub = (customer, product, term, quantity, start, ...more) =>
    cli(db, ["subscription", "add", "--customer", String(customer), "--product", product, "--term", term, "--billing", "monthly",
      "--quantity", String(quantity), "--start", start, ...more], { json: true });
  const contoso = sub(1, BASIC, "P1Y", 10, day(9, 15));
  sub(2, PREMIUM, "P1Y", 4, day(6, 5));
  sub(3, BASIC, "P1M", 6, day(4, 20));
  sub(4, BASIC, "P1M", 2, monthBack(5).first, "--no-auto-renew");
  cli(db, ["subscription", "quantity", String(contoso.id), "--quantity", "15", "--on", day(3, 15)]);
  for (let k = 9; k >= 1; k--) cli(db, ["bill", "--month", monthBack(k).month, "--issue", "--date", monthBack(k).last]);
  const [first] = cli(db, ["invoice", "list", "--customer", "1"], { json: true });
  cli(db, ["invoice", "credit", first.number, "--amount", "100", "--reason", "Goodwill"]);
  cli(db, ["payment", "add", "--customer", "1", "--amount", "9000"]);
  cli(db, ["payment", "add", "--customer", "2", "--amount", "5000"]);
  // Bought four days ago and cancelled two days later: churn this month.
  const late = sub(2, BASIC, "P1Y", 3, addDays(TODAY, -4), "--confirm");
  cli(db, ["subscription", "cancel", String(late.id), "--on", addDays(TODAY, -2)]);
  app = await launch(db, { name: "reports" });
  await app.waitScreen("dashboard", { timeout: 30000 });
});
after(async () => {
  await app?.close();
});

/** The bars of a chart: [{label, amount, height}] in order. */
function bars(chart) {
  return app.execute(
    `const svg = document.querySelector('svg[data-chart="' + arguments[0] + '"]');
     if (!svg) return null;
     return [...svg.querySelectorAll('g[data-amount]')].map(g => ({
       label: g.getAttribute('data-label'), amount: g.getAttribute('data-amount'),
       height: Number(g.querySelector('rect').getAttribute('height')), text: g.querySelector('text').textContent }));`,
    chart,
  );
}

/**
 * A bar's label: the amount rounded to whole units, half up, as the screens write it for a
 * South African company ("3269.91" → "R 3 270", "52.57" → "EUR 53").
 */
function barLabel(amount, currency) {
  const [whole, fraction] = amount.split(".");
  const units = BigInt(whole) + (fraction && fraction[0] >= "5" ? 1n : 0n);
  const grouped = String(units).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  return currency === "ZAR" ? `R ${grouped}` : `${currency} ${grouped}`;
}
const plain = (s) => String(s).replace(/[\u00a0\u202f]/g, " ");

/** Bar heights follow the amounts: the same ratio to the tallest bar, to a pixel. */
function assertProportional(list, what) {
  const cents = (s) => {
    const [whole, fraction = ""] = s.split(".");
    return Number(whole) * 100 + Number(fraction.padEnd(2, "0").slice(0, 2));
  };
  const top = list.reduce((a, b) => (cents(b.amount) > cents(a.amount) ? b : a));
  assert.ok(top.height > 0, `${what}: the tallest bar is drawn`);
  for (const b of list) {
    const want = (top.height * cents(b.amount)) / cents(top.amount);
    assert.ok(Math.abs(b.height - want) <= 1, `${what} ${b.label}: height ${b.height} for ${b.amount}, expected ~${want.toFixed(1)}`);
  }
}

/**
 * A report table's rows as the raw strings behind its cells: `data-amount`, `data-date`,
 * `data-month` or `data-percent` where the cell has one, else its text ("—" is empty; numbers
 * without their group separators).
 */
function tableRows(name) {
  return app.execute(
    `const t = document.querySelector('[data-list="report-' + arguments[0] + '"]');
     if (!t || !t.getClientRects().length) return null;
     return [...t.querySelectorAll('tbody tr[data-id]')].map(r => [...r.children].map(td => {
       const e = td.querySelector('[data-amount],[data-date],[data-month],[data-percent]');
       if (e) for (const a of ['data-amount', 'data-date', 'data-month', 'data-percent']) if (e.hasAttribute(a)) return e.getAttribute(a);
       const s = td.innerText.trim();
       if (s === '—') return '';
       return td.classList.contains('num') ? s.replace(/[\\s\\u00a0\\u202f]/g, '') : s;
     }));`,
    name,
  );
}

/** Shows a tab and waits for its table (or its empty notice) to be the one for that tab. */
async function showTab(name) {
  await app.click(`#screen-reports button[data-tab="${name}"]`);
  await app.waitFor(`#screen-reports button[data-tab="${name}"][aria-selected="true"]`);
  return app.waitRows(`report-${name}`, () => true, `the ${name} table`);
}

/** A CSV file (RFC 4180: quoted cells, CRLF) as rows of cells. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(cell), (cell = "");
    else if (c === "\n") row.push(cell.replace(/\r$/, "")), rows.push(row), (row = []), (cell = "");
    else cell += c;
  }
  if (cell !== "" || row.length) rows.push([...row, cell]);
  return rows;
}

test("the MRR chart has a bar per month, equal to the CLI's figures", async () => {
  const mrr = cli(db, REPORTS.mrr.args, { json: true });
  assert.equal(mrr.length, 12);
  assert.ok(mrr.filter((r) => /[1-9]/.test(r.mrr)).length >= 9, "nine months with recurring revenue");
  await app.step("mrr-chart", async () => {
    await app.nav("reports");
    await app.waitFor('svg[data-chart="mrr"] g[data-amount]');
    const shown = await bars("mrr");
    assert.deepEqual(shown.map((b) => [b.label, b.amount]), mrr.map((r) => [r.month, r.mrr]), "one bar per month, the CLI's MRR");
    assertProportional(shown, "MRR");
    assert.deepEqual(shown.map((b) => plain(b.text)), mrr.map((r) => barLabel(r.mrr, r.currency)), "each bar's label, rounded");
    for (const b of shown.filter((x) => !/[1-9]/.test(x.amount))) assert.equal(b.height, 0, `${b.label}: no revenue, no bar`);
    const last = mrr[mrr.length - 1];
    assert.equal(await app.attr('[data-stat="report-mrr"]', "data-amount"), last.mrr);
    assert.equal(await app.attr('[data-stat="report-arr"]', "data-amount"), last.arr);
    await app.screenshot("24-reports");
  });
});

test("the aging chart of each currency equals the CLI's buckets", async () => {
  const aging = cli(db, ["report", "aging", "--as-of", TODAY], { json: true });
  assert.deepEqual(aging.totals.map((t) => t.currency).sort(), ["EUR", "ZAR"]);
  await app.step("aging-chart", async () => {
    const charts = await app.execute("return [...document.querySelectorAll('svg[data-chart^=\"aging-\"]')].map(s => s.getAttribute('data-chart')).sort()");
    assert.deepEqual(charts, aging.totals.map((t) => `aging-${t.currency}`).sort(), "one chart per currency owed");
    for (const t of aging.totals) {
      const shown = await bars(`aging-${t.currency}`);
      assert.deepEqual(shown.map((b) => [b.label, b.amount]), t.buckets.map((v, i) => [String(i), v]), `${t.currency}: the CLI's buckets`);
      assertProportional(shown, `aging ${t.currency}`);
      assert.deepEqual(shown.map((b) => plain(b.text)), t.buckets.map((v) => barLabel(v, t.currency)), `${t.currency}: the labels`);
    }
    const caption = await app.text('svg[data-chart="aging-ZAR"] + figcaption');
    const zar = aging.totals.find((t) => t.currency === "ZAR");
    const [whole, cents] = zar.total.split(".");
    const total = `R ${whole.replace(/\B(?=(\d{3})+(?!\d))/g, " ")},${cents}`;
    assert.equal(plain(caption), `What is open as of ${await app.text("#app-today").then((t) => t.replace(/^Today /, ""))} by days past due, in ZAR: ${total} in total.`);
    await app.screenshot("25-reports-aging", { scrollTo: 'svg[data-chart="aging-ZAR"]' });
  });
});

test("each tab lists the CLI's rows, and Export CSV writes the same rows", async () => {
  for (const name of Object.keys(REPORTS)) {
    await app.step(`tab-${name}`, async () => {
      const expected = expectedRows(name);
      assert.ok(expected.length > 0, `the seed gives ${name} some rows`);
      await showTab(name);
      const shown = await waitForRows(name, expected.length);
      assert.deepEqual(shown, expected, `${name}: the table is the CLI's report`);
      await app.screenshot(`26-report-${name}`, { scrollTo: `[data-list="report-${name}"]` });

      const file = path.join(dialogs, `seatbook-${name}-${TODAY}.csv`);
      assert.ok(!fs.existsSync(file));
      await app.click('#screen-reports [data-action="export-csv"]');
      assert.equal(await app.toast(), `Saved ${file}.`);
      const [header, ...rows] = parseCsv(fs.readFileSync(file, "utf8"));
      assert.deepEqual(header, REPORTS[name].keys, `${name}: the header is the column keys`);
      assert.deepEqual(rows, shown, `${name}: the CSV holds the rows listed`);
    });
  }
});

/** Waits until a report table shows `count` rows; returns them as raw cells. */
async function waitForRows(name, count) {
  try {
    await app.waitRows(`report-${name}`, (r) => r.length === count, `${count} rows in report-${name}`);
  } catch (e) {
    e.message += `; shown: ${JSON.stringify(await tableRows(name))}`;
    throw e;
  }
  return tableRows(name);
}

test("the filters change the rows as the CLI's options do", async () => {
  await app.step("filter-revenue", async () => {
    await showTab("revenue");
    const from = monthBack(3);
    const expected = expectedRows("revenue", { "--from": from.month });
    assert.ok(expected.length < expectedRows("revenue").length, "a shorter range has fewer rows");
    await app.fill("report", { from: from.first });
    await app.click('#screen-reports [data-action="show-report"]');
    assert.deepEqual(await waitForRows("revenue", expected.length), expected);
    assert.match(await app.text("#screen-reports .report-title"), new RegExp(`${from.month} to ${THIS.month}`));
  });

  await app.step("filter-margin-by-product", async () => {
    await showTab("margin");
    const expected = expectedRows("margin", { "--by": "product" });
    await app.fill("report", { by: "product" });
    await app.click('#screen-reports [data-action="show-report"]');
    await app.waitText("#screen-reports .report-title", "Margin by product");
    assert.deepEqual(await waitForRows("margin", expected.length), expected);
    await app.screenshot("27-report-margin-by-product", { scrollTo: '[data-list="report-margin"]' });
  });

  await app.step("filter-bad-range", async () => {
    await showTab("churn");
    const was = await tableRows("churn");
    await app.fill("report", { from: TODAY, to: monthBack(2).first });
    await app.click('#screen-reports [data-action="show-report"]');
    // The core's words for a range the wrong way round, naming the months.
    const month = (iso) => iso.slice(0, 7);
    assert.match(
      await app.waitFieldError("report", "from"),
      new RegExp(`The first month \\(${month(TODAY)}\\) is after the last \\(${month(monthBack(2).first)}\\)`),
    );
    assert.deepEqual(await tableRows("churn"), was, "the rows shown stay");
    await app.screenshot("27-report-bad-range", { scrollTo: '[data-error-for="from"]' });
  });
});
