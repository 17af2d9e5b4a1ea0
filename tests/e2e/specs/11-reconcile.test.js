// Reconcile: Microsoft's February invoice against a book billed for February. Its reconciliation
// file is imported through the file dialog (answered from SEATBOOK_AUTOMATION_DIR) with a progress
// bar; a corrected file for the same invoice asks before it replaces the first; the totals, the
// findings and the margin are the CLI's; the findings are filtered, sorted and grouped; two are
// fixed from the screen (Microsoft's seat change recorded, a subscription and its customer
// adopted) and the report then shows what is left; Export CSV writes the bytes of
// `seatbook recon report INVOICE --csv`; the dashboard shows what leaked and opens the report.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { launch, freshDb, cli, seedCompany, automationDir, TODAY } from "../lib/app.js";
import { msLine, reconCsv, totalWithTax } from "../lib/recon.js";

const db = freshDb("reconcile");
const dialogs = automationDir(db);
const INVOICE = "G012345602";
const BS = "CFQ7TTC0LDPB:0001";
let app;

// Customers: [tenant id, domain, name].
const CONTOSO = ["aaaaaaaa-0000-4000-8000-00000000000a", "contoso.onmicrosoft.com", "Contoso Ltd"];
const FABRIKAM = ["aaaaaaaa-0000-4000-8000-00000000000b", "fabrikam.onmicrosoft.com", "Fabrikam Inc"];
const NORTHWIND = ["aaaaaaaa-0000-4000-8000-00000000000c", "northwind.onmicrosoft.com", "Northwind Health"];
const TAILSPIN = ["aaaaaaaa-0000-4000-8000-00000000000d", "tailspin.onmicrosoft.com", "Tailspin Toys"];
const WINGTIP = ["aaaaaaaa-0000-4000-8000-00000000000e", "wingtip.onmicrosoft.com", "Wingtip Toys"];
const LITWARE = ["aaaaaaaa-0000-4000-8000-000000000001", "litware.onmicrosoft.com", "Litware"];
const PROSEWARE = ["aaaaaaaa-0000-4000-8000-000000000003", "proseware.onmicrosoft.com", "Proseware"];

/** Microsoft's February charges (Business Standard: 15.00 USD a seat a month), each on purpose. */
function february() {
  const fabrikam = { start: "2026-02-05", end: "2026-03-04", subStart: "2026-02-05", subEnd: "2026-03-04" };
  return [
    // Contoso: 10 seats, billed alike: no finding.
    msLine(CONTOSO, "a1", "new", { qty: "10", subtotal: "150.00" }),
    // Fabrikam: bought 5 Feb (10 seats); 5 seats added at Microsoft on 10 Feb, never recorded.
    msLine(FABRIKAM, "b1", "new", { ...fabrikam, qty: "10", subtotal: "150.00" }),
    msLine(FABRIKAM, "b1", "addQuantity", { ...fabrikam, start: "2026-02-10", eup: "-12.32", qty: "10", subtotal: "-123.21", reference: "ref-b" }),
    msLine(FABRIKAM, "b1", "addQuantity", { ...fabrikam, start: "2026-02-10", eup: "12.32", qty: "15", subtotal: "184.82", reference: "ref-b" }),
    // Northwind: nothing at Microsoft (cancelled there), billed by Seatbook.
    // Tailspin: a subscription of a known customer that Seatbook never heard of.
    msLine(TAILSPIN, "d1", "new", { start: "2026-02-12", end: "2026-03-11", subStart: "2026-02-12", subEnd: "2026-03-11", qty: "3", subtotal: "45.00" }),
    // Wingtip: a customer and subscription bought in Partner Center only.
    msLine(WINGTIP, "e1", "new", { start: "2026-02-15", end: "2026-03-14", subStart: "2026-02-15", subEnd: "2026-03-14", qty: "2", subtotal: "30.00" }),
    // Litware: sold below cost.
    msLine(LITWARE, "g1", "new", { qty: "2", subtotal: "30.00" }),
    // Proseware: Microsoft charges 12 seats, Seatbook billed 10.
    msLine(PROSEWARE, "q1", "new", { qty: "12", subtotal: "180.00" }),
  ];
}

