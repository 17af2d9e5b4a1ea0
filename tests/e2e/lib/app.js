// The harness: a fresh database per test file, the CLI to seed it, and the real desktop app
// started by tauri-driver (which starts WebKitWebDriver, which starts the app) under Xvfb.
// Elements are found only through the attributes in ui/CONTRACT.md.

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Session, status, Keys } from "./webdriver.js";

export { Keys };

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const APP = path.resolve(process.env.E2E_APP || path.join(ROOT, "target/debug/seatbook-desktop"));
export const CLI = path.resolve(process.env.E2E_CLI || path.join(ROOT, "target/debug/seatbook"));
export const SCREENS = path.join(ROOT, "target/e2e-screens");
export const LOGS = path.join(ROOT, "target/e2e-logs");
export const PRICELIST = path.join(ROOT, "tests/data/nce-pricelist-sample.csv");

/**
 * The day the app and the CLI take as today (SEATBOOK_TODAY, which both honour), so dates,
 * windows and amounts are the same on every run.
 */
export const TODAY = process.env.E2E_TODAY || "2026-03-10";

/** Default wait for something to show up in the page (debug builds under Xvfb are slow). */
export const WAIT_MS = Number(process.env.E2E_WAIT_MS || 15000);

function which(cmd) {
  for (const dir of (process.env.PATH || "").split(":")) {
    const p = path.join(dir, cmd);
    if (dir && fs.existsSync(p)) return p;
  }
  return null;
}

/** tauri-driver: $TAURI_DRIVER, the PATH, or cargo's bin folder. Missing is an error, never a skip. */
export function tauriDriverPath() {
  const p =
    process.env.TAURI_DRIVER ||
    which("tauri-driver") ||
    path.join(process.env.CARGO_HOME || path.join(os.homedir(), ".cargo"), "bin/tauri-driver");
  if (!fs.existsSync(p)) throw new Error(`tauri-driver not found (${p}): cargo install tauri-driver --locked`);
  return p;
}

export function checkPrerequisites() {
  const problems = [];
  if (!process.env.DISPLAY) problems.push("DISPLAY is not set: run under Xvfb (tests/e2e/run does that)");
  if (!which("WebKitWebDriver")) problems.push("WebKitWebDriver not on the PATH: apt-get install webkit2gtk-driver");
  if (!fs.existsSync(APP)) problems.push(`no app binary ${APP}: cargo build -p seatbook-desktop`);
  if (!fs.existsSync(CLI)) problems.push(`no CLI binary ${CLI}: cargo build --bin seatbook`);
  tauriDriverPath();
  if (problems.length) throw new Error(problems.join("\n"));
}

/** A new empty folder with the path of a database that does not exist yet. */
export function freshDb(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `seatbook-e2e-${name}-`));
  return path.join(dir, "seatbook.db");
}

/**
 * The folder the app answers its file dialogs from (SEATBOOK_AUTOMATION_DIR: the first file of
 * the right type is "chosen", saves and folders go there, nothing opens in outside programs),
 * beside the test's database.
 */
export function automationDir(db) {
  const dir = path.join(path.dirname(db), "dialogs");
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs the seatbook CLI on `db`; returns parsed JSON with {json: true}, else stdout. Throws on failure. */
export function cli(db, args, { json = false, env = {} } = {}) {
  const full = ["--db", db, ...(json ? ["--json"] : []), ...args];
  const r = spawnSync(CLI, full, {
    encoding: "utf8",
    env: { ...process.env, SEATBOOK_TODAY: TODAY, ...env },
    maxBuffer: 256 << 20,
  });
  if (r.status !== 0) {
    const out = `${r.stdout}`.slice(0, 2000);
    throw new Error(`seatbook ${full.join(" ")} exited ${r.status ?? r.signal ?? r.error}:\n${out}\n${r.stderr}`);
  }
  return json ? JSON.parse(r.stdout) : r.stdout;
}

/** YYYY-MM-DD of the local date `days` from today (the app and the CLI use the local date). */
export function isoDate(days = 0) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** YYYY-MM-DD `days` after (or before) the YYYY-MM-DD `iso`. */
export function addDays(iso, days) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The month `k` months before TODAY's: `YYYY-MM`, its first and its last day. */
export function monthBack(k) {
  const pad = (n) => String(n).padStart(2, "0");
  const [y, m] = TODAY.split("-").map(Number);
  const index = y * 12 + (m - 1) - k;
  const [yy, mm] = [Math.floor(index / 12), (index % 12) + 1];
  const last = new Date(Date.UTC(yy, mm, 0)).getUTCDate();
  return { month: `${yy}-${pad(mm)}`, first: `${yy}-${pad(mm)}-01`, last: `${yy}-${pad(mm)}-${pad(last)}` };
}

/** The company profile and price list most tests start from. */
export function seedCompany(db) {
  cli(db, ["init", "--name", "Acme Cloud Ltd", "--country", "ZA", "--currency", "ZAR", "--vat-rate", "15",
    "--address", "1 Long Street\nCape Town", "--vat-number", "4123456789", "--email", "billing@acme.test"]);
  cli(db, ["pricelist", "import", PRICELIST]);
  cli(db, ["fx", "set", "--from", "USD", "--to", "ZAR", "--rate", "18.50", "--on", "2025-01-01"]);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Live processes under `root` (children first-level first), from /proc: [{pid, ppid, comm}]. */
export function descendants(root) {
  const all = [];
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const [state, ppid] = stat.slice(close + 2).split(" ");
      if (state !== "Z") all.push({ pid: Number(d), ppid: Number(ppid), comm });
    } catch {
      /* exited meanwhile */
    }
  }
  const out = [];
  let frontier = [root];
  while (frontier.length) {
    const next = all.filter((p) => frontier.includes(p.ppid));
    out.push(...next);
    frontier = next.map((p) => p.pid);
  }
  return out;
}

