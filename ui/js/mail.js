// E-mail in the window: what a sending did (per customer), the outbox's states in words, the
// server's settings with a test message, and the templates with a preview. Used by Settings,
// the E-mail screen, Billing, Invoices and a customer's page.

import * as api from "./api.js";
import * as fmt from "./format.js";
import { h, replace, button, field, form, actions, submit, onSubmit, showError, clearErrors, table, td, badge, empty, progress, showProgress } from "./dom.js";

const STATE = {
  waiting: ["waiting", "warn"],
  sending: ["sending", "info"],
  sent: ["sent", "ok"],
  refused: ["refused", "danger"],
  unknown: ["may not have gone", "danger"],
};

/** A core sentence as the window shows it: a capital first letter. */
export function sentence(text) {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : "";
}

export function stateBadge(state) {
  const [text, tone] = STATE[state] || [state, "neutral"];
  return h("span", { "data-state": state }, badge(text, tone));
}

const SKIPPED = {
  paper: "takes paper",
  no_address: "has no billing e-mail address",
  already_sent: "already e-mailed",
};

const KIND = { invoice: "Invoice", credit_note: "Credit note", statement: "Statement", reminder: "Reminder", renewal: "Renewal notice" };

export function kindLabel(kind) {
  return KIND[kind] || kind;
}

/** A message's document as a person reads it: the invoice number, "Statement", "Renewal notice". */
export function documentLabel(e) {
  if (e.kind === "invoice" || e.kind === "credit_note") return e.document;
  if (e.kind === "reminder") return `Reminder for ${e.document.split(":")[1] || ""}`;
  return kindLabel(e.kind);
}

/** One sentence for a toast: "E-mailed 3 messages; 1 waits (offline)." */
export function summary(mailed) {
  const d = mailed.delivery || {};
  const parts = [];
  if (d.busy) return "This book's mail is being sent already (in the background, or by another Seatbook): the E-mail screen shows how it goes.";
  parts.push(`E-mailed ${fmt.plural(d.sent || 0, "message")}`);
  if (d.refused) parts.push(`${d.refused} refused`);
  if (d.waiting) parts.push(`${fmt.plural(d.waiting, "message")} waiting in the outbox`);
  if (d.interrupted) parts.push(`${d.interrupted} may not have gone`);
  const skipped = (mailed.skipped || []).length;
  if (skipped) parts.push(`${fmt.plural(skipped, "document")} not e-mailed`);
  let text = parts.join(", ") + ".";
  if (d.stopped) text += ` ${sentence(d.stopped)}.`;
  return text;
}

/** What a sending did, one row per message and per document not e-mailed. */
export function results(mailed) {
  const d = mailed.delivery || { results: [] };
  const rows = [
    ...(d.results || []).map((r) =>
      h("tr", { "data-id": String(r.id), "data-customer": String(r.customer_id) }, td(r.customer_name), td(r.to), td(documentLabel(r)), td(stateBadge(r.state)), td(r.error ? h("span", { class: "hint" }, sentence(r.error)) : "")),
    ),
    ...(mailed.queued || [])
      .filter((q) => !(d.results || []).some((r) => r.id === q.id))
      .map((q) => h("tr", { "data-id": String(q.id), "data-customer": String(q.customer_id) }, td(""), td(q.to), td(q.document), td(stateBadge("waiting")), td(d.stopped ? h("span", { class: "hint" }, sentence(d.stopped)) : ""))),
    ...(mailed.skipped || []).map((s) =>
      h("tr", { "data-id": `skipped:${s.document}`, "data-customer": String(s.customer_id), "data-skipped": s.reason }, td(s.customer_name), td(h("span", { class: "muted" }, "—")), td(s.document), td(badge("not e-mailed", "neutral")), td(h("span", { class: "hint" }, SKIPPED[s.reason] || s.reason))),
    ),
  ];
  if (!rows.length) return empty("Nothing to e-mail: every invoice has gone already.");
  return table("mail-results", [["Customer"], ["To"], ["Document"], ["State"], [""]], rows);
}

