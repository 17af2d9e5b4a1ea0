// Azure usage in the window: Microsoft's daily rated usage imported (a file dialog, the result in
// words), usage per Azure subscription and month (retail, cost, PEC; estimates marked), and the
// pricing rule of a customer. Used by Reconcile and a customer's page.
//
// Amounts are the core's exact decimal strings, shown with format.js and never turned into Numbers.

import * as api from "./api.js";
import * as fmt from "./format.js";
import { h, replace, amount, badge, table, td, empty, form, field, actions, submit, onSubmit, progress, showProgress } from "./dom.js";

/** The import form; `done(outcome)` runs after a file was imported. */
export function importForm(ctx, done) {
  const result = h("div", { "data-usage-result": "" });
  const f = form(
    "usage-import",
    { class: "form" },
    h("p", { class: "hint" }, "Import Microsoft's daily rated usage as Partner Center gives it: the CSV (any release's columns) or the Graph export (.jsonl.gz). Billed usage is invoiced in arrears, a line per Azure subscription and month; this month's estimates are shown, never billed."),
    actions(submit("Import Azure usage…", { "data-action": "import-usage" })),
    progress("usage", "Reading the file"),
    result,
  );
  onSubmit(f, async () => {
    replace(result);
    showProgress("usage", true);
    let r;
    try {
      r = await api.usageImport();
    } finally {
      showProgress("usage", false);
    }
    if (r === null) return;
    const text = r.duplicate
      ? `${r.file_name}: the same ${fmt.plural(r.lines, "usage line")} were imported before; nothing added.`
      : `${r.file_name}: ${fmt.plural(r.lines, "usage line")} of ${fmt.plural(r.subscriptions, "Azure subscription")} imported for ${r.months.map(fmt.month).join(", ")}.`;
    ctx.toast(text);
    replace(
      result,
      h(
        "div",
        { class: "notice", role: "status", "data-duplicate": String(r.duplicate) },
        h("p", {}, text),
        r.estimate_lines ? h("p", { class: "muted" }, `${fmt.plural(r.estimate_lines, "line")} are estimates of a month Microsoft has not billed yet.`) : null,
        r.unknown_tenants.length
          ? h("p", { class: "muted", "data-unknown-tenants": String(r.unknown_tenants.length) }, `Usage of ${fmt.plural(r.unknown_tenants.length, "tenant")} no customer has: kept, and billed once you add the customer with its tenant id or domain.`)
          : null,
      ),
    );
    await done?.(r);
  });
  return f;
}

/** Usage rows as a table; `withCustomer` adds the customer (or unknown tenant) column (the
 * Reconcile screen); without it the table is narrow enough for a customer's page. */
export function usageTable(rows, withCustomer) {
  if (!rows.length) return empty("No Azure usage imported yet.");
  const state = (r) => (r.estimate ? badge("estimate", "info") : withCustomer ? badge("billed by Microsoft", "neutral") : null);
  const cols = [["Month"], ...(withCustomer ? [["Customer"]] : []), ["Azure subscription"], ["Lines", { numeric: true }], ["Retail", { numeric: true }], ["Cost", { numeric: true }], ["PEC"], ...(withCustomer ? [[""]] : [])];
  return table(
    "usage",
    cols,
    rows.map((r) =>
      h(
        "tr",
        { "data-id": `${r.entitlement_id}:${r.month}`, "data-customer": r.customer_id === null ? "" : String(r.customer_id), "data-estimate": String(r.estimate) },
        td(h("div", {}, fmt.month(r.month), withCustomer || !r.estimate ? null : h("div", {}, state(r)))),
        withCustomer ? td(r.customer_id === null ? h("span", {}, r.customer_name || r.domain, " ", badge("no customer", "warn")) : r.customer_name) : null,
        td(h("div", {}, r.entitlement || r.entitlement_id, h("div", { class: "sub" }, r.categories.slice(0, 3).map((c) => c.meter_category).join(", ")))),
        td(String(r.lines), { numeric: true }),
        td(amount(r.retail, r.pricing_currency), { numeric: true }),
        td(amount(r.cost, r.billing_currency), { numeric: true }),
        td(r.pec_lines === r.lines ? badge("earned", "ok") : r.pec_lines === 0 ? badge("none", "danger") : badge(`${r.pec_lines} of ${r.lines} lines`, "warn")),
        withCustomer ? td(state(r)) : null,
      ),
    ),
  );
}

