// Invoices: filter by month, customer and status; open a PDF in the system viewer, save it
// elsewhere, or correct an invoice with a credit note.

import * as api from "../api.js";
import * as fmt from "../format.js";
import * as mail from "../mail.js";
import { h, add, replace, amount, day, badge, button, header, rowsTable, td, empty, field, form, actions, submit, onSubmit, dialog, more, PAGE } from "../dom.js";
import { invoiceBadge } from "../status.js";
import { paymentDialog } from "./payments.js";
import { remindersDialog } from "./reminders.js";

const STATUS = [
  ["", "Any status"],
  ["unpaid", "Not paid yet"],
  ["overdue", "Overdue"],
  ["paid", "Paid"],
  ["credited", "Credited"],
];

async function openPdf(ctx, number) {
  try {
    await api.pdfOpen(number);
    ctx.toast(`Opened ${number}.`);
  } catch (error) {
    ctx.toast(error.message, "error");
  }
}

export async function render(root, ctx, params = {}) {
  // The customers of the filter (a long list) are read once the first invoices are painted.
  const customersLoaded = ctx.drawn.then(() => api.customersList(null, true));
  const filters = { month: params.month || "", customer: params.customer ? String(params.customer) : "", status: params.status || "" };

  const month = h("input", { type: "search", "data-filter": "month", placeholder: "Month (YYYY-MM)", "aria-label": "Month", value: filters.month, class: "month-input", inputmode: "numeric" });
  const customerOptions = (customers) =>
    [["", "Every customer"], ...customers.map((c) => [String(c.id), c.name])].map(([v, l]) => h("option", { value: v, selected: v === filters.customer }, l));
  const customer = h(
    "select",
    { "data-filter": "customer", "aria-label": "Customer" },
    customerOptions(filters.customer ? [{ id: filters.customer, name: `Customer ${filters.customer}` }] : []),
  );
  const status = h("select", { "data-filter": "status", "aria-label": "Status" }, STATUS.map(([v, l]) => h("option", { value: v, selected: v === filters.status }, l)));
  const message = h("p", { class: "field-error", "data-error-for": "month", role: "alert", hidden: true });
  const body = h("div", {});

  async function load(showAll = false) {
    all = showAll === true;
    message.hidden = true;
    const m = month.value.trim();
    if (m && !/^\d{4}-\d{2}$/.test(m)) {
      message.textContent = "Type a month as YYYY-MM, e.g. 2026-11.";
      message.hidden = false;
      return;
    }
    try {
      const page = await api.invoicesList(m || null, customer.value ? Number(customer.value) : null, status.value || null, all ? null : PAGE);
      draw(page);
    } catch (error) {
      message.textContent = error.message;
      message.hidden = false;
    }
  }

  // The newest PAGE invoices that the filters keep, with how many they keep; "Show all" asks
  // for the rest (a new filter shows a page again).
  let all = false;
  function draw({ total, rows: list }) {
    if (!list.length) {
      replace(body, empty("No invoices match these filters."));
      return;
    }
    replace(
      body,
      h("p", { class: "count" }, fmt.plural(total, "invoice")),
      rowsTable(
        "invoices",
        [["Number"], ["Date"], ["Customer"], ["Total", { numeric: true }], ["Due"], ["Status"], [""]],
        list,
        (i) =>
          h(
            "tr",
            { "data-id": i.number },
            td(h("div", {}, h("strong", { class: "nowrap" }, i.number), h("div", { class: "sub nowrap" }, fmt.month(i.month)))),
            td(day(i.date)),
            td(
              h(
                "div",
                {},
                h("button", { type: "button", class: "link", onclick: () => ctx.navigate("customers", { id: i.customer_id }) }, i.customer_name),
                i.credit_notes.length
                  ? h(
                      "div",
                      { class: "sub" },
                      "Credit notes: ",
                      i.credit_notes.map((n, k) => [k ? ", " : "", h("button", { type: "button", class: "link", "data-action": "open-pdf", "data-number": n, onclick: () => openPdf(ctx, n) }, n)]),
                    )
                  : null,
              ),
            ),
            td(
              h(
                "div",
                {},
                amount(i.total, i.currency),
                /[1-9]/.test(i.credited_net) ? h("div", { class: "sub" }, "credited ", amount(i.credited_net, i.currency), " net") : null,
                /[1-9]/.test(i.paid) ? h("div", { class: "sub" }, "paid ", amount(i.paid, i.currency)) : null,
                i.status !== "paid" && i.status !== "credited" && (/[1-9]/.test(i.paid) || /[1-9]/.test(i.credited_net)) ? h("div", { class: "sub" }, "open ", amount(i.open, i.currency)) : null,
              ),
              { numeric: true },
            ),
            td(day(i.due_date)),
            td(invoiceBadge(i)),
            td(
              h(
                "div",
                { class: "row-actions" },
                button("Open", { class: "btn btn-small", "data-action": "open-pdf", title: "Open the PDF in your PDF viewer", onclick: () => openPdf(ctx, i.number) }),
                button("Save as…", {
                  class: "btn btn-small",
                  "data-action": "save-pdf",
                  title: "Save the PDF somewhere else",
                  onclick: async () => {
                    try {
                      const path = await api.pdfSaveAs(i.number);
                      if (path) ctx.toast(`Saved ${path}.`);
                    } catch (error) {
                      ctx.toast(error.message, "error");
                    }
                  },
                }),
                button("E-mail", {
                  class: "btn btn-small",
                  "data-action": "email",
                  title: "E-mail this invoice with its PDF to the customer's billing addresses",
                  onclick: () => mail.sendWith(ctx, () => api.mailSendDocuments([i.number], true), null),
                }),
                i.status === "paid" || i.status === "credited"
                  ? null
                  : button("Payment…", {
                      class: "btn btn-small btn-primary",
                      "data-action": "record-payment",
                      title: "Record money received for this invoice",
                      onclick: () => paymentDialog(ctx, { customerId: i.customer_id, customerName: i.customer_name, currency: i.currency, invoice: i.number, amount: i.open }, load),
                    }),
                i.status === "credited" ? null : button("Credit…", { class: "btn btn-small", "data-action": "credit", title: "Issue a credit note", onclick: () => creditDialog(ctx, i.number, load) }),
              ),
            ),
          ),
      ),
      more(list.length, total, () => {
        all = true;
        load(true);
      }),
    );
  }

  month.addEventListener("change", load);
  month.addEventListener("search", load);
  customer.addEventListener("change", load);
  status.addEventListener("change", load);

  add(root, 
    header(
      "Invoices",
      "Issued invoices never change; corrections are credit notes.",
      button("Reminders…", { "data-action": "reminders", title: "Letters for overdue invoices", onclick: () => remindersDialog(ctx, load) }),
      button("Open PDF folder", {
        "data-action": "open-folder",
        onclick: async () => {
          try {
            const path = await api.pdfOpenFolder(month.value.trim() || null);
            ctx.toast(`Opened ${path}.`);
          } catch (error) {
            ctx.toast(error.message, "error");
          }
        },
      }),
    ),
    h("div", { class: "toolbar" }, month, customer, status),
    mail.mailProgress(),
    message,
    body,
  );
  await load();
  ctx.firstRows();
  const chosen = customer.value;
  filters.customer = chosen;
  replace(customer, customerOptions(await customersLoaded));
  customer.value = chosen;
}

