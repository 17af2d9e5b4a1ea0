// Reconcile: Microsoft's monthly invoice against what Seatbook billed. Microsoft's reconciliation
// file is imported through a file dialog, with progress (another file for an invoice imported
// before asks to replace it); the invoices imported are listed; the chosen one's report shows
// its totals, the findings (grouped, filtered, sorted, a Fix button on each that Seatbook can
// put right), Export CSV, and the margin on Microsoft's actual cost.
//
// Every amount is the core's decimal string: shown with format.js, compared and summed as text
// (fmt.compareDecimal, fmt.sumDecimal), never as a Number.

import * as api from "../api.js";
import * as fmt from "../format.js";
import * as usage from "../usage.js";
import { h, add, replace, amount, day, badge, button, header, section, table, td, empty, form, actions, submit, onSubmit, progress, showProgress, confirmDialog, debounce } from "../dom.js";

/** Each kind of finding in words, in the core's order; `leak`: money Microsoft charged that nobody was billed for. */
export const KINDS = [
  { id: "not_in_seatbook", label: "Not in Seatbook", tone: "danger", leak: true, about: "Microsoft charges a subscription Seatbook does not have." },
  { id: "not_billed", label: "Not billed", tone: "danger", leak: true, about: "Microsoft charged for it; no customer was billed." },
  { id: "quantity_mismatch", label: "Seats differ", tone: "danger", leak: true, about: "Microsoft charged for other seats than Seatbook billed." },
  { id: "billed_not_charged", label: "Billed, not charged", tone: "warn", about: "Seatbook billed a customer; Microsoft charged nothing for it." },
  { id: "plan_mismatch", label: "Plan differs", tone: "warn", about: "Microsoft's term or billing plan is not Seatbook's." },
  { id: "cost_mismatch", label: "Cost differs", tone: "warn", about: "Microsoft's price is not the cost Seatbook locked." },
  { id: "below_cost", label: "Below cost", tone: "warn", about: "The customer pays less than Microsoft charges." },
  { id: "pending", label: "Next run bills it", tone: "info", about: "Seatbook's next billing run bills it: nothing to do." },
];
const KIND = Object.fromEntries(KINDS.map((k, i) => [k.id, { ...k, order: i }]));

function kindOf(id) {
  return KIND[id] || { id, label: id, tone: "neutral", order: KINDS.length };
}

const COLLATOR = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

/** The sortable columns: how two findings compare (ascending). */
const SORTS = {
  customer: (a, b) => COLLATOR.compare(customerLabel(a), customerLabel(b)) || a.period_start.localeCompare(b.period_start),
  product: (a, b) => COLLATOR.compare(a.product, b.product),
  period: (a, b) => a.period_start.localeCompare(b.period_start) || a.period_end.localeCompare(b.period_end),
  microsoft_amount: (a, b) => fmt.compareDecimal(a.microsoft_amount, b.microsoft_amount),
  difference: (a, b) => fmt.compareDecimal(a.difference, b.difference),
};
/** Amounts sort largest first on the first click. */
const FIRST_DIR = { microsoft_amount: -1, difference: -1 };

function customerLabel(f) {
  return f.customer_name || f.customer_domain || "";
}

/** The core's words as a sentence for the screen: a capital first, a full stop, dates as the company writes them. */
function sentence(text) {
  const t = String(text || "").trim().replace(/\b(\d{4}-\d{2}-\d{2})\b/g, (iso) => fmt.date(iso));
  if (!t) return "";
  const s = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : s + ".";
}

/** "Imported" / "Unchanged" / "Replaced" for each invoice of a file. */
const STATUS = {
  imported: ["Imported", "ok"],
  unchanged: ["Unchanged: imported before", "neutral"],
  replaced: ["Replaced the earlier file", "info"],
};