const BASES = [
  ["retail", "Microsoft's retail price"],
  ["cost", "Your cost (after PEC)"],
];

/** A customer's Azure usage and the rule it is priced by. */
export async function customerSection(ctx, customerId) {
  const [rows, rules, budget] = await Promise.all([api.usageList(null, customerId, false), api.usageRules(), api.usageBudget(customerId)]);
  const box = h("div", { "data-usage-customer": String(customerId) });
  const current = (list) => {
    const today = ctx.today;
    const pick = (who) => list.filter((r) => r.customer_id === who && r.effective_from <= today).sort((a, b) => a.effective_from.localeCompare(b.effective_from) || a.id - b.id).at(-1);
    return pick(customerId) || pick(null) || { basis: "retail", percent: "0", customer_id: null };
  };
  const ruleText = (r) => `${r.basis === "cost" ? "Cost" : "Retail"} ${fmt.signOf(r.percent) < 0 ? "−" : "+"} ${fmt.decimal(String(r.percent).replace("-", ""))} %${r.customer_id === null ? " (the default)" : ""}`;
  const note = h("p", { class: "hint usage-rule", "data-usage-rule": "" }, `Priced at ${ruleText(current(rules))}.`);
  const f = form(
    "usage-rule",
    {},
    h(
      "div",
      { class: "grid" },
      field({ label: "Price Azure at", name: "basis", type: "select", options: BASES, value: current(rules).basis }),
      field({ label: "Markup %", name: "percent", value: String(current(rules).percent), inputmode: "decimal", hint: "Negative for a discount" }),
      field({ label: "From", name: "on", type: "date", value: ctx.today }),
    ),
    actions(submit("Save Azure pricing", { class: "btn", "data-action": "save-usage-rule" })),
  );
  onSubmit(f, async (v) => {
    const list = await api.usageRuleSet(customerId, v.basis, v.percent, v.on);
    note.textContent = `Priced at ${ruleText(current(list))}.`;
    ctx.toast("Azure pricing saved.");
  });
  // The monthly budget, and where this month's usage stands against it.
  const budgetNote = h("p", { class: "hint usage-rule", "data-usage-budget": "" });
  const drawBudget = (b) => {
    budgetNote.dataset.warning = b?.warning ? String(b.warning) : "";
    replace(
      budgetNote,
      !b
        ? "No monthly Azure budget."
        : b.spent === null
          ? `Budget ${fmt.money(b.budget, b.currency)} a month; this month's spend is not known (an exchange rate is missing).`
          : [`Budget ${fmt.money(b.budget, b.currency)} a month; ${fmt.month(b.month)} so far ${fmt.money(b.spent, b.currency)} (${b.percent} %) `, b.warning ? badge(b.warning >= 100 ? "over budget" : "past 80 %", b.warning >= 100 ? "danger" : "warn") : null],
    );
  };
  drawBudget(budget);
  const bf = form(
    "usage-budget",
    {},
    h("div", { class: "grid" }, field({ label: "Monthly Azure budget", name: "amount", value: budget ? String(budget.budget) : "", inputmode: "decimal", hint: "In the customer's currency; empty or 0 for none" })),
    actions(submit("Save budget", { class: "btn", "data-action": "save-usage-budget" })),
  );
  onSubmit(bf, async (v) => {
    drawBudget(await api.usageBudgetSet(customerId, v.amount.trim() || "0"));
    ctx.toast("Azure budget saved.");
  });
  replace(box, usageTable(rows, false), note, f, budgetNote, bf);
  return box;
}
