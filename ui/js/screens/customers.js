// Customers: a searchable, sortable list; the add/edit form; and a customer's page with its
// subscriptions, invoices, balance and contact log.

import * as api from "../api.js";
import * as fmt from "../format.js";
import * as usage from "../usage.js";
import * as mail from "../mail.js";
import { h, add, replace, amount, day, badge, button, header, section, table, td, linkRow, empty, field, form, actions, submit, onSubmit, dialog, debounce, values, showError, more, fillRows, PAGE } from "../dom.js";
import { paymentDialog, refundDialog, openInvoicesTable, paymentsTable } from "./payments.js";
import { statusBadge, pendingBadge } from "./subscriptions.js";
import { invoiceBadge } from "../status.js";

const COLLATOR = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });
const COLUMNS = [
  ["name", "Name"],
  ["domain", "Tenant domain"],
  ["contact_person", "Contact"],
  ["email", "Email"],
  ["country", "Country"],
  ["currency", "Currency"],
];

export async function render(root, ctx, params = {}) {
  if (params.id) return renderPage(root, ctx, params.id);
  return renderList(root, ctx, params);
}

// The list ------------------------------------------------------------------------------------

async function renderList(root, ctx, params) {
  const state = { search: params.search || "", includeClosed: false, sort: "name", dir: 1, shown: PAGE, rows: [], complete: false, seq: 0 };

  const search = h("input", {
    type: "search",
    "data-search": "customers",
    placeholder: "Search name, domain, email, VAT number or contact",
    "aria-label": "Search customers",
    value: state.search,
    class: "search",
  });
  const closed = h("input", { type: "checkbox", id: "show-closed" });
  const count = h("p", { class: "count", "aria-live": "polite" });
  const body = h("div", {});

  const addButton = button("Add customer", {
    class: "btn btn-primary",
    "data-action": "add-customer",
    onclick: () => openCustomerForm(ctx, null, (c) => ctx.navigate("customers", { id: c.id })),
  });

  add(root, 
    header("Customers", "Everyone you bill, with their Microsoft tenant.", addButton),
    h("div", { class: "toolbar" }, search, h("label", { class: "check", for: "show-closed" }, closed, " Include closed")),
    count,
    body,
  );

  function sorted() {
    const key = state.sort;
    const rows = [...state.rows];
    rows.sort((a, b) => state.dir * COLLATOR.compare(String(a[key] ?? ""), String(b[key] ?? "")) || a.id - b.id);
    return rows;
  }

  function draw() {
    const rows = sorted();
    const many = state.complete ? fmt.plural(state.rows.length, "customer") : `More than ${fmt.decimal(String(PAGE))} customers`;
    count.textContent = state.rows.length === 0 ? "" : `${many}${state.search ? ` matching “${state.search}”` : ""}`;
    if (rows.length === 0) {
      replace(
        body,
        empty(state.search ? `No customer matches “${state.search}”.` : "No customers yet. Add your first customer to start billing."),
      );
      return;
    }
    const head = h(
      "tr",
      {},
      COLUMNS.map(([key, label]) =>
        h(
          "th",
          { scope: "col", "aria-sort": state.sort === key ? (state.dir > 0 ? "ascending" : "descending") : null },
          h(
            "button",
            {
              type: "button",
              class: "sort",
              "data-sort": key,
              onclick: () => {
                state.dir = state.sort === key ? -state.dir : 1;
                state.sort = key;
                draw();
              },
            },
            label,
            h("span", { class: "sort-mark", "aria-hidden": "true" }, state.sort === key ? (state.dir > 0 ? " ↑" : " ↓") : ""),
          ),
        ),
      ),
    );
    const list = h("table", { class: "table", "data-list": "customers" }, h("thead", {}, head), h("tbody", {}));
    fillRows(list, rows.slice(0, state.shown), (c) =>
      h(
        "tr",
        { "data-id": c.id, class: "row-link" + (c.closed_on ? " row-muted" : ""), onclick: (e) => e.target.tagName !== "BUTTON" && ctx.navigate("customers", { id: c.id }) },
        td(
          h(
            "button",
            { type: "button", class: "link", "data-action": "open-customer", onclick: () => ctx.navigate("customers", { id: c.id }) },
            c.name,
          ),
          {},
        ),
        td(c.domain),
        td(c.contact_person),
        td(c.email),
        td(c.country),
        td(h("span", {}, c.currency, c.closed_on ? badge(`Closed ${fmt.date(c.closed_on)}`, "neutral") : null)),
      ),
    );
    const rest = more(state.shown, rows.length, () => {
      state.shown = rows.length;
      draw();
    });
    replace(body, h("div", { class: "table-wrap" }, list), rest);
  }

  async function load() {
    const seq = ++state.seq;
    try {
      // The first page first, so the list shows at once however many customers there are; then
      // all of them, for the count, sorting by any column and "Show all".
      const first = await api.customersList(state.search, state.includeClosed, PAGE + 1);
      if (seq !== state.seq) return; // a later search already answered
      state.shown = PAGE;
      state.complete = first.length <= PAGE;
      state.rows = first.slice(0, PAGE);
      draw();
      if (state.complete) return;
      const rows = await api.customersList(state.search, state.includeClosed);
      if (seq !== state.seq) return;
      state.rows = rows;
      state.complete = true;
      draw();
    } catch (error) {
      replace(body, h("p", { class: "notice notice-error", role: "alert" }, error.message));
    }
  }

  search.addEventListener(
    "input",
    debounce(() => {
      state.search = search.value.trim();
      load();
    }, 40),
  );
  search.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && state.rows.length === 1) ctx.navigate("customers", { id: state.rows[0].id });
  });
  closed.addEventListener("change", () => {
    state.includeClosed = closed.checked;
    load();
  });
  await load();
  search.focus();
}

