//! E-mail to customers against a real SMTP server (tests/smtp/server.py, Debian's aiosmtpd) that
//! each test starts on localhost with TLS and a password: what a mail client sees (headers with
//! non-ASCII names, both body parts, the PDF's bytes), one message per recipient, refusals, the
//! server down, a send cut off by a kill, invoices written to the outbox as they are issued, and
//! the password kept in a real credential store (GNOME Keyring's Secret Service on a private
//! D-Bus) and out of the book.

use crate::helpers::*;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const USER: &str = "billing@cloudwise.example";
const PASSWORD: &str = "s3cret-Pässword!";

fn smtp_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp")
}

/// The test SMTP server, stopped when dropped.
struct Smtp {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
    security: &'static str,
}

impl Smtp {
    fn start(security: &'static str) -> Smtp {
        Smtp::start_on(security, 0, tempfile::tempdir().unwrap())
    }

    fn start_on(security: &'static str, port: u16, dir: tempfile::TempDir) -> Smtp {
        let mut child = Command::new(smtp_dir().join("server.py"))
            .arg("--dir")
            .arg(dir.path())
            .args(["--port", &port.to_string(), "--security", security, "--user", USER, "--password", PASSWORD])
            .stdout(Stdio::piped())
            .spawn()
            .expect("tests/smtp/server.py starts (python3-aiosmtpd is installed by .ci/run)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().strip_prefix("READY ").unwrap_or_else(|| panic!("the server said {line:?}")).parse().unwrap();
        Smtp { child, port, dir, security }
    }

    /// Stop the server, keeping what it received; `start_again` brings it back on the same port.
    fn stop(mut self) -> (u16, tempfile::TempDir, &'static str) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap());
        (self.port, dir, self.security)
    }

    /// The messages received so far, read as a mail client reads them.
    fn messages(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Vec::new();
        }
        let o = Command::new(smtp_dir().join("read.py")).args(&files).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut list: Vec<Value> = serde_json::from_slice::<Value>(&o.stdout).unwrap().as_array().unwrap().clone();
        for (m, f) in list.iter_mut().zip(&files) {
            let envelope: Value = serde_json::from_slice(&std::fs::read(f.with_extension("json")).unwrap()).unwrap();
            m["envelope"] = envelope;
        }
        list
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `seatbook` with the password in the environment (this machine has no credential store).
fn mail_cmd(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_seatbook"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("SEATBOOK_DB")
        .env_remove("SEATBOOK_TODAY")
        .env("SEATBOOK_SMTP_PASSWORD", PASSWORD)
        .output()
        .unwrap()
}

#[track_caller]
fn mail_json(db: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let o = mail_cmd(db, &all);
    assert!(o.status.success(), "seatbook {args:?} failed ({:?}):\n{}", o.status.code(), stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[track_caller]
fn mail_fails(db: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let o = mail_cmd(db, &all);
    assert!(!o.status.success(), "seatbook {args:?} should fail: {}", stdout(&o));
    serde_json::from_str(stderr(&o).trim()).unwrap()
}

/// A reseller with two e-mail customers (one with two billing addresses and a non-ASCII
/// contact), one paper customer, November issued; mail set up against `smtp`.
fn setup(db: &Path, smtp: &Smtp) {
    book(db);
    ok(db, &["bill", "--month", "2026-11", "--issue", "--date", "2026-11-30"]);
    set_mail(db, smtp);
}

/// The book of `setup`, nothing issued, no mail set up.
fn book(db: &Path) {
    ok(
        db,
        &[
            "init",
            "--name",
            "Cloudwise Café (Pty) Ltd",
            "--country",
            "ZA",
            "--currency",
            "ZAR",
            "--vat-rate",
            "15",
            "--default-markup",
            "20",
        ],
    );
    ok(db, &["pricelist", "import", sample_pricelist().to_str().unwrap()]);
    ok(
        db,
        &[
            "customer",
            "add",
            "--name",
            "Acme Łódź Sp. z o.o.",
            "--contact-person",
            "Zoë Łukasiewicz",
            "--domain",
            "acme.onmicrosoft.com",
            "--email",
            "accounts@acme.example, zoe@acme.example",
        ],
    );
    ok(db, &["customer", "add", "--name", "Bolt Ltd", "--domain", "bolt.onmicrosoft.com", "--email", "ap@bolt.example"]);
    ok(
        db,
        &[
            "customer",
            "add",
            "--name",
            "Paper Co",
            "--domain",
            "paper.onmicrosoft.com",
            "--email",
            "x@paper.example",
            "--delivery",
            "paper",
        ],
    );
    for c in ["1", "2", "3"] {
        ok(
            db,
            &[
                "subscription",
                "add",
                "--customer",
                c,
                "--product",
                "CFQ7TTC0LH18:0001",
                "--term",
                "P1Y",
                "--billing",
                "monthly",
                "--quantity",
                "10",
                "--start",
                "2026-11-01",
            ],
        );
    }
}

fn set_mail(db: &Path, smtp: &Smtp) {
    let port = smtp.port.to_string();
    let ca = smtp_dir().join("ca.pem");
    mail_json(
        db,
        &[
            "mail",
            "set",
            "--host",
            "localhost",
            "--port",
            &port,
            "--security",
            smtp.security,
            "--user",
            USER,
            "--from",
            "billing@cloudwise.example",
            "--from-name",
            "Cloudwise Café",
            "--reply-to",
            "accounts@cloudwise.example",
            "--ca-file",
            ca.to_str().unwrap(),
        ],
    );
}

fn header<'a>(m: &'a Value, name: &str) -> &'a str {
    m["headers"][name].as_str().unwrap_or_else(|| panic!("no {name} header in {}", m["headers"]))
}

#[test]
fn a_months_invoices_go_once_to_each_billing_address_with_the_saved_pdf() {
    let smtp = Smtp::start("starttls");
    let db = TestDb::new();
    setup(&db.path, &smtp);

    let r = mail_json(&db.path, &["mail", "send", "--month", "2026-11"]);
    assert_eq!(r["queued"].as_array().unwrap().len(), 3, "{r}");
    assert_eq!(r["delivery"]["sent"], 3);
    let skipped = r["skipped"].as_array().unwrap();
    assert_eq!((skipped.len(), skipped[0]["customer_name"].as_str(), skipped[0]["reason"].as_str()), (1, Some("Paper Co"), Some("paper")));

    let messages = smtp.messages();
    assert_eq!(messages.len(), 3);
    let mut to: Vec<&str> = messages.iter().map(|m| header(m, "To")).collect();
    to.sort();
    assert_eq!(to, ["accounts@acme.example", "ap@bolt.example", "zoe@acme.example"]);
    let acme = messages.iter().find(|m| header(m, "To") == "zoe@acme.example").unwrap();
    assert_eq!(header(acme, "From"), "Cloudwise Café <billing@cloudwise.example>");
    assert_eq!(header(acme, "Reply-To"), "accounts@cloudwise.example");
    assert_eq!(header(acme, "Subject"), "Invoice INV-2026-00001 from Cloudwise Café (Pty) Ltd");
    assert!(header(acme, "Message-ID").ends_with("@cloudwise.example>"));
    assert_eq!(acme["envelope"]["auth_user"], USER);
    let text = plain(acme["text"].as_str().unwrap());
    assert!(text.starts_with("Dear Zoë Łukasiewicz,"), "{text}");
    // 10 × 136.08 + 15 % VAT = 1 564.92, due 30 days after 30 November.
    assert!(text.contains("invoice INV-2026-00001 of 30 November 2026 for R 1 564,92, due on 30 December 2026"), "{text}");
    let html = acme["html"].as_str().unwrap();
    assert!(html.contains("<p>Dear Zoë Łukasiewicz,</p>"), "{html}");
    // The attachment is the PDF the reseller saves, byte for byte.
    let saved = db.dir.path().join("saved.pdf");
    ok(&db.path, &["invoice", "pdf", "INV-2026-00001", "--out", saved.to_str().unwrap()]);
    let bytes = std::fs::read(&saved).unwrap();
    let a = &acme["attachments"][0];
    assert_eq!(a["content_type"], "application/pdf");
    assert_eq!(a["filename"].as_str().unwrap(), "INV-2026-00001_Acme-Łódź-Sp-z-o-o.pdf");
    assert_eq!(a["size"].as_u64().unwrap() as usize, bytes.len());
    assert_eq!(a["sha256"].as_str().unwrap(), sha256(&bytes));

    // Again: nothing new goes out.
    let again = mail_json(&db.path, &["mail", "send", "--month", "2026-11"]);
    assert_eq!(again["queued"], serde_json::json!([]));
    assert_eq!(smtp.messages().len(), 3);
    // The log (the customer's timeline) lists what went, with the document it carried.
    let log = mail_json(&db.path, &["mail", "log", "--customer", "1"]);
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|e| e["state"] == "sent" && e["documents"] == serde_json::json!(["INV-2026-00001"])), "{log:?}");
    // Asked for by number with --again, it goes again.
    let r = mail_json(&db.path, &["mail", "send", "--invoices", "INV-2026-00002", "--again"]);
    assert_eq!(r["delivery"]["sent"], 1);
    assert_eq!(smtp.messages().len(), 4);
}

