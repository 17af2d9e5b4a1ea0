// Dashboard: recurring revenue, customers, open and overdue amounts, the money leaked on
// Microsoft's invoice reconciled last, renewals in the next 30 days with the days seats can
// still be cut, the last billing run, and the customers on credit stop.

import * as api from "../api.js";
import * as fmt from "../format.js";
import { h, add, replace, amount, day, header, section, table, td, linkRow, empty, badge, button, more } from "../dom.js";

/** The renewals and credit stops an overview shows at first (the counts say how many in all). */
const FIRST = 25;

/** The readings asked for ahead (`ask`), for the next `render` to take. */
let asked = null;

/**
 * Ask the core for what the dashboard shows before the screen opens (the app does when it
 * starts, beside its other start-up calls), so it is on its way while the page sets up.
 */
export function ask() {
  asked = readings();
}

/** Forget what was asked for ahead (the book is set up first: it would be of the empty book). */
export function forgetAsked() {
  asked = null;
}

/** The dashboard's figures, and beside them the last leak and the renewal notices due. */
function readings() {
  const r = { dashboard: api.dashboard(FIRST), leak: api.reconLastLeak(), notices: api.mailRenewals(true) };
  // (Each is awaited where it is shown; a failure shows there.)
  for (const p of Object.values(r)) p.catch(() => {});
  return r;
}

function card(title, value, detail, props = {}) {
  return h("article", { class: "stat", ...props }, h("h2", { class: "stat-title" }, title), h("div", { class: "stat-value" }, value), detail ? h("p", { class: "stat-detail" }, detail) : null);
}

/** The amounts per currency, when some are not in the company's currency. */
function otherCurrencies(list, cur) {
  if (list.every((a) => a.currency === cur)) return null;
  return h(
    "ul",
    { class: "stat-breakdown" },
    list.map((a) => h("li", {}, amount(a.amount, a.currency), a.converted === null ? h("span", { class: "warn-text" }, " · no exchange rate") : null)),
  );
}

/**
 * The renewal notices due today (terms ending within the e-mail settings' days, not told yet),
 * filled in once known; nothing when e-mail is not set up or none is due.
 */
function renewalNotices(ctx, asked) {
  const box = h("div", { "data-renewal-notices": "" });
  asked
    .then((r) => {
      const due = r.notices.filter((n) => !n.skipped);
      if (!due.length) return;
      replace(
        box,
        h(
          "p",
          { class: "notice notice-warn", "data-count": String(due.length) },
          `${fmt.plural(due.length, "renewal notice")} to send today. `,
          button("Review and send", { class: "btn btn-link", "data-action": "renewal-notices", onclick: () => ctx.navigate("mail") }),
        ),
      );
    })
    .catch(() => {});
  return box;
}

/**
 * What leaked on Microsoft's invoice reconciled last (a tile that opens Reconcile), filled in once
 * the reconciliation is made, so the rest of the dashboard does not wait for it.
 */
function lastLeak(ctx, asked) {
  const value = h("div", { class: "stat-value" }, h("span", { class: "muted" }, "…"));
  const detail = h("p", { class: "stat-detail" }, "On Microsoft's last invoice");
  const go = () => ctx.navigate("reconcile", tile.dataset.invoice ? { invoice: tile.dataset.invoice } : {});
  const tile = h(
    "article",
    { class: "stat stat-link", "data-last-leak": "", tabindex: "0", role: "link", onclick: go, onkeydown: (e) => e.key === "Enter" && go() },
    h("h2", { class: "stat-title" }, "Money leaked"),
    value,
    detail,
  );
  asked.then(
    (leak) => {
      if (!leak) {
        replace(value, h("span", { class: "muted" }, "—"));
        replace(detail, "Reconcile Microsoft's invoice to see it");
        return;
      }
      tile.dataset.invoice = leak.invoice;
      const lost = fmt.signOf(leak.leaked) > 0;
      replace(value, amount(leak.leaked, leak.currency, { "data-stat": "leaked", class: lost ? "amount danger-text" : "amount" }));
      replace(detail, `On Microsoft's invoice ${leak.invoice}`);
    },
    (error) => replace(detail, h("span", { class: "warn-text" }, error.message)),
  );
  return tile;
}

