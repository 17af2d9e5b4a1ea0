// Subscriptions: the list, the add form with a live quote (price and cancellation window
// before confirming), and a subscription's page with every change Microsoft allows, refusals
// shown at the field, and the history as a timeline.

import * as api from "../api.js";
import * as fmt from "../format.js";
import { h, add, replace, amount, day, badge, button, header, section, table, rowsTable, td, linkRow, empty, field, form, actions, submit, onSubmit, debounce, values, confirmDialog, more, PAGE } from "../dom.js";

const TERMS = [
  ["P1M", "1 month (P1M)"],
  ["P1Y", "1 year (P1Y)"],
  ["P3Y", "3 years (P3Y)"],
];
const PLANS = [
  ["monthly", "Monthly"],
  ["annual", "Annual"],
  ["triennial", "Triennial"],
];
const STATUSES = [
  ["", "Any status"],
  ["active", "Active"],
  ["suspended", "Suspended"],
  ["cancelled", "Cancelled"],
  ["expired", "Expired"],
];
const CYCLE = { monthly: "month", annual: "year", triennial: "3 years" };

export function statusBadge(s) {
  if (s.trial && (s.status === "active" || s.status === "suspended")) return badge("Trial", "info");
  const tone = { active: "ok", suspended: "warn", cancelled: "danger", expired: "neutral" }[s.status] || "neutral";
  return badge(s.status[0].toUpperCase() + s.status.slice(1), tone);
}

/** A change that has not reached Microsoft yet (offline, throttled): not billed until it does. */
export function pendingBadge() {
  const b = badge("Pending at Microsoft", "warn");
  b.dataset.pending = "true";
  b.title = "A change waits to reach Microsoft; it is not billed until Microsoft takes it.";
  return b;
}

/** What a change's answer says about Microsoft, for its toast. */
export function atMicrosoft(r) {
  if (!r || !r.microsoft) return "";
  if (r.pending) return " It waits to reach Microsoft and is sent as soon as Partner Center answers.";
  const purchase = r.microsoft.action === "purchase";
  if (r.microsoft.state === "accepted") return purchase ? " Microsoft took the order and is provisioning it." : " Microsoft accepted it and finishes it shortly.";
  return purchase ? " Bought at Microsoft." : " Microsoft made the change.";
}

export async function render(root, ctx, params = {}) {
  if (params.id) return renderPage(root, ctx, params.id);
  if (params.add) return renderAdd(root, ctx, params);
  return renderList(root, ctx, params);
}

/** A <datalist> of products, for product inputs (the value is PRODUCTID:SKUID). */
function productList(id, products) {
  return h(
    "datalist",
    { id },
    products.map((p) => h("option", { value: p.product }, `${p.title}${p.sku_title && p.sku_title !== p.title ? ` — ${p.sku_title}` : ""}`)),
  );
}

// The list ------------------------------------------------------------------------------------

async function renderList(root, ctx, params) {
  // The first page first, so the list shows at once however many subscriptions there are; then
  // all of them, for the count, the filter and "Show all".
  const wanted = params.status || null;
  const [first, outbox] = await Promise.all([api.subscriptionsList(null, wanted, PAGE + 1), api.pcOutbox().catch(() => [])]);
  let subs = first.slice(0, PAGE);
  const pending = new Set(outbox.filter((e) => e.state === "waiting").map((e) => e.subscription_id));
  const status = h(
    "select",
    { "aria-label": "Status", "data-filter": "status", onchange: () => ctx.navigate("subscriptions", { status: status.value }) },
    STATUSES.map(([v, l]) => h("option", { value: v, selected: v === (params.status || "") }, l)),
  );
  const search = h("input", { type: "search", "data-search": "subscriptions", placeholder: "Filter by customer or product", "aria-label": "Filter subscriptions", class: "search" });
  const body = h("div", {});
  let shown = PAGE;

  function draw() {
    const q = search.value.trim().toLowerCase();
    const rows = subs.filter((s) => !q || `${s.customer_name} ${s.product_title} ${s.product}`.toLowerCase().includes(q));
    if (!rows.length) {
      replace(body, empty(subs.length ? "No subscription matches." : "No subscriptions yet."));
      return;
    }
    replace(
      body,
      rowsTable(
        "subscriptions",
        [["#", { numeric: true }], ["Customer"], ["Product"], ["Seats", { numeric: true }], ["Term"], ["Term ends"], ["Auto-renew"], ["Status"]],
        rows.slice(0, shown),
        (s) =>
          linkRow(
            s.id,
            () => ctx.navigate("subscriptions", { id: s.id }),
            td(String(s.id), { numeric: true }),
            td(s.customer_name || `Customer ${s.customer_id}`),
            td(h("div", {}, s.product_title, h("div", { class: "sub" }, s.product))),
            td(fmt.decimal(String(s.quantity)), { numeric: true }),
            td(`${s.term} · ${s.billing}`),
            td(day(s.term_end)),
            td(s.auto_renew ? "On" : h("span", { class: "muted" }, "Off")),
            td(h("span", { class: "badges" }, statusBadge(s), pending.has(s.id) ? pendingBadge() : null)),
          ),
      ),
      more(shown, rows.length, () => {
        shown = rows.length;
        draw();
      }),
    );
  }
  search.addEventListener(
    "input",
    debounce(() => {
      shown = PAGE;
      draw();
    }, 100),
  );

  add(root, 
    header(
      "Subscriptions",
      "Licences under Microsoft's new-commerce rules.",
      button("Add subscription", { class: "btn btn-primary", "data-action": "add-subscription", onclick: () => ctx.navigate("subscriptions", { add: true }) }),
    ),
    h("div", { class: "toolbar" }, search, status),
    body,
  );
  draw();
  ctx.firstRows();
  if (first.length > PAGE) {
    subs = await api.subscriptionsList(null, wanted);
    draw();
  }
}

