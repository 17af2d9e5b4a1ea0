// Billing: pick a month, preview it per customer with the problems that leave a customer out,
// issue it (one transaction, with progress), then open the folder, print all invoices in one
// PDF, or open one invoice.

import * as api from "../api.js";
import * as fmt from "../format.js";
import * as mail from "../mail.js";
import { h, add, replace, amount, day, button, header, section, table, td, empty, field, form, actions, submit, onSubmit, values, showError, clearErrors, progress, showProgress } from "../dom.js";

export async function render(root, ctx, params = {}) {
  const month = params.month || ctx.today.slice(0, 7);
  const result = h("div", { "data-billing-result": "" });

  const monthInput = h("input", { id: "bill-month", name: "month", value: month, required: true, pattern: "\\d{4}-\\d{2}", inputmode: "numeric", placeholder: "YYYY-MM", class: "month-input" });
  const monthLabel = h("span", { class: "month-label", "aria-live": "polite" }, fmt.month(month));
  const shift = (delta) => {
    if (/^\d{4}-\d{2}$/.test(monthInput.value.trim())) {
      monthInput.value = fmt.shiftMonth(monthInput.value.trim(), delta);
      monthLabel.textContent = fmt.month(monthInput.value);
    }
  };
  monthInput.addEventListener("input", () => (monthLabel.textContent = fmt.month(monthInput.value.trim())));

  const issueBtn = button("Issue invoices", { class: "btn btn-primary", "data-action": "issue" });
  const f = form(
    "billing",
    { class: "form billing-form" },
    h(
      "div",
      { class: "grid" },
      h(
        "div",
        { class: "field" },
        h("label", { for: "bill-month" }, "Month"),
        h(
          "div",
          { class: "month-picker" },
          button("‹", { class: "btn btn-icon-text", "aria-label": "Previous month", "data-action": "previous-month", onclick: () => shift(-1) }),
          monthInput,
          button("›", { class: "btn btn-icon-text", "aria-label": "Next month", "data-action": "next-month", onclick: () => shift(1) }),
          monthLabel,
        ),
        h("p", { class: "field-error", "data-error-for": "month", role: "alert", hidden: true }),
      ),
      field({ label: "Invoice date", name: "date", type: "date", value: ctx.today, hint: "Printed on the invoices; due dates count from it" }),
    ),
    actions(submit("Preview", { class: "btn", "data-action": "preview" }), issueBtn),
    progress("billing", "Issuing"),
    progress("pdf", "Writing PDFs"),
  );

  onSubmit(f, async (v) => {
    const run = await api.billingPreview(v.month.trim(), v.date);
    showPreview(result, ctx, run);
  });

  issueBtn.addEventListener("click", async () => {
    if (f.getAttribute("aria-busy") === "true") return;
    clearErrors(f);
    let v;
    try {
      v = values(f);
    } catch (error) {
      showError(f, error);
      return;
    }
    f.setAttribute("aria-busy", "true");
    issueBtn.disabled = true;
    replace(result);
    showProgress("billing", true);
    showProgress("pdf", true);
    try {
      const report = await api.billingIssue(v.month.trim(), v.date);
      showIssued(result, ctx, report);
      const n = report.run.invoices.length;
      const issued = n ? `Issued ${fmt.plural(n, "invoice")} for ${fmt.month(report.run.month)}.` : `Nothing new to bill for ${fmt.month(report.run.month)}.`;
      const d = report.mail?.delivery;
      ctx.toast(report.mail ? `${issued} ${mail.summary(report.mail)}` : issued, d && (d.refused || d.stopped || d.interrupted) ? "error" : "ok");
    } catch (error) {
      showError(f, error);
    } finally {
      f.removeAttribute("aria-busy");
      issueBtn.disabled = false;
      showProgress("billing", false);
      showProgress("pdf", false);
    }
  });

  add(root, 
    header("Billing", "Licences are billed in advance, one line per charge cycle; changes are prorated to the day. Running a month twice bills nothing twice."),
    section(null, f),
    result,
  );
  monthInput.focus();
}

function lineRows(inv) {
  return inv.lines.map((l) =>
    h(
      "tr",
      {},
      td(
        h(
          "div",
          {},
          l.description,
          l.fx_rate ? h("div", { class: "sub" }, `Converted from ${l.fx_from} at ${fmt.decimal(l.fx_rate)}`) : null,
          // An Azure usage line by meter category, as the PDF prints it.
          (l.details || []).map((d) => h("div", { class: "sub line-detail", "data-detail": d.label }, `${d.label} `, amount(d.amount, inv.currency))),
        ),
      ),
      td(l.period_start ? h("span", {}, day(l.period_start), " – ", day(l.period_end)) : ""),
      td(fmt.decimal(l.quantity), { numeric: true }),
      td(amount(l.unit_price, inv.currency), { numeric: true }),
      td(amount(l.amount, inv.currency), { numeric: true }),
    ),
  );
}

