// Overdue reminders: what is due today (the invoice, its customer, days overdue, the letter's
// level), then sending them: one PDF letter each in the PDF folder, each recorded so it goes
// out once.

import * as api from "../api.js";
import * as fmt from "../format.js";
import * as mail from "../mail.js";
import { h, replace, amount, day, badge, button, table, td, empty, actions, dialog } from "../dom.js";

const TONES = { 1: "info", 2: "warn", 3: "danger" };

function rows(list, withFile) {
  return list.map((r) =>
    h(
      "tr",
      { "data-id": `${r.invoice}:${r.level}`, "data-level": String(r.level), "data-file": withFile ? r.file : null },
      td(h("strong", { class: "nowrap" }, r.invoice)),
      td(r.customer_name),
      td(day(r.due_date)),
      td(fmt.plural(r.days_overdue, "day"), { numeric: true }),
      td(amount(r.open, r.currency), { numeric: true }),
      td(badge(r.title, TONES[r.level] || "neutral")),
    ),
  );
}

/** The reminders dialog; `done` runs after reminders were sent. */
export async function remindersDialog(ctx, done) {
  let due;
  try {
    due = await api.remindersDue();
  } catch (error) {
    ctx.toast(error.message, "error");
    return;
  }
  const body = h("div", {});
  const error = h("p", { class: "field-error", "data-error-for": "form", role: "alert", hidden: true });
  const columns = [["Invoice"], ["Customer"], ["Due"], ["Overdue", { numeric: true }], ["Open", { numeric: true }], ["Letter"]];
  if (!due.length) {
    replace(body, empty(`No reminders are due on ${fmt.date(ctx.today)}: every overdue invoice has had the letter its days overdue call for.`));
  } else {
    const send = button(`Send ${fmt.plural(due.length, "reminder")}`, {
      class: "btn btn-primary",
      "data-action": "send-reminders",
      onclick: async () => {
        send.disabled = true;
        error.hidden = true;
        try {
          const result = await api.remindersSend();
          replace(
            body,
            h("p", {}, `Sent ${fmt.plural(result.sent.length, "reminder")}. The letters are in `, h("code", { "data-reminders-folder": result.folder }, result.folder), "."),
            table("reminders-sent", columns, rows(result.sent, true)),
            result.mail ? [h("h3", {}, "By e-mail"), mail.results({ delivery: result.mail })] : null,
            actions(
              button("Open folder", {
                "data-action": "open-reminders-folder",
                onclick: async () => {
                  try {
                    ctx.toast(`Opened ${await api.remindersOpenFolder()}.`);
                  } catch (e) {
                    ctx.toast(e.message, "error");
                  }
                },
              }),
              button("Close", { class: "btn btn-primary", "data-action": "cancel-dialog", onclick: () => dlg.close() }),
            ),
          );
          const d = result.mail;
          ctx.toast(
            d ? `Sent ${fmt.plural(result.sent.length, "reminder")}. ${mail.summary({ delivery: d })}` : `Sent ${fmt.plural(result.sent.length, "reminder")}.`,
            d && (d.refused || d.stopped || d.interrupted) ? "error" : "ok",
          );
          done?.();
        } catch (e) {
          error.textContent = e.message;
          error.hidden = false;
          send.disabled = false;
        }
      },
    });
    replace(
      body,
      h("p", {}, `${fmt.plural(due.length, "reminder")} due on ${fmt.date(ctx.today)}. Each invoice gets the letter its days overdue call for, once; a PDF letter is written for each, and e-mailed to customers who take e-mail once e-mail is set up in Settings.`),
      table("reminders-due", columns, rows(due, false)),
      error,
      actions(button("Cancel", { "data-action": "cancel-dialog", onclick: () => dlg.close() }), send),
    );
  }
  const dlg = dialog("reminders", "Overdue reminders", body);
}
