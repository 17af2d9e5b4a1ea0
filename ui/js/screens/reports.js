// Reports: MRR/ARR for the last 12 months and aging as SVG bar charts, every report as a
// table with "Export CSV" (written by the app from the same rows, where the user says), and the
// books: the journal saved for the accountant (CSV, hledger, beancount) and the trial balance.
//
// The charts are built with createElementNS. Bar heights come from the core's decimal strings,
// converted to numbers for pixel geometry only; every label shows the string, formatted.

import * as api from "../api.js";
import * as fmt from "../format.js";
import { h, add, replace, amount, day, button, header, section, table, td, empty, field, form, actions, submit, onSubmit, showError, values } from "../dom.js";

const SVG_NS = "http://www.w3.org/2000/svg";

const REPORTS = [
  { id: "revenue", label: "Revenue", range: true },
  { id: "margin", label: "Margin", range: true, by: true },
  { id: "renewals", label: "Renewals", asOf: true, days: true },
  { id: "exposure", label: "Exposure", asOf: true },
  { id: "churn", label: "Churn", range: true },
  { id: "azure", label: "Azure", range: true },
  { id: "aging", label: "Aging", asOf: true },
  { id: "mrr", label: "MRR / ARR", range: true },
];

const BUCKETS = ["Current", "1–30 days", "31–60 days", "61–90 days", "Over 90 days"];

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) node.setAttribute(k, String(v));
  for (const c of children.flat()) if (c) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

/** Pixel geometry only: a decimal string as a number (never shown, never summed for display). */
function px(decimal) {
  const n = Number(decimal);
  return Number.isFinite(n) ? n : 0;
}

/** A "nice" top for the axis, from the largest value (geometry only). */
function niceTop(max) {
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= max) return m * step;
  return 10 * step;
}

/**
 * A bar chart: bars [{label, value (decimal string), text (formatted string), tone, title}].
 * `data-chart` names it; each bar carries `data-amount` with its exact string.
 */
function barChart(name, bars, { height = 220, caption }) {
  const width = 1000;
  const pad = { top: 22, right: 12, bottom: 36, left: 12 };
  const plotH = height - pad.top - pad.bottom;
  const top = niceTop(Math.max(0, ...bars.map((b) => px(b.value))));
  const slot = (width - pad.left - pad.right) / Math.max(bars.length, 1);
  const barW = Math.min(64, slot * 0.6);
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": caption, "data-chart": name, preserveAspectRatio: "xMidYMid meet" });
  root.append(svg("title", {}, caption));
  // Grid lines at quarters of the axis (no labels: every bar carries its own).
  for (let q = 0; q <= 4; q++) {
    const y = pad.top + plotH - (plotH * q) / 4;
    root.append(svg("line", { x1: pad.left, x2: width - pad.right, y1: y, y2: y, class: q === 0 ? "chart-axis" : "chart-grid" }));
  }
  bars.forEach((b, i) => {
    const v = Math.max(0, px(b.value));
    const hgt = top > 0 ? (plotH * v) / top : 0;
    const x = pad.left + slot * i + (slot - barW) / 2;
    const y = pad.top + plotH - hgt;
    const g = svg("g", { class: `chart-bar chart-${b.tone || "primary"}`, "data-amount": b.value, "data-label": b.key ?? b.label });
    g.append(svg("rect", { x, y, width: barW, height: Math.max(hgt, v > 0 ? 1 : 0), rx: 3 }, svg("title", {}, b.title || `${b.label}: ${b.text}`)));
    g.append(svg("text", { x: x + barW / 2, y: y - 6, class: "chart-value", "text-anchor": "middle" }, b.short || b.text));
    g.append(svg("text", { x: x + barW / 2, y: height - pad.bottom + 16, class: "chart-label", "text-anchor": "middle" }, b.label));
    root.append(g);
  });
  return h("figure", { class: "chart-figure" }, root, h("figcaption", { class: "hint" }, caption));
}