#[test]
fn invoices_and_credit_notes_go_to_the_outbox_as_they_are_issued_and_go_at_once() {
    let smtp = Smtp::start("starttls");
    let db = TestDb::new();
    book(&db.path);
    set_mail(&db.path, &smtp);
    let shown = mail_json(&db.path, &["mail", "show"]);
    assert_eq!(shown["settings"]["send_on_issue"], true, "e-mailed as issued unless the reseller says otherwise");

    // The server is down while the month is issued: the invoices are issued, and their messages
    // were written with them and wait.
    let (port, dir, security) = smtp.stop();
    let run = mail_json(&db.path, &["bill", "--month", "2026-11", "--issue", "--date", "2026-11-30"]);
    assert_eq!(run["invoices"].as_array().unwrap().len(), 3);
    let mail = &run["mail"];
    assert_eq!((mail["delivery"]["sent"].as_u64(), mail["delivery"]["waiting"].as_u64()), (Some(0), Some(3)), "{mail}");
    assert!(mail["delivery"]["stopped"].as_str().unwrap().contains("connect"), "{mail}");
    let skipped = mail["skipped"].as_array().unwrap();
    assert_eq!((skipped.len(), skipped[0]["customer_name"].as_str(), skipped[0]["reason"].as_str()), (1, Some("Paper Co"), Some("paper")));
    let outbox = mail_json(&db.path, &["mail", "outbox"]);
    let mut waiting: Vec<(String, String, String)> = outbox
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["document"].as_str().unwrap().into(), e["to"].as_str().unwrap().into(), e["state"].as_str().unwrap().into()))
        .collect();
    waiting.sort();
    assert_eq!(
        waiting,
        [
            ("INV-2026-00001".into(), "accounts@acme.example".into(), "waiting".into()),
            ("INV-2026-00001".into(), "zoe@acme.example".into(), "waiting".into()),
            ("INV-2026-00002".into(), "ap@bolt.example".into(), "waiting".into()),
        ]
    );

    // The server is back: they go, once, each with its saved PDF.
    let smtp = Smtp::start_on(security, port, dir);
    let left = mail_json(&db.path, &["mail", "outbox", "--retry"]);
    assert_eq!(left, serde_json::json!([]), "nothing is left waiting");
    let messages = smtp.messages();
    assert_eq!(messages.len(), 3);
    let bolt = messages.iter().find(|m| header(m, "To") == "ap@bolt.example").unwrap();
    assert_eq!(header(bolt, "Subject"), "Invoice INV-2026-00002 from Cloudwise Café (Pty) Ltd");
    let saved = db.dir.path().join("inv2.pdf");
    ok(&db.path, &["invoice", "pdf", "INV-2026-00002", "--out", saved.to_str().unwrap()]);
    assert_eq!(bolt["attachments"][0]["sha256"].as_str().unwrap(), sha256(&std::fs::read(&saved).unwrap()));
    // "E-mail the month" afterwards finds nothing new to send.
    let again = mail_json(&db.path, &["mail", "send", "--month", "2026-11"]);
    assert_eq!((again["queued"].as_array().unwrap().len(), again["delivery"]["sent"].as_u64()), (0, Some(0)), "{again}");
    assert_eq!(smtp.messages().len(), 3);

    // A credit note goes as it is issued, with its own PDF.
    let cn = mail_json(
        &db.path,
        &["invoice", "credit", "INV-2026-00002", "--amount", "100", "--reason", "Two seats returned", "--date", "2026-12-02"],
    );
    assert_eq!(cn["number"], "CN-2026-00001");
    assert_eq!(cn["mail"]["sent"], 1, "{cn}");
    let messages = smtp.messages();
    assert_eq!(messages.len(), 4);
    let credit = &messages[3];
    assert_eq!(header(credit, "To"), "ap@bolt.example");
    assert_eq!(header(credit, "Subject"), "Credit note CN-2026-00001 from Cloudwise Café (Pty) Ltd");
    // 100 net + 15 % VAT.
    assert!(
        plain(credit["text"].as_str().unwrap())
            .contains("credit note CN-2026-00001 of 2 December 2026 for R 115,00, which corrects invoice INV-2026-00002"),
        "{}",
        credit["text"]
    );
    let saved = db.dir.path().join("cn.pdf");
    ok(&db.path, &["invoice", "pdf", "CN-2026-00001", "--out", saved.to_str().unwrap()]);
    assert_eq!(credit["attachments"][0]["sha256"].as_str().unwrap(), sha256(&std::fs::read(&saved).unwrap()));

    // A reseller who sends by hand: issuing writes no message.
    let shown = mail_json(&db.path, &["mail", "set", "--send-on-issue", "no"]);
    assert_eq!(shown["settings"]["send_on_issue"], false);
    let bad = mail_fails(&db.path, &["mail", "set", "--send-on-issue", "maybe"]);
    assert_eq!(bad["field"], "--send-on-issue", "{bad}");
    let december = mail_json(&db.path, &["bill", "--month", "2026-12", "--issue", "--date", "2026-12-02"]);
    assert_eq!(december["invoices"].as_array().unwrap().len(), 3);
    assert!(december.get("mail").is_none(), "{december}");
    assert_eq!(mail_json(&db.path, &["mail", "outbox"]), serde_json::json!([]));
    assert_eq!(smtp.messages().len(), 4);
}