// The form --------------------------------------------------------------------------------------

const TAX = [
  ["standard", "Standard VAT"],
  ["zero-rated", "Zero-rated (0 %)"],
  ["exempt", "Exempt"],
];
const ALIGNMENT = [
  ["microsoft", "Microsoft's cycles (anniversary)"],
  ["calendar", "Calendar months"],
];

/** The add/edit dialog. `existing` is a customer or null; `onSaved(customer)` after saving. */
export function openCustomerForm(ctx, existing, onSaved) {
  const c = existing || {};
  const company = ctx.company;
  const f = form(
    "customer",
    {},
    h(
      "div",
      { class: "grid" },
      field({ label: "Name", name: "name", required: true, value: c.name, wide: true, autocomplete: "off" }),
      field({
        label: "Tenant domain",
        name: "domain",
        required: true,
        value: c.domain,
        placeholder: "contoso.onmicrosoft.com",
        hint: "The customer's Microsoft tenant domain",
        wide: true,
      }),
      field({ label: "Contact person", name: "contact_person", value: c.contact_person }),
      field({ label: "Billing e-mail", name: "email", value: c.email, hint: "Invoices, statements and reminders go to each; separate several with commas" }),
      field({ label: "Documents by", name: "delivery", type: "select", options: DELIVERY, value: c.delivery ?? "email" }),
      field({ label: "Phone", name: "phone", type: "tel", value: c.phone }),
      field({ label: "VAT number", name: "vat_number", value: c.vat_number }),
      field({ label: "Billing address", name: "address", type: "textarea", rows: 3, value: c.address, wide: true }),
      field({ label: "Country", name: "country", value: c.country ?? company.country, maxlength: 2, class: "upper" }),
      field({ label: "Currency", name: "currency", value: c.currency ?? company.currency, maxlength: 3, class: "upper", hint: existing ? "Cannot change once subscriptions exist" : null }),
      field({ label: "Tax treatment", name: "tax_treatment", type: "select", options: TAX, value: c.tax_treatment ?? "standard" }),
      field({ label: "Payment terms (days)", name: "payment_terms_days", inputmode: "numeric", value: c.payment_terms_days ?? company.payment_terms_days }),
      field({ label: "Credit limit", name: "credit_limit", inputmode: "decimal", value: c.credit_limit ?? "", hint: "Optional, in the customer's currency" }),
      field({ label: "Billing alignment", name: "billing_alignment", type: "select", options: ALIGNMENT, value: c.billing_alignment ?? "microsoft" }),
      field({ label: "Tenant id", name: "tenant_id", value: c.tenant_id, placeholder: "GUID (optional)", wide: true }),
      field({ label: "Notes", name: "notes", type: "textarea", rows: 2, value: c.notes, wide: true }),
    ),
    actions(
      button("Cancel", { onclick: () => dlg.close() }),
      submit(existing ? "Save changes" : "Add customer", { "data-action": "save" }),
    ),
  );
  const dlg = dialog("customer", existing ? `Edit ${c.name}` : "New customer", f);
  onSubmit(f, async (v) => {
    const saved = existing ? await api.customerUpdate(existing.id, v) : await api.customerAdd(v);
    dlg.close();
    const atMicrosoft = !saved.microsoft
      ? ""
      : saved.pending
        ? ` Its billing profile waits to reach Microsoft (${saved.microsoft.last_error}); it is sent again shortly.`
        : " Its billing profile at Microsoft is changed too.";
    ctx.toast(existing ? `Saved ${saved.name}.${atMicrosoft}` : `Added ${saved.name}.`);
    onSaved(saved);
  });
}