/** Run an e-mailing with its progress bar, then show its toast. */
export async function sendWith(ctx, fn, resultBox) {
  showProgress("mail", true);
  try {
    const mailed = await fn();
    if (resultBox) replace(resultBox, results(mailed));
    const d = mailed.delivery || {};
    ctx.toast(summary(mailed), d.refused || d.stopped || d.interrupted ? "error" : "ok");
    return mailed;
  } catch (error) {
    ctx.toast(error.message, "error");
    return null;
  } finally {
    showProgress("mail", false);
  }
}

export function mailProgress() {
  return progress("mail", "E-mailing");
}

const SECURITY = [
  ["starttls", "STARTTLS (port 587)"],
  ["tls", "TLS (port 465)"],
  ["none", "None (a local relay only)"],
];

const PASSWORD = {
  kept: "Kept in this computer's credential store.",
  environment: "Taken from SEATBOOK_SMTP_PASSWORD.",
  not_needed: "The server takes mail without signing in.",
  no_store: "This computer has no credential store: start Seatbook with SEATBOOK_SMTP_PASSWORD set.",
  missing: "No password kept yet.",
};

/** Settings → E-mail: the server, the sender, and a test message. */
export async function settingsPanel(ctx) {
  const view = await api.mailSettings();
  const s = view.settings || {};
  const passwordNote = h("p", { class: "hint", "data-password": view.password }, PASSWORD[view.password] || "");
  const f = form(
    "mail",
    {},
    h(
      "div",
      { class: "grid" },
      field({ label: "Mail server", name: "host", value: s.host || "", placeholder: "smtp.example.com", required: true }),
      field({ label: "Port", name: "port", value: s.port ? String(s.port) : "", inputmode: "numeric", placeholder: "587" }),
      field({ label: "Security", name: "security", type: "select", options: SECURITY, value: s.security || "starttls" }),
      field({ label: "User name", name: "user", value: s.user || "", autocomplete: "off" }),
      field({ label: "Password", name: "password", type: "password", value: "", autocomplete: "new-password", placeholder: view.password === "kept" ? "•••••••• (kept)" : "" }),
      field({ label: "From address", name: "from_address", type: "email", value: s.from_address || "", required: true }),
      field({ label: "From name", name: "from_name", value: s.from_name || ctx.company?.name || "" }),
      field({ label: "Reply-to", name: "reply_to", type: "email", value: s.reply_to || "" }),
      field({ label: "Copy every message to", name: "bcc", type: "email", value: s.bcc || "", hint: "Optional: a copy to yourself" }),
      field({ label: "Trusted certificate (PEM file)", name: "ca_file", value: s.ca_file || "", hint: "Only for a local relay with its own certificate" }),
      field({ label: "Renewal notices (days before)", name: "renewal_days", value: String(s.renewal_days ?? 14), inputmode: "numeric" }),
      field({ label: "E-mail invoices and credit notes as they are issued", name: "send_on_issue", type: "checkbox", value: s.send_on_issue ?? true, hint: "Otherwise they go when you press “E-mail the invoices” or an invoice's “E-mail”" }),
    ),
    passwordNote,
    actions(submit("Save e-mail settings", { "data-action": "save-mail" })),
  );
  onSubmit(f, async (v) => {
    const { password, ...fields } = v;
    fields.send_on_issue = fields.send_on_issue ? "yes" : "no";
    const next = await api.mailSet(fields, password);
    f.querySelector('[name="password"]').value = "";
    passwordNote.dataset.password = next.password;
    passwordNote.textContent = PASSWORD[next.password] || "";
    ctx.toast("E-mail settings saved.");
  });

  const result = h("p", { class: "hint", "data-test-result": "" });
  const test = form(
    "mail-test",
    {},
    h("div", { class: "inline" }, field({ label: "Send a test message to", name: "to", type: "email", value: s.from_address || ctx.company?.email || "" }), submit("Send test", { class: "btn", "data-action": "test-mail" })),
    result,
  );
  onSubmit(test, async (v) => {
    result.textContent = "Sending…";
    result.dataset.testResult = "";
    try {
      const sent = await api.mailTest(v.to);
      result.textContent = `A test message went to ${sent.to} through ${sent.server}.`;
      result.dataset.testResult = "ok";
    } catch (error) {
      result.textContent = "";
      throw error;
    }
  });
  return h("div", {}, f, test);
}