/// Text with the locale's non-breaking spaces (in amounts) as plain ones.
fn plain(s: &str) -> String {
    s.replace(['\u{a0}', '\u{202f}'], " ")
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    seatbook::files::hex(&sha2::Sha256::digest(bytes))
}

#[test]
fn refusals_wait_or_stay_refused_and_a_server_down_queues_until_it_is_back() {
    let smtp = Smtp::start("tls");
    let db = TestDb::new();
    setup(&db.path, &smtp);
    ok(&db.path, &["customer", "update", "1", "--email", "temp-once@acme.example, perm-fail@acme.example"]);
    ok(&db.path, &["customer", "update", "2", "--email", "temp-fail@bolt.example"]);

    let r = mail_json(&db.path, &["mail", "send", "--month", "2026-11"]);
    assert_eq!((r["delivery"]["sent"].as_u64(), r["delivery"]["refused"].as_u64()), (Some(0), Some(1)), "{r}");
    let outbox = mail_json(&db.path, &["mail", "outbox"]);
    let state = |to: &str| {
        let e = outbox.as_array().unwrap().iter().find(|e| e["to"] == to).unwrap_or_else(|| panic!("{to} not in {outbox}"));
        (e["state"].as_str().unwrap().to_string(), e["attempts"].as_u64().unwrap(), e["last_error"].as_str().unwrap().to_string())
    };
    let (s, attempts, why) = state("perm-fail@acme.example");
    assert_eq!((s.as_str(), attempts), ("refused", 1));
    assert!(why.contains("550") && why.contains("refused"), "{why}");
    let (s, _, why) = state("temp-once@acme.example");
    assert_eq!(s, "waiting");
    assert!(why.contains("451") && why.contains("try again later"), "{why}");
    for key in ["id", "kind", "document", "customer_id", "to", "state", "attempts", "last_error"] {
        assert!(outbox[0].get(key).is_some(), "{key} missing from {}", outbox[0]);
    }

    // A retry sends the one the server now takes; the permanent refusal is not tried again.
    let r = mail_json(&db.path, &["mail", "outbox", "--retry"]);
    assert_eq!(r.as_array().unwrap().len(), 2, "{r}");
    let messages = smtp.messages();
    assert_eq!(messages.iter().map(|m| header(m, "To")).collect::<Vec<_>>(), ["temp-once@acme.example"]);
    let (s, attempts, _) = state("perm-fail@acme.example");
    assert_eq!((s.as_str(), attempts), ("refused", 1));

    // The server goes down: a statement is written to the outbox and waits (exit 0).
    let (port, dir, security) = smtp.stop();
    ok(&db.path, &["customer", "update", "2", "--email", "ap@bolt.example"]);
    let r = mail_json(&db.path, &["mail", "send", "--statement", "--customer", "2", "--from", "2026-11-01", "--to", "2026-11-30"]);
    assert_eq!(r["delivery"]["sent"], 0);
    assert!(r["delivery"]["stopped"].as_str().unwrap().contains("connection refused"), "{r}");
    let waiting = mail_json(&db.path, &["mail", "outbox"]);
    let st = waiting.as_array().unwrap().iter().find(|e| e["to"] == "ap@bolt.example").unwrap();
    assert_eq!((st["state"].as_str(), st["attempts"].as_u64()), (Some("waiting"), Some(0)));
    // Back up: the retry sends it, with the statement's PDF.
    let smtp = Smtp::start_on(security, port, dir);
    mail_json(&db.path, &["mail", "outbox", "--retry"]);
    let messages = smtp.messages();
    let statement = messages.iter().find(|m| header(m, "To") == "ap@bolt.example").expect("the statement arrived");
    assert_eq!(header(statement, "Subject"), "Statement of account from Cloudwise Café (Pty) Ltd");
    assert!(statement["text"].as_str().unwrap().contains("from 1 November 2026 to 30 November 2026"), "{}", statement["text"]);
    assert_eq!(statement["attachments"][0]["content_type"], "application/pdf");
}

