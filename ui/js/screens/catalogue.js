// The catalogue: Microsoft's price list (imported through a file dialog, with progress),
// products and their prices, the reseller's markup rules, and exchange rates.

import * as api from "../api.js";
import * as fmt from "../format.js";
import { h, add, replace, amount, day, button, header, section, table, td, empty, field, form, actions, submit, onSubmit, debounce, progress, showProgress, dateInput, dateValue, dateMessage } from "../dom.js";

const TABS = [
  ["products", "Products"],
  ["import", "Import price list"],
  ["markup", "Markup"],
  ["rates", "Exchange rates"],
];

export async function render(root, ctx, params = {}) {
  const tab = TABS.some(([t]) => t === params.tab) ? params.tab : "products";
  const panel = h("div", { class: "tab-panel", role: "tabpanel" });
  const tabs = h(
    "div",
    { class: "tabs", role: "tablist" },
    TABS.map(([t, label]) =>
      h("button", { type: "button", role: "tab", class: "tab", "data-tab": t, "aria-selected": t === tab ? "true" : "false", onclick: () => ctx.navigate("catalogue", { tab: t }) }, label),
    ),
  );
  add(root, header("Catalogue", "Microsoft's price list, your markup and the exchange rates prices are converted at."), tabs, panel);
  const draw = { products, import: importer, markup, rates }[tab];
  await draw(panel, ctx);
}

// Products ------------------------------------------------------------------------------------

const SHOWN = 200;

async function products(panel, ctx) {
  const search = h("input", { type: "search", "data-search": "products", placeholder: "Search products by name or id", "aria-label": "Search products", class: "search" });
  const on = dateInput({ value: ctx.today, "aria-label": "Prices on", title: "Prices in force on" });
  const body = h("div", {});
  let seq = 0;

  async function load() {
    const mine = ++seq;
    const onDay = dateValue(on);
    if (onDay === null) {
      replace(body, h("p", { class: "notice notice-error", role: "alert" }, dateMessage()));
      return;
    }
    try {
      const list = await api.productsList(search.value.trim(), onDay || null);
      if (mine !== seq) return;
      if (!list.length) {
        replace(
          body,
          empty(search.value.trim() ? "No product matches." : "No products yet: import Microsoft's price list."),
          search.value.trim() ? null : button("Import a price list", { class: "btn btn-primary", onclick: () => ctx.navigate("catalogue", { tab: "import" }) }),
        );
        return;
      }
      replace(
        body,
        h("p", { class: "count" }, list.length > SHOWN ? `First ${SHOWN} of ${fmt.plural(list.length, "product")}` : fmt.plural(list.length, "product")),
        table(
          "products",
          [["Product"], ["Id"], ["Prices on " + fmt.date(onDay || ctx.today) + " (cost per seat per term)"]],
          list.slice(0, SHOWN).map((p) =>
            h(
              "tr",
              { "data-id": p.product },
              td(h("div", {}, h("strong", {}, p.title), p.sku_title && p.sku_title !== p.title ? h("div", { class: "sub" }, p.sku_title) : null, p.publisher ? h("div", { class: "sub" }, p.publisher) : null)),
              td(h("code", {}, p.product)),
              td(
                p.prices.length
                  ? h(
                      "table",
                      { class: "prices" },
                      h(
                        "tbody",
                        {},
                        p.prices.map((r) =>
                          h(
                            "tr",
                            {},
                            h("td", {}, `${r.term} ${r.billing_plan}`),
                            h("td", { class: "sub" }, r.market),
                            h("td", { class: "num" }, amount(r.unit_price, r.currency)),
                            h("td", { class: "num sub" }, r.erp_price ? h("span", { title: "Microsoft's suggested retail price" }, "ERP ", amount(r.erp_price, r.currency)) : ""),
                          ),
                        ),
                      ),
                    )
                  : h("span", { class: "muted" }, "No price in force on that day"),
              ),
            ),
          ),
        ),
      );
    } catch (error) {
      replace(body, h("p", { class: "notice notice-error", role: "alert" }, error.message));
    }
  }
  search.addEventListener("input", debounce(load, 150));
  on.addEventListener("change", load);
  add(panel, h("div", { class: "toolbar" }, search, h("label", { class: "inline-label" }, "Prices on ", on)), body);
  await load();
  search.focus();
}

// Import --------------------------------------------------------------------------------------

async function importer(panel, ctx) {
  const result = h("div", { "data-import-result": "" });
  const f = form(
    "pricelist",
    {},
    h(
      "p",
      {},
      "Choose the new-commerce licence price list exactly as Microsoft publishes it (CSV). Rows are matched on product, SKU, term, plan, market, currency, tier and start date, so importing next month's file adds and updates prices without duplicating them. Any bad line rejects the whole file and every bad line is listed.",
    ),
    h(
      "div",
      { class: "grid" },
      field({ label: "Market", name: "market", value: ctx.company.market, maxlength: 2, class: "upper", hint: "Only this market's rows are kept" }),
      field({ label: "Currency", name: "currency", maxlength: 3, class: "upper", placeholder: "Every currency", hint: "Optional: keep one currency's rows" }),
    ),
    actions(submit("Choose file and import…", { "data-action": "import-pricelist" })),
    progress("import", "Importing"),
  );
  onSubmit(f, async (v) => {
    showProgress("import", true);
    try {
      const report = await api.pricelistImport(v.market, v.currency);
      if (report === null) return;
      const s = report.summary;
      ctx.toast(`Imported ${report.file}: ${s.added} added, ${s.updated} updated.`);
      replace(
        result,
        section(
          `Imported ${report.file}`,
          h(
            "dl",
            { class: "facts" },
            h("div", { class: "fact" }, h("dt", {}, "Rows read"), h("dd", {}, fmt.decimal(String(s.read)))),
            h("div", { class: "fact" }, h("dt", {}, "Added"), h("dd", { "data-added": s.added }, fmt.decimal(String(s.added)))),
            h("div", { class: "fact" }, h("dt", {}, "Updated"), h("dd", {}, fmt.decimal(String(s.updated)))),
            h("div", { class: "fact" }, h("dt", {}, "Unchanged"), h("dd", {}, fmt.decimal(String(s.unchanged)))),
            h("div", { class: "fact" }, h("dt", {}, "Products"), h("dd", {}, fmt.decimal(String(s.products)))),
            h("div", { class: "fact" }, h("dt", {}, `Other markets than ${report.market}`), h("dd", {}, fmt.decimal(String(s.other_market)))),
          ),
          button("See the products", { class: "btn btn-primary", onclick: () => ctx.navigate("catalogue", { tab: "products" }) }),
        ),
      );
    } finally {
      showProgress("import", false);
    }
  });
  add(panel, section(null, f), result);
}

