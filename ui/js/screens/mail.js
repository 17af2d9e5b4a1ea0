// E-mail: the outbox (what waits, what was refused, what may not have gone, with "Send now" and
// "Send again"), the renewal notices due, and every message sent. The server and the templates
// are under Settings.

import * as api from "../api.js";
import * as fmt from "../format.js";
import * as mail from "../mail.js";
import { h, replace, button, header, section, table, td, empty, day, amount } from "../dom.js";

export async function render(root, ctx) {
  const outboxBox = h("div", {});
  const renewalsBox = h("div", {}, h("p", { class: "muted", "data-loading": "" }, "Working out the notices due…"));
  const logBox = h("div", {});
  const results = h("div", { class: "mail-results" });

  // The outbox and the messages first; the renewal notices due (worked out from every term
  // ending soon) once they are painted.
  async function load() {
    const [outbox, log, settings] = await Promise.all([api.mailOutbox(), api.mailLog(null), api.mailSettings()]);
    drawOutbox(outbox, settings);
    replace(
      logBox,
      log.length
        ? table(
            "mail-log",
            [["When"], ["Customer"], ["To"], ["Subject"], ["State"]],
            log.slice(0, 200).map((e) => h("tr", { "data-id": String(e.id) }, td(h("span", { class: "nowrap" }, fmt.timestamp(e.sent_at || e.created_at))), td(e.customer_name), td(e.to), td(e.subject), td(mail.stateBadge(e.state)))),
          )
        : empty("Nothing e-mailed yet."),
    );
    ctx.firstRows();
    drawRenewals(await api.mailRenewals(true).catch(() => null));
  }

  function drawOutbox(list, settings) {
    const notSetUp = settings.settings
      ? null
      : h("p", { class: "notice notice-warn" }, "E-mail is not set up yet. ", button("Set it up under Settings", { class: "link", onclick: () => ctx.navigate("settings") }), ".");
    replace(
      outboxBox,
      notSetUp,
      list.length
        ? table(
            "outbox",
            [["Customer"], ["To"], ["Document"], ["State"], ["Tries", { numeric: true }], [""]],
            list.map((e) =>
              h(
                "tr",
                { "data-id": String(e.id), "data-state": e.state },
                td(e.customer_name),
                td(e.to),
                td(mail.documentLabel(e)),
                td(h("div", {}, mail.stateBadge(e.state), e.last_error ? h("div", { class: "hint" }, mail.sentence(e.last_error)) : null)),
                td(String(e.attempts), { numeric: true }),
                td(
                  e.state === "unknown" || e.state === "refused"
                    ? button("Send again", {
                        class: "btn btn-small",
                        "data-action": "resend",
                        title: e.state === "unknown" ? "It may have gone already: send it again only if the customer did not get it" : "Send it again (after correcting the address)",
                        onclick: () => send(() => api.mailResend(e.id)),
                      })
                    : "",
                ),
              ),
            ),
          )
        : empty("The outbox is empty: every message has gone."),
    );
  }

  function drawRenewals(r) {
    if (r === null) {
      replace(renewalsBox, empty("Renewal notices go once e-mail is set up."));
      return;
    }
    const due = r.notices;
    replace(
      renewalsBox,
      due.length
        ? table(
            "renewal-notices",
            [["Customer"], ["Subscription"], ["Renews"], ["Changes until"], ["For the term", { numeric: true }], ["To"]],
            due.map((n) =>
              h(
                "tr",
                { "data-id": String(n.subscription_id) },
                td(n.customer_name),
                td(`${n.quantity} × ${n.product}`),
                td(day(n.renewal_date)),
                td(day(n.last_day_to_change)),
                td(amount(n.term_total, n.currency), { numeric: true }),
                td(n.skipped ? h("span", { class: "muted" }, n.skipped === "already_sent" ? "sent" : n.skipped === "paper" ? "takes paper" : "no address") : n.to.join(", ")),
              ),
            ),
          )
        : empty("No term ends soon."),
      due.some((n) => !n.skipped)
        ? h(
            "div",
            { class: "inline" },
            button("Send renewal notices", { class: "btn btn-primary", "data-action": "send-renewals", onclick: () => send(async () => ({ ...(await api.mailRenewals(false)), queued: [] })) }),
          )
        : null,
    );
  }

  async function send(fn) {
    const done = await mail.sendWith(ctx, async () => {
      const r = await fn();
      return r.delivery ? r : { delivery: r };
    }, results);
    if (done) await load();
  }

  root.append(
    header(
      "E-mail",
      "What goes to customers: it waits here when the mail server cannot be reached, and goes on the next try.",
      button("Send now", { "data-action": "retry-mail", title: "Send every waiting message now", onclick: () => send(() => api.mailRetry()) }),
    ),
    mail.mailProgress(),
    results,
    section("Outbox", outboxBox),
    section("Renewal notices due", renewalsBox),
    section("All messages", logBox),
  );
  await load();
}