function drafts(list, run, ctx, issued) {
  return table(
    issued ? "invoices" : "drafts",
    [[issued ? "Number" : ""], ["Customer"], ["Lines", { numeric: true }], ["Net", { numeric: true }], ["VAT", { numeric: true }], ["Total", { numeric: true }], ["Due"], [""]],
    list.flatMap((inv) => {
      const detail = h(
        "tr",
        { class: "detail-row", hidden: true },
        h(
          "td",
          { colspan: "8" },
          h("table", { class: "table table-inner" }, h("thead", {}, h("tr", {}, h("th", {}, "Description"), h("th", {}, "Period"), h("th", { class: "num" }, "Qty"), h("th", { class: "num" }, "Unit price"), h("th", { class: "num" }, "Amount"))), h("tbody", {}, lineRows(inv))),
        ),
      );
      const toggle = button("Lines", {
        class: "btn btn-small",
        "aria-expanded": "false",
        onclick: () => {
          detail.hidden = !detail.hidden;
          toggle.setAttribute("aria-expanded", String(!detail.hidden));
        },
      });
      const open = issued
        ? button("Open PDF", {
            class: "btn btn-small",
            "data-action": "open-pdf",
            onclick: async () => {
              try {
                await api.pdfOpen(inv.number);
                ctx.toast(`Opened ${inv.number}.`);
              } catch (error) {
                ctx.toast(error.message, "error");
              }
            },
          })
        : null;
      return [
        h(
          "tr",
          { "data-id": issued ? inv.number : inv.customer_id },
          td(issued ? h("span", { class: "nowrap" }, inv.number) : toggle),
          td(inv.customer_name),
          td(String(inv.lines.length), { numeric: true }),
          td(amount(inv.net, inv.currency), { numeric: true }),
          td(amount(inv.vat, inv.currency), { numeric: true }),
          td(h("strong", {}, amount(inv.total, inv.currency)), { numeric: true }),
          td(day(inv.due_date)),
          td(h("div", { class: "row-actions" }, issued ? toggle : null, open)),
        ),
        detail,
      ];
    }),
  );
}

function problems(list) {
  if (!list.length) return null;
  return section(
    `${fmt.plural(list.length, "problem")} — these customers are left out`,
    table("problems", [["Customer"], ["Problem"]], list.map((p) => h("tr", { "data-id": p.customer_id }, td(p.customer_name), td(h("span", { class: "pre" }, p.message))))),
  );
}

function showPreview(result, ctx, run) {
  replace(
    result,
    section(
      `Preview of ${fmt.month(run.month)} — ${fmt.plural(run.invoices.length, "invoice")} dated ${fmt.date(run.date)}`,
      run.renewals ? h("p", { class: "hint" }, `${fmt.plural(run.renewals, "subscription")} would renew or end first.`) : null,
      run.invoices.length ? drafts(run.invoices, run, ctx, false) : empty("Nothing to bill for this month: everything due was billed already."),
      h("p", { class: "hint" }, "A preview changes nothing. Issue when it looks right."),
    ),
    problems(run.problems),
  );
}

function showIssued(result, ctx, report) {
  const run = report.run;
  const month = run.month;
  const doneActions = h(
    "div",
    { class: "inline" },
    button("Open folder", {
      "data-action": "open-folder",
      onclick: async () => {
        try {
          const path = await api.pdfOpenFolder(month);
          ctx.toast(`Opened ${path}.`);
        } catch (error) {
          ctx.toast(error.message, "error");
        }
      },
    }),
    button("Print all (one PDF)", {
      "data-action": "print-combined",
      onclick: async () => {
        showProgress("pdf", true);
        try {
          const path = await api.pdfPrintCombined(month);
          ctx.toast(`Opened ${path} to print.`);
        } catch (error) {
          ctx.toast(error.message, "error");
        } finally {
          showProgress("pdf", false);
        }
      },
    }),
    button("E-mail the invoices", {
      class: "btn btn-primary",
      "data-action": "email-invoices",
      title: "E-mail each invoice of the month not e-mailed yet, with its PDF, to the customer's billing addresses",
      onclick: async (event) => {
        const self = event.currentTarget;
        self.disabled = true;
        try {
          await mail.sendWith(ctx, () => api.mailSendMonth(month), mailed);
        } finally {
          self.disabled = false;
        }
      },
    }),
    button("All invoices of the month", { class: "btn btn-link", onclick: () => ctx.navigate("invoices", { month }) }),
  );
  const mailed = h("div", { class: "mail-results", "data-mail-results": month }, report.mail ? mail.results(report.mail) : null);
  replace(
    result,
    section(
      `Issued ${fmt.plural(run.invoices.length, "invoice")} for ${fmt.month(month)}`,
      report.pdfs ? h("p", { class: "hint", "data-pdf-folder": report.pdfs.folder }, `PDFs written to ${report.pdfs.folder}`) : null,
      report.pdf_error
        ? h(
            "div",
            { class: "notice notice-error", role: "alert" },
            `The invoices are issued, but their PDFs could not be written: ${report.pdf_error.message} `,
            button("Try again", {
              class: "btn btn-link",
              onclick: async () => {
                showProgress("pdf", true);
                try {
                  const b = await api.pdfsWriteMonth(month);
                  ctx.toast(`Wrote ${fmt.plural(b.files.length, "PDF")} to ${b.folder}.`);
                } catch (error) {
                  ctx.toast(error.message, "error");
                } finally {
                  showProgress("pdf", false);
                }
              },
            }),
          )
        : null,
      report.mail_error
        ? h("div", { class: "notice notice-error", role: "alert" }, `The invoices are issued, but their e-mail could not go yet: ${report.mail_error.message} It waits in the outbox.`)
        : null,
      doneActions,
      mail.mailProgress(),
      mailed,
      run.invoices.length ? drafts(run.invoices, run, ctx, true) : empty("Nothing new to bill: every item due this month was billed already."),
    ),
    problems(run.problems),
  );
}