export async function render(root, ctx, params = {}) {
  let invoices = await api.reconList();
  let selected = params.invoice && invoices.some((i) => i.invoice === params.invoice) ? params.invoice : invoices[0]?.invoice ?? null;
  // The report's view: filters and sort survive reloading the report (after a fix).
  const view = { search: "", kind: "", group: "kind", sort: "customer", dir: 1 };
  let seq = 0;

  const list = h("div", {});
  const result = h("div", { "data-import-result": "" });
  const report = h("div", {});

  // Import ------------------------------------------------------------------------------------
  const f = form(
    "recon-import",
    { class: "form recon-import" },
    h(
      "p",
      { class: "recon-import-lead" },
      "Import the reconciliation file of Microsoft's invoice as Partner Center gives it: the CSV (any release's columns) or the Graph export (.jsonl.gz). A file with a bad line is refused whole, its lines listed; the same file again adds nothing.",
    ),
    actions(submit("Import Microsoft's reconciliation file…", { "data-action": "import-recon" })),
    progress("recon", "Reading the file"),
  );
  onSubmit(f, async () => {
    replace(result);
    showProgress("recon", true);
    let outcome;
    try {
      try {
        outcome = await api.reconImport(false);
      } catch (error) {
        if (error.code !== "conflict") throw error;
        showProgress("recon", false);
        const yes = await confirmDialog(
          "recon-replace",
          "Replace Microsoft's invoice?",
          h("div", {}, h("p", { "data-conflict": "" }, sentence(error.message)), h("p", { class: "muted" }, "The invoice's findings are then made from this file.")),
          "Replace",
          "primary",
        );
        if (!yes) {
          ctx.toast("Nothing imported.");
          return;
        }
        showProgress("recon", true);
        outcome = await api.reconImport(true);
      }
    } finally {
      showProgress("recon", false);
    }
    if (outcome === null) return;
    const parts = outcome.invoices.map((i) => `${i.invoice} ${i.status === "unchanged" ? "unchanged" : `${i.status} (${fmt.plural(i.lines, "line")})`}`);
    ctx.toast(`${outcome.file}: ${parts.join("; ")}.`);
    replace(
      result,
      h(
        "div",
        { class: "notice", role: "status" },
        h("strong", {}, outcome.file),
        h("span", { class: "muted" }, ` · ${outcome.format}`),
        h(
          "ul",
          { class: "recon-imported" },
          outcome.invoices.map((i) =>
            h(
              "li",
              { "data-invoice": i.invoice, "data-status": i.status },
              h("strong", {}, `Invoice ${i.invoice}`),
              ` · ${fmt.plural(i.lines, "line")} · `,
              amount(i.total, i.currency),
              " ",
              badge(STATUS[i.status]?.[0] ?? i.status, STATUS[i.status]?.[1] ?? "neutral"),
            ),
          ),
        ),
      ),
    );
    invoices = await api.reconList();
    selected = outcome.invoices[0]?.invoice ?? selected;
    drawList();
    await loadReport();
  });

  // The invoices imported ---------------------------------------------------------------------
  function drawList() {
    if (!invoices.length) {
      replace(list, empty("No invoice of Microsoft's imported yet."));
      return;
    }
    replace(
      list,
      table(
        "recon-invoices",
        [["Invoice"], ["Lines", { numeric: true }], ["Total with tax", { numeric: true }], ["File"], ["Imported"]],
        invoices.map((i) => {
          const choose = () => {
            if (selected === i.invoice) return;
            selected = i.invoice;
            drawList();
            loadReport();
          };
          return h(
            "tr",
            {
              "data-id": i.invoice,
              class: "row-link" + (i.invoice === selected ? " row-selected" : ""),
              "aria-selected": i.invoice === selected ? "true" : "false",
              tabindex: "0",
              onclick: choose,
              onkeydown: (e) => e.key === "Enter" && choose(),
            },
            td(h("strong", {}, i.invoice)),
            td(fmt.decimal(String(i.lines)), { numeric: true }),
            td(amount(i.total, i.currency), { numeric: true }),
            td(h("span", { class: "file-name", title: i.format }, i.file)),
            td(h("span", { "data-imported-at": i.imported_at }, fmt.timestamp(i.imported_at))),
          );
        }),
      ),
    );
  }

  // The report --------------------------------------------------------------------------------
  async function loadReport(done = null) {
    const mine = ++seq;
    if (!selected) {
      replace(report);
      return;
    }
    replace(report, h("p", { class: "muted", "aria-busy": "true" }, `Reconciling ${selected}…`));
    try {
      const r = await api.reconReport(selected);
      if (mine !== seq) return;
      drawReport(r, done);
    } catch (error) {
      if (mine !== seq) return;
      replace(report, h("p", { class: "notice notice-error", role: "alert", "data-error-for": "invoice" }, error.message));
    }
  }

  function drawReport(r, done) {
    const cur = r.currency;
    const fixNote = h("div", {});
    if (done) {
      fixNote.append(
        h(
          "div",
          { class: "notice notice-ok", role: "status", "data-fix-result": done.finding },
          h("strong", {}, "Fixed. "),
          sentence(done.done),
          " ",
          button(`Open subscription ${done.subscription.id}`, { class: "btn btn-link", "data-action": "open-subscription", onclick: () => ctx.navigate("subscriptions", { id: done.subscription.id }) }),
        ),
      );
    }
    const exportButton = button("Export CSV…", {
      "data-action": "export-csv",
      onclick: async () => {
        try {
          const path = await api.reconExportCsv(r.invoice);
          if (path) ctx.toast(`Saved ${path}.`);
        } catch (error) {
          ctx.toast(error.message, "error");
        }
      },
    });
    const leaked = fmt.signOf(r.leaked) > 0;
    const stats = h(
      "div",
      { class: "stats stats-small recon-stats" },
      stat("Microsoft's total", amount(r.microsoft_total, cur, { "data-stat": "recon-total" }), "What the invoice charges, tax included"),
      stat("Matched", amount(r.matched, cur, { "data-stat": "recon-matched" }), "Charges Seatbook billed, or its next run bills"),
      stat("Leaked", amount(r.leaked, cur, { "data-stat": "recon-leaked", class: leaked ? "amount danger-text" : "amount" }), "Charged by Microsoft, billed to no customer", leaked ? "stat stat-danger" : "stat"),
      stat("Billed, not charged", amount(r.unmatched_billed, cur, { "data-stat": "recon-unmatched" }), "Seatbook's cost of what it billed and Microsoft did not charge"),
    );
    replace(
      report,
      section(
        null,
        h(
          "div",
          { class: "recon-head" },
          h(
            "div",
            {},
            h("h2", { class: "panel-title recon-title", "data-invoice": r.invoice }, `Microsoft's invoice ${r.invoice}`),
            h("p", { class: "hint" }, `Charges of ${fmt.month(r.billing_month.slice(0, 7))}, in ${cur}. Compared per subscription and charge period with what Seatbook billed.`),
          ),
          h("div", { class: "page-actions" }, exportButton),
        ),
        fixNote,
        stats,
      ),
      findingsPanel(r),
      marginPanel(r),
    );
  }

  function stat(title, value, detail, cls = "stat") {
    return h("article", { class: cls }, h("h3", { class: "stat-title" }, title), h("div", { class: "stat-value" }, value), h("p", { class: "stat-detail" }, detail));
  }

  // Findings ----------------------------------------------------------------------------------
  function findingsPanel(r) {
    const counts = new Map();
    for (const x of r.findings) counts.set(x.kind, (counts.get(x.kind) || 0) + 1);
    const search = h("input", { type: "search", "data-search": "recon-findings", placeholder: "Search customer, product, subscription or what to do", "aria-label": "Search the findings", class: "search", value: view.search });
    const kind = h(
      "select",
      { "data-filter": "kind", "aria-label": "Kind of finding" },
      h("option", { value: "" }, `Every kind (${r.findings.length})`),
      KINDS.filter((k) => counts.has(k.id)).map((k) => h("option", { value: k.id, selected: view.kind === k.id }, `${k.label} (${counts.get(k.id)})`)),
    );
    if (view.kind && !counts.has(view.kind)) view.kind = "";
    kind.value = view.kind;
    const group = h(
      "select",
      { "data-filter": "group", "aria-label": "Group the findings by" },
      h("option", { value: "kind", selected: view.group === "kind" }, "Grouped by kind"),
      h("option", { value: "customer", selected: view.group === "customer" }, "Grouped by customer"),
    );
    const count = h("p", { class: "count", "aria-live": "polite" });
    const body = h("div", {});

    const draw = () => {
      const needle = view.search.trim().toLowerCase();
      const shown = r.findings.filter(
        (x) =>
          (!view.kind || x.kind === view.kind) &&
          (!needle ||
            [x.id, kindOf(x.kind).label, x.customer_name, x.customer_domain, x.product, x.ms_subscription_id, x.subscription_id, x.action]
              .filter((v) => v !== null && v !== undefined)
              .some((v) => String(v).toLowerCase().includes(needle))),
      );
      count.textContent = r.findings.length
        ? shown.length === r.findings.length
          ? fmt.plural(r.findings.length, "finding")
          : `${fmt.decimal(String(shown.length))} of ${fmt.plural(r.findings.length, "finding")}`
        : "";
      if (!r.findings.length) {
        replace(body, empty("Nothing to reconcile: every charge of Microsoft's matches what Seatbook billed."));
        return;
      }
      if (!shown.length) {
        replace(body, empty("No finding matches."));
        return;
      }
      replace(body, findingsTable(r, shown, draw));
    };
    search.addEventListener(
      "input",
      debounce(() => {
        view.search = search.value;
        draw();
      }, 120),
    );
    kind.addEventListener("change", () => {
      view.kind = kind.value;
      draw();
    });
    group.addEventListener("change", () => {
      view.group = group.value;
      draw();
    });
    draw();
    return section(
      "Findings",
      r.findings.length ? h("div", { class: "toolbar" }, search, kind, group) : null,
      count,
      body,
    );
  }

  /**
   * The findings, one row group each (`tbody[data-id][data-kind]`): its figures on one row, what
   * to do (and the Fix button) on the row below, so the table fits the window.
   */
  function findingsTable(r, shown, redraw) {
    const byCustomer = view.group === "customer";
    const order = SORTS[view.sort] || SORTS.customer;
    const groupKey = byCustomer ? (x) => (x.customer_id !== null ? `customer-${x.customer_id}` : `new-${x.customer_domain || x.ms_subscription_id || x.id}`) : (x) => x.kind;
    const groups = new Map();
    for (const x of shown) {
      const k = groupKey(x);
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(x);
    }
    const keys = [...groups.keys()];
    if (byCustomer) keys.sort((a, b) => COLLATOR.compare(customerLabel(groups.get(a)[0]) || "\uffff", customerLabel(groups.get(b)[0]) || "\uffff"));
    else keys.sort((a, b) => kindOf(a).order - kindOf(b).order);

    const sortHead = (key, label, numeric = false) =>
      h(
        "th",
        { scope: "col", class: numeric ? "num" : null, "aria-sort": view.sort === key ? (view.dir > 0 ? "ascending" : "descending") : null },
        h(
          "button",
          {
            type: "button",
            class: "sort",
            "data-sort": key,
            onclick: () => {
              view.dir = view.sort === key ? -view.dir : FIRST_DIR[key] || 1;
              view.sort = key;
              redraw();
            },
          },
          label,
          h("span", { class: "sort-mark", "aria-hidden": "true" }, view.sort === key ? (view.dir > 0 ? " ↑" : " ↓") : ""),
        ),
      );
    const head = h(
      "tr",
      {},
      byCustomer ? h("th", { scope: "col" }, "Kind") : sortHead("customer", "Customer"),
      sortHead("product", "Product"),
      sortHead("period", "Period"),
      sortHead("microsoft_amount", "Microsoft charged", true),
      h("th", { scope: "col", class: "num" }, "Seatbook billed"),
      sortHead("difference", "Difference", true),
    );
    const bodies = [];
    for (const k of keys) {
      const items = [...groups.get(k)].sort((a, b) => view.dir * order(a, b) || COLLATOR.compare(a.id, b.id));
      const first = items[0];
      const title = byCustomer
        ? h(
            "span",
            {},
            h("strong", {}, first.customer_name || first.customer_domain || "A customer Microsoft does not name"),
            first.customer_domain && first.customer_name ? h("span", { class: "sub" }, ` ${first.customer_domain}`) : null,
            first.customer_id === null ? h("span", { class: "sub warn-text" }, " · not a customer in Seatbook") : null,
          )
        : h("span", {}, badge(kindOf(k).label, kindOf(k).tone), h("span", { class: "sub" }, ` ${kindOf(k).about}`));
      // What the group leaked (charged by Microsoft, billed to nobody); what was billed without
      // a charge for that group; no total where the differences are not money lost or gained.
      const total = byCustomer || kindOf(k).leak
        ? fmt.sumDecimal(items.filter((x) => kindOf(x.kind).leak && fmt.signOf(x.difference) > 0).map((x) => x.difference))
        : k === "billed_not_charged"
          ? fmt.sumDecimal(items.map((x) => x.difference))
          : null;
      const totalCell = total === null || (byCustomer && fmt.signOf(total) === 0) ? null : amount(total, r.currency, { "data-group-total": k, class: fmt.signOf(total) > 0 ? "amount danger-text" : "amount" });
      bodies.push(
        h(
          "tbody",
          { class: "group", "data-group": k },
          h(
            "tr",
            { class: "group-row" },
            h("th", { scope: "rowgroup", colspan: "5" }, title, h("span", { class: "sub" }, ` · ${fmt.plural(items.length, "finding")}`)),
            h("th", { class: "num" }, totalCell ? h("span", { class: "sub" }, byCustomer ? "leaked " : "") : null, totalCell),
          ),
        ),
      );
      for (const x of items) bodies.push(findingRows(r, x, byCustomer));
    }
    return h("div", { class: "table-wrap" }, h("table", { class: "table recon-findings", "data-list": "recon-findings" }, h("thead", {}, head), bodies));
  }

  /** "Microsoft 365 Business Standard (CFQ7TTC0LDPB:0001)" → its title and its key. */
  function productParts(text) {
    const m = /^(.*) \(([^()]+)\)$/.exec(text || "");
    return m ? [m[1], m[2]] : [text || "", ""];
  }

  function seats(v) {
    if (v === null || v === undefined) return h("div", { class: "sub" }, "no seats");
    return h("div", { class: "sub" }, v === "1" ? "1 seat" : `${fmt.decimal(v)} seats`);
  }

  function findingRows(r, x, byCustomer) {
    const k = kindOf(x.kind);
    const positive = fmt.signOf(x.difference) > 0;
    const [title, key] = productParts(x.product);
    const fix = x.fixable
      ? button("Fix", {
          class: "btn btn-small btn-primary",
          "data-action": "fix",
          onclick: async (event) => {
            const b = event.currentTarget;
            b.disabled = true;
            try {
              const done = await api.reconFix(x.id);
              ctx.toast(`Fixed: ${sentence(done.done)}`);
              await loadReport(done);
            } catch (error) {
              b.disabled = false;
              const cell = b.closest("td");
              cell.querySelector(".field-error")?.remove();
              cell.append(h("p", { class: "field-error", "data-error-for": "finding", role: "alert" }, error.message));
            }
          },
        })
      : null;
    // A customer Seatbook does not have is named as Microsoft names it, and says so.
    const customer = h(
      "div",
      { "data-col": "customer", "data-customer": x.customer_id ?? "" },
      x.customer_name ? h("strong", {}, x.customer_name) : null,
      x.customer_domain ? h("div", { class: "sub" }, x.customer_domain) : null,
      x.customer_id === null ? h("div", { class: "sub warn-text" }, "Not a customer in Seatbook") : null,
    );
    const ids = [x.subscription_id !== null ? `Subscription ${x.subscription_id}` : null, x.ms_subscription_id ? `Microsoft's ${x.ms_subscription_id}` : null].filter(Boolean).join(" · ");
    const none = () => h("span", { class: "muted" }, "—");
    return h(
      "tbody",
      { class: "finding", "data-id": x.id, "data-kind": x.kind, "data-fixable": x.fixable ? "true" : "false" },
      h(
        "tr",
        { class: "finding-figures" },
        td(byCustomer ? badge(k.label, k.tone) : customer),
        td(h("div", { "data-col": "product" }, title, key ? h("div", { class: "sub" }, key) : null, ids ? h("div", { class: "sub" }, ids) : null)),
        td(h("div", { "data-col": "period" }, h("div", {}, day(x.period_start)), h("div", { class: "sub" }, "to ", day(x.period_end)))),
        td(
          h("div", { "data-col": "microsoft", "data-quantity": x.microsoft_quantity ?? "" }, x.microsoft_amount !== null ? amount(x.microsoft_amount, r.currency) : none(), seats(x.microsoft_quantity)),
          { numeric: true },
        ),
        td(
          h("div", { "data-col": "seatbook", "data-quantity": x.seatbook_quantity ?? "" }, x.seatbook_amount !== null ? amount(x.seatbook_amount, x.seatbook_currency) : none(), seats(x.seatbook_quantity)),
          { numeric: true },
        ),
        td(h("div", { "data-col": "difference" }, amount(x.difference, r.currency, { class: positive && k.leak ? "amount danger-text" : "amount" })), { numeric: true }),
      ),
      h("tr", { class: "finding-action" }, h("td", { colspan: "6" }, h("div", { class: "recon-action", "data-col": "action" }, h("p", {}, sentence(x.action)), fix))),
    );
  }

  // Margin ------------------------------------------------------------------------------------
  function marginPanel(r) {
    const cur = r.currency;
    if (!r.margin.length) {
      return section("Margin on Microsoft's actual cost", empty("No charge of this invoice was billed yet, so there is no margin to show."));
    }
    const money = (v, extra = {}) => amount(v, cur, { class: fmt.signOf(v) < 0 ? "amount danger-text" : "amount", ...extra });
    const sum = (key) => fmt.sumDecimal(r.margin.map((m) => m[key]));
    const cols = ["revenue", "microsoft_cost", "margin", "locked_cost", "locked_margin"];
    return section(
      "Margin on Microsoft's actual cost",
      h("p", { class: "hint recon-margin-lead" }, `In ${cur}: what each customer was billed for a product on this invoice, what Microsoft actually charged for it, and the cost Seatbook locked when it billed.`),
      table(
        "recon-margin",
        [["Customer"], ["Product"], ["Revenue", { numeric: true }], ["Microsoft's cost", { numeric: true }], ["Margin", { numeric: true }], ["Locked cost", { numeric: true }], ["Locked margin", { numeric: true }]],
        [
          ...r.margin.map((m) =>
            h(
              "tr",
              { "data-id": `${m.customer_id}/${m.product}` },
              td(h("strong", {}, m.customer_name)),
              td(h("div", {}, productParts(m.product)[0], h("div", { class: "sub" }, productParts(m.product)[1]))),
              cols.map((c) => td(h("div", { "data-col": c }, money(m[c])), { numeric: true })),
            ),
          ),
          h("tr", { class: "total-row", "data-total": "" }, td("Total"), td(""), cols.map((c) => td(h("div", { "data-col": c }, money(sum(c))), { numeric: true }))),
        ],
      ),
    );
  }

  // Azure usage: Microsoft's daily rated usage, what every tenant used per month.
  const usageBox = h("div", { "data-usage-all": "" });
  const drawUsage = async () => replace(usageBox, usage.usageTable(await api.usageList(null, null, false), true));
  add(
    root,
    header("Reconcile", "Microsoft's invoice against what you billed: what leaked, what to put right, and your margin on Microsoft's actual cost."),
    section("Microsoft's invoices", f, result, list),
    report,
    section("Azure usage", usage.importForm(ctx, drawUsage), usageBox),
  );
  // Microsoft's invoices first; then the usage of every month, and the chosen report.
  drawList();
  ctx.firstRows();
  await drawUsage();
  await loadReport();
}