function mrrChart(rows) {
  if (!rows.length) return empty("No subscriptions yet.");
  const cur = rows[rows.length - 1].currency;
  const last = rows[rows.length - 1];
  return h(
    "div",
    {},
    h(
      "div",
      { class: "stats stats-small report-stats" },
      h("article", { class: "stat" }, h("h2", { class: "stat-title" }, `MRR ${fmt.month(last.month)}`), h("div", { class: "stat-value" }, amount(last.mrr, cur, { "data-stat": "report-mrr" }))),
      h("article", { class: "stat" }, h("h2", { class: "stat-title" }, "ARR (12 × MRR)"), h("div", { class: "stat-value" }, amount(last.arr, cur, { "data-stat": "report-arr" }))),
      h("article", { class: "stat" }, h("h2", { class: "stat-title" }, "Seats"), h("div", { class: "stat-value" }, fmt.decimal(String(last.seats))), h("p", { class: "stat-detail" }, fmt.plural(last.subscriptions, "subscription"))),
    ),
    barChart(
      "mrr",
      rows.map((r) => ({
        key: r.month,
        label: `${fmt.month(r.month).slice(0, 3)} ’${r.month.slice(2, 4)}`,
        value: r.mrr,
        text: fmt.money(r.mrr, r.currency),
        short: fmt.barMoney(r.mrr, r.currency),
        title: `${fmt.month(r.month)}: MRR ${fmt.money(r.mrr, r.currency)}, ARR ${fmt.money(r.arr, r.currency)}`,
      })),
      { caption: `Monthly recurring revenue at each month's end, in ${cur}${rows.some((r) => r.unconverted) ? " (some subscriptions have no exchange rate and are left out)" : ""}.` },
    ),
  );
}

/**
 * The Azure report's months as bars, one chart per customer currency: what customers pay for
 * each usage month (the table's price column, summed exactly), margin in each bar's title.
 */
function azureChart(t) {
  const col = (key) => t.columns.findIndex((c) => c.key === key);
  const [month, currency, price, margin, state] = ["month", "currency", "price", "margin", "state"].map(col);
  const byCurrency = new Map();
  for (const row of t.rows) {
    if (!row[currency] || row[price] === "") continue;
    const months = byCurrency.get(row[currency]) || new Map();
    const m = months.get(row[month]) || { price: [], margin: [], estimate: false };
    m.price.push(row[price]);
    m.margin.push(row[margin]);
    m.estimate ||= row[state] === "estimate";
    months.set(row[month], m);
    byCurrency.set(row[currency], months);
  }
  if (!byCurrency.size) return null;
  return h(
    "div",
    { class: "azure-charts" },
    [...byCurrency].map(([cur, months]) =>
      barChart(
        `azure-${cur}`,
        [...months.keys()].sort().map((ym) => {
          const m = months.get(ym);
          const total = fmt.sumDecimal(m.price);
          const gain = fmt.sumDecimal(m.margin);
          return {
            key: ym,
            label: `${fmt.month(ym).slice(0, 3)} ’${ym.slice(2, 4)}`,
            value: total,
            text: fmt.money(total, cur),
            short: fmt.barMoney(total, cur),
            tone: m.estimate ? "info" : "primary",
            title: `${fmt.month(ym)}${m.estimate ? " (estimate)" : ""}: ${fmt.money(total, cur)}, margin ${fmt.money(gain, cur)}`,
          };
        }),
        { height: 200, caption: `What customers pay for each month's Azure usage, in ${cur}; lighter bars are Microsoft's estimates so far.` },
      ),
    ),
  );
}

function agingChart(report) {
  if (!report.totals.length) return empty("Nothing is owed: every invoice is paid.");
  return h(
    "div",
    {},
    report.totals.map((t) =>
      barChart(
        `aging-${t.currency}`,
        t.buckets.map((v, i) => ({ key: String(i), label: BUCKETS[i], value: v, text: fmt.money(v, t.currency), short: fmt.barMoney(v, t.currency), tone: ["ok", "info", "warn", "danger", "danger"][i] })),
        { height: 200, caption: `What is open as of ${fmt.date(report.as_of)} by days past due, in ${t.currency}: ${fmt.money(t.total, t.currency)} in total.` },
      ),
    ),
  );
}