#[test]
fn a_send_cut_off_by_a_kill_is_unknown_and_never_sent_again_by_itself() {
    let smtp = Smtp::start("starttls");
    let db = TestDb::new();
    setup(&db.path, &smtp);
    ok(&db.path, &["customer", "update", "2", "--email", "slow@bolt.example"]);
    // The server waits 3 s before it takes the message: the sender is killed meanwhile.
    let mut child = Command::new(env!("CARGO_BIN_EXE_seatbook"))
        .arg("--db")
        .arg(&db.path)
        .args(["mail", "send", "--invoices", "INV-2026-00002"])
        .env("SEATBOOK_SMTP_PASSWORD", PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        let outbox = mail_json(&db.path, &["mail", "log"]);
        if outbox.as_array().unwrap().iter().any(|e| e["state"] == "sending") {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "the message was never being sent: {outbox}");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(1500));
    child.kill().unwrap();
    child.wait().unwrap();

    let outbox = mail_json(&db.path, &["mail", "outbox"]);
    let e = &outbox.as_array().unwrap()[0];
    assert_eq!((e["to"].as_str(), e["state"].as_str()), (Some("slow@bolt.example"), Some("unknown")), "{outbox}");
    assert!(e["last_error"].as_str().unwrap().contains("may or may not have gone"));
    // Neither a retry nor the next send sends it again.
    mail_json(&db.path, &["mail", "outbox", "--retry"]);
    mail_json(&db.path, &["mail", "send", "--invoices", "INV-2026-00002"]);
    std::thread::sleep(Duration::from_millis(3500));
    let received = smtp.messages().iter().filter(|m| header(m, "To") == "slow@bolt.example").count();
    assert!(received <= 1, "sent {received} times");
    let outbox = mail_json(&db.path, &["mail", "outbox"]);
    assert_eq!(outbox.as_array().unwrap().len(), 1, "{outbox}");
    assert_eq!(outbox[0]["state"], "unknown");
    // The user decides: resend it.
    let id = outbox[0]["id"].as_i64().unwrap().to_string();
    mail_json(&db.path, &["mail", "outbox", "--resend", &id]);
    assert_eq!(smtp.messages().iter().filter(|m| header(m, "To") == "slow@bolt.example").count(), received + 1);
    assert_eq!(mail_json(&db.path, &["mail", "outbox"]), serde_json::json!([]));
}