/** True while `pid` exists and is not a zombie. */
function isAlive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns something truthy (and does not throw); returns that value. */
export async function waitFor(fn, { timeout = WAIT_MS, interval = 100, what = "condition" } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = undefined;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${last.message}` : ""}`);
    }
    await sleep(interval);
  }
}

/**
 * Starts tauri-driver with SEATBOOK_DB=db in its environment (it passes the environment on to
 * WebKitWebDriver, which passes it to the app) and opens a session on the app. Also set:
 * SEATBOOK_TODAY (see TODAY) and SEATBOOK_AUTOMATION_DIR (see automationDir); `env` overrides.
 */
export async function launch(db, { name = path.basename(path.dirname(db)), env = {}, args = [], watchToasts = true } = {}) {
  checkPrerequisites();
  fs.mkdirSync(LOGS, { recursive: true });
  const port = await freePort();
  let nativePort = await freePort();
  while (nativePort === port) nativePort = await freePort();
  const log = fs.openSync(path.join(LOGS, `${name}.log`), "a");
  const driver = spawn(tauriDriverPath(), ["--port", String(port), "--native-port", String(nativePort)], {
    env: {
      ...process.env,
      SEATBOOK_DB: db,
      SEATBOOK_TODAY: TODAY,
      SEATBOOK_AUTOMATION_DIR: automationDir(db),
      ...env,
    },
    stdio: ["ignore", log, log],
  });
  let exited = null;
  driver.on("exit", (code, signal) => (exited = { code, signal }));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`tauri-driver exited (${JSON.stringify(exited)}), see ${LOGS}/${name}.log`);
        const s = await status(base);
        return s && s.ready !== false;
      },
      { timeout: 20000, what: "tauri-driver to listen" },
    );
    const spawnedAt = performance.now();
    const session = await Session.create(base, {
      "tauri:options": { application: APP, args },
      // WebKitWebDriver drives the webview; tauri-driver swaps tauri:options for webkitgtk:browserOptions.
    });
    const app = new App(session, driver, { db, name, spawnedAt });
    await session.setTimeouts({ script: 30000, pageLoad: 60000, implicit: 0 });
    if (watchToasts) {
      await waitFor(async () => (await session.findAll("#toast")).length > 0, { timeout: 30000, what: "#toast" });
      await app.watchToasts();
    }
    return app;
  } catch (e) {
    driver.kill("SIGTERM");
    throw e;
  }
}

export class App {
  constructor(session, driver, { db, name, spawnedAt }) {
    this.s = session;
    this.driver = driver;
    this.db = db;
    this.name = name;
    this.spawnedAt = spawnedAt;
  }

  /** The processes started for this session: WebKitWebDriver, the app, WebKit's processes. */
  processes() {
    return descendants(this.driver.pid);
  }

  /** The app's own process ({pid, comm}), or null. */
  appProcess() {
    return this.processes().find((p) => p.comm.startsWith("seatbook-deskto")) || null;
  }

  /**
   * Ends the session and everything it started. Deleting the session does not quit a Tauri app
   * under WebKitWebDriver, and killing tauri-driver leaves the app running: so the app and its
   * WebKit processes are ended by pid, from the process tree under this tauri-driver.
   */
  async close() {
    const tree = this.processes();
    try {
      await this.s.delete();
    } catch {
      /* the app may already be gone */
    }
    for (const p of tree.reverse()) {
      try {
        process.kill(p.pid, "SIGTERM");
      } catch {
        /* already gone */
      }
    }
    if (this.driver.exitCode === null && this.driver.signalCode === null) {
      const gone = new Promise((r) => this.driver.once("exit", r));
      this.driver.kill("SIGTERM");
      await Promise.race([gone, sleep(5000)]);
      if (this.driver.exitCode === null && this.driver.signalCode === null) this.driver.kill("SIGKILL");
    }
    // Wait until they are really gone: the app holds a single-instance name on D-Bus, and a
    // next launch while this one is still dying would try to hand over to it and fail.
    const alive = () => tree.filter((p) => isAlive(p.pid));
    const end = Date.now() + 5000;
    while (alive().length && Date.now() < end) await sleep(50);
    for (const p of alive()) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
    while (alive().length && Date.now() < end + 2000) await sleep(50);
  }