/** Azure usage beside recurring revenue: it is consumption, billed in arrears, not recurring. */
function azureCard(a, ctx) {
  const last = a.last_month;
  const now = a.this_month;
  const est = (m) => (m.estimate ? " (estimate)" : "");
  const left = last.unpriced + now.unpriced;
  return card(
    `Azure usage, ${fmt.month(last.month)}${est(last)}`,
    amount(last.amount, last.currency, { "data-stat": "azure" }),
    h(
      "span",
      {},
      h("span", { "data-stat": "azure-now" }, `So far in ${fmt.month(now.month)}: ${fmt.money(now.amount, now.currency)}${est(now)}`),
      left ? h("span", { class: "warn-text" }, ` · ${fmt.plural(left, "subscription")} not priced`) : null,
    ),
    {
      class: "stat stat-link",
      tabindex: "0",
      role: "link",
      title: "The Azure report",
      onclick: () => ctx.navigate("reports", { report: "azure" }),
      onkeydown: (e) => e.key === "Enter" && ctx.navigate("reports", { report: "azure" }),
    },
  );
}

function renewalsTable(ctx, list) {
  return table(
    "renewals",
    [["Term ends"], ["Customer"], ["Product"], ["Seats", { numeric: true }], ["Renewal and seat cuts"]],
    list.map((x) =>
      linkRow(
        x.subscription_id,
        () => ctx.navigate("subscriptions", { id: x.subscription_id }),
        td(day(x.term_end)),
        td(x.customer_name),
        td(h("div", {}, x.product_title, h("div", { class: "sub" }, x.product))),
        td(fmt.decimal(String(x.quantity)), { numeric: true }),
        td(
          x.renews_on
            ? h(
                "div",
                {},
                h("div", {}, "Renews ", day(x.renews_on)),
                h("div", { class: "sub" }, "Cut seats: schedule by ", day(x.schedule_by), ", or until ", day(x.cut_until), " after renewal"),
              )
            : badge("Ends — auto-renew off", "warn"),
        ),
      ),
    ),
  );
}

function stopsTable(ctx, list) {
  return table(
    "credit-stops",
    [["Customer"], ["Why"]],
    list.map((x) =>
      linkRow(
        x.customer_id,
        () => ctx.navigate("customers", { id: x.customer_id }),
        td(h("strong", { class: "nowrap" }, x.customer_name)),
        td(x.reason.charAt(0).toUpperCase() + x.reason.slice(1)),
      ),
    ),
  );
}