#[test]
fn a_dropped_connection_after_the_message_is_unknown_not_resent() {
    let smtp = Smtp::start("starttls");
    let db = TestDb::new();
    setup(&db.path, &smtp);
    ok(&db.path, &["customer", "update", "2", "--email", "drop@bolt.example"]);
    let r = mail_json(&db.path, &["mail", "send", "--invoices", "INV-2026-00002"]);
    assert_eq!(r["delivery"]["interrupted"], 1, "{r}");
    mail_json(&db.path, &["mail", "outbox", "--retry"]);
    assert_eq!(smtp.messages().len(), 1);
    let outbox = mail_json(&db.path, &["mail", "outbox"]);
    assert_eq!(outbox[0]["state"], "unknown");
}

#[test]
fn the_test_message_says_exactly_what_failed() {
    let smtp = Smtp::start("starttls");
    let db = TestDb::new();
    setup(&db.path, &smtp);
    let t = mail_json(&db.path, &["mail", "test", "--to", "owner@cloudwise.example"]);
    assert_eq!(t["to"], "owner@cloudwise.example");
    let m = smtp.messages();
    assert_eq!(header(&m[0], "Subject"), "Seatbook test message for Cloudwise Café (Pty) Ltd");

    let refused = mail_fails(&db.path, &["mail", "test", "--to", "perm-fail@cloudwise.example"]);
    assert!(refused["message"].as_str().unwrap().contains("refused the message (550"), "{refused}");

    // A wrong password.
    let o = Command::new(env!("CARGO_BIN_EXE_seatbook"))
        .args(["--json", "--db", db.path.to_str().unwrap(), "mail", "test", "--to", "owner@cloudwise.example"])
        .env("SEATBOOK_SMTP_PASSWORD", "wrong")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e: Value = serde_json::from_slice(&o.stderr).unwrap();
    assert_eq!(e["code"], "unavailable");
    assert!(e["message"].as_str().unwrap().contains("did not accept the user name or password (535"), "{e}");

    // No certificate trusted: TLS.
    mail_json(&db.path, &["mail", "set", "--ca-file", ""]);
    let e = mail_fails(&db.path, &["mail", "test", "--to", "owner@cloudwise.example"]);
    assert!(e["message"].as_str().unwrap().contains("secure connection"), "{e}");
    // A name that does not resolve: DNS.
    mail_json(&db.path, &["mail", "set", "--host", "no-such-host.invalid"]);
    let e = mail_fails(&db.path, &["mail", "test", "--to", "owner@cloudwise.example"]);
    assert!(e["message"].as_str().unwrap().contains("could not be found (DNS)"), "{e}");
    // Nobody listening: connection.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    mail_json(&db.path, &["mail", "set", "--host", "127.0.0.1", "--port", &closed, "--security", "none"]);
    let e = mail_fails(&db.path, &["mail", "test", "--to", "owner@cloudwise.example"]);
    assert!(e["message"].as_str().unwrap().contains("connection refused"), "{e}");
    // A bad address is bad input.
    let e = mail_fails(&db.path, &["mail", "test", "--to", "owner at cloudwise"]);
    assert_eq!(e["field"], "--to");
}

