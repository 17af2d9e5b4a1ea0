// A minimal W3C WebDriver client over Node's built-in fetch: just the commands these tests use.
// No npm dependency on purpose (see tests/e2e/NOTES.md): nothing to download, nothing that tries
// to fetch a browser or a driver of its own, and it runs on the machine's Node.js as it is.

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export const Keys = { ENTER: "\uE007", ESCAPE: "\uE00C", TAB: "\uE004", BACKSPACE: "\uE003" };

export class WebDriverError extends Error {
  constructor(method, path, status, value) {
    const v = value || {};
    super(`${method} ${path} -> ${status} ${v.error || ""}: ${v.message || JSON.stringify(value)}`);
    this.error = v.error;
    this.status = status;
  }
}

/** No WebDriver command of these tests takes this long: past it, fail instead of hanging. */
const REQUEST_TIMEOUT_MS = Number(process.env.E2E_REQUEST_TIMEOUT_MS || 90000);

async function request(base, method, path, body) {
  const res = await fetch(base + path, {
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    method,
    headers: body === undefined ? {} : { "content-type": "application/json; charset=utf-8" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw new WebDriverError(method, path, res.status, { error: "bad json", message: text.slice(0, 500) });
  }
  if (!res.ok) throw new WebDriverError(method, path, res.status, json.value);
  return json.value;
}

export async function status(base) {
  return request(base, "GET", "/status");
}

export class Element {
  constructor(session, id, selector) {
    this.s = session;
    this.id = id;
    this.selector = selector;
  }
  cmd(method, path, body) {
    return this.s.cmd(method, `/element/${this.id}${path}`, body);
  }
  toJSON() {
    return { [ELEMENT]: this.id };
  }
  click() {
    return this.cmd("POST", "/click", {});
  }
  clear() {
    return this.cmd("POST", "/clear", {});
  }
  /** Types text into the element (keys like Keys.ENTER included). */
  type(text) {
    return this.cmd("POST", "/value", { text: String(text) });
  }
  text() {
    return this.cmd("GET", "/text");
  }
  property(name) {
    return this.cmd("GET", `/property/${name}`);
  }
  attribute(name) {
    return this.cmd("GET", `/attribute/${name}`);
  }
  displayed() {
    return this.cmd("GET", "/displayed");
  }
  enabled() {
    return this.cmd("GET", "/enabled");
  }
  tagName() {
    return this.cmd("GET", "/name");
  }
  async find(css) {
    const v = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return new Element(this.s, v[ELEMENT], `${this.selector} ${css}`);
  }
  async findAll(css) {
    const v = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return v.map((e) => new Element(this.s, e[ELEMENT], `${this.selector} ${css}`));
  }
}

export class Session {
  constructor(base, id, capabilities) {
    this.base = base;
    this.id = id;
    this.capabilities = capabilities;
  }
  static async create(base, alwaysMatch) {
    const v = await request(base, "POST", "/session", { capabilities: { alwaysMatch } });
    return new Session(base, v.sessionId, v.capabilities);
  }
  cmd(method, path, body) {
    return request(this.base, method, `/session/${this.id}${path}`, body);
  }
  delete() {
    return request(this.base, "DELETE", `/session/${this.id}`);
  }
  setTimeouts(t) {
    return this.cmd("POST", "/timeouts", t);
  }
  async find(css) {
    const v = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return new Element(this, v[ELEMENT], css);
  }
  async findAll(css) {
    const v = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return v.map((e) => new Element(this, e[ELEMENT], css));
  }
  /** Runs `script` (a function body) in the page; element arguments may be Element objects. */
  execute(script, ...args) {
    return this.cmd("POST", "/execute/sync", { script, args });
  }
  /** Like execute, the last argument being the callback to call with the result. */
  executeAsync(script, ...args) {
    return this.cmd("POST", "/execute/async", { script, args });
  }
  /** Base64 PNG of the window's viewport. */
  screenshot() {
    return this.cmd("GET", "/screenshot");
  }
  title() {
    return this.cmd("GET", "/title");
  }
  url() {
    return this.cmd("GET", "/url");
  }
  pageSource() {
    return this.cmd("GET", "/source");
  }
  /** The text of an open alert/confirm/prompt, or null when none is open. */
  async alertText() {
    try {
      return await this.cmd("GET", "/alert/text");
    } catch (e) {
      if (e.error === "no such alert") return null;
      throw e;
    }
  }
  /** Sends keys to whatever has the focus (W3C actions). */
  async keys(text) {
    const actions = [];
    for (const ch of String(text)) actions.push({ type: "keyDown", value: ch }, { type: "keyUp", value: ch });
    await this.cmd("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions }] });
    await this.cmd("DELETE", "/actions");
  }
}