  find(css) {
    return this.s.find(css);
  }
  findAll(css) {
    return this.s.findAll(css);
  }
  execute(script, ...args) {
    return this.s.execute(script, ...args);
  }

  /** Waits for an element that is in the page and displayed. */
  async waitFor(css, { timeout = WAIT_MS } = {}) {
    return waitFor(
      async () => {
        const els = await this.s.findAll(css);
        for (const e of els) if (await e.displayed()) return e;
        return null;
      },
      { timeout, what: css },
    );
  }

  /** Waits until no element matches `css` (e.g. a dialog closed, a screen left). */
  async waitGone(css, { timeout = WAIT_MS } = {}) {
    await waitFor(
      async () => {
        const els = await this.s.findAll(css);
        for (const e of els) if (await e.displayed()) return false;
        return true;
      },
      { timeout, what: `${css} to go away` },
    );
  }

  /** Which screen is shown: the `<name>` of the displayed `#screen-<name>`, or null. */
  async screen() {
    return this.execute(`
      for (const el of document.querySelectorAll('[id^="screen-"]')) {
        if (el.getClientRects().length) return el.id.slice(7);
      }
      return null;`);
  }

  async waitScreen(name, opts) {
    return this.waitFor(`#screen-${name}`, opts);
  }

  /** Clicks the navigation button of a screen and waits for that screen. */
  async nav(name) {
    await this.click(`[data-nav="${name}"]`);
    return this.waitScreen(name);
  }

  form(name) {
    return this.waitFor(`form[data-form="${name}"]`);
  }

  field(form, field) {
    return this.waitFor(`form[data-form="${form}"] [name="${field}"]`);
  }

  /**
   * Fills a form like a user: text is typed (after clearing) — date inputs too, which are text
   * boxes that accept ISO "2026-03-10" —, selects (and any native date/month picker, which
   * WebKitWebDriver cannot type into) are set through the element with input/change events,
   * checkboxes are clicked when their state differs.
   */
  async fill(form, values) {
    for (const [field, value] of Object.entries(values)) {
      const el = await this.field(form, field);
      const kind = await this.execute(
        "const e = arguments[0]; return e.tagName.toLowerCase() + ':' + (e.type || '');",
        el,
      );
      if (kind.startsWith("select") || /:(date|month|file|color|range)$/.test(kind)) {
        const ok = await this.execute(
          `const [e, v] = arguments;
           if (e.tagName === 'SELECT' && ![...e.options].some(o => o.value === v)) return [...e.options].map(o => o.value);
           e.focus(); e.value = v;
           e.dispatchEvent(new Event('input', {bubbles: true}));
           e.dispatchEvent(new Event('change', {bubbles: true}));
           return true;`,
          el,
          String(value),
        );
        if (ok !== true) throw new Error(`${form}.${field}: no option ${value} (options: ${JSON.stringify(ok)})`);
      } else if (kind === "input:checkbox") {
        if ((await el.property("checked")) !== Boolean(value)) await el.click();
      } else {
        await el.clear();
        // WebKitWebDriver drops "\n": a new line in a textarea is the Enter key, as a user types it.
        const text = kind.startsWith("textarea") ? String(value).replace(/\n/g, Keys.ENTER) : String(value);
        if (text !== "") await el.type(text);
      }
    }
  }

  /**
   * A field's value; for a date input (a text box in the company's format, ISO in data-date)
   * the ISO date, or the text as typed while it cannot be read as a date.
   */
  async value(form, field) {
    const el = await this.field(form, field);
    return (await el.attribute("data-date")) || el.property("value");
  }

  async submit(form) {
    await this.click(`form[data-form="${form}"] [type="submit"]`);
  }

  /** The visible error text beside a field ("" when none is shown). */
  async fieldError(form, field) {
    const els = await this.findAll(`form[data-form="${form}"] [data-error-for="${field}"]`);
    for (const e of els) if (await e.displayed()) return (await e.text()).trim();
    return "";
  }

  async waitFieldError(form, field) {
    return waitFor(() => this.fieldError(form, field), { what: `an error at ${form}.${field}` });
  }