/** A report table: money cells in the row's currency with data-amount, dates with data-date. */
function reportTable(t) {
  if (!t.rows.length) return empty("Nothing to show for these dates.");
  const curIdx = t.columns.findIndex((c) => c.key === "currency");
  const numeric = (c) => c.kind === "money" || c.kind === "number" || c.kind === "percent";
  const cell = (c, v, row) => {
    if (v === "") return h("span", { class: "muted" }, "—");
    switch (c.kind) {
      case "money":
        return amount(v, curIdx >= 0 ? row[curIdx] : undefined);
      case "date":
        return day(v);
      case "month":
        return h("span", { "data-month": v }, fmt.month(v));
      case "number":
        return fmt.decimal(v);
      case "percent":
        return h("span", { "data-percent": v }, fmt.percent(v));
      default:
        return v;
    }
  };
  return table(
    `report-${t.report}`,
    t.columns.map((c) => [c.label, { numeric: numeric(c) }]),
    t.rows.map((row, i) => h("tr", { "data-id": String(i), class: row[0] === "Total" && t.report === "aging" ? "total-row" : null }, t.columns.map((c, k) => td(cell(c, row[k], row), { numeric: numeric(c) })))),
  );
}

/** The Azure report's states in words (the CSV keeps the core's codes). */
const AZURE_STATES = { billed: ["Billed", "ok"], to_bill: ["To bill", "info"], estimate: ["Estimate", "neutral"], no_customer: ["No customer", "warn"] };

/**
 * The Azure report on screen: its 17 columns (all in its CSV) folded into 8 that fit the window:
 * the subscription and its id under the customer, the lines with PEC and where PEC stopped,
 * Microsoft's cost with the retail price under it, each in its own currency, and the state in words.
 */
function azureTable(t) {
  if (!t.rows.length) return empty("Nothing to show for these dates.");
  const at = Object.fromEntries(t.columns.map((c, i) => [c.key, i]));
  const v = (row, key) => row[at[key]] ?? "";
  const dash = () => h("span", { class: "muted" }, "—");
  const money = (row, key) => (v(row, key) === "" ? dash() : amount(v(row, key), v(row, "currency")));
  const inCurrency = (row, cur, key) => (v(row, key) === "" ? "—" : `${v(row, cur)} ${fmt.decimal(v(row, key), 2)}`);
  const pec = (row) =>
    v(row, "pec_stopped_on")
      ? h("div", { class: "sub warn-text" }, "PEC stopped ", day(v(row, "pec_stopped_on")), ` · lost ${inCurrency(row, "billing_currency", "pec_lost")}`)
      : h("div", { class: "sub" }, `${fmt.decimal(v(row, "pec_lines"))} with PEC`);
  const state = (code) => {
    const [label, tone] = AZURE_STATES[code] || [code, "neutral"];
    return h("span", { class: `badge badge-${tone}`, "data-state": code }, label);
  };
  return table(
    "report-azure",
    [["Month"], ["Customer and Azure subscription"], ["Lines"], ["Microsoft's cost", { numeric: true }], ["Price", { numeric: true }], ["Cost", { numeric: true }], ["Margin", { numeric: true }], ["State"]],
    t.rows.map((row, i) =>
      h(
        "tr",
        { "data-id": String(i) },
        td(h("span", { class: "nowrap", "data-month": v(row, "month") }, fmt.month(v(row, "month")))),
        td(h("div", {}, h("strong", {}, v(row, "customer")), h("div", { class: "sub" }, v(row, "subscription") || v(row, "entitlement_id"), v(row, "subscription") ? ` · ${v(row, "entitlement_id")}` : ""))),
        td(h("div", {}, fmt.decimal(v(row, "lines")), pec(row))),
        td(h("div", {}, h("span", { class: "nowrap" }, inCurrency(row, "billing_currency", "microsoft_cost")), h("div", { class: "sub nowrap" }, "retail ", inCurrency(row, "pricing_currency", "retail"))), { numeric: true }),
        td(money(row, "price"), { numeric: true }),
        td(money(row, "cost"), { numeric: true }),
        td(money(row, "margin"), { numeric: true }),
        td(state(v(row, "state"))),
      ),
    ),
  );
}

