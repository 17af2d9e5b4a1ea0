// Start-up and navigation: first run until the company is set up, then the sidebar's screens.
// Each screen module exports `render(root, ctx, params)`; the root is `#screen-<name>`.

import * as api from "./api.js";
import * as fmt from "./format.js";
import { h, icon, replace, toast, applyProgress } from "./dom.js";
import * as dashboard from "./screens/dashboard.js";

api.mark("the page's scripts run");

// The first screen comes with the page; the others are loaded when first opened, and in the
// background once the first screen is painted (`preload`).
const load = {
  dashboard: async () => dashboard,
  customers: () => import("./screens/customers.js"),
  catalogue: () => import("./screens/catalogue.js"),
  subscriptions: () => import("./screens/subscriptions.js"),
  billing: () => import("./screens/billing.js"),
  invoices: () => import("./screens/invoices.js"),
  reports: () => import("./screens/reports.js"),
  reconcile: () => import("./screens/reconcile.js"),
  settings: () => import("./screens/settings.js"),
  mail: () => import("./screens/mail.js"),
  setup: () => import("./screens/setup.js"),
};

// 20×20 stroke icons, one path each.
const SCREENS = [
  { id: "dashboard", label: "Dashboard", icon: "M3 3h6v6H3zM11 3h6v4h-6zM11 9h6v8h-6zM3 11h6v6H3z" },
  { id: "customers", label: "Customers", icon: "M10 10a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7zM3.5 17c.8-3.2 3.4-5 6.5-5s5.7 1.8 6.5 5" },
  { id: "catalogue", label: "Catalogue", icon: "M4 3.5h9.5a2 2 0 0 1 2 2v11H6a2 2 0 0 1-2-2zM4 14.5a2 2 0 0 1 2-2h9.5M7.5 7h5" },
  { id: "subscriptions", label: "Subscriptions", icon: "M16 7.5A6.5 6.5 0 0 0 4.2 6M4 2.5V6h3.5M4 12.5a6.5 6.5 0 0 0 11.8 1.5M16 17.5V14h-3.5", badge: "pc" },
  { id: "billing", label: "Billing", icon: "M2.5 5h15v10h-15zM2.5 8.5h15M5.5 12h3" },
  { id: "invoices", label: "Invoices", icon: "M5 2.5h7l3 3v12H5zM12 2.5v3h3M7.5 9.5h5M7.5 12.5h5" },
  { id: "reports", label: "Reports", icon: "M3 17h14M5.5 14V9M10 14V4.5M14.5 14v-7" },
  { id: "reconcile", label: "Reconcile", icon: "M3 6.5h12M12 3.5l3 3-3 3M17 13.5H5M8 10.5l-3 3 3 3" },
  { id: "settings", label: "Settings", icon: "M10 12.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5zM10 2v2M10 16v2M2 10h2M16 10h2M4.3 4.3l1.4 1.4M14.3 14.3l1.4 1.4M4.3 15.7l1.4-1.4M14.3 5.7l1.4-1.4" },
  { id: "mail", label: "E-mail", icon: "M2.5 4.5h15v11h-15zM2.5 5l7.5 6 7.5-6", badge: "outbox" },
];

const ctx = {
  company: null,
  today: "",
  /** Show a screen; `params` go to its render function. */
  navigate,
  toast,
  /** Reload the profile after it changed (locale, currency, name in the sidebar). */
  async refreshCompany() {
    ctx.company = await api.companyGet();
    applyCompany();
  },
};

let current = null;

function applyCompany() {
  fmt.setCountry(ctx.company?.country);
  document.getElementById("brand-company").textContent = ctx.company?.name ?? "";
  document.getElementById("app-today").textContent = ctx.today ? `Today ${fmt.date(ctx.today)}` : "";
}