export async function render(root, ctx) {
  const reads = asked || readings();
  asked = null;
  const d = await reads.dashboard;
  api.mark("the dashboard's figures came");
  const cur = d.currency;
  const r = d.receivables;
  const rec = d.recurring;

  const stats = h(
    "div",
    { class: "stats stats-dash" },
    card(
      "Monthly recurring revenue",
      amount(rec.amount, cur, { "data-stat": "mrr" }),
      `${fmt.plural(rec.subscriptions, "subscription")} · ${fmt.plural(rec.seats, "seat")}`,
    ),
    card("Customers", h("span", { "data-stat": "customers" }, fmt.decimal(String(d.customers))), "open customers", {
      class: "stat stat-link",
      tabindex: "0",
      role: "link",
      onclick: () => ctx.navigate("customers"),
      onkeydown: (e) => e.key === "Enter" && ctx.navigate("customers"),
    }),
    card("Open", h("div", {}, amount(r.open_total, cur, { "data-stat": "open" }), otherCurrencies(r.open, cur)), `${fmt.plural(r.open_invoices, "invoice")} not paid yet`),
    card(
      "Overdue",
      h("div", {}, amount(r.overdue_total, cur, { "data-stat": "overdue", class: r.overdue_invoices ? "amount danger-text" : "amount" }), otherCurrencies(r.overdue, cur)),
      `${fmt.plural(r.overdue_invoices, "invoice")} past the due date`,
    ),
  );

  // Beside recurring revenue: Azure is usage, billed in arrears, not recurring.
  if (d.azure) stats.firstChild.after(azureCard(d.azure, ctx));
  stats.append(lastLeak(ctx, reads.leak));

  const notes = [];
  if (rec.missing_rates.length) {
    const pairs = [...new Set(rec.missing_rates.map((m) => `${m.from}→${m.to}`))].join(", ");
    notes.push(
      h(
        "div",
        { class: "notice notice-warn", role: "note" },
        `${fmt.plural(rec.missing_rates.length, "subscription")} left out of the recurring revenue: no exchange rate (${pairs}) on ${fmt.date(d.as_of)}. `,
        button("Add a rate", { class: "btn btn-link", onclick: () => ctx.navigate("catalogue", { tab: "rates" }) }),
      ),
    );
  }
  if (r.incomplete) {
    notes.push(h("div", { class: "notice notice-warn", role: "note" }, "Some open amounts are in currencies without an exchange rate today; they are listed but left out of the totals."));
  }

  // The long lists draw their first rows; "Show all" asks the core for every one.
  const showAll = async () => {
    const all = await api.dashboard(null);
    drawRenewals(all.renewals, all.renewals_total);
    drawStops(all.credit_stops, all.credit_stops_total);
  };
  const renewals = h("div", { "data-renewals": "" });
  const drawRenewals = (list, total) =>
    replace(renewals, list.length ? renewalsTable(ctx, list) : empty("No terms end in the next 30 days."), more(list.length, total, showAll));
  const stops = h("div", { "data-credit-stops": "" });
  const drawStops = (list, total) => replace(stops, list.length ? stopsTable(ctx, list) : null, more(list.length, total, showAll));
  drawRenewals(d.renewals, d.renewals_total);
  drawStops(d.credit_stops, d.credit_stops_total);

  const budgets = (d.azure_budgets || []).length
    ? table(
        "azure-budgets",
        [["Customer"], ["Budget", { numeric: true }], ["Used so far", { numeric: true }], [""]],
        d.azure_budgets.map((b) =>
          linkRow(
            b.customer_id,
            () => ctx.navigate("customers", { id: b.customer_id }),
            td(h("strong", { class: "nowrap" }, b.customer_name)),
            td(amount(b.budget, b.currency), { numeric: true }),
            td(amount(b.spent, b.currency), { numeric: true }),
            td(badge(`${b.percent} %`, b.warning >= 100 ? "danger" : "warn")),
          ),
        ),
      )
    : null;

  const pec = (d.pec_alerts || []).length
    ? table(
        "pec-alerts",
        [["Customer"], ["Azure subscription"], ["Without PEC since"], ["Credit lost", { numeric: true }]],
        d.pec_alerts.map((p) =>
          h(
            "tr",
            { "data-id": p.entitlement_id, "data-customer": p.customer_id === null ? "" : String(p.customer_id) },
            td(h("strong", { class: "nowrap" }, p.customer_name)),
            td(p.entitlement || p.entitlement_id),
            td(day(p.since)),
            td(amount(p.lost, p.currency), { numeric: true }),
          ),
        ),
      )
    : null;

  const run = d.last_run;
  const lastRun = run
    ? h(
        "div",
        { class: "last-run", "data-last-run": run.month },
        h("div", { class: "last-run-month" }, fmt.month(run.month)),
        h("p", {}, `${fmt.plural(run.invoices, "invoice")} issued on `, day(run.issue_date), run.problems ? h("span", { class: "warn-text" }, ` · ${fmt.plural(run.problems, "customer")} left out`) : null),
        h("p", { class: "sub" }, `Recorded ${fmt.timestamp(run.recorded_at)}`),
        h(
          "div",
          { class: "inline" },
          button("Open invoices", { onclick: () => ctx.navigate("invoices", { month: run.month }) }),
          button("Bill next month", { onclick: () => ctx.navigate("billing", { month: fmt.shiftMonth(run.month, 1) }) }),
        ),
      )
    : h("div", {}, empty("No month has been billed yet."), button("Go to billing", { class: "btn btn-primary", onclick: () => ctx.navigate("billing") }));

  add(root, 
    header("Dashboard", `${ctx.company.name} · as of ${fmt.date(d.as_of)}`),
    stats,
    notes,
    h("div", { class: "columns columns-dash" }, section("Renewals in the next 30 days", renewalNotices(ctx, reads.notices), renewals), section("Last billing run", lastRun)),
    pec ? section(`Partner-earned credit lost (${d.pec_alerts.length})`, h("p", { class: "hint" }, "These Azure subscriptions stopped earning Microsoft's 15 % partner-earned credit: the customer probably removed your admin access. Ask for it back."), pec) : null,
    budgets ? section(`Azure budgets (${d.azure_budgets.length})`, h("p", { class: "hint" }, "This month's Azure usage so far, at the customer's price, has passed 80 % or all of their budget."), budgets) : null,
    d.credit_stops_total ? section(`On credit stop (${fmt.decimal(String(d.credit_stops_total))})`, h("p", { class: "hint" }, "Over their credit limit, or with an invoice more than 60 days overdue: new subscriptions for them ask for confirmation."), stops) : null,
  );
}