// A customer's page -----------------------------------------------------------------------------

const DELIVERY = [
  ["email", "E-mail"],
  ["paper", "Paper (printed and posted)"],
];

const CHANNELS = ["phone", "email", "meeting", "chat", "ticket", "other"].map((c) => [c, c[0].toUpperCase() + c.slice(1)]);

async function renderPage(root, ctx, id) {
  const azure = await usage.customerSection(ctx, id);
  const [c, subs, invoices, log, account, payments, creditStop, messages, pc, outbox] = await Promise.all([
    api.customerGet(id),
    api.subscriptionsList(id, null),
    api.invoicesList(null, id, null).then((page) => page.rows),
    api.contactLog(id),
    api.customerAccount(id),
    api.paymentsList(id),
    api.customerCreditStop(id),
    api.mailLog(id),
    api.pcStatus().catch(() => ({ connected: false })),
    api.pcOutbox().catch(() => []),
  ]);
  const pending = new Set(outbox.filter((e) => e.state === "waiting").map((e) => e.subscription_id));
  const reload = () => ctx.navigate("customers", { id });

  // Not at Microsoft yet, and Seatbook connected: make it there, with its agreement.
  let atMicrosoft = null;
  if (pc.connected && !c.tenant_id && !c.closed_on) {
    const make = form(
      "customer-provision",
      { class: "form" },
      h("p", { class: "hint" }, `A new Microsoft tenant for this customer, and the Microsoft Customer Agreement recorded as accepted by ${c.contact_person || "its contact person"} today.`),
      field({ label: "Microsoft domain", name: "domain", value: c.domain, placeholder: "contoso.onmicrosoft.com", wide: true }),
      field({ label: "Street address", name: "address_line", required: true, wide: true }),
      field({ label: "City", name: "city", required: true }),
      field({ label: "Postal code", name: "postal_code", required: true }),
      field({ label: "State or province", name: "state" }),
      actions(submit("Make at Microsoft", { "data-action": "customer-provision" })),
    );
    onSubmit(make, async (v) => {
      const made = await api.customerProvision(c.id, { domain: v.domain || null, address_line: v.address_line, city: v.city, postal_code: v.postal_code, state: v.state || null });
      const a = made.agreement;
      ctx.toast(
        a
          ? `${c.name} is made at Microsoft (tenant ${made.customer.tenant_id}); the agreement is recorded as accepted by ${a.first_name} ${a.last_name}.`
          : `${c.name} waits to be made at Microsoft (${made.microsoft.last_error}); it is sent again shortly, and made once.`,
      );
      reload();
    });
    atMicrosoft = section("Microsoft", make);
  }
  // The customer's own changes on their way to Microsoft (made there, its billing profile).
  const ownWaiting = outbox.filter((e) => e.customer_id === c.id && e.subscription_id == null && (e.state === "waiting" || e.state === "accepted"));
  const customerPending = ownWaiting.length
    ? h(
        "p",
        { class: "notice", "data-role": "customer-pending" },
        `Pending at Microsoft: ${ownWaiting.map((e) => e.what + (e.last_error ? ` (${e.last_error})` : "")).join("; ")}.`,
      )
    : null;

  const hasCredit = /[1-9]/.test(account.credit);
  const actionsBar = [
    button("Record payment…", {
      class: "btn btn-primary",
      "data-action": "record-payment",
      onclick: () => paymentDialog(ctx, { customerId: c.id, customerName: c.name, currency: account.currency, amount: account.invoices.length && !account.balance.startsWith("-") ? account.balance : "" }, reload),
    }),
    hasCredit ? button("Refund credit…", { "data-action": "refund-credit", onclick: () => refundDialog(ctx, account, reload) }) : null,
    button("Statement…", { "data-action": "statement", onclick: () => statementDialog(ctx, c) }),
    button("Edit", { "data-action": "edit-customer", onclick: () => openCustomerForm(ctx, c, reload) }),
    c.closed_on
      ? null
      : button("Add subscription", { "data-action": "add-subscription", onclick: () => ctx.navigate("subscriptions", { add: true, customer: c.id }) }),
    c.closed_on ? null : button("Close customer", { class: "btn btn-danger-quiet", "data-action": "close-customer", onclick: () => closeDialog(ctx, c, reload) }),
  ];

  const cur = account.currency;
  const overdue = account.invoices.filter((i) => i.status === "overdue");
  const stat = (title, value, detail, props = {}) =>
    h("article", { class: "stat", ...props }, h("h2", { class: "stat-title" }, title), h("div", { class: "stat-value" }, value), detail ? h("p", { class: "stat-detail" }, detail) : null);
  const balance = h(
    "div",
    { class: "stats stats-small", "data-balance": account.balance },
    stat("Balance", amount(account.balance, cur, { "data-stat": "balance" }), `${fmt.plural(account.invoices.length, "invoice")} open`),
    stat(
      "Overdue",
      h("span", { "data-stat": "overdue", class: overdue.length ? "danger-text" : "" }, fmt.plural(overdue.length, "invoice")),
      overdue.length ? h("span", {}, "oldest due ", day(overdue.map((i) => i.due_date).sort()[0])) : "nothing past due",
    ),
    stat("Invoiced", amount(account.invoiced, cur), h("span", {}, "credited ", amount(account.credited, cur))),
    stat("Received", amount(account.received, cur), receivedDetail(account)),
  );

  const details = h(
    "dl",
    { class: "details" },
    detail("Contact", c.contact_person),
    detail("Billing e-mail", c.email),
    detail("Documents by", DELIVERY.find(([v]) => v === (c.delivery ?? "email"))?.[1] ?? c.delivery),
    detail("Phone", c.phone),
    detail("Billing address", c.address),
    detail("Country", c.country),
    detail("Currency", c.currency),
    detail("VAT number", c.vat_number),
    detail("Tax treatment", TAX.find(([v]) => v === c.tax_treatment)?.[1] ?? c.tax_treatment),
    detail("Payment terms", `${c.payment_terms_days} days`),
    detail("Credit limit", c.credit_limit ? amount(c.credit_limit, c.currency) : ""),
    detail("Billing alignment", ALIGNMENT.find(([v]) => v === c.billing_alignment)?.[1] ?? c.billing_alignment),
    detail("Tenant id", c.tenant_id),
    detail("Notes", c.notes),
  );

  const subTable = subs.length
    ? table(
        "subscriptions",
        [["#", { numeric: true }], ["Product"], ["Seats", { numeric: true }], ["Term"], ["Term ends"], ["Status"]],
        subs.map((s) =>
          linkRow(
            s.id,
            () => ctx.navigate("subscriptions", { id: s.id }),
            td(String(s.id), { numeric: true }),
            td(h("div", {}, s.product_title, h("div", { class: "sub" }, s.product))),
            td(fmt.decimal(String(s.quantity)), { numeric: true }),
            td(`${s.term} · ${s.billing}`),
            td(day(s.term_end)),
            td(h("span", { class: "badges" }, statusBadge(s), pending.has(s.id) ? pendingBadge() : null)),
          ),
        ),
      )
    : empty("No subscriptions yet.");

  const invTable = invoices.length
    ? table(
        "invoices",
        [["Number"], ["Date"], ["Due"], ["Total", { numeric: true }], ["Status"], [""]],
        invoices.map((i) =>
          h(
            "tr",
            { "data-id": i.number },
            td(h("span", { class: "nowrap" }, i.number)),
            td(day(i.date)),
            td(day(i.due_date)),
            td(amount(i.total, i.currency), { numeric: true }),
            td(invoiceBadge(i)),
            td(
              button("Open", {
                class: "btn btn-small",
                "data-action": "open-pdf",
                title: "Open the PDF in your PDF viewer",
                onclick: async () => {
                  try {
                    await api.pdfOpen(i.number);
                    ctx.toast(`Opened ${i.number}.`);
                  } catch (error) {
                    ctx.toast(error.message, "error");
                  }
                },
              }),
            ),
          ),
        ),
      )
    : empty("No invoices yet.");

  const logTable = log.length
    ? table(
        "contact-log",
        [["Date"], ["Channel"], ["Summary"]],
        [...log].reverse().map((e) => h("tr", { "data-id": e.id }, td(day(e.date)), td(badge(e.channel, "neutral")), td(h("span", { class: "pre" }, e.summary)))),
      )
    : empty("Nothing logged yet.");

  const note = form(
    "note",
    { class: "form form-inline" },
    field({ label: "Date", name: "on", type: "date", value: ctx.today }),
    field({ label: "Channel", name: "channel", type: "select", options: CHANNELS, value: "phone" }),
    field({ label: "Summary", name: "summary", wide: true, placeholder: "What was said or agreed", maxlength: 2000 }),
    actions(submit("Add note", { "data-action": "add-note" })),
  );
  onSubmit(note, async (v) => {
    await api.customerNote(c.id, v.channel, v.summary, v.on);
    ctx.toast("Note added.");
    reload();
  });

  add(root, 
    h("nav", { class: "crumbs" }, button("← Customers", { class: "btn btn-link", "data-action": "back", onclick: () => ctx.navigate("customers") })),
    header(
      h("span", { "data-customer-name": "" }, c.name),
      h("span", {}, c.domain, c.closed_on ? h("span", {}, " · ", badge(`Closed ${fmt.date(c.closed_on)}`, "neutral")) : null),
      ...actionsBar.filter(Boolean),
    ),
    creditStop
      ? h(
          "div",
          { class: "notice notice-error", role: "note", "data-credit-stop-flag": "" },
          h("strong", {}, "On credit stop: "),
          h("span", { "data-credit-stop-reason": "" }, creditStop),
          ". New subscriptions for this customer ask for confirmation.",
        )
      : null,
    balance,
    h(
      "div",
      { class: "columns columns-wide" },
      h(
        "div",
        {},
        section("Account", h("div", { "data-account": "", "data-credit": account.credit }, openInvoicesTable(ctx, account, reload))),
        section("Payments", paymentsTable(ctx, payments, reload)),
        section("Subscriptions", subTable),
        section("Invoices", invTable),
        section("Contact log", note, logTable),
        section("E-mail sent", mail.messagesTable(messages)),
        section("Azure", azure),
      ),
      h("div", {}, section("Details", customerPending, details), atMicrosoft),
    ),
  );
}