/** Settings → Message templates: subject and body per kind, placeholders, a preview. */
export async function templatesPanel(ctx) {
  let list = await api.mailTemplates();
  const box = h("div", {});
  const preview = h("div", { class: "mail-preview", "data-preview": "" });
  let kind = list[0].kind;
  function draw() {
    const t = list.find((x) => x.kind === kind);
    const f = form(
      "template",
      {},
      field({ label: "Message", name: "kind", type: "select", options: list.map((x) => [x.kind, kindLabel(x.kind) + (x.custom ? " (yours)" : "")]), value: kind }),
      field({ label: "Subject", name: "subject", value: t.template.subject, wide: true }),
      field({ label: "Text", name: "text", type: "textarea", rows: 9, value: t.template.text, wide: true }),
      field({ label: "HTML (optional: made from the text when empty)", name: "html", type: "textarea", rows: 4, value: t.custom ? t.template.html : "", wide: true }),
      h("p", { class: "hint" }, "Placeholders: ", t.placeholders.map((p, i) => [i ? " " : "", h("code", {}, p)])),
      actions(
        button("Preview", {
          "data-action": "preview-template",
          onclick: async () => {
            clearErrors(f);
            try {
              const v = values();
              const r = await api.mailTemplatePreview(kind, v.subject, v.text, v.html);
              replace(
                preview,
                h("p", {}, h("strong", {}, "Subject: "), h("span", { "data-preview-subject": "" }, r.subject)),
                h("pre", { class: "mail-text", "data-preview-text": "" }, r.text),
                h("iframe", { class: "mail-html", sandbox: "", srcdoc: r.html, title: "The HTML part" }),
              );
            } catch (error) {
              showError(f, error);
            }
          },
        }),
        t.custom
          ? button("Back to the default", {
              "data-action": "reset-template",
              onclick: async () => {
                try {
                  await api.mailTemplateReset(kind);
                  list = await api.mailTemplates();
                  draw();
                  ctx.toast(`${kindLabel(kind)}: Seatbook's default again.`);
                } catch (error) {
                  showError(f, error);
                }
              },
            })
          : null,
        submit("Save template", { "data-action": "save-template" }),
      ),
    );
    const values = () => ({
      subject: f.querySelector('[name="subject"]').value,
      text: f.querySelector('[name="text"]').value,
      html: f.querySelector('[name="html"]').value,
    });
    f.querySelector('[name="kind"]').addEventListener("change", (e) => {
      kind = e.target.value;
      replace(preview);
      draw();
    });
    onSubmit(f, async () => {
      const v = values();
      await api.mailTemplateSet(kind, v.subject, v.text, v.html);
      list = await api.mailTemplates();
      draw();
      ctx.toast(`${kindLabel(kind)} template saved.`);
    });
    replace(box, f);
  }
  draw();
  return h("div", {}, box, preview);
}

/** A customer's messages, newest first: their part of the timeline. */
export function messagesTable(list) {
  if (!list.length) return empty("No e-mail to this customer yet.");
  return table(
    "messages",
    [["When"], ["To"], ["Subject"], ["Documents"], ["State"]],
    list.map((e) =>
      h(
        "tr",
        { "data-id": String(e.id) },
        td(h("span", { class: "nowrap" }, fmt.timestamp(e.sent_at || e.created_at))),
        td(e.to),
        td(e.subject),
        td(e.documents.join(", ")),
        td(h("div", {}, stateBadge(e.state), e.last_error && e.state !== "sent" ? h("div", { class: "hint" }, sentence(e.last_error)) : null)),
      ),
    ),
  );
}

