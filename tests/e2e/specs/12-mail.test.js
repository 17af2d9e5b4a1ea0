// E-mail from the app to a real SMTP server (tests/smtp/server.py: Debian's aiosmtpd with
// STARTTLS and a password) started by this spec: the settings and a test message, a billing run
// e-mailed from the Billing screen (one message per billing address, the PDF attached byte for
// byte as the CLI writes it, the paper customer left out), then the server down: an invoice's
// "E-mail" waits in the outbox with the badge showing, and goes once the server is back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { launch, freshDb, cli, seedCompany, ROOT, TODAY } from "../lib/app.js";

const db = freshDb("mail");
const SMTP = path.join(ROOT, "tests/smtp");
const USER = "billing@acme.test";
const PASSWORD = "e2e-Pässword";
const MONTH = TODAY.slice(0, 7);
const YEAR = TODAY.slice(0, 4);
const inbox = path.join(path.dirname(db), "inbox");
let app;
let server;
let port = 0;

/** Start the SMTP server (on `port` once it had one, so the app's settings stay right). */
async function startServer() {
  fs.mkdirSync(inbox, { recursive: true });
  server = spawn(path.join(SMTP, "server.py"), ["--dir", inbox, "--port", String(port), "--security", "starttls", "--user", USER, "--password", PASSWORD], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise((resolve, reject) => {
    readline.createInterface({ input: server.stdout }).once("line", resolve);
    server.once("exit", (code) => reject(new Error(`the SMTP server exited (${code})`)));
  });
  port = Number(line.replace("READY ", ""));
}

async function stopServer() {
  if (!server) return;
  const done = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGTERM");
  await done;
  server = null;
}

/** The messages received, read as a mail client reads them (tests/smtp/read.py). */
function received() {
  const files = fs.readdirSync(inbox).filter((f) => f.endsWith(".eml")).sort().map((f) => path.join(inbox, f));
  if (!files.length) return [];
  const r = spawnSync(path.join(SMTP, "read.py"), files, { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

before(async () => {
  seedCompany(db);
  cli(db, ["customer", "add", "--name", "Contoso Ltd", "--domain", "contoso.onmicrosoft.com", "--contact-person", "Zoë Ndlovu", "--email", "ap@contoso.test, zoe@contoso.test"]);
  cli(db, ["customer", "add", "--name", "Northwind Health", "--domain", "northwind.onmicrosoft.com", "--email", "accounts@northwind.test"]);
  cli(db, ["customer", "add", "--name", "Paper Works", "--domain", "paperworks.onmicrosoft.com", "--email", "x@paper.test", "--delivery", "paper"]);
  for (const c of ["1", "2", "3"]) {
    cli(db, ["subscription", "add", "--customer", c, "--product", "CFQ7TTC0LH18:0001", "--term", "P1Y", "--billing", "monthly", "--quantity", "5", "--start", `${MONTH}-01`]);
  }
  await startServer();
  cli(db, ["mail", "set", "--host", "localhost", "--port", String(port), "--security", "starttls", "--user", USER, "--from", "billing@acme.test",
    "--from-name", "Acme Cloud", "--ca-file", path.join(SMTP, "ca.pem")]);
  app = await launch(db, { name: "mail", env: { SEATBOOK_SMTP_PASSWORD: PASSWORD } });
  await app.waitScreen("dashboard", { timeout: 30000 });
});
after(async () => {
  await app?.close();
  await stopServer();
});

test("Settings → E-mail shows the server and sends a test message", async () => {
  await app.step("mail-settings", async () => {
    await app.nav("settings");
    await app.waitFor('form[data-form="mail"]');
    assert.equal(await app.value("mail", "host"), "localhost");
    assert.equal(await app.value("mail", "port"), String(port));
    assert.equal(await app.attr("[data-password]", "data-password"), "environment");
    await app.fill("mail-test", { to: "owner@acme.test" });
    await app.click('[data-action="test-mail"]');
    await app.waitFor('[data-test-result="ok"]', { timeout: 30000 });
    const m = received();
    assert.equal(m.length, 1);
    assert.equal(m[0].headers.To, "owner@acme.test");
    assert.equal(m[0].headers.From, "Acme Cloud <billing@acme.test>");
    // The template's preview, filled with example values.
    await app.click('[data-action="preview-template"]');
    await app.waitFor("[data-preview-subject]");
    assert.match(await app.text("[data-preview-subject]"), /^Invoice INV-2026-0001 from Acme Cloud Ltd$/);
    await app.screenshot("60-mail-settings", { scrollTo: 'form[data-form="mail"]' });
  });
});

test("a billing run is e-mailed from the Billing screen: one message per address, the PDF as saved", async () => {
  await app.step("mail-run", async () => {
    await app.nav("billing");
    // Invoices are e-mailed as they are issued: they go with the run.
    await app.click('[data-action="issue"]');
    assert.match(await app.toast(), /^Issued 3 invoices for .*\. E-mailed 3 messages, 1 document not e-mailed\.$/);
    const rows = await app.waitRows("mail-results", (r) => r.length === 4, "three messages and the paper customer");
    const paper = rows.find((r) => r.cells[0] === "Paper Works");
    assert.equal(paper.cells[4], "takes paper");
    assert.equal(rows.filter((r) => r.cells[3] === "sent").length, 3);
    await app.screenshot("61-mail-run");
    // "E-mail the invoices" again sends nothing twice.
    await app.click('[data-action="email-invoices"]');
    assert.equal(await app.toast(), "E-mailed 0 messages, 3 documents not e-mailed.");
    const again = await app.waitRows("mail-results", (r) => r.filter((x) => x.cells[4] === "already e-mailed").length === 2, "two already e-mailed");
    assert.equal(again.length, 3);

    const messages = received().slice(1);
    assert.deepEqual(messages.map((m) => m.headers.To).sort(), ["accounts@northwind.test", "ap@contoso.test", "zoe@contoso.test"]);
    const zoe = messages.find((m) => m.headers.To === "zoe@contoso.test");
    assert.equal(zoe.headers.Subject, `Invoice INV-${YEAR}-00001 from Acme Cloud Ltd`);
    assert.match(zoe.text, /^Dear Zoë Ndlovu,/);
    assert.match(zoe.html, /<p>Dear Zoë Ndlovu,<\/p>/);
    const saved = path.join(path.dirname(db), "saved.pdf");
    cli(db, ["invoice", "pdf", `INV-${YEAR}-00001`, "--out", saved]);
    const bytes = fs.readFileSync(saved);
    assert.equal(zoe.attachments[0].sha256, crypto.createHash("sha256").update(bytes).digest("hex"), "the attachment is the PDF the CLI writes");
    assert.deepEqual(cli(db, ["mail", "outbox"], { json: true }), [], "nothing waits");
  });
});

test("offline, an invoice's E-mail waits in the outbox with the badge, and goes when the server is back", async () => {
  await app.step("mail-offline", async () => {
    await stopServer();
    await app.nav("invoices");
    await app.waitRows("invoices", (r) => r.length === 3, "the three invoices");
    await app.click(`[data-list="invoices"] tr[data-id="INV-${YEAR}-00002"] [data-action="email"]`);
    assert.match(await app.toast(), /^E-mailed 0 messages, 1 message waiting in the outbox\. No connection to the mail server/);
    await app.waitFor('[data-badge="outbox"]:not([hidden])');
    assert.equal(await app.text('[data-badge="outbox"]'), "1");
    await app.nav("mail");
    const rows = await app.waitRows("outbox", (r) => r.length === 1, "the waiting message");
    assert.equal(rows[0].cells[1], "accounts@northwind.test");
    assert.match(rows[0].cells[3], /^waiting/);
    await app.screenshot("62-mail-outbox-waiting");

    await startServer();
    await app.click('[data-action="retry-mail"]');
    assert.equal(await app.toast(), "E-mailed 1 message.");
    await app.waitRows("mail-log", (r) => r.length === 4, "four messages sent");
    await app.waitGone('[data-badge="outbox"]');
    const last = received().at(-1);
    assert.equal(last.headers.To, "accounts@northwind.test");
    assert.equal(last.headers.Subject, `Invoice INV-${YEAR}-00002 from Acme Cloud Ltd`);
    await app.screenshot("63-mail-sent");
  });
});