#[test]
fn renewal_notices_say_what_renews_when_at_which_price_and_until_when_it_can_change() {
    let smtp = Smtp::start("starttls");
    let db = TestDb::new();
    setup(&db.path, &smtp);
    // A monthly term bought on 10 November ends on 9 December: within 14 days of 1 December.
    ok(
        &db.path,
        &[
            "subscription",
            "add",
            "--customer",
            "2",
            "--product",
            "CFQ7TTC0LH16:0001",
            "--term",
            "P1M",
            "--billing",
            "monthly",
            "--quantity",
            "4",
            "--start",
            "2026-11-10",
        ],
    );
    ok(&db.path, &["fx", "set", "--from", "USD", "--to", "ZAR", "--rate", "18.25", "--on", "2026-01-01"]);
    let preview = mail_json(&db.path, &["--today", "2026-12-01", "mail", "renewals", "--preview"]);
    let notices = preview["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "{preview}");
    let n = &notices[0];
    assert_eq!(
        (n["renewal_date"].as_str(), n["last_day_to_change"].as_str(), n["new_term_end"].as_str()),
        (Some("2026-12-10"), Some("2026-12-09"), Some("2027-01-09"))
    );
    // USD 4.80 a seat + 20 % = USD 5.76 (the price is locked in dollars); 4 seats = USD 23.04.
    assert_eq!((n["unit_price"].as_str(), n["term_total"].as_str(), n["currency"].as_str()), (Some("5.76"), Some("23.04"), Some("USD")));
    assert!(smtp.messages().is_empty(), "a preview sends nothing");

    let r = mail_json(&db.path, &["--today", "2026-12-01", "mail", "renewals"]);
    assert_eq!(r["delivery"]["sent"], 1);
    let m = &smtp.messages()[0];
    assert_eq!(header(m, "Subject"), "Exchange Online (Plan 1) renews on 10 December 2026");
    let text = plain(m["text"].as_str().unwrap());
    assert!(text.contains("(4 seats) renews on 10 December 2026 for one month, until 9 January 2027, at USD 5,76 a month per seat (USD 23,04 for the term)"), "{text}");
    assert!(text.contains("please tell us by 9 December 2026"), "{text}");
    // Once per term.
    let again = mail_json(&db.path, &["--today", "2026-12-02", "mail", "renewals"]);
    assert_eq!(again["queued"], serde_json::json!([]));
}

#[test]
fn reminder_letters_go_by_e_mail_with_the_reminders_run() {
    let smtp = Smtp::start("starttls");
    let db = TestDb::new();
    setup(&db.path, &smtp);
    let letters = db.dir.path().join("letters");
    std::fs::create_dir_all(&letters).unwrap();
    let run = mail_json(&db.path, &["reminders", "run", "--as-of", "2027-01-10", "--out-dir", letters.to_str().unwrap()]);
    let sent = run.as_array().unwrap();
    assert_eq!(sent.len(), 3, "{run}");
    // Written to the outbox with the run, and sent right after it.
    assert_eq!(mail_json(&db.path, &["mail", "outbox"]), serde_json::json!([]), "nothing waits");
    let m = smtp.messages();
    assert_eq!(m.len(), 3, "two addresses at Acme, one at Bolt; Paper Co takes paper");
    let log = mail_json(&db.path, &["mail", "log"]);
    let reminders: Vec<&Value> = log.as_array().unwrap().iter().filter(|e| e["kind"] == "reminder").collect();
    assert_eq!(reminders.len(), 3);
    assert!(reminders.iter().all(|e| e["state"] == "sent"), "{log}");
    let bolt = m.iter().find(|m| header(m, "To") == "ap@bolt.example").unwrap();
    assert_eq!(header(bolt, "Subject"), "Reminder: invoice INV-2026-00002 is overdue");
    let letter = std::fs::read(letters.join(bolt["attachments"][0]["filename"].as_str().unwrap())).unwrap();
    assert_eq!(bolt["attachments"][0]["sha256"].as_str().unwrap(), sha256(&letter));
}

#[test]
fn the_password_is_never_written_to_the_book_or_a_backup() {
    let smtp = Smtp::start("starttls");
    let db = TestDb::new();
    setup(&db.path, &smtp);
    // This machine has no credential store: the password is refused, not kept elsewhere.
    let mut child = Command::new(env!("CARGO_BIN_EXE_seatbook"))
        .args(["--json", "--db", db.path.to_str().unwrap(), "mail", "set", "--password-stdin", "--host", "elsewhere.example"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let e: Value = serde_json::from_slice(&o.stderr).unwrap();
    assert!(e["message"].as_str().unwrap().contains("no credential store"), "{e}");
    assert!(e["message"].as_str().unwrap().contains("SEATBOOK_SMTP_PASSWORD"), "{e}");
    assert_eq!(mail_json(&db.path, &["mail", "show"])["settings"]["host"], "localhost", "nothing was changed");

    mail_json(&db.path, &["mail", "send", "--month", "2026-11"]);
    let backup = db.dir.path().join("book.backup");
    ok(&db.path, &["backup", "create", "--out", backup.to_str().unwrap()]);
    for file in [db.path.clone(), backup] {
        let bytes = std::fs::read(&file).unwrap();
        assert!(!bytes.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()), "the password is in {}", file.display());
    }
}

#[test]
fn the_password_lives_in_the_systems_credential_store_and_signs_in_from_there() {
    let keyring = SecretService::start();
    let smtp = Smtp::start("starttls");
    let db = TestDb::new();
    setup(&db.path, &smtp);

    // The password typed once goes to the Secret Service.
    let o = keyring.seatbook(&db.path, &["mail", "set", "--password-stdin"], &format!("{PASSWORD}\n"));
    assert!(o.status.success(), "{}", stderr(&o));
    let view: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(view["password"], "kept", "{view}");

    // A new process signs in with it, with nothing in the environment.
    let o = keyring.seatbook(&db.path, &["mail", "test", "--to", "owner@cloudwise.example"], "");
    assert!(o.status.success(), "{}", stderr(&o));
    let m = smtp.messages();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0]["envelope"]["auth_user"], USER);
    let o = keyring.seatbook(&db.path, &["mail", "send", "--month", "2026-11"], "");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(smtp.messages().len(), 4, "the month's three messages went too");

    // A wrong password kept in its place is what the server refuses: the store is really read.
    let o = keyring.seatbook(&db.path, &["mail", "set", "--password-stdin"], "not-the-password\n");
    assert!(o.status.success(), "{}", stderr(&o));
    let o = keyring.seatbook(&db.path, &["mail", "test", "--to", "owner@cloudwise.example"], "");
    assert_eq!(o.status.code(), Some(1));
    let e: Value = serde_json::from_slice(&o.stderr).unwrap();
    assert!(e["message"].as_str().unwrap().contains("did not accept the user name or password"), "{e}");

    // And the book and its backup hold neither.
    let backup = db.dir.path().join("book.backup");
    ok(&db.path, &["backup", "create", "--out", backup.to_str().unwrap()]);
    for file in [db.path.clone(), backup] {
        let bytes = std::fs::read(&file).unwrap();
        for secret in [PASSWORD, "not-the-password"] {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} is in {}", file.display());
        }
    }
}