const JOURNAL_FORMATS = [
  ["csv", "CSV (spreadsheet)"],
  ["hledger", "hledger journal"],
  ["beancount", "Beancount"],
];

/**
 * The trial balance, one block per currency: each account's balance (debit positive, credit
 * negative) and the currency's total, all as the core's strings. Rows keep the core's order
 * (by account); they are only grouped by currency here.
 */
function trialBalanceTable(tb) {
  if (!tb.rows.length) return empty("Nothing in the books yet: issued invoices, credit notes and payments appear here.");
  const rows = [];
  for (const t of tb.totals) {
    for (const r of tb.rows.filter((x) => x.currency === t.currency)) {
      rows.push(
        h(
          "tr",
          { "data-id": `${r.account}/${r.currency}`, "data-account": r.account, "data-currency": r.currency },
          td(r.account),
          td(r.customer_name ?? ""),
          td(r.currency),
          td(amount(r.balance, r.currency), { numeric: true }),
        ),
      );
    }
    rows.push(
      h(
        "tr",
        { "data-id": `Total/${t.currency}`, "data-total": t.currency, class: "total-row" },
        td("Total"),
        td(""),
        td(t.currency),
        td(amount(t.total, t.currency), { numeric: true }),
      ),
    );
  }
  return table("trial-balance", [["Account"], ["Customer"], ["Currency"], ["Balance", { numeric: true }]], rows);
}

/** The Books panel: "Export journal…" in a chosen format, then the trial balance (loaded behind the screen). */
function books(ctx, laidOut) {
  const f = form(
    "journal",
    { class: "form form-inline" },
    field({ label: "Format", name: "format", type: "select", options: JOURNAL_FORMATS, value: "csv" }),
    actions(submit("Export journal…", { "data-action": "export-journal" })),
  );
  onSubmit(f, async (v) => {
    const saved = await api.booksExportJournal(v.format);
    if (saved) ctx.toast(`Saved ${fmt.plural(saved.entries, "journal entry", "journal entries")} to ${saved.file}.`);
  });
  // Adding up the journal reads every document of the book (seconds on a big one): it is done
  // when the trial balance comes into view once the charts above are drawn (before, an empty
  // page shows it), not each time the reports are opened.
  const balance = h("div", { "data-trial-balance": "" }, h("p", { class: "muted" }, "Adding up the journal…"));
  const seen = laidOut.then(
    () =>
      new Promise((resolve) => {
        const watch = new IntersectionObserver((entries) => {
          if (entries.some((e) => e.isIntersecting)) {
            watch.disconnect();
            resolve();
          }
        });
        watch.observe(balance);
      }),
  );
  seen.then(() => api.booksTrialBalance()).then(
    (tb) =>
      replace(
        balance,
        trialBalanceTable(tb),
        tb.rows.length ? h("p", { class: "hint" }, `From ${fmt.plural(tb.entries, "journal entry", "journal entries")}. Debits are positive, credits negative; each currency adds up to zero.`) : null,
      ),
    (error) => replace(balance, h("p", { class: "field-error", "data-error-for": "trial-balance", role: "alert" }, error.message)),
  );
  return section(
    "Books",
    h("p", { class: "hint books-lead" }, "Every invoice, credit note, payment, refund and reversal is a balanced journal entry. Export the journal for your accountant in the format their tools read."),
    f,
    h("h3", { class: "report-title" }, "Trial balance"),
    balance,
  );
}