// Adding --------------------------------------------------------------------------------------

async function renderAdd(root, ctx, params) {
  const [customers, products] = await Promise.all([api.customersList(null, false), api.productsList(null, null)]);
  const customerOptions = [["", "Choose a customer…"], ...customers.map((c) => [String(c.id), `${c.name} (${c.domain})`])];
  const quoteHint = () => h("p", { class: "muted" }, "Choose a customer, a product, a term and a plan to see the price.");
  const quoteBox = h("div", { class: "quote", "data-quote": "", "aria-live": "polite" }, quoteHint());

  const f = form(
    "subscription",
    {},
    h(
      "div",
      { class: "grid" },
      field({ label: "Customer", name: "customer", type: "select", options: customerOptions, value: params.customer ? String(params.customer) : "", required: true, wide: true }),
      field({ label: "Product", name: "product", list: "sub-products", required: true, placeholder: "Search by name, or PRODUCTID:SKUID", wide: true, autocomplete: "off" }),
      field({ label: "Term", name: "term", type: "select", options: TERMS, value: "P1Y" }),
      field({ label: "Billing plan", name: "billing", type: "select", options: PLANS, value: "monthly" }),
      field({ label: "Seats", name: "quantity", type: "number", min: "1", step: "1", value: "1", required: true, inputmode: "numeric" }),
      field({ label: "Start", name: "start", type: "date", value: ctx.today, required: true }),
      field({ label: "Price per seat per month", name: "price", inputmode: "decimal", placeholder: "From the markup rules", hint: "Optional: overrides the markup rules, in the customer's currency" }),
      field({ label: "Microsoft subscription id", name: "ms_subscription_id", placeholder: "Optional" }),
      field({ label: "Renews automatically", name: "auto_renew", type: "checkbox", value: true }),
      field({ label: "30-day free trial", name: "trial", type: "checkbox", value: false }),
    ),
    productList("sub-products", products),
    quoteBox,
    actions(button("Cancel", { onclick: () => ctx.navigate("subscriptions") }), submit("Add subscription", { "data-action": "save" })),
  );

  let seq = 0;
  async function quote() {
    let v;
    try {
      v = values(f);
    } catch (error) {
      // A start date that cannot be read (yet): no quote for a guessed day.
      ++seq;
      replace(quoteBox, h("p", { class: "quote-error", "data-code": error.code }, error.message));
      return;
    }
    if (!v.customer || !v.product || !v.term || !v.billing) {
      if (quoteBox.querySelector(".quote-error")) {
        ++seq;
        replace(quoteBox, quoteHint());
      }
      return;
    }
    const mine = ++seq;
    try {
      const q = await api.productQuote({
        customer: Number(v.customer),
        product: v.product,
        term: v.term,
        billing: v.billing,
        start: v.start || null,
        price: v.price || null,
        trial: !!v.trial,
      });
      if (mine !== seq) return;
      const p = q.quote.price;
      const seats = v.quantity && /^\d+$/.test(v.quantity) ? v.quantity : "1";
      replace(
        quoteBox,
        h("div", { class: "quote-title" }, q.quote.product_title, h("span", { class: "sub" }, ` ${q.quote.product}`)),
        h(
          "dl",
          { class: "quote-grid" },
          h("div", {}, h("dt", {}, `Price per seat per ${CYCLE[q.quote.billing]}`), h("dd", { "data-quote-price": "" }, amount(q.quote.price_per_cycle, p.price_currency))),
          h("div", {}, h("dt", {}, "Price per seat per term"), h("dd", {}, amount(p.unit_price, p.price_currency))),
          h("div", {}, h("dt", {}, "Seats"), h("dd", {}, `${fmt.decimal(seats)} × ${fmt.money(q.quote.price_per_cycle, p.price_currency)} per ${CYCLE[q.quote.billing]}`)),
          h("div", {}, h("dt", {}, q.trial ? "Trial ends" : "Term"), h("dd", {}, day(q.term_start), " – ", day(q.term_end))),
          h(
            "div",
            { class: "quote-window" },
            h("dt", {}, "Last day to cancel"),
            h("dd", { "data-cancel-until": q.cancellable_until }, day(q.cancellable_until)),
          ),
          h("div", {}, h("dt", {}, "Your cost per seat per term"), h("dd", {}, amount(p.unit_cost, p.cost_currency))),
        ),
        h("p", { class: "sub" }, `Priced by ${p.rule}.`),
      );
    } catch (error) {
      if (mine !== seq) return;
      replace(quoteBox, h("p", { class: "quote-error", "data-code": error.code }, error.message));
    }
  }
  const requote = debounce(quote, 200);
  f.addEventListener("input", requote);
  f.addEventListener("change", requote);

  onSubmit(f, async (v) => {
    const input = {
      customer: v.customer ? Number(v.customer) : null,
      product: v.product,
      term: v.term,
      billing: v.billing,
      quantity: v.quantity,
      start: v.start,
      price: v.price || null,
      auto_renew: !!v.auto_renew,
      trial: !!v.trial,
      ms_subscription_id: v.ms_subscription_id || null,
      confirm: false,
    };
    let s;
    try {
      s = await api.subscriptionAdd(input);
    } catch (error) {
      // The core refuses a customer on credit stop (over the limit, or long overdue) unless the
      // reseller confirms: ask, with the reason, before selling more.
      if (error.code !== "refused" || error.field !== "confirm") throw error;
      const reason = await api.customerCreditStop(input.customer);
      const go = await confirmDialog(
        "credit-stop",
        "This customer is on credit stop",
        h("div", {}, h("p", { "data-credit-stop": "" }, reason || error.message), h("p", { class: "hint" }, "Add the subscription anyway?")),
        "Add anyway",
      );
      if (!go) return;
      s = await api.subscriptionAdd({ ...input, confirm: true });
    }
    ctx.toast(`Subscription ${s.id} added: ${s.quantity} seats of ${s.product_title}.${atMicrosoft(s)}`);
    if (ctx.refreshPcBadge) ctx.refreshPcBadge();
    ctx.navigate("subscriptions", { id: s.id });
  });

  add(root, 
    h("nav", { class: "crumbs" }, button("← Subscriptions", { class: "btn btn-link", "data-action": "back", onclick: () => ctx.navigate("subscriptions") })),
    header("New subscription", "The price is locked for the term when it starts. Check the price and the cancellation window before you confirm."),
    products.length ? null : h("div", { class: "notice notice-warn" }, "The catalogue is empty: import Microsoft's price list first. ", button("Go to the catalogue", { class: "btn btn-link", onclick: () => ctx.navigate("catalogue") })),
    section(null, f),
  );
  (params.customer ? f.elements.namedItem("product") : f.elements.namedItem("customer")).focus();
  quote();
}

