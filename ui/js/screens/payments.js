// Money received: the "Record payment" dialog (from an invoice or a customer's page), the
// customer's account (open invoices with their status), the payments list with "Reverse", and
// "Refund credit". Amounts stay decimal strings from the core to the form and back.

import * as api from "../api.js";
import * as fmt from "../format.js";
import { h, amount, day, badge, button, table, td, empty, field, form, actions, submit, onSubmit, dialog, confirmDialog } from "../dom.js";
import { invoiceBadge } from "../status.js";

export const METHODS = [
  ["eft", "EFT (bank transfer)"],
  ["card", "Card"],
  ["cash", "Cash"],
  ["other", "Other"],
];

const METHOD_SHORT = { eft: "EFT", card: "Card", cash: "Cash", other: "Other" };

const KINDS = {
  payment: ["Payment", "ok"],
  refund: ["Refund", "warn"],
  reversal: ["Reversal", "danger"],
};

/**
 * The "Record payment" dialog. `invoice` (a number) is paid first and `amount` (a decimal
 * string, e.g. the invoice's open amount) is prefilled. Calls `done(payment)` after saving.
 */
export function paymentDialog(ctx, { customerId, customerName, currency, invoice = null, amount: prefill = "" }, done) {
  const f = form(
    "payment",
    {},
    h("p", { class: "dialog-lead" }, customerName, invoice ? h("span", {}, " · invoice ", h("strong", {}, invoice)) : null),
    h(
      "div",
      { class: "form-grid" },
      field({ label: `Amount (${currency})`, name: "amount", value: prefill, inputmode: "decimal", required: true, autocomplete: "off" }),
      field({ label: "Date received", name: "date", type: "date", value: ctx.today, required: true }),
      field({ label: "Method", name: "method", type: "select", options: METHODS, value: "eft" }),
      field({ label: "Reference", name: "reference", placeholder: "Bank reference, receipt number", maxlength: 200 }),
    ),
    h(
      "p",
      { class: "hint" },
      invoice
        ? `Applied to ${invoice} first, then to the oldest open invoices; anything left over becomes credit for the next invoices.`
        : "Applied to the oldest open invoices first; anything left over becomes credit for the next invoices.",
    ),
    actions(button("Cancel", { onclick: () => dlg.close() }), submit("Record payment", { "data-action": "save" })),
  );
  const dlg = dialog("payment", "Record payment", f);
  onSubmit(f, async (v) => {
    const p = await api.paymentAdd({
      customer_id: customerId,
      amount: v.amount.trim(),
      date: v.date || null,
      method: v.method,
      reference: v.reference,
      invoices: invoice ? [invoice] : [],
    });
    dlg.close();
    ctx.toast(`Payment of ${fmt.money(p.amount, p.currency)} recorded.`);
    done(p);
  });
  return dlg;
}

/** Ask, then reverse a payment (a bounced debit order, a chargeback): a new entry. */
export async function reversePayment(ctx, p, done) {
  const ok = await confirmDialog(
    "reverse",
    "Reverse this payment?",
    h(
      "div",
      {},
      h("p", {}, "The payment of ", amount(p.amount, p.currency), " received ", day(p.date), p.reference ? ` (${p.reference})` : "", " will be reversed."),
      h("p", { class: "hint" }, "Nothing is deleted: a reversal is recorded today, and the invoices the payment paid are open again."),
    ),
    "Reverse payment",
  );
  if (!ok) return;
  try {
    await api.paymentReverse(p.id, ctx.today, p.reference ? `reversal of ${p.reference}` : "");
    ctx.toast(`Payment ${p.id} reversed.`);
    done();
  } catch (error) {
    ctx.toast(error.message, "error");
  }
}