export async function render(root, ctx, params = {}) {
  // The charts read every subscription's history and every open invoice: they fill in as they
  // come, while the reports below can already be chosen. Aging is read once MRR is painted (the
  // first rows), so the two do not share the processor with the window's drawing.
  const mrrLoaded = api.reportMrr(null);
  const agingLoaded = ctx.drawn.then(() => api.reportAging(null));
  let current = REPORTS.find((r) => r.id === params.report) || REPORTS[0];

  const tabs = h("div", { class: "tabs", role: "tablist" });
  const filters = h("div", {});
  const body = h("div", { "data-report-shown": "" });

  function drawTabs() {
    replace(
      tabs,
      REPORTS.map((r) =>
        h(
          "button",
          {
            type: "button",
            class: "tab",
            role: "tab",
            "data-tab": r.id,
            "aria-selected": r.id === current.id ? "true" : "false",
            onclick: () => {
              current = r;
              drawTabs();
              drawFilters();
            },
          },
          r.label,
        ),
      ),
    );
  }

  function drawFilters() {
    const r = current;
    const f = form(
      "report",
      { class: "form form-inline" },
      r.range ? field({ label: "From", name: "from", type: "date", value: `${fmt.shiftMonth(ctx.today.slice(0, 7), -11)}-01` }) : null,
      r.range ? field({ label: "To", name: "to", type: "date", value: ctx.today }) : null,
      r.asOf ? field({ label: "As of", name: "as_of", type: "date", value: ctx.today }) : null,
      r.days ? field({ label: "Within (days)", name: "days", type: "number", value: "90", min: "1", max: "3660" }) : null,
      r.by ? field({ label: "By", name: "by", type: "select", options: [["customer", "Customer"], ["product", "Product"]], value: "customer" }) : null,
      actions(
        submit("Show", { "data-action": "show-report" }),
        button("Export CSV…", {
          "data-action": "export-csv",
          onclick: async () => {
            try {
              const path = await api.reportExportCsv(r.id, collect(values(f)));
              if (path) ctx.toast(`Saved ${path}.`);
            } catch (error) {
              showError(f, error);
            }
          },
        }),
      ),
    );
    onSubmit(f, async (v) => {
      const t = await api.reportTable(r.id, collect(v));
      replace(body, h("h3", { class: "report-title" }, t.title), t.report === "azure" ? azureChart(t) : null, t.report === "azure" ? azureTable(t) : reportTable(t));
    });
    replace(filters, f);
    f.requestSubmit();
  }

  /** The filters for the core, from the form's values (dates already ISO). */
  function collect(v) {
    return { from: v.from || null, to: v.to || null, as_of: v.as_of || null, days: v.days || null, by: v.by || null };
  }

  let charted;
  const laidOut = new Promise((resolve) => (charted = resolve));
  // Each chart's place is kept while it loads, so what is below does not move under the pointer.
  const loading = (kind) => h("p", { class: `muted chart-pending chart-pending-${kind}`, "data-loading": "" }, "Loading…");
  const mrrBox = h("div", {}, loading("mrr"));
  const agingTitle = h("span", {}, "Aging");
  const agingBox = h("div", {}, loading("aging"));
  add(
    root,
    header("Reports", "Recurring revenue, what is owed and how old it is, margins, renewals, exposure, churn and Azure usage."),
    section("MRR and ARR, last 12 months", mrrBox),
    section(agingTitle, agingBox),
    section("Reports", tabs, filters, body),
    books(ctx, laidOut),
  );
  drawTabs();
  await Promise.all([
    mrrLoaded.then((mrr) => {
      replace(mrrBox, mrrChart(mrr));
      ctx.firstRows();
    }),
    agingLoaded.then((aging) => {
      agingTitle.textContent = `Aging as of ${fmt.date(aging.as_of)}`;
      replace(agingBox, agingChart(aging));
    }),
  ]).finally(charted);
  drawFilters();
}