// A subscription's page -----------------------------------------------------------------------

function fact(label, value, props = {}) {
  return h("div", { class: "fact", ...props }, h("dt", {}, label), h("dd", {}, value ?? h("span", { class: "muted" }, "—")));
}

/** A small form for one change; its errors (refusals included) show inside it. */
function changeForm(name, title, explain, fields, submitLabel, handler, props = {}) {
  const f = form(name, { class: "form change" }, h("h3", {}, title), explain ? h("p", { class: "hint" }, explain) : null, h("div", { class: "change-fields" }, fields), actions(submit(submitLabel, { "data-action": props.action || name, class: props.danger ? "btn btn-danger" : "btn" })));
  onSubmit(f, handler);
  return f;
}

async function renderPage(root, ctx, id) {
  const [view, products] = await Promise.all([api.subscriptionGet(id, null), api.productsList(null, null)]);
  const s = view.subscription;
  const live = s.status === "active" || s.status === "suspended";
  const reload = () => ctx.navigate("subscriptions", { id });
  const cur = s.price.price_currency;
  const changed = (text, r) => {
    ctx.toast(text + atMicrosoft(r));
    if (ctx.refreshPcBadge) ctx.refreshPcBadge();
    reload();
  };

  const sch = s.scheduled;
  const scheduled = [sch.quantity != null ? `${sch.quantity} seats` : null, sch.term ? `term ${sch.term}` : null, sch.billing ? `billed ${sch.billing}` : null, sch.product ? `product ${sch.product}` : null].filter(Boolean);

  const facts = h(
    "dl",
    { class: "facts" },
    fact("Seats", h("span", { "data-quantity": s.quantity }, fmt.decimal(String(s.quantity)))),
    fact("Term", `${s.term} billed ${s.billing}`),
    fact("This term", h("span", {}, day(s.term_start), " – ", day(s.term_end))),
    fact("Current charge cycle", view.current_cycle ? h("span", {}, day(view.current_cycle.start), " – ", day(view.current_cycle.end)) : null),
    fact(`Price per seat per ${CYCLE[s.billing]}`, amount(view.price_per_cycle, cur)),
    fact("Price per seat per term", amount(s.price.unit_price, cur)),
    fact("Cost per seat per term", amount(s.price.unit_cost, s.price.cost_currency)),
    fact("Cancellable until", view.cancellable_until ? day(view.cancellable_until) : h("span", { class: "muted" }, "Window closed")),
    fact(
      "Seats that can be removed",
      view.reducible_seats ? h("span", {}, `${view.reducible_seats} until `, day(view.reducible_until)) : h("span", { class: "muted" }, "None now — schedule a decrease for the renewal"),
    ),
    fact("Renewal", view.renews_on ? h("span", {}, "Renews ", day(view.renews_on)) : live ? h("span", { class: "warn-text" }, "Ends ", day(s.term_end), " (auto-renew off)") : null),
    fact("At renewal", scheduled.length ? scheduled.join(", ") : null),
    fact("Priced by", s.price.rule),
    fact("Microsoft id", s.ms_subscription_id || null),
  );

  const today = ctx.today;
  const changes = [];
  if (live) {
    changes.push(
      changeForm(
        "quantity",
        "Change seats",
        "Seats can be added any time; removed only within 7 days of being added.",
        [field({ label: "Seats", name: "quantity", type: "number", min: "1", step: "1", value: String(s.quantity), required: true }), field({ label: "From", name: "on", type: "date", value: today })],
        "Change seats",
        async (v) => {
          const r = await api.subscriptionQuantity(id, v.quantity, v.on);
          changed(`Subscription ${id} now has ${v.quantity} seats.`, r);
        },
      ),
      changeForm(
        "schedule",
        "At the next renewal",
        `Changes that take effect on ${view.renews_on ? fmt.date(view.renews_on) : "the renewal"}. Leave a field empty to keep it.`,
        [
          field({ label: "Seats", name: "quantity", type: "number", min: "1", step: "1", value: sch.quantity ?? "" }),
          field({ label: "Term", name: "term", type: "select", options: [["", "Same term"], ...TERMS], value: sch.term ?? "" }),
          field({ label: "Billing plan", name: "billing", type: "select", options: [["", "Same plan"], ...PLANS], value: sch.billing ?? "" }),
          field({ label: "Product", name: "product", list: "page-products", value: sch.product ?? "", placeholder: "Same product", autocomplete: "off" }),
        ],
        "Schedule",
        async (v) => {
          const r = await api.subscriptionSchedule(id, { quantity: v.quantity || null, term: v.term || null, billing: v.billing || null, product: v.product || null });
          changed("Scheduled for the renewal.", r);
        },
        { action: "schedule" },
      ),
      changeForm(
        "upgrade",
        "Upgrade",
        "To a product that costs at least as much; the rest of the cycle is credited and charged again.",
        [field({ label: "New product", name: "product", list: "page-products", required: true, autocomplete: "off" }), field({ label: "From", name: "on", type: "date", value: today })],
        "Upgrade",
        async (v) => {
          const r = await api.subscriptionUpgrade(id, v.product, v.on);
          changed(`Subscription ${id} upgraded.`, r);
        },
        { action: "upgrade" },
      ),
    );

    const autoForm = form("auto-renew", { class: "form change" }, h("h3", {}, "Auto-renew"), h("p", { class: "hint" }, s.auto_renew ? `On: renews ${fmt.date(view.renews_on)}.` : `Off: ends after ${fmt.date(s.term_end)}.`), actions(submit(s.auto_renew ? "Turn auto-renew off" : "Turn auto-renew on", { "data-action": "auto-renew", class: "btn" })));
    onSubmit(autoForm, async () => {
      const r = await api.subscriptionAutoRenew(id, !s.auto_renew);
      changed(`Auto-renew is ${s.auto_renew ? "off" : "on"}.`, r);
    });
    changes.push(autoForm);

    if (s.status === "active") {
      changes.push(
        changeForm("suspend", "Suspend", "The customer loses access; billing continues and auto-renew goes off.", [field({ label: "From", name: "on", type: "date", value: today })], "Suspend", async (v) => {
          const r = await api.subscriptionSuspend(id, v.on);
          changed(`Subscription ${id} suspended.`, r);
        }),
      );
    } else {
      changes.push(
        changeForm("reactivate", "Reactivate", "Access comes back; auto-renew stays off until you turn it on.", [field({ label: "From", name: "on", type: "date", value: today })], "Reactivate", async (v) => {
          const r = await api.subscriptionReactivate(id, v.on);
          changed(`Subscription ${id} reactivated.`, r);
        }),
      );
    }
    changes.push(
      changeForm(
        "cancel",
        "Cancel",
        view.cancellable_until ? `Allowed until ${fmt.date(view.cancellable_until)}; unused days are credited.` : "Only within 7 days of purchase or renewal: turn auto-renew off instead.",
        [field({ label: "On", name: "on", type: "date", value: today })],
        "Cancel subscription",
        async (v) => {
          const r = await api.subscriptionCancel(id, v.on);
          changed(`Subscription ${id} cancelled.`, r);
        },
        { danger: true },
      ),
    );
  }

  const history = table(
    "history",
    [["Date"], ["What happened"], ["Seats", { numeric: true }]],
    [...view.history].reverse().map((e) =>
      h(
        "tr",
        { "data-id": e.id, class: `event event-${e.kind}` },
        td(h("span", { class: "event-dot", "aria-hidden": "true" }), { class: "timeline" }),
        td(
          h(
            "div",
            {},
            h("div", { class: "event-head" }, day(e.effective), " ", badge(e.kind.replaceAll("-", " "), toneOf(e.kind))),
            h("div", { class: "event-text" }, e.description),
            h("div", { class: "sub" }, `Recorded ${fmt.timestamp(e.recorded_at)}`),
          ),
        ),
        td(h("span", {}, fmt.decimal(String(e.quantity)), e.quantity_delta ? h("span", { class: "sub" }, ` (${e.quantity_delta > 0 ? "+" : "−"}${Math.abs(e.quantity_delta)})`) : null), { numeric: true }),
      ),
    ),
    { class: "table timeline-table" },
  );

  add(root, 
    h(
      "nav",
      { class: "crumbs" },
      button("← Subscriptions", { class: "btn btn-link", "data-action": "back", onclick: () => ctx.navigate("subscriptions") }),
      button(view.customer_name, { class: "btn btn-link", onclick: () => ctx.navigate("customers", { id: s.customer_id }) }),
    ),
    header(s.product_title, h("span", {}, `Subscription ${s.id} · ${s.product} · `, h("span", {}, view.customer_name), " · ", statusBadge(s), view.pending_at_microsoft.some((e) => e.state === "waiting") ? [" ", pendingBadge()] : null)),
    view.pending_at_microsoft.length
      ? h(
          "div",
          { class: "notice notice-warn", role: "status", "data-pending-at-microsoft": String(view.pending_at_microsoft.length) },
          h("strong", {}, "Waiting for Microsoft. "),
          view.pending_at_microsoft.map((e) =>
            h(
              "div",
              { "data-outbox": e.id, "data-state": e.state },
              e.state === "accepted" ? `${e.what}: accepted by Microsoft, not finished yet.` : `${e.what}: not sent yet${e.last_error ? ` (${e.last_error})` : ""}. It is not billed until Microsoft takes it.`,
            ),
          ),
        )
      : null,
    productList("page-products", products),
    h("div", { class: "columns columns-even" }, section("Now", facts), section("History", history)),
    live ? section("Changes", h("div", { class: "changes" }, changes)) : null,
  );
}

function toneOf(kind) {
  if (kind === "cancelled" || kind === "expired") return "danger";
  if (kind === "suspended" || kind === "auto-renew-off") return "warn";
  if (kind === "purchased" || kind === "renewed" || kind === "trial-converted" || kind === "reactivated") return "ok";
  return "neutral";
}