/** The "Refund credit" dialog: pay (part of) the customer's unapplied credit back. */
export function refundDialog(ctx, account, done) {
  const cur = account.currency;
  const f = form(
    "refund",
    {},
    h("p", { class: "dialog-lead" }, account.customer_name, " has ", amount(account.credit, cur), " of credit."),
    h(
      "div",
      { class: "form-grid" },
      field({ label: `Amount (${cur})`, name: "amount", value: account.credit, inputmode: "decimal", required: true, autocomplete: "off" }),
      field({ label: "Date paid", name: "date", type: "date", value: ctx.today, required: true }),
      field({ label: "Method", name: "method", type: "select", options: METHODS, value: "eft" }),
      field({ label: "Reference", name: "reference", maxlength: 200 }),
    ),
    actions(button("Cancel", { onclick: () => dlg.close() }), submit("Refund credit", { "data-action": "save" })),
  );
  const dlg = dialog("refund", "Refund credit", f);
  onSubmit(f, async (v) => {
    const p = await api.creditRefund(account.customer_id, v.amount.trim(), v.date, v.method, v.reference);
    dlg.close();
    ctx.toast(`Refund of ${fmt.money(p.amount, p.currency)} recorded.`);
    done(p);
  });
  return dlg;
}

/** The open invoices of an account, with their status and what is still owed. */
export function openInvoicesTable(ctx, account, reload) {
  if (!account.invoices.length) return empty("Nothing is owed.");
  const cur = account.currency;
  return table(
    "open-invoices",
    [["Invoice"], ["Due"], ["Open", { numeric: true }], ["Status"], [""]],
    account.invoices.map((i) =>
      h(
        "tr",
        { "data-id": i.number },
        td(h("div", {}, h("span", { class: "nowrap" }, i.number), h("div", { class: "sub" }, "of ", amount(i.total, cur)))),
        td(h("div", {}, day(i.due_date), i.days_overdue > 0 ? h("div", { class: "sub danger-text" }, `${fmt.plural(i.days_overdue, "day")} overdue`) : null)),
        td(h("div", {}, h("strong", {}, amount(i.open, cur)), /[1-9]/.test(i.paid) ? h("div", { class: "sub" }, "paid ", amount(i.paid, cur)) : null), { numeric: true }),
        td(invoiceBadge({ status: i.status, credited_net: "0" })),
        td(
          h(
            "div",
            { class: "row-actions" },
            button("Payment…", {
              class: "btn btn-small",
              "data-action": "record-payment",
              title: `Record a payment for ${i.number}`,
              onclick: () => paymentDialog(ctx, { customerId: account.customer_id, customerName: account.customer_name, currency: cur, invoice: i.number, amount: i.open }, reload),
            }),
          ),
        ),
      ),
    ),
  );
}

/** A customer's payments, refunds and reversals, newest first, with "Reverse" on live payments. */
export function paymentsTable(ctx, payments, reload) {
  if (!payments.length) return empty("No payments recorded yet.");
  return table(
    "payments",
    [["Date"], ["Reference"], ["Applied to"], ["Amount", { numeric: true }], [""]],
    [...payments].reverse().map((p) => {
      const [label, tone] = KINDS[p.kind] || [p.kind, "neutral"];
      const applied = [...new Set(p.allocations.filter((a) => /[1-9]/.test(a.amount) && !a.amount.startsWith("-")).map((a) => a.invoice))];
      return h(
        "tr",
        { "data-id": p.id, "data-kind": p.kind, class: p.reversed_by ? "muted-row" : null },
        td(
          h(
            "div",
            {},
            h("div", {}, day(p.date)),
            badge(label, tone),
            p.reversed_by ? h("span", { "data-reversed": "" }, " ", badge("Reversed", "neutral")) : null,
            h("span", { class: "sub" }, " ", METHOD_SHORT[p.method] ?? p.method),
          ),
        ),
        td(p.reference || h("span", { class: "muted" }, "—")),
        td(applied.length ? applied.map((n) => h("div", { class: "nowrap" }, n)) : h("span", { class: "muted" }, p.kind === "payment" ? "credit" : "—")),
        td(amount(p.kind === "payment" ? p.amount : `-${p.amount}`, p.currency), { numeric: true }),
        td(
          p.kind === "payment" && !p.reversed_by
            ? button("Reverse…", { class: "btn btn-small btn-danger-quiet", "data-action": "reverse", title: "The payment bounced or was charged back", onclick: () => reversePayment(ctx, p, reload) })
            : null,
        ),
      );
    }),
  );
}