function renderNav() {
  const list = document.getElementById("nav-list");
  replace(
    list,
    SCREENS.map((s) =>
      h(
        "li",
        {},
        h(
          "button",
          { type: "button", class: "nav-item", "data-nav": s.id, onclick: () => navigate(s.id) },
          icon(s.icon),
          h("span", { class: "nav-label" }, s.label),
          s.badge ? h("span", { class: "nav-badge", "data-badge": s.badge, hidden: true }) : null,
        ),
      ),
    ),
  );
}

async function navigate(name, params = {}) {
  const main = document.getElementById("content");
  if (current && typeof current.cleanup === "function") current.cleanup();
  const screen = name === "setup" ? { id: "setup" } : SCREENS.find((s) => s.id === name) || SCREENS[0];
  document.getElementById("app").classList.toggle("first-run", screen.id === "setup");
  for (const b of document.querySelectorAll("[data-nav]")) {
    if (b.dataset.nav === screen.id) b.setAttribute("aria-current", "page");
    else b.removeAttribute("aria-current");
  }
  // The app's own timing marks: `screen:<id>` measures from opening a screen to its first
  // rows painted (the frame after they are drawn; the benchmarks read them by name). A screen
  // that draws its first rows before it has loaded everything says so with `ctx.firstRows()`;
  // otherwise they count as drawn when it has rendered.
  const mark = `screen:${screen.id}`;
  performance.mark(`${mark}:open`);
  let marked = false;
  let drawn;
  // What a screen shows below its first rows waits for them: `ctx.drawn` resolves once they
  // are painted, so a slower reading never holds them up.
  ctx.drawn = new Promise((resolve) => (drawn = resolve));
  const firstRows = () => {
    if (marked) return;
    marked = true;
    // Its first rows shown, the screen can be used while the rest loads.
    root.removeAttribute("aria-busy");
    requestAnimationFrame(() =>
      setTimeout(() => {
        performance.measure(mark, `${mark}:open`);
        api.mark(`${mark} painted`);
        api.sendMarks();
        drawn();
      }),
    );
  };
  ctx.firstRows = firstRows;
  const root = h("section", { id: `screen-${screen.id}`, class: "screen", "aria-busy": "true" });
  replace(main, root);
  main.scrollTop = 0;
  current = { id: screen.id, cleanup: null };
  try {
    const module = await load[screen.id]();
    const cleanup = await module.render(root, ctx, params);
    if (current && current.id === screen.id) current.cleanup = cleanup || null;
  } catch (error) {
    root.append(h("div", { class: "notice notice-error", role: "alert" }, h("strong", {}, "This screen could not be loaded. "), error.message || String(error)));
  } finally {
    root.removeAttribute("aria-busy");
    fitFigures(root);
    firstRows();
    if (ctx.company) {
      refreshOutboxBadge();
      refreshPcBadge();
    }
  }
}

/** A figure too wide for its tile (a big book's amounts) is set smaller rather than cut off. */
function fitFigures(root) {
  for (const el of root.querySelectorAll(".stat-value")) {
    if (el.scrollWidth > el.clientWidth + 1) el.classList.add("stat-value-long");
  }
}

/** The Subscriptions item's badge: changes waiting to reach Microsoft (Partner Center). */
function drawPcBadge(entries) {
  const el = document.querySelector('[data-badge="pc"]');
  if (!el) return 0;
  const waiting = entries.filter((e) => e.state === "waiting").length;
  el.hidden = waiting === 0;
  el.textContent = waiting ? String(waiting) : "";
  el.dataset.waiting = String(waiting);
  el.classList.add("nav-badge-alert");
  el.title = waiting ? `${waiting} ${waiting === 1 ? "change waits" : "changes wait"} to reach Microsoft` : "";
  return waiting;
}

async function refreshPcBadge(send) {
  try {
    return drawPcBadge(await api.pcOutbox(send));
  } catch {
    // The badge is a convenience: the outbox itself shows in Settings → Partner Center.
    return 0;
  }
}
ctx.refreshPcBadge = () => refreshPcBadge();