const report = () => cli(db, ["recon", "report", INVOICE], { json: true });

before(async () => {
  seedCompany(db);
  const customer = (c) => cli(db, ["customer", "add", "--name", c[2], "--domain", c[1], "--tenant-id", c[0]], { json: true }).id;
  const sub = (c, ms, qty, start, ...more) =>
    cli(db, ["subscription", "add", "--customer", String(c), "--product", BS, "--term", "P1M", "--billing", "monthly",
      "--quantity", String(qty), "--start", start, "--ms-subscription-id", ms, ...more], { json: true });
  sub(customer(CONTOSO), "a1", 10, "2026-02-01");
  sub(customer(FABRIKAM), "b1", 10, "2026-02-05");
  sub(customer(NORTHWIND), "c1", 5, "2026-02-01");
  customer(TAILSPIN);
  sub(customer(LITWARE), "g1", 2, "2026-02-01", "--price", "200");
  sub(customer(PROSEWARE), "q1", 10, "2026-02-01");
  cli(db, ["bill", "--month", "2026-02", "--issue", "--date", "2026-02-28"]);
  // The first file Microsoft gave: Litware's line is missing.
  fs.writeFileSync(path.join(dialogs, `${INVOICE}.csv`), reconCsv(february().filter((l) => l.sub !== "g1")));
  app = await launch(db, { name: "reconcile" });
  await app.waitScreen("dashboard", { timeout: 30000 });
});
after(async () => {
  await app?.close();
});

// Records the reconciliation's progress bar while it runs: each change of its visibility, value or max.
const WATCH_PROGRESS = `
  window.__progress = [];
  const bar = document.querySelector('progress[data-progress="recon"]');
  const note = () => window.__progress.push({ shown: bar.getClientRects().length > 0, value: bar.getAttribute('value'), max: bar.getAttribute('max') });
  new MutationObserver(note).observe(bar.closest('form'), { attributes: true, subtree: true });`;

/** The findings as the screen lists them: [{id, kind, difference, microsoft, seatbook, fix, text}] in order. */
function findings() {
  return app.execute(`
    const t = document.querySelector('[data-list="recon-findings"]');
    if (!t || !t.getClientRects().length) return null;
    const amount = (g, col) => { const e = g.querySelector('[data-col="' + col + '"] [data-amount]'); return e ? e.getAttribute('data-amount') : null; };
    return [...t.querySelectorAll('tbody[data-id]')].map(g => ({
      id: g.getAttribute('data-id'), kind: g.getAttribute('data-kind'),
      difference: amount(g, 'difference'), microsoft: amount(g, 'microsoft'), seatbook: amount(g, 'seatbook'),
      fix: !!g.querySelector('[data-action="fix"]'), text: g.innerText }));`);
}

