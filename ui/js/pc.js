// Partner Center in Settings: connect as the partner's application (the secret goes to the
// system's credential store), compare the book with Microsoft's customers and subscriptions,
// and take in what is only at Microsoft. The core does the work (`seatbook::app::pc`); the
// network runs off the UI thread, with progress per customer read.

import * as api from "./api.js";
import * as fmt from "./format.js";
import { h, replace, badge, table, td, empty, form, field, actions, submit, onSubmit, button, progress, showProgress, showError } from "./dom.js";

const KINDS = {
  only_at_microsoft: ["Only at Microsoft", "warn"],
  only_in_seatbook: ["Only in Seatbook", "neutral"],
  differs: ["Differs", "info"],
};

const FIELDS = {
  tenant_id: "Tenant id",
  quantity: "Seats",
  status: "Status",
  auto_renew: "Auto-renew",
  term: "Term",
  billing: "Billing plan",
  term_end: "Term end",
  product: "Product",
};

function statusText(s) {
  if (!s.connected) return "Not connected. Connect with the application (client) id registered in your partner tenant and its client secret, or sign in as a user.";
  if (s.sign_in === "app+user") {
    const token = {
      kept: "The user's refresh token is kept in the system's credential store.",
      environment: "The refresh token comes from SEATBOOK_PC_REFRESH_TOKEN.",
      no_store: "This system has no credential store: give the refresh token in SEATBOOK_PC_REFRESH_TOKEN.",
      missing: "No refresh token is kept: sign in again.",
    }[s.secret];
    const last = s.last_sync ? `Last compared ${fmt.timestamp(s.last_sync)}.` : "Not compared yet.";
    return `Connected to partner tenant ${s.tenant} as application ${s.client_id} and a user. ${token} ${last}`;
  }
  const secret = {
    kept: "Its secret is kept in the system's credential store.",
    environment: "Its secret comes from SEATBOOK_PC_CLIENT_SECRET.",
    no_store: "This system has no credential store: give the secret in SEATBOOK_PC_CLIENT_SECRET.",
    missing: "No secret is kept: connect again.",
  }[s.secret];
  const last = s.last_sync ? `Last compared ${fmt.timestamp(s.last_sync)}.` : "Not compared yet.";
  return `Connected to partner tenant ${s.tenant} as application ${s.client_id}. ${secret} ${last}`;
}

function driftRows(r) {
  const rows = [];
  for (const c of r.customers) {
    rows.push({ id: `customer:${c.tenant_id}`, kind: c.kind, what: "Customer", name: c.name, detail: c.domain, fields: c.fields });
  }
  for (const s of r.subscriptions) {
    rows.push({ id: `subscription:${s.ms_subscription_id}`, kind: s.kind, what: "Subscription", name: s.name, detail: s.product, fields: s.fields, subscriptionId: s.subscription_id });
  }
  return rows;
}

/** Seats, status and auto-renew can be put right either way during a term. */
const ALIGNABLE = new Set(["quantity", "status", "auto_renew"]);

/**
 * The drift, a row per customer or subscription. A subscription whose seats, status or
 * auto-renew differ offers both ways: `align(id, "take" | "push")`.
 */
function driftTable(r, align) {
  const rows = driftRows(r);
  if (!rows.length) return empty("The book agrees with Partner Center.");
  return table(
    "pc-drift",
    [["Where"], ["What"], ["Name"], ["Differences"], [""]],
    rows.map((d) => {
      const [label, tone] = KINDS[d.kind];
      const diffs = d.fields.map((f) => h("div", { "data-field": f.field }, `${FIELDS[f.field] || f.field}: Seatbook ${f.seatbook === "" ? "—" : f.seatbook}, Microsoft ${f.microsoft}`));
      const alignable = align && d.kind === "differs" && d.subscriptionId != null && d.fields.some((f) => ALIGNABLE.has(f.field));
      const choices = alignable
        ? h(
            "div",
            { class: "row-actions" },
            button("Take Microsoft's", { class: "btn btn-small", "data-action": "pc-take", title: "Record Microsoft's values in the book, from today", onclick: () => align(d.subscriptionId, "take") }),
            button("Send Seatbook's", { class: "btn btn-small", "data-action": "pc-push", title: "Send the book's values to Microsoft", onclick: () => align(d.subscriptionId, "push") }),
          )
        : null;
      return h("tr", { "data-id": d.id, "data-kind": d.kind }, td(badge(label, tone)), td(d.what), td(h("div", {}, d.name, h("div", { class: "sub" }, d.detail))), td(diffs.length ? diffs : "—"), td(choices));
    }),
  );
}