  /** The rows of a list: [{id, text, cells: [...]}]; null while the list is still being drawn. */
  async rows(list) {
    return this.execute(
      `const t = document.querySelector('[data-list="' + arguments[0] + '"]');
       if (!t || !t.getClientRects().length || t.getAttribute('aria-busy') === 'true') return null;
       return [...t.querySelectorAll('[data-id]')].map(r => ({
         id: r.getAttribute('data-id'),
         text: r.innerText.trim(),
         cells: [...r.querySelectorAll('td,th')].map(c => c.innerText.trim()),
         amounts: [...r.querySelectorAll('[data-amount]')].map(c => c.getAttribute('data-amount')),
         dates: [...r.querySelectorAll('[data-date]')].map(c => c.getAttribute('data-date')),
       }));`,
      list,
    );
  }

  async waitRows(list, pred = (rows) => rows.length > 0, what = `rows in ${list}`) {
    return waitFor(
      async () => {
        const rows = await this.rows(list);
        return rows && pred(rows) ? rows : null;
      },
      { what },
    );
  }

  /** data-amount values under `css` (in document order). */
  async amounts(css) {
    return this.execute(
      "return [...document.querySelectorAll(arguments[0])].filter(e => e.getClientRects().length).map(e => e.getAttribute('data-amount'));",
      css,
    );
  }

  async text(css) {
    return (await (await this.waitFor(css)).text()).trim();
  }

  /**
   * Records every notice shown in #toast from now on (the page is never reloaded, so once is
   * enough; launch() does it as soon as #toast exists).
   */
  async watchToasts() {
    await this.execute(`
      if (window.__toasts) return;
      window.__toasts = [];
      const t = document.getElementById('toast');
      const note = () => { const s = t.textContent.trim(); if (s) window.__toasts.push(s); };
      new MutationObserver(note).observe(t, { childList: true, characterData: true, subtree: true });`);
    this.toastsSeen = 0;
  }

  /** The next notice shown in #toast since the last one this returned (waits for it). */
  async toast() {
    const list = await waitFor(
      async () => {
        const l = await this.execute("return window.__toasts || null");
        if (l === null) throw new Error("toasts are not being watched");
        return l.length > this.toastsSeen ? l : null;
      },
      { what: "a new #toast" },
    );
    this.toastsSeen = list.length;
    return list[list.length - 1];
  }

  /** Clicks a list's row (its first cell: WebKitWebDriver does not click a <tr> itself). */
  async clickRow(list, id) {
    return this.click(`[data-list="${list}"] [data-id="${id}"] td`);
  }

  /** The attribute of the first displayed element matching `css`. */
  async attr(css, name) {
    return (await this.waitFor(css)).attribute(name);
  }

  /** Waits until the text of `css` contains `needle` (a string or a RegExp); returns the text. */
  async waitText(css, needle) {
    return waitFor(
      async () => {
        const t = (await (await this.find(css)).text()).trim();
        const ok = needle instanceof RegExp ? needle.test(t) : t.includes(needle);
        return ok ? t : null;
      },
      { what: `${css} to show ${needle}` },
    );
  }

  /**
   * Clicks like a user: the element is scrolled into view first (WebKitWebDriver does not scroll
   * inside a scrolling <dialog>, and refuses a half-hidden button as "not interactable").
   */
  async click(css) {
    const e = await this.waitFor(css);
    await this.execute("arguments[0].scrollIntoView({ block: 'nearest', inline: 'nearest' })", e);
    await e.click();
    return e;
  }

  /**
   * Saves a PNG of the window into target/e2e-screens/<name>.png and returns its path, after two
   * painted frames (a screenshot right after the first render can be blank). `scrollTo`: a CSS
   * selector to bring into view first (e.g. an error below the fold).
   */
  async screenshot(name, { scrollTo } = {}) {
    fs.mkdirSync(SCREENS, { recursive: true });
    if (scrollTo) {
      await this.execute("const e = document.querySelector(arguments[0]); if (e) e.scrollIntoView({ block: 'center' });", scrollTo);
    }
    await this.s.executeAsync("const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 50)));");
    const file = path.join(SCREENS, `${name}.png`);
    fs.writeFileSync(file, Buffer.from(await this.s.screenshot(), "base64"));
    return file;
  }

  /** The page's visible text, for failure messages. */
  bodyText() {
    return this.execute("return document.body ? document.body.innerText : ''");
  }

  /**
   * Runs one step of a walk; on failure saves a screenshot and the page text next to it,
   * then fails with the original error.
   */
  async step(label, fn) {
    try {
      return await fn();
    } catch (e) {
      const slug = `${this.name}-${label}`.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
      try {
        const shot = await this.screenshot(`FAILED-${slug}`);
        fs.writeFileSync(shot.replace(/\.png$/, ".txt"), String(await this.bodyText()));
        e.message += `\n(screenshot: ${shot})`;
      } catch {
        /* the session itself is broken */
      }
      throw e;
    }
  }
}