// Markup --------------------------------------------------------------------------------------

async function markup(panel, ctx) {
  const [rules, customers, prods] = await Promise.all([api.markupList(), api.customersList(null, false), api.productsList(null, null)]);
  const names = new Map(customers.map((c) => [c.id, c.name]));
  const list = rules.length
    ? table(
        "markup",
        [["Customer"], ["Product"], ["Markup"], ["From"]],
        [...rules].reverse().map((r) =>
          h(
            "tr",
            { "data-id": r.id, title: r.description },
            td(r.customer_id ? names.get(r.customer_id) ?? `Customer ${r.customer_id}` : h("span", { class: "muted" }, "Every customer")),
            td(r.product ? h("code", {}, r.product) : h("span", { class: "muted" }, "Every product")),
            td(r.markup.kind === "percent" ? fmt.percent(r.markup.percent) : h("span", {}, amount(r.markup.amount, r.markup.currency), " per seat per month")),
            td(day(r.effective_from)),
          ),
        ),
      )
    : empty("No markup rules: every price takes the default markup.");

  const f = form(
    "markup",
    {},
    h(
      "div",
      { class: "grid" },
      field({ label: "Customer", name: "customer", type: "select", options: [["", "Every customer"], ...customers.map((c) => [String(c.id), c.name])] }),
      field({ label: "Product", name: "product", list: "markup-products", placeholder: "Every product", autocomplete: "off" }),
      field({ label: "Markup (%)", name: "percent", inputmode: "decimal", placeholder: "e.g. 20" }),
      field({ label: "or fixed price per seat per month", name: "price", inputmode: "decimal", hint: "Needs a product" }),
      field({ label: "Price currency", name: "currency", maxlength: 3, class: "upper", placeholder: "The customer's" }),
      field({ label: "From", name: "on", type: "date", value: ctx.today }),
    ),
    h("datalist", { id: "markup-products" }, prods.map((p) => h("option", { value: p.product }, p.title))),
    actions(submit("Add rule", { "data-action": "save" })),
  );
  onSubmit(f, async (v) => {
    const r = await api.markupSet(v);
    ctx.toast(`Markup rule ${r.id} added.`);
    ctx.navigate("catalogue", { tab: "markup" });
  });

  add(panel, 
    h(
      "div",
      { class: "notice" },
      "The most specific rule wins: customer and product, then customer, then product, then a rule for everyone, then the default markup of ",
      h("strong", {}, fmt.percent(ctx.company.default_markup)),
      " from your profile.",
    ),
    h("div", { class: "columns" }, section("Rules", list), section("New rule", f)),
  );
}

// Exchange rates ------------------------------------------------------------------------------

async function rates(panel, ctx) {
  const list = await api.fxList();
  const t = list.length
    ? table(
        "rates",
        [["From"], ["To"], ["Rate", { numeric: true }], ["Effective"]],
        [...list].sort((a, b) => b.effective.localeCompare(a.effective)).map((r) =>
          h("tr", { "data-id": `${r.from}-${r.to}-${r.effective}` }, td(r.from), td(r.to), td(h("span", { "data-amount": r.rate }, fmt.decimal(r.rate)), { numeric: true }), td(day(r.effective))),
        ),
      )
    : empty("No exchange rates yet.");
  const f = form(
    "fx",
    {},
    h(
      "div",
      { class: "grid" },
      field({ label: "1 unit of", name: "from", maxlength: 3, class: "upper", value: "USD", required: true }),
      field({ label: "buys this many", name: "rate", inputmode: "decimal", required: true, placeholder: "18.25" }),
      field({ label: "of", name: "to", maxlength: 3, class: "upper", value: ctx.company.currency, required: true }),
      field({ label: "From", name: "on", type: "date", value: ctx.today, required: true }),
    ),
    actions(submit("Add rate", { "data-action": "save" })),
  );
  onSubmit(f, async (v) => {
    const r = await api.fxSet(v.from, v.to, v.rate, v.on);
    ctx.toast(`1 ${r.from} = ${fmt.decimal(r.rate)} ${r.to} from ${fmt.date(r.effective)}.`);
    ctx.navigate("catalogue", { tab: "rates" });
  });
  add(panel, 
    h("div", { class: "columns" }, section("Rates", h("p", { class: "hint" }, "A price in another currency converts at the latest rate effective on its billing date."), t), section("New rate", f)),
  );
}