function adoptedText(r) {
  const count = (what) => r.adopted.filter((a) => a.what === what).length;
  const parts = [];
  if (count("customer_linked")) parts.push(`${fmt.plural(count("customer_linked"), "customer")} linked`);
  if (count("customer_added")) parts.push(`${fmt.plural(count("customer_added"), "customer")} added`);
  if (count("subscription_added")) parts.push(`${fmt.plural(count("subscription_added"), "subscription")} added`);
  return parts.length ? `Taken in from Partner Center: ${parts.join(", ")}.` : "Nothing to take in.";
}

const STATES = {
  waiting: ["Waiting", "warn"],
  accepted: ["Accepted", "info"],
  done: ["Done", "ok"],
  refused: ["Refused", "danger"],
};

/** Changes sent to Microsoft, the latest first: what waits and why, what Microsoft did. */
function outboxTable(entries) {
  if (!entries.length) return empty("No change has been sent to Partner Center yet.");
  return table(
    "pc-outbox",
    [["#", { numeric: true }], ["Change"], ["Subscription"], ["State"], ["Why", {}]],
    entries.slice(0, 50).map((e) => {
      const [label, tone] = STATES[e.state] || [e.state, "neutral"];
      const why = e.state === "refused" ? `${e.ms_code}: ${e.last_error} (undone in the book)` : e.state === "waiting" ? `${e.last_error || "Not sent yet"}${e.attempts ? ` — ${fmt.plural(e.attempts, "try", "tries")}` : ""}` : "";
      return h(
        "tr",
        { "data-id": e.id, "data-state": e.state },
        td(String(e.id), { numeric: true }),
        td(h("div", {}, e.what, h("div", { class: "sub" }, fmt.timestamp(e.created_at)))),
        td(h("div", {}, `Subscription ${e.subscription_id}`, h("div", { class: "sub" }, e.ms_subscription_id))),
        td(badge(label, tone)),
        td(why || "—"),
      );
    }),
  );
}

