// Building the page. Text always goes in through textContent (text nodes), never as HTML: a
// customer named `<img src=x onerror=alert(1)>` shows exactly that. No module uses innerHTML.

import * as fmt from "./format.js";

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * h("button", {class: "btn", type: "button", "data-action": "save", onclick: fn}, "Save")
 * Strings and numbers become text nodes; null/undefined/false children are skipped.
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "value") node.value = String(value);
    else if (key === "checked" || key === "selected" || key === "disabled" || key === "hidden" || key === "required") node[key] = true;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

/** Append children to `node`, skipping null/undefined/false and flattening arrays. */
export function add(node, ...children) {
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace every child of `node`. */
export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** A 20×20 stroke icon from one SVG path. */
export function icon(pathData, size = 18) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 20 20");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "icon");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", pathData);
  svg.append(path);
  return svg;
}

/** An amount: formatted for the company's locale, the exact decimal kept in data-amount. */
export function amount(value, currency, props = {}) {
  return h("span", { class: "amount", "data-amount": value, ...props }, fmt.money(value, currency));
}

/** A date: formatted for the company's locale, the ISO date kept in data-date. */
export function day(iso) {
  if (!iso) return h("span", { class: "muted" }, "—");
  return h("time", { "data-date": iso, datetime: iso }, fmt.date(iso));
}

export function badge(text, tone = "neutral") {
  return h("span", { class: `badge badge-${tone}` }, text);
}

export function button(label, props = {}) {
  return h("button", { type: "button", class: "btn", ...props }, label);
}

/** A page header: title, optional lead text and actions on the right. */
export function header(title, lead, ...actions) {
  return h(
    "header",
    { class: "page-header" },
    h("div", { class: "page-heading" }, h("h1", { class: "page-title" }, title), lead ? h("p", { class: "page-lead" }, lead) : null),
    actions.length ? h("div", { class: "page-actions" }, actions) : null,
  );
}

export function section(title, ...children) {
  return h("section", { class: "panel" }, title ? h("h2", { class: "panel-title" }, title) : null, children);
}

export function empty(text) {
  return h("p", { class: "empty" }, text);
}

/** A table with a `data-list` name; `columns` are [label, {numeric}] pairs. */
export function table(list, columns, rows, props = {}) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table", "data-list": list, ...props },
      h("thead", {}, h("tr", {}, columns.map(([label, opts = {}]) => h("th", { scope: "col", class: opts.numeric ? "num" : null }, label)))),
      h("tbody", {}, rows),
    ),
  );
}

/** How many rows of a long list are laid out at once; the rest follow a batch a frame. */
const FIRST_ROWS = 50;
const BATCH_ROWS = 100;

/**
 * `table` with a row made by `make(item)` for each of `items`, filled by `fillRows`.
 */
export function rowsTable(list, columns, items, make, props = {}) {
  const wrap = table(list, columns, [], props);
  fillRows(wrap.querySelector("table"), items, make);
  return wrap;
}

/**
 * Rows made by `make(item)` for each of `items` in the body of table `t`: the first FIRST_ROWS
 * at once, so the screen paints its first rows without laying out hundreds, the rest a batch a
 * frame once those are painted. The table is `aria-busy` until every row is in; one replaced
 * meanwhile stops filling.
 */
export function fillRows(t, items, make) {
  t.tBodies[0].append(...items.slice(0, FIRST_ROWS).map(make));
  if (items.length <= FIRST_ROWS) return;
  t.setAttribute("aria-busy", "true");
  let next = FIRST_ROWS;
  const fill = () => {
    if (!t.isConnected) return;
    const batch = document.createDocumentFragment();
    for (const item of items.slice(next, next + BATCH_ROWS)) batch.append(make(item));
    t.tBodies[0].append(batch);
    next += BATCH_ROWS;
    if (next < items.length) requestAnimationFrame(fill);
    else t.removeAttribute("aria-busy");
  };
  // The frame after next: the first rows are painted on their own first.
  requestAnimationFrame(() => requestAnimationFrame(fill));
}

/** How many rows a long list draws before "Show all" (the dashboard's lists, customers, invoices, subscriptions). */
export const PAGE = 300;