/** The statement dialog: a date range, then a PDF saved where the user says. */
function statementDialog(ctx, c) {
  const yearAgo = `${Number(ctx.today.slice(0, 4)) - 1}${ctx.today.slice(4, 8)}01`;
  const f = form(
    "statement",
    {},
    h("p", { class: "dialog-lead" }, c.name, ": opening balance, invoices, credit notes, payments, closing balance and the aging of what is open."),
    h("div", { class: "form-grid" }, field({ label: "From", name: "from", type: "date", value: yearAgo }), field({ label: "To", name: "to", type: "date", value: ctx.today })),
    mail.mailProgress(),
    actions(
      button("Cancel", { onclick: () => dlg.close() }),
      button("E-mail", {
        "data-action": "email-statement",
        title: "E-mail the statement, with its PDF, to the customer's billing addresses",
        onclick: async () => {
          let v;
          try {
            v = values(f);
          } catch (error) {
            showError(f, error);
            return;
          }
          const done = await mail.sendWith(ctx, () => api.mailSendStatement(c.id, v.from, v.to), null);
          if (done) dlg.close();
        },
      }),
      submit("Save PDF as…", { "data-action": "save-statement" }),
    ),
  );
  const dlg = dialog("statement", "Statement", f);
  onSubmit(f, async (v) => {
    const path = await api.statementSaveAs(c.id, v.from, v.to);
    if (path) {
      dlg.close();
      ctx.toast(`Saved ${path}.`);
    }
  });
}

