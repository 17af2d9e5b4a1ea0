// Seatbook placeholder screen. Builds the DOM with createElement/textContent
// only (never innerHTML), and gets data from the backend through api.js.
import { appInfo } from "./api.js";

const SVG_NS = "http://www.w3.org/2000/svg";

// 20x20 stroke icons, one path each.
const SECTIONS = [
  {
    id: "dashboard",
    label: "Dashboard",
    blurb: "Seats, renewals and margins at a glance.",
    icon: "M3 3h6v6H3zM11 3h6v4h-6zM11 9h6v8h-6zM3 11h6v6H3z",
  },
  {
    id: "customers",
    label: "Customers",
    blurb: "Tenants, contacts and billing details.",
    icon: "M10 10a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7zM3.5 17c.8-3.2 3.4-5 6.5-5s5.7 1.8 6.5 5",
  },
  {
    id: "catalogue",
    label: "Catalogue",
    blurb: "Microsoft price lists and your own margins.",
    icon: "M4 3.5h9.5a2 2 0 0 1 2 2v11H6a2 2 0 0 1-2-2zM4 14.5a2 2 0 0 1 2-2h9.5M7.5 7h5",
  },
  {
    id: "subscriptions",
    label: "Subscriptions",
    blurb: "Licences, seat counts and renewal dates.",
    icon: "M16 7.5A6.5 6.5 0 0 0 4.2 6M4 2.5V6h3.5M4 12.5a6.5 6.5 0 0 0 11.8 1.5M16 17.5V14h-3.5",
  },
  {
    id: "billing",
    label: "Billing",
    blurb: "Monthly reconciliation of usage and charges.",
    icon: "M2.5 5h15v10h-15zM2.5 8.5h15M5.5 12h3",
  },
  {
    id: "invoices",
    label: "Invoices",
    blurb: "Customer invoices, ready to send.",
    icon: "M5 2.5h7l3 3v12H5zM12 2.5v3h3M7.5 9.5h5M7.5 12.5h5",
  },
  {
    id: "settings",
    label: "Settings",
    blurb: "Company details, currency and preferences.",
    icon: "M3 5h14M3 10h14M3 15h14M7 3v4M13 8v4M9 13v4",
  },
];

function el(tag, { className, text, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function icon(pathData) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 20 20");
  svg.setAttribute("width", "20");
  svg.setAttribute("height", "20");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "icon");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", pathData);
  svg.append(path);
  return svg;
}

function renderNav(list) {
  for (const section of SECTIONS) {
    const button = el(
      "button",
      {
        className: "nav-item",
        attrs: { type: "button", title: `${section.label}: coming soon`, "data-section": section.id },
      },
      [icon(section.icon), el("span", { className: "nav-label", text: section.label })],
    );
    button.disabled = true;
    list.append(el("li", {}, [button]));
  }
}

function renderContent(main) {
  const status = el("p", { className: "status status-pending", attrs: { role: "status" } }, [
    el("span", { className: "status-dot", attrs: { "aria-hidden": "true" } }),
    el("span", { className: "status-text", text: "Connecting to the Seatbook backend…" }),
  ]);

  // Settings is in the sidebar but is not a feature worth a card.
  const cards = SECTIONS.filter((section) => section.id !== "settings").map((section) =>
    el("article", { className: "card", attrs: { "aria-disabled": "true" } }, [
      el("div", { className: "card-head" }, [
        icon(section.icon),
        el("h3", { className: "card-title", text: section.label }),
        el("span", { className: "badge", text: "Coming soon" }),
      ]),
      el("p", { className: "card-text", text: section.blurb }),
    ]),
  );

  main.append(
    el("header", { className: "page-header" }, [
      el("h1", { className: "page-title", text: "Welcome to Seatbook" }),
      el("p", {
        className: "page-lead",
        text: "The back office for Microsoft CSP resellers: customers, price lists, subscriptions and billing in one place.",
      }),
      status,
    ]),
    el("section", { className: "section", attrs: { "aria-labelledby": "upcoming-title" } }, [
      el("h2", { className: "section-title", text: "On the way", attrs: { id: "upcoming-title" } }),
      el("div", { className: "cards" }, cards),
    ]),
  );
  return status;
}

function showStatus(status, ok, message) {
  status.classList.remove("status-pending");
  status.classList.add(ok ? "status-ok" : "status-error");
  status.querySelector(".status-text").textContent = message;
}

async function start() {
  renderNav(document.getElementById("nav-list"));
  const status = renderContent(document.getElementById("content"));
  const versionLabel = document.getElementById("app-version");

  try {
    const info = await appInfo();
    versionLabel.textContent = `Version ${info.version}`;
    const who = info.company === null ? "not set up yet (run seatbook init)" : info.company;
    const customers = `${info.customers} customer${info.customers === 1 ? "" : "s"}`;
    showStatus(status, true, `${who} · ${customers} · ${info.database}`);
  } catch (error) {
    versionLabel.textContent = "Version unknown";
    const message = error && typeof error === "object" && "message" in error ? error.message : String(error);
    showStatus(status, false, `The database could not be opened: ${message}`);
  }
}

start();