/** While changes wait for Microsoft, try them again as their back-off allows (every 30 s). */
function retryPcOutbox() {
  setInterval(async () => {
    const el = document.querySelector('[data-badge="pc"]');
    if (!ctx.company || !el || el.hidden) return;
    const before = Number(el.dataset.waiting);
    const after = await refreshPcBadge("due");
    if (after < before) toast(`${before - after} ${before - after === 1 ? "change that waited has" : "changes that waited have"} reached Microsoft.`);
  }, 30000);
}

/** The outbox's badge on the E-mail item: how many messages wait, red when one needs you. */
function drawOutboxBadge(b) {
  const el = document.querySelector('[data-badge="outbox"]');
  if (!el || !b) return;
  const n = b.waiting + b.attention;
  el.hidden = n === 0;
  el.textContent = n ? String(n) : "";
  el.dataset.waiting = String(b.waiting);
  el.dataset.attention = String(b.attention);
  el.classList.toggle("nav-badge-alert", b.attention > 0);
  el.title = [b.waiting ? `${b.waiting} waiting to be sent` : "", b.attention ? `${b.attention} refused or may not have gone` : ""].filter(Boolean).join(", ");
}

async function refreshOutboxBadge() {
  try {
    drawOutboxBadge(await api.mailBadge());
  } catch {
    // The badge is a convenience: a failure here shows on the E-mail screen itself.
  }
}

function fatal(error) {
  document.getElementById("app").classList.add("first-run");
  const main = document.getElementById("content");
  replace(
    main,
    h(
      "section",
      { class: "screen fatal", id: "screen-error" },
      h("h1", { class: "page-title" }, "Seatbook cannot open its database"),
      h("p", { class: "notice notice-error", role: "alert", "data-code": error.code || "" }, error.message || String(error)),
      error.code === "newer_database"
        ? h("p", {}, "This file was written by a newer version of Seatbook. Install the newer version to open it; the file was not changed.")
        : h("p", {}, "Check that the file is a Seatbook database and that no other program holds it, then start Seatbook again."),
    ),
  );
}

async function start() {
  // The first screen's readings are asked for with the start-up calls, not after them.
  dashboard.ask();
  renderNav();
  // The start-up calls go together (each is a round trip to the core).
  const listening = Promise.all([api.onProgress(applyProgress), api.onOutbox(drawOutboxBadge)]);
  const infoAsked = api.appInfo();
  const companyAsked = api.companyGet();
  // (Whichever fails first is shown; the others' failures are the same one.)
  for (const p of [listening, infoAsked, companyAsked]) p.catch(() => {});
  let info;
  try {
    info = await infoAsked;
    ctx.company = await companyAsked;
    await listening;
  } catch (error) {
    fatal(error);
    return;
  }
  api.mark("the start-up calls answered");
  ctx.today = info.today;
  document.getElementById("app-version").textContent = `Version ${info.version}`;
  document.getElementById("app-version").title = info.database;
  applyCompany();
  retryPcOutbox();
  if (ctx.company === null) {
    dashboard.forgetAsked();
    await navigate("setup");
  } else {
    await navigate("dashboard");
  }
  preload();
}

/** Every screen's module, loaded while nothing else happens, so opening one is not delayed. */
function preload() {
  const rest = Object.values(load);
  const next = () => {
    const one = rest.shift();
    if (one) one().catch(() => {}).finally(() => setTimeout(next));
  };
  ctx.drawn.then(() => setTimeout(next, 100));
}

// Keyboard: Alt+1…9 switch screens (Escape closes dialogs natively).
document.addEventListener("keydown", (event) => {
  if (event.altKey && !event.ctrlKey && !event.metaKey && /^[1-9]$/.test(event.key) && ctx.company) {
    event.preventDefault();
    navigate(SCREENS[Number(event.key) - 1].id);
  }
});

start();