/** Under "Received": the credit not applied yet and what was paid back, when there is any. */
function receivedDetail(account) {
  const cur = account.currency;
  const parts = [];
  if (/[1-9]/.test(account.credit)) parts.push(h("span", {}, "unapplied credit ", amount(account.credit, cur)));
  if (/[1-9]/.test(account.refunded)) parts.push(h("span", {}, "refunded ", amount(account.refunded, cur, { "data-stat": "refunded" })));
  return parts.length ? h("span", {}, parts.map((p, i) => [i ? " · " : "", p])) : null;
}

function detail(label, value) {
  if (value === null || value === undefined || value === "") return null;
  return h("div", { class: "detail" }, h("dt", {}, label), h("dd", { class: "pre" }, value));
}

function closeDialog(ctx, c, reload) {
  const f = form(
    "close-customer",
    {},
    h("p", {}, "A closed customer is no longer billed and leaves the customer list. Customers with running subscriptions cannot be closed."),
    field({ label: "Closed on", name: "on", type: "date", value: ctx.today }),
    actions(button("Cancel", { onclick: () => dlg.close() }), submit("Close customer", { class: "btn btn-danger", "data-action": "close" })),
  );
  const dlg = dialog("close-customer", `Close ${c.name}?`, f);
  onSubmit(f, async (v) => {
    await api.customerClose(c.id, v.on);
    dlg.close();
    ctx.toast(`${c.name} is closed.`);
    reload();
  });
}