/** "Showing 300 of 9,980. Show all" under a list cut to its first rows; nothing when all show. */
export function more(shown, total, showAll) {
  if (total <= shown) return null;
  return h(
    "div",
    { class: "more", "data-more": "" },
    `Showing ${fmt.decimal(String(shown))} of ${fmt.decimal(String(total))}. `,
    button("Show all", { class: "btn btn-link", "data-action": "show-all", onclick: showAll }),
  );
}

/** A table row that opens something when clicked or on Enter (`go()`), keyed by `data-id`. */
export function linkRow(id, go, ...cells) {
  return h("tr", { "data-id": id, class: "row-link", tabindex: "0", onclick: go, onkeydown: (e) => e.key === "Enter" && go() }, cells);
}

export function td(content, opts = {}) {
  return h("td", { class: opts.numeric ? "num" : opts.class || null }, content);
}

// Forms ---------------------------------------------------------------------------------------

let uid = 0;

/**
 * A labelled input whose error shows right after it:
 * field({label, name, type, value, required, hint, options: [[value, label]], rows, ...attrs})
 * `type: "date"` makes a dateInput (the company's format, ISO `value`), not the webview's picker.
 */
export function field(spec) {
  const { label, name, type = "text", value, hint, options, rows, wide, full, ...attrs } = spec;
  const id = `f-${name}-${++uid}`;
  let control;
  if (type === "select") {
    control = h(
      "select",
      { id, name, ...attrs },
      (options || []).map(([v, text]) => h("option", { value: v, selected: String(v) === String(value ?? "") }, text)),
    );
  } else if (type === "textarea") {
    control = h("textarea", { id, name, rows: rows || 3, ...attrs });
    control.value = value ?? "";
  } else if (type === "checkbox") {
    control = h("input", { id, name, type: "checkbox", checked: !!value, ...attrs });
    return h(
      "div",
      { class: "field field-check" + (full ? " field-full" : "") },
      h("label", { for: id }, control, " ", label),
      errorFor(name),
      hint ? h("p", { class: "hint" }, hint) : null,
    );
  } else if (type === "date") {
    control = dateInput({ id, name, value, ...attrs });
  } else {
    control = h("input", { id, name, type, ...attrs });
    control.value = value ?? "";
  }
  if (hint) control.setAttribute("aria-describedby", `${id}-hint`);
  return h(
    "div",
    { class: "field" + (wide ? " field-wide" : "") + (full ? " field-full" : "") },
    h("label", { for: id }, label, attrs.required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
    control,
    errorFor(name),
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
  );
}

// Dates: a text box in the company's format ("30 Nov 2026"), never the webview's date picker
// (WebKit shows that in its own locale). What is typed is read by fmt.parseDate (ISO, the
// company's format, day/month/year in the locale's order); `data-date` holds the ISO date, or ""
// while the box is empty or cannot be read. Forms send the ISO date (see values()).

/** The message beside a date that cannot be read: "Type a date like 30 Nov 2026." */
export function dateMessage() {
  return `Type a date like ${fmt.sampleDate()}.`;
}

/**
 * dateInput({name, value: "2026-11-30", ...attrs}): a text input showing the date as fmt.date
 * does, shown again that way when left (blur/change); data-date keeps the ISO date.
 */
export function dateInput(props = {}) {
  const { value, ...attrs } = props;
  const input = h("input", {
    type: "text",
    inputmode: "text",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: fmt.sampleDate(),
    class: "date-input",
    ...attrs,
  });
  const iso = value ? fmt.parseDate(value) : "";
  input.value = iso ? fmt.date(iso) : String(value ?? "");
  input.dataset.date = iso || "";
  input.addEventListener("input", () => dateValue(input));
  const tidy = () => {
    const read = dateValue(input);
    if (read) input.value = fmt.date(read);
    flagDate(input, read);
  };
  input.addEventListener("change", tidy);
  input.addEventListener("blur", tidy);
  return input;
}

/** A date input's ISO date (also kept in its data-date): "" when empty, null when it cannot be read. */
export function dateValue(input) {
  const text = input.value.trim();
  const iso = text ? fmt.parseDate(text) : "";
  input.dataset.date = iso || "";
  return iso;
}

/** On leaving a date input: mark it and show its error while it cannot be read; clear that once it can. */
function flagDate(input, iso) {
  const error = input.form && input.name ? input.form.querySelector(`.field-error[data-error-for="${CSS.escape(input.name)}"]`) : null;
  if (iso === null) {
    input.setAttribute("aria-invalid", "true");
    if (error) {
      error.textContent = dateMessage();
      error.hidden = false;
      error.dataset.code = "invalid_input";
    }
  } else if (!error) {
    input.removeAttribute("aria-invalid");
  } else if (error.textContent === dateMessage()) {
    input.removeAttribute("aria-invalid");
    error.textContent = "";
    error.hidden = true;
  }
}

function errorFor(name) {
  return h("p", { class: "field-error", "data-error-for": name, role: "alert", hidden: true });
}

/** <form data-form=name> with the form-level error on top. */
export function form(name, props, ...children) {
  return h("form", { "data-form": name, novalidate: true, class: "form", ...props }, errorFor("form"), children);
}

export function actions(...children) {
  return h("div", { class: "form-actions" }, children);
}

export function submit(label, props = {}) {
  return h("button", { type: "submit", class: "btn btn-primary", ...props }, label);
}

/**
 * The form's named values: text as strings, checkboxes as booleans (several of one name: the
 * checked values), date inputs as ISO "YYYY-MM-DD" (or ""). A date that cannot be read throws
 * {code, message, field} like a core error, so nothing is sent and showError() puts it beside
 * the field (onSubmit does that).
 */
export function values(formEl) {
  const out = {};
  const boxes = {};
  for (const el of formEl.elements) {
    if (!el.name || el.disabled) continue;
    if (el.tagName === "INPUT" && el.hasAttribute("data-date")) {
      const iso = dateValue(el);
      if (iso === null) throw { code: "invalid_input", message: dateMessage(), field: el.name };
      out[el.name] = iso;
    } else if (el.type === "checkbox") {
      (boxes[el.name] ||= []).push(el);
    } else if (el.type === "radio") {
      if (el.checked) out[el.name] = el.value;
    } else if (el.tagName !== "BUTTON") {
      out[el.name] = el.value;
    }
  }
  for (const [name, list] of Object.entries(boxes)) {
    out[name] = list.length === 1 && !list[0].hasAttribute("value") ? list[0].checked : list.filter((b) => b.checked).map((b) => b.value);
  }
  return out;
}

export function clearErrors(formEl) {
  for (const p of formEl.querySelectorAll(".field-error")) {
    p.textContent = "";
    p.hidden = true;
  }
  for (const el of formEl.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

/**
 * Show a core error beside the input it names ({code, message, field}), or at the top of the
 * form. The values typed stay as they are.
 */
export function showError(formEl, error) {
  clearErrors(formEl);
  const err = error && typeof error === "object" ? error : { message: String(error), field: null };
  const name = err.field || "form";
  let target = name !== "form" ? formEl.querySelector(`.field-error[data-error-for="${CSS.escape(name)}"]`) : null;
  if (!target) target = formEl.querySelector('.field-error[data-error-for="form"]');
  target.textContent = err.message || "Something went wrong.";
  target.hidden = false;
  target.dataset.code = err.code || "";
  const input = name !== "form" ? formEl.querySelector(`[name="${CSS.escape(name)}"]`) : null;
  if (input && target.dataset.errorFor === name) {
    input.setAttribute("aria-invalid", "true");
    input.focus();
  } else {
    target.scrollIntoView({ block: "nearest" });
  }
}

/**
 * Wire a form's submit (Enter or the submit button): clear errors, disable the submit button
 * while `handler(values)` runs, show its error beside the field. Dates reach the handler as ISO;
 * one that cannot be read is shown at its field and the handler is not called.
 */
export function onSubmit(formEl, handler) {
  formEl.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (formEl.getAttribute("aria-busy") === "true") return;
    clearErrors(formEl);
    const buttons = [...formEl.querySelectorAll('button[type="submit"]')];
    formEl.setAttribute("aria-busy", "true");
    buttons.forEach((b) => (b.disabled = true));
    try {
      await handler(values(formEl), event);
    } catch (error) {
      showError(formEl, error);
    } finally {
      formEl.removeAttribute("aria-busy");
      buttons.forEach((b) => (b.disabled = false));
    }
  });
  return formEl;
}

// Dialogs, notices, progress ------------------------------------------------------------------

/**
 * A modal <dialog data-dialog=name>: Escape closes it, focus goes to its first input, and it is
 * removed from the page once closed.
 */
export function dialog(name, title, ...content) {
  const closeBtn = h("button", { type: "button", class: "btn-icon", "aria-label": "Close", "data-action": "close-dialog" }, "×");
  const dlg = h(
    "dialog",
    { "data-dialog": name, class: "dialog", "aria-labelledby": `dlg-${name}` },
    h("div", { class: "dialog-head" }, h("h2", { id: `dlg-${name}` }, title), closeBtn),
    h("div", { class: "dialog-body" }, content),
  );
  closeBtn.addEventListener("click", () => dlg.close());
  dlg.addEventListener("close", () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  const first = dlg.querySelector("input:not([type=hidden]):not([disabled]), select, textarea");
  if (first) first.focus();
  return dlg;
}

let toastTimer = 0;

/** A short notice in #toast. */
export function toast(text, tone = "ok") {
  const el = document.getElementById("toast");
  el.textContent = text;
  el.className = `toast toast-${tone} toast-show`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove("toast-show"), tone === "error" ? 9000 : 5000);
}

/** A hidden progress bar for a job (`import`, `billing`, `pdf`), shown while it runs. */
export function progress(job, label) {
  return h(
    "div",
    { class: "progress", "data-progress-for": job, hidden: true },
    h("span", { class: "progress-title" }, label),
    h("progress", { "data-progress": job, max: "1", "aria-label": label }),
    h("span", { class: "progress-count" }),
  );
}

/** Show (or hide) a job's bars; shown bars start indeterminate until the first event. */
export function showProgress(job, visible) {
  for (const wrap of document.querySelectorAll(`[data-progress-for="${job}"]`)) {
    wrap.hidden = !visible;
    if (visible) {
      const bar = wrap.querySelector("progress");
      bar.removeAttribute("value");
      wrap.querySelector(".progress-count").textContent = "";
    }
  }
}

/**
 * Apply a progress event {job, done, total, unit} to the job's bars: "3 of 12" items, or a
 * percentage when `unit` is "bytes" (a file being read).
 */
export function applyProgress({ job, done, total, unit }) {
  for (const wrap of document.querySelectorAll(`[data-progress-for="${job}"]`)) {
    const bar = wrap.querySelector("progress");
    bar.max = Math.max(total, 1);
    bar.value = done;
    const count = unit === "bytes" ? (total > 0 ? `${Math.floor((Math.min(done, total) * 100) / total)} %` : "") : total > 1 ? `${done} of ${total}` : done >= total ? "done" : "";
    wrap.querySelector(".progress-count").textContent = count;
  }
}

/** Debounce for search boxes. */
export function debounce(fn, ms) {
  let t = 0;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

/**
 * Ask before something that cannot be undone: a <dialog data-dialog=name> with the text and two
 * buttons (`data-action="confirm"` / `cancel-dialog`). Resolves to true when confirmed.
 */
export function confirmDialog(name, title, text, confirmLabel, tone = "danger") {
  return new Promise((resolve) => {
    let answer = false;
    const ok = h("button", { type: "submit", class: tone === "danger" ? "btn btn-danger" : "btn btn-primary", "data-action": "confirm" }, confirmLabel);
    const f = h(
      "form",
      { "data-form": name, class: "form", method: "dialog" },
      h("div", { class: "confirm-text" }, text),
      h("div", { class: "form-actions" }, h("button", { type: "button", class: "btn", "data-action": "cancel-dialog", onclick: () => dlg.close() }, "Cancel"), ok),
    );
    f.addEventListener("submit", (event) => {
      event.preventDefault();
      answer = true;
      dlg.close();
    });
    const dlg = dialog(name, title, f);
    dlg.addEventListener("close", () => resolve(answer));
    ok.focus();
  });
}
