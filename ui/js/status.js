// Status badges shared by several screens (the Invoices screen, a customer's account and
// invoices, payments), kept apart from the screens so that none imports another for them.

import { h, badge } from "./dom.js";

const INVOICE_BADGES = {
  open: ["Open", "info"],
  "partly-paid": ["Partly paid", "info"],
  paid: ["Paid", "ok"],
  overdue: ["Overdue", "danger"],
  credited: ["Credited", "neutral"],
};

/** The invoice's status on the day, as the core decides it (payments and credit notes counted). */
export function invoiceBadge(i) {
  const [label, tone] = INVOICE_BADGES[i.status] || [i.status, "neutral"];
  const part = i.status !== "credited" && /[1-9]/.test(i.credited_net) ? " · part credited" : "";
  return h("span", { "data-status": i.status }, badge(label + part, tone));
}