async function waitFindings(pred, what) {
  return app.step(what, () =>
    app.waitRows("recon-findings", () => true, "the findings").then(async () => {
      let last;
      for (let i = 0; i < 150; i++) {
        last = await findings();
        if (last && pred(last)) return last;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${what}: ${JSON.stringify(last)}`);
    }),
  );
}

/** Sets a select of the findings' toolbar (`kind`, `group`) as a user picks an option. */
function pick(filter, value) {
  return app.execute(
    `const s = document.querySelector('select[data-filter="' + arguments[0] + '"]');
     s.value = arguments[1]; s.dispatchEvent(new Event('change', { bubbles: true }));`,
    filter,
    value,
  );
}

const plain = (s) => String(s).replace(/[\u00a0\u202f]/g, " ");

test("before any import, the dashboard and Reconcile say what to do", async () => {
  await app.step("empty", async () => {
    await app.waitText("[data-last-leak]", "Reconcile Microsoft's invoice");
    await app.nav("reconcile");
    await app.waitText("#screen-reconcile", "No invoice of Microsoft's imported yet.");
    assert.equal(await app.rows("recon-invoices"), null);
  });
});

test("a file Seatbook cannot read is refused whole, with its bad lines", async () => {
  await app.step("broken", async () => {
    const lines = reconCsv(february()).split("\r\n");
    lines[4] = lines[4].replace(",184.82,", ",18A.82,"); // line 5 of the file
    const broken = path.join(dialogs, "0-broken.csv"); // sorts first: the dialog "chooses" it
    fs.writeFileSync(broken, lines.join("\r\n"));
    try {
      await app.click('[data-action="import-recon"]');
      const msg = await app.waitFieldError("recon-import", "form");
      assert.match(msg, /nothing imported/);
      assert.match(msg, /line 5: Subtotal '18A\.82' is not a number/);
      assert.deepEqual(cli(db, ["recon", "list"], { json: true }), [], "nothing imported");
      await app.screenshot("39-reconcile-broken");
    } finally {
      fs.rmSync(broken);
    }
  });
});

test("importing Microsoft's file shows progress, then the invoice and its findings", async () => {
  await app.step("import", async () => {
    await app.execute(WATCH_PROGRESS);
    await app.click('[data-action="import-recon"]');
    assert.equal(await app.toast(), `${INVOICE}.csv: ${INVOICE} imported (7 lines).`);
    await app.waitFor(`[data-import-result] [data-invoice="${INVOICE}"][data-status="imported"]`);
    const rows = await app.waitRows("recon-invoices");
    assert.deepEqual(rows.map((r) => r.id), [INVOICE]);
    assert.equal(rows[0].cells[1], "7");
    assert.deepEqual(rows[0].amounts, [totalWithTax(february().filter((l) => l.sub !== "g1"))]);
    const seen = await app.execute("return window.__progress");
    assert.ok(seen.some((p) => p.shown), `the progress bar was shown (${JSON.stringify(seen)})`);
    assert.ok(seen.some((p) => p.value !== null && p.value === p.max && Number(p.max) > 1), `it reached its end (${JSON.stringify(seen)})`);
    assert.equal(await (await app.find('progress[data-progress="recon"]')).displayed(), false, "and is hidden when done");
    // The report of the invoice just imported is shown at once.
    await app.waitFor(`#screen-reconcile [data-invoice="${INVOICE}"]`);
    await waitFindings((f) => f.length > 0, "findings of the first file");
  });
});

test("a corrected file for the same invoice asks before it replaces the first", async () => {
  await app.step("replace", async () => {
    fs.rmSync(path.join(dialogs, `${INVOICE}.csv`));
    const corrected = `${INVOICE}-corrected.csv`;
    fs.writeFileSync(path.join(dialogs, corrected), reconCsv(february()));

    await app.click('[data-action="import-recon"]');
    const ask = await app.text('dialog[data-dialog="recon-replace"] [data-conflict]');
    assert.match(ask, new RegExp(`${INVOICE} was imported on .* from ${INVOICE}\\.csv with other lines \\(7 of them; this file has 8\\)`));
    await app.screenshot("40-reconcile-replace");
    await app.click('dialog[data-dialog="recon-replace"] [data-action="cancel-dialog"]');
    assert.equal(await app.toast(), "Nothing imported.");
    await app.waitGone('dialog[data-dialog="recon-replace"]');
    assert.equal(cli(db, ["recon", "list"], { json: true })[0].lines, 7, "nothing replaced");

    await app.click('[data-action="import-recon"]');
    await app.click('dialog[data-dialog="recon-replace"] [data-action="confirm"]');
    assert.equal(await app.toast(), `${corrected}: ${INVOICE} replaced (8 lines).`);
    await app.waitFor(`[data-import-result] [data-invoice="${INVOICE}"][data-status="replaced"]`);
    const rows = await app.waitRows("recon-invoices", (r) => r[0].cells[1] === "8", "8 lines listed");
    assert.equal(rows.length, 1);
    assert.equal(rows[0].cells[3], corrected);
    assert.deepEqual(rows[0].amounts, [totalWithTax(february())]);
    const [listed] = cli(db, ["recon", "list"], { json: true });
    assert.deepEqual([listed.file, listed.lines], [corrected, 8]);
  });
});

test("the totals, the findings and the margin are the CLI's", async () => {
  const r = report();
  assert.equal(r.leaked, "166.61", "B 61.61 + D 45.00 + E 30.00 + Q 30.00");
  await app.step("report", async () => {
    for (const [stat, key] of [["recon-total", "microsoft_total"], ["recon-matched", "matched"], ["recon-leaked", "leaked"], ["recon-unmatched", "unmatched_billed"]]) {
      assert.equal(await app.attr(`[data-stat="${stat}"]`, "data-amount"), r[key], stat);
    }
    assert.equal(plain(await app.text('[data-stat="recon-leaked"]')), "USD 166,61", "in the invoice's currency, written the company's way");
    const shown = await waitFindings((f) => f.length === r.findings.length, `the CLI's ${r.findings.length} findings`);
    const byId = new Map(shown.map((f) => [f.id, f]));
    for (const f of r.findings) {
      const row = byId.get(f.id);
      assert.ok(row, `finding ${f.id} (${f.kind}) is listed`);
      assert.equal(row.kind, f.kind);
      assert.equal(row.difference, f.difference, `${f.id}: difference`);
      assert.equal(row.microsoft, f.microsoft_amount, `${f.id}: Microsoft's amount`);
      assert.equal(row.seatbook, f.seatbook_amount, `${f.id}: Seatbook's amount`);
      assert.equal(row.fix, f.fixable, `${f.id}: a Fix button when it can be fixed`);
    }
    // Kinds in words, grouped in the core's order, each group's leak added up.
    const groups = await app.execute(
      "return [...document.querySelectorAll('[data-list=\"recon-findings\"] [data-group]')].map(g => [g.getAttribute('data-group'), g.innerText.trim()])",
    );
    assert.deepEqual(groups.map(([k]) => k), ["not_in_seatbook", "not_billed", "quantity_mismatch", "billed_not_charged", "below_cost"]);
    assert.match(plain(groups[1][1]), /^Not billed\b.*1 finding\s*USD 61,61$/s);
    assert.match(plain(groups[0][1]), /^Not in Seatbook\b.*2 findings\s*USD 75,00$/s);
    // A customer Seatbook does not have is named as Microsoft names it, and said to be new.
    const wingtip = shown.find((f) => f.id === r.findings.find((x) => x.ms_subscription_id === "e1").id);
    assert.match(wingtip.text, /Wingtip Toys\s+wingtip\.onmicrosoft\.com\s+Not a customer in Seatbook/);
    const fabrikam = shown.find((f) => f.kind === "not_billed");
    assert.match(plain(fabrikam.text), /Fabrikam Inc/);
    assert.match(plain(fabrikam.text), /Record the change to 15 seats Microsoft charged from 10 Feb 2026/);
    const margin = await app.waitRows("recon-margin");
    assert.deepEqual(
      margin.map((m) => [m.id, ...m.amounts]),
      r.margin.map((m) => [`${m.customer_id}/${m.product}`, m.revenue, m.microsoft_cost, m.margin, m.locked_cost, m.locked_margin]),
    );
    await app.screenshot("41-reconcile");
    await app.screenshot("42-reconcile-findings", { scrollTo: '[data-list="recon-findings"]' });
    await app.screenshot("43-reconcile-margin", { scrollTo: '[data-list="recon-margin"]' });
  });
});

test("the findings are filtered, sorted and grouped", async () => {
  const box = await app.waitFor('input[type="search"][data-search="recon-findings"]');
  await app.step("search", async () => {
    await box.type("fabrikam");
    const one = await waitFindings((f) => f.length === 1, "only Fabrikam's finding");
    assert.equal(one[0].kind, "not_billed");
    await box.clear();
    await app.execute("const b = document.querySelector('[data-search=\"recon-findings\"]'); b.dispatchEvent(new Event('input', { bubbles: true }));");
    await waitFindings((f) => f.length === 6, "every finding again");
  });
  await app.step("kind", async () => {
    await pick("kind", "quantity_mismatch");
    const one = await waitFindings((f) => f.length === 1, "the seats that differ");
    assert.match(one[0].text, /Proseware/);
    await pick("kind", "");
    await waitFindings((f) => f.length === 6, "every kind");
  });
  await app.step("sort", async () => {
    const adoptions = (f) => f.filter((x) => x.kind === "not_in_seatbook").map((x) => x.difference);
    // By difference: the largest first, then the other way round.
    await app.click('[data-list="recon-findings"] button[data-sort="difference"]');
    assert.deepEqual(adoptions(await waitFindings((f) => adoptions(f)[0] === "45.00", "largest first")), ["45.00", "30.00"]);
    assert.equal(await app.attr('th[aria-sort] button[data-sort="difference"]', "data-sort"), "difference");
    await app.click('[data-list="recon-findings"] button[data-sort="difference"]');
    assert.deepEqual(adoptions(await waitFindings((f) => adoptions(f)[0] === "30.00", "smallest first")), ["30.00", "45.00"]);
    // By customer, A to Z, then Z to A.
    await app.click('[data-list="recon-findings"] button[data-sort="customer"]');
    const adopt = (f) => f.filter((x) => x.kind === "not_in_seatbook").map((x) => x.text.split("\n")[0].trim());
    assert.deepEqual(adopt(await waitFindings((f) => /Tailspin/.test(adopt(f)[0] || ""), "Tailspin first")), ["Tailspin Toys", "Wingtip Toys"]);
    await app.click('[data-list="recon-findings"] button[data-sort="customer"]');
    assert.deepEqual(adopt(await waitFindings((f) => /Wingtip/.test(adopt(f)[0] || ""), "Wingtip first")), ["Wingtip Toys", "Tailspin Toys"]);
  });
  await app.step("group", async () => {
    await pick("group", "customer");
    const groups = await waitFor(() =>
      app.execute("const g = [...document.querySelectorAll('[data-list=\"recon-findings\"] [data-group]')].map(g => g.getAttribute('data-group')); return g[0] && g[0].startsWith('customer-') ? g : null;"),
    );
    const r = report();
    const proseware = r.findings.find((f) => f.kind === "quantity_mismatch").customer_id;
    assert.ok(groups.includes(`customer-${proseware}`), JSON.stringify(groups));
    // Each group's findings follow its header, up to the next group.
    const members = await app.execute(`
      const out = {}; let group = null;
      for (const b of document.querySelectorAll('[data-list="recon-findings"] tbody')) {
        if (b.hasAttribute('data-group')) group = b.getAttribute('data-group');
        else (out[group] ||= []).push(b.getAttribute('data-kind'));
      }
      return out;`);
    // Proseware is short of Microsoft's seats: that, not also a price below cost (judged per seat).
    assert.deepEqual(members[`customer-${proseware}`].sort(), ["quantity_mismatch"], JSON.stringify(members));
    assert.match(plain(await app.text(`[data-group="customer-${proseware}"]`)), /Proseware.*1 finding\s*leaked USD 30,00/s);
    await app.screenshot("44-reconcile-by-customer", { scrollTo: '[data-list="recon-findings"]' });
    await pick("group", "kind");
  });
});

async function waitFor(fn) {
  for (let i = 0; i < 150; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("timed out");
}

test("fixing a finding from the screen records it, and the report shows what is left", async () => {
  const before = report();
  const seats = before.findings.find((f) => f.kind === "not_billed");
  const wingtip = before.findings.find((f) => f.kind === "not_in_seatbook" && f.ms_subscription_id === "e1");
  await app.step("fix-seats", async () => {
    await app.click(`tbody[data-id="${seats.id}"] [data-action="fix"]`);
    assert.equal(await app.toast(), `Fixed: Recorded 15 seats on subscription ${seats.subscription_id} from 10 Feb 2026.`);
    assert.match(await app.text(`[data-fix-result="${seats.id}"]`), /Fixed\. Recorded 15 seats on subscription \d+ from 10 Feb 2026\./);
    const sub = cli(db, ["subscription", "show", String(seats.subscription_id)], { json: true });
    assert.equal((sub.subscription ?? sub).quantity, 15, "Microsoft's seats are in the book");
    // The change waits for the next run: pending now, no longer leaked.
    const after = report();
    assert.equal(after.leaked, "105.00");
    assert.equal(await app.attr('[data-stat="recon-leaked"]', "data-amount"), "105.00");
    const shown = await waitFindings((f) => !f.some((x) => x.id === seats.id), "the fixed finding gone");
    const pending = shown.filter((x) => x.kind === "pending");
    assert.equal(pending.length, 1);
    assert.match(pending[0].text, /Fabrikam Inc/);
    assert.match(pending[0].text, /Nothing to do: Seatbook's next billing run bills it/);
    assert.equal(pending[0].fix, false);
    await app.screenshot("45-reconcile-fixed", { scrollTo: `[data-fix-result]` });
  });
  await app.step("fix-adopt", async () => {
    await app.click(`tbody[data-id="${wingtip.id}"] [data-action="fix"]`);
    assert.match(await app.toast(), /^Fixed: Added subscription \d+ \(2 seats of Microsoft 365 Business Standard\), billed from 15 Feb 2026\.$/);
    const [added] = cli(db, ["customer", "list", "--search", "wingtip"], { json: true });
    assert.deepEqual([added.name, added.domain, added.tenant_id], ["Wingtip Toys", "wingtip.onmicrosoft.com", WINGTIP[0]]);
    await waitFindings((f) => !f.some((x) => x.id === wingtip.id), "the adoption gone");
    assert.equal(await app.attr('[data-stat="recon-leaked"]', "data-amount"), report().leaked);
    assert.equal(report().leaked, "75.00");
    // The new subscription opens from the notice.
    await app.click('[data-fix-result] [data-action="open-subscription"]');
    await app.waitScreen("subscriptions");
    await waitFor(() => app.execute("const s = document.querySelector('#screen-subscriptions'); return !!s && s.innerText.includes('Wingtip Toys');"));
    await app.nav("reconcile");
    await app.waitFor(`#screen-reconcile [data-invoice="${INVOICE}"]`);
  });
});

test("Export CSV writes the bytes of `seatbook recon report --csv`", async () => {
  await app.step("export", async () => {
    const file = path.join(dialogs, `seatbook-recon-${INVOICE}-${TODAY}.csv`);
    assert.ok(!fs.existsSync(file));
    await app.click('#screen-reconcile [data-action="export-csv"]');
    assert.equal(await app.toast(), `Saved ${file}.`);
    const cliFile = path.join(path.dirname(db), "cli-recon.csv");
    cli(db, ["recon", "report", INVOICE, "--csv", cliFile]);
    const [mine, theirs] = [fs.readFileSync(file), fs.readFileSync(cliFile)];
    assert.ok(mine.length > 200, "the findings were written");
    assert.ok(mine.equals(theirs), `the same bytes:\n${mine}\n---\n${theirs}`);
    assert.ok(mine.toString("utf8").startsWith("id,kind,customer_id,customer_name,customer_domain,subscription_id,"));
  });
});

test("the dashboard shows what leaked on the last invoice, and opens its report", async () => {
  await app.step("dashboard", async () => {
    await app.nav("dashboard");
    const leaked = report().leaked;
    await app.waitFor(`[data-last-leak] [data-stat="leaked"][data-amount="${leaked}"]`);
    assert.match(await app.text("[data-last-leak]"), new RegExp(`On Microsoft's invoice ${INVOICE}`));
    await app.screenshot("46-dashboard-leaked");
    await app.click("[data-last-leak]");
    await app.waitScreen("reconcile");
    await app.waitFor(`#screen-reconcile [data-list="recon-invoices"] [data-id="${INVOICE}"][aria-selected="true"]`);
    assert.equal(await app.attr('[data-stat="recon-leaked"]', "data-amount"), leaked);
  });
});