/** The credit-note dialog: the whole invoice, chosen lines, or a net amount, with a reason. */
async function creditDialog(ctx, number, done) {
  let inv;
  try {
    inv = await api.invoiceGet(number);
  } catch (error) {
    ctx.toast(error.message, "error");
    return;
  }
  const lines = h(
    "fieldset",
    { class: "lines-choice" },
    h("legend", {}, "Lines"),
    inv.lines.map((l) =>
      h(
        "label",
        { class: "check line-check" + (l.credited ? " muted" : "") },
        h("input", { type: "checkbox", name: "lines", value: String(l.position), disabled: l.credited }),
        h("span", {}, `${l.position}. ${l.description}`),
        amount(l.amount, inv.currency),
        l.credited ? badge("credited", "neutral") : null,
      ),
    ),
    h("p", { class: "field-error", "data-error-for": "lines", role: "alert", hidden: true }),
  );
  const amountField = field({ label: `Net amount (${inv.currency})`, name: "amount", inputmode: "decimal", hint: "Before VAT; VAT is added at the invoice's rate" });
  const mode = (value, label, checked) => h("label", { class: "check" }, h("input", { type: "radio", name: "mode", value, checked }), " ", label);
  const f = form(
    "credit",
    {},
    h("p", {}, `${inv.number} · ${inv.customer_name} · total `, amount(inv.total, inv.currency), /[1-9]/.test(inv.credited_net) ? h("span", {}, " · already credited ", amount(inv.credited_net, inv.currency), " net") : null),
    h("div", { class: "radios", role: "radiogroup", "aria-label": "What to credit" }, mode("whole", "Everything not credited yet", true), mode("lines", "Chosen lines", false), mode("amount", "An amount", false), h("p", { class: "field-error", "data-error-for": "mode", role: "alert", hidden: true })),
    lines,
    amountField,
    field({ label: "Reason", name: "reason", required: true, placeholder: "Printed on the credit note", wide: true }),
    field({ label: "Date", name: "date", type: "date", value: ctx.today }),
    actions(button("Cancel", { onclick: () => dlg.close() }), submit("Issue credit note", { "data-action": "save" })),
  );
  const sync = () => {
    const m = f.querySelector('input[name="mode"]:checked').value;
    lines.hidden = m !== "lines";
    amountField.hidden = m !== "amount";
  };
  f.addEventListener("change", sync);
  sync();
  const dlg = dialog("credit", `Credit note for ${inv.number}`, f);
  onSubmit(f, async (v) => {
    const cn = await api.invoiceCredit({
      number: inv.number,
      mode: v.mode,
      lines: (Array.isArray(v.lines) ? v.lines : []).map(Number),
      amount: v.amount || null,
      reason: v.reason,
      date: v.date || null,
    });
    dlg.close();
    ctx.toast(`Credit note ${cn.number} issued: ${fmt.money(cn.total, cn.currency)}.`);
    done();
  });
}