/** The Partner Center section of Settings. */
export function panel(ctx) {
  const statusLine = h("p", { "data-pc-status": "" }, "…");
  const result = h("div", { "data-pc-result": "" });
  const problems = h("div", {});
  const connect = form(
    "pc-connect",
    { class: "form" },
    field({ label: "Partner tenant id", name: "tenant", placeholder: "6f1b2c3d-0000-4000-8000-1234567890ab", autocomplete: "off" }),
    field({ label: "Application (client) id", name: "client_id", autocomplete: "off" }),
    field({ label: "Client secret", name: "secret", type: "password", autocomplete: "off", hint: "Kept in the system's credential store, never in the book or a backup" }),
    actions(
      button("Sign in as a user instead…", { class: "btn", type: "button", "data-action": "pc-device-code", title: "Microsoft's Secure Application Model: sign in with a code at Microsoft's page" }),
      submit("Connect", { "data-action": "pc-connect" }),
    ),
  );
  const deviceBox = h("div", { "data-pc-device": "" });
  const syncBtn = button("Compare with Partner Center", { class: "btn", "data-action": "pc-sync" });
  const applyBtn = button("Take in what is only at Microsoft", { class: "btn btn-primary", "data-action": "pc-apply", hidden: true });
  const outbox = h("div", { "data-pc-outbox": "" });
  const sendBtn = button("Send what waits now", { class: "btn", "data-action": "pc-send", hidden: true });
  const box = h(
    "div",
    { "data-pc": "" },
    statusLine,
    connect,
    deviceBox,
    actions(syncBtn, applyBtn),
    progress("pc", "Reading Partner Center"),
    problems,
    result,
    h("h3", {}, "Changes sent to Microsoft"),
    h("p", { class: "hint" }, "Changes to linked subscriptions go to Partner Center as they are made. Offline, they wait here and are sent by themselves; a change waiting is not billed until Microsoft takes it."),
    outbox,
    actions(sendBtn),
  );

  async function drawOutbox(send) {
    const entries = await api.pcOutbox(send);
    replace(outbox, outboxTable(entries));
    sendBtn.hidden = !entries.some((e) => e.state === "waiting" || e.state === "accepted");
    if (ctx.refreshPcBadge) ctx.refreshPcBadge();
    return entries;
  }
  sendBtn.addEventListener("click", async () => {
    sendBtn.disabled = true;
    try {
      const entries = await drawOutbox("all");
      const left = entries.filter((e) => e.state === "waiting").length;
      ctx.toast(left ? `${fmt.plural(left, "change")} still ${left === 1 ? "waits" : "wait"} for Microsoft.` : "Everything that waited has been sent.");
    } catch (error) {
      showError(box, error);
    } finally {
      sendBtn.disabled = false;
    }
  });
  drawOutbox().catch(() => {});

  async function refresh() {
    const s = await api.pcStatus();
    replace(statusLine, statusText(s));
    statusLine.dataset.connected = String(s.connected);
    syncBtn.disabled = !s.connected;
    // The connection as it is, to change or to connect again.
    for (const [name, value] of [["tenant", s.tenant], ["client_id", s.client_id]]) {
      const input = connect.querySelector(`[name="${name}"]`);
      if (value && !input.value) input.value = value;
    }
  }

  async function sync(apply) {
    replace(problems);
    syncBtn.disabled = true;
    applyBtn.disabled = true;
    box.setAttribute("aria-busy", "true");
    showProgress("pc", true);
    try {
      const r = await api.pcSync(apply);
      if (apply) ctx.toast(adoptedText(r));
      if (r.problems.length) {
        replace(problems, h("div", { class: "notice notice-warn", role: "alert", "data-pc-problems": String(r.problems.length) }, r.problems.map((p) => h("div", {}, `${p.ms_id}: ${p.message}`))));
      }
      replace(result, driftTable(r, align));
      applyBtn.hidden = ![...r.customers, ...r.subscriptions].some((d) => d.kind === "only_at_microsoft");
      await refresh();
    } catch (error) {
      replace(problems, h("p", { class: "field-error", role: "alert", "data-error-for": "pc-sync" }, error.message));
    } finally {
      showProgress("pc", false);
      box.removeAttribute("aria-busy");
      syncBtn.disabled = statusLine.dataset.connected !== "true";
      applyBtn.disabled = false;
    }
  }

  /** Put one subscription right, then compare again. */
  async function align(id, way) {
    replace(problems);
    try {
      const a = way === "take" ? await api.pcTake(id) : await api.pcPush(id);
      ctx.toast(
        way === "take"
          ? `Subscription ${id} now has Microsoft's values.`
          : a.pending
            ? `Subscription ${id}: the book's values wait to reach Microsoft.`
            : `Microsoft now has the book's values for subscription ${id}.`,
      );
      await drawOutbox();
      await sync(false);
    } catch (error) {
      replace(problems, h("p", { class: "field-error", role: "alert", "data-error-for": "pc-align" }, error.message));
    }
  }

  // Application and user: Microsoft shows its page; the user enters the code there; Seatbook
  // waits for the sign-in and keeps the refresh token in the system's credential store.
  connect.querySelector('[data-action="pc-device-code"]').addEventListener("click", async () => {
    const tenant = connect.querySelector('[name="tenant"]').value.trim();
    const clientId = connect.querySelector('[name="client_id"]').value.trim();
    replace(deviceBox);
    try {
      const code = await api.pcDeviceStart(tenant, clientId);
      replace(
        deviceBox,
        h(
          "div",
          { class: "notice", role: "status", "data-device-code": code.user_code },
          h("strong", {}, "Sign in at Microsoft. "),
          code.message || `Open ${code.verification_url} and enter the code ${code.user_code}.`,
          h("div", { class: "device-code" }, code.user_code),
          h("div", { class: "hint" }, "Seatbook waits for the sign-in…"),
        ),
      );
      await api.pcDeviceFinish(tenant, clientId, code);
      replace(deviceBox);
      ctx.toast("Connected to Partner Center as application and user.");
      await refresh();
    } catch (error) {
      replace(deviceBox, h("p", { class: "field-error", role: "alert", "data-error-for": "pc-device-code" }, error.message));
    }
  });

  onSubmit(connect, async (v) => {
    await api.pcConnect(v.tenant, v.client_id, v.secret);
    connect.querySelector('[name="secret"]').value = "";
    ctx.toast("Connected to Partner Center.");
    await refresh();
  });
  syncBtn.addEventListener("click", () => sync(false));
  applyBtn.addEventListener("click", () => sync(true));
  refresh().catch((error) => showError(connect, error));

  // The comparison Seatbook made when it started (when connected), unless one was made since.
  let shown = false;
  async function onStart() {
    const r = await api.pcOnStart();
    if (r === null || shown || box.getAttribute("aria-busy") === "true" || result.childNodes.length) return;
    shown = true;
    if (r.error) {
      replace(problems, h("p", { class: "hint", role: "status", "data-pc-on-start": "error" }, `Partner Center could not be compared when Seatbook started: ${r.error}`));
      return;
    }
    replace(result, h("p", { class: "hint", "data-pc-on-start": "done" }, "Compared when Seatbook started."), driftTable(r, align));
    applyBtn.hidden = ![...r.customers, ...r.subscriptions].some((d) => d.kind === "only_at_microsoft");
    refresh().catch(() => {});
  }
  onStart().catch(() => {});
  api.onPcCompared(() => onStart().catch(() => {}));
  return box;
}
