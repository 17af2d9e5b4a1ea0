//! Partner Center from the command line, against the simulator the tests start
//! (tests/pc/simulator.py: Microsoft's documented shapes, paging by continuation token, 429 with
//! Retry-After, server errors): connect, status, the drift, taking in what is only at Microsoft,
//! linking by hand, and the secret never written to the book.

use crate::helpers::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const TENANT: &str = "11111111-0000-4000-8000-0000000000aa";
const CLIENT: &str = "22222222-0000-4000-8000-0000000000bb";
const SECRET: &str = "s3cr3t-Partner-Center-value";
const CONTOSO: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const NEWCO: &str = "aaaaaaaa-0000-4000-8000-000000000003";

/// The simulator, stopped when dropped.
struct Simulator {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Simulator {
    fn start(state: &Value) -> Simulator {
        Simulator::start_on(state, None)
    }

    /// On a given port: Microsoft back after an outage, with the state it had.
    fn start_on(state: &Value, port: Option<u16>) -> Simulator {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("state.json");
        std::fs::write(&file, state.to_string()).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pc/simulator.py");
        let mut cmd = Command::new("python3");
        cmd.arg(script).arg(&file);
        if let Some(p) = port {
            cmd.arg(p.to_string());
        }
        let mut child = cmd.stdout(Stdio::piped()).spawn().expect("python3 runs the simulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().strip_prefix("READY ").unwrap_or_else(|| panic!("the simulator said {line:?}")).parse().unwrap();
        Simulator { child, port, _dir: dir }
    }

    fn url(&self, prefix: &str) -> String {
        format!("http://127.0.0.1:{}/{prefix}", self.port)
    }

    fn request(&self, method: &str, path: &str, body: &str) -> Value {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let head = format!("{method} {path} HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n\r\n", body.len());
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(body.as_bytes()).unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        serde_json::from_str(answer.split_once("\r\n\r\n").unwrap().1).unwrap()
    }

    /// Every request the simulator answered, in order.
    fn log(&self) -> Vec<Value> {
        self.request("GET", "/_log", "").as_array().unwrap().clone()
    }

    /// Change what Microsoft has or does (the keys given replace the state's).
    fn set(&self, state: Value) {
        self.request("POST", "/_state", &state.to_string());
    }

    /// A subscription as Microsoft now has it, with how many changes it applied to it.
    fn subscription(&self, id: &str) -> Value {
        self.request("GET", &format!("/_subscription/{id}"), "")
    }

    /// Everything Microsoft has, to start it again after an outage.
    fn state(&self) -> Value {
        self.request("GET", "/_state", "")
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn state(throttle: u32, server_errors: u32) -> Value {
    json!({
        "tenant": TENANT, "client_id": CLIENT, "client_secret": SECRET,
        "page_size": 2, "throttle": throttle, "retry_after": 1, "server_errors": server_errors,
        "customers": [
            {"id": CONTOSO, "domain": "contoso.onmicrosoft.com", "name": "Contoso Ltd", "subscriptions": [
                {"id": "c0000000-0000-4000-8000-000000000001", "offerId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971", "quantity": 5,
                 "termDuration": "P1Y", "billingCycle": "monthly", "effectiveStartDate": "2026-03-01", "commitmentEndDate": "2027-02-28"},
                {"id": "c0000000-0000-4000-8000-000000000002", "offerId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971", "quantity": 7,
                 "termDuration": "P1Y", "billingCycle": "monthly", "effectiveStartDate": "2026-06-01", "commitmentEndDate": "2027-05-31"}]},
            {"id": "aaaaaaaa-0000-4000-8000-000000000002", "domain": "fabrikam.onmicrosoft.com", "name": "Fabrikam Inc", "subscriptions": []},
            {"id": NEWCO, "domain": "newco.onmicrosoft.com", "name": "New Co", "subscriptions": [
                {"id": "c0000000-0000-4000-8000-000000000003", "offerId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971", "quantity": 3,
                 "termDuration": "P1M", "billingCycle": "monthly", "effectiveStartDate": "2026-11-15", "commitmentEndDate": "2026-12-14"},
                {"id": "c0000000-0000-4000-8000-000000000009", "offerId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971", "quantity": 1,
                 "termDuration": "P1M", "billingCycle": "monthly", "effectiveStartDate": "2025-01-01", "commitmentEndDate": "2025-01-31",
                 "status": "expired"},
                {"id": "c0000000-0000-4000-8000-000000000008", "offerId": "CFQ7TTC0ZZZZ:0001:CFQ7TTC0K971", "offerName": "Something new",
                 "quantity": 1, "termDuration": "P1Y", "billingCycle": "annual", "effectiveStartDate": "2026-10-01",
                 "commitmentEndDate": "2027-09-30"}]}
        ]
    })
}

/// `seatbook` against the simulator, today 2 December 2026; `secret` in the environment.
fn run(db: &Path, sim: &Simulator, args: &[&str], secret: Option<&str>, stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_seatbook"));
    cmd.arg("--db").arg(db).args(args);
    cmd.env("SEATBOOK_TODAY", "2026-12-02")
        .env("SEATBOOK_PARTNER_CENTER_URL", sim.url("pc"))
        .env("SEATBOOK_LOGIN_URL", sim.url("login"))
        .env_remove("SEATBOOK_DB")
        .env_remove("SEATBOOK_PC_CLIENT_SECRET");
    if let Some(s) = secret {
        cmd.env("SEATBOOK_PC_CLIENT_SECRET", s);
    }
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn run_json(db: &Path, sim: &Simulator, args: &[&str], secret: Option<&str>) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let o = run(db, sim, &all, secret, "");
    assert!(o.status.success(), "seatbook {args:?}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn book(db: &Path) {
    ok(
        db,
        &["init", "--name", "Cloudwise (Pty) Ltd", "--country", "ZA", "--currency", "ZAR", "--vat-rate", "15", "--default-markup", "20"],
    );
    ok(db, &["pricelist", "import", sample_pricelist().to_str().unwrap()]);
    ok(db, &["fx", "set", "--from", "USD", "--to", "ZAR", "--rate", "18.25", "--on", "2026-01-01"]);
    // Contoso is in the book without its tenant id; Gone Ltd is linked, and gone from Microsoft.
    ok(db, &["customer", "add", "--name", "Contoso Ltd", "--domain", "contoso.onmicrosoft.com"]);
    ok(
        db,
        &[
            "customer",
            "add",
            "--name",
            "Gone Ltd",
            "--domain",
            "gone.onmicrosoft.com",
            "--tenant-id",
            "bbbbbbbb-0000-4000-8000-000000000009",
        ],
    );
}

fn kinds(list: &Value, id: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i[id].as_str().unwrap_or_default().to_string(), i["kind"].as_str().unwrap().to_string()))
        .collect();
    v.sort();
    v
}

fn file_holds(path: &PathBuf, needle: &str) -> bool {
    let mut all = std::fs::read(path).unwrap_or_default();
    let mut wal = path.as_os_str().to_os_string();
    wal.push("-wal");
    all.extend(std::fs::read(PathBuf::from(wal)).unwrap_or_default());
    all.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn a_book_is_connected_compared_and_taken_in_from_partner_center() {
    let db = TestDb::new();
    book(&db.path);
    let sim = Simulator::start(&state(1, 0));
    let status = run_json(&db.path, &sim, &["pc", "status"], None);
    assert_eq!(status["connected"], false);
    // A wrong secret: Microsoft's sign-in refuses it, and nothing is saved.
    let o = run(&db.path, &sim, &["--json", "pc", "connect", "--tenant", TENANT, "--client-id", CLIENT, "--app-only"], None, "wrong\n");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("invalid_client"), "{}", stderr(&o));
    assert_eq!(run_json(&db.path, &sim, &["pc", "status"], None)["connected"], false);
    // The secret from the environment (no credential store on the test machine's session).
    let s = run_json(&db.path, &sim, &["pc", "connect", "--tenant", TENANT, "--client-id", CLIENT, "--app-only"], Some(SECRET));
    assert_eq!((s["connected"].as_bool(), s["sign_in"].as_str(), s["secret"].as_str()), (Some(true), Some("app"), Some("environment")));
    assert_eq!(s["last_sync"], Value::Null);

    // The drift, without taking anything in.
    let drift = run_json(&db.path, &sim, &["pc", "sync"], Some(SECRET));
    assert_eq!(
        kinds(&drift["customers"], "tenant_id"),
        [
            (CONTOSO.to_string(), "differs".to_string()),
            ("aaaaaaaa-0000-4000-8000-000000000002".to_string(), "only_at_microsoft".to_string()),
            (NEWCO.to_string(), "only_at_microsoft".to_string()),
            ("bbbbbbbb-0000-4000-8000-000000000009".to_string(), "only_in_seatbook".to_string()),
        ],
        "{drift}"
    );
    let contoso = drift["customers"].as_array().unwrap().iter().find(|c| c["kind"] == "differs").unwrap();
    assert_eq!(contoso["fields"], json!([{"field": "tenant_id", "seatbook": "", "microsoft": CONTOSO}]));
    // Microsoft's expired subscription is not drift.
    assert_eq!(
        kinds(&drift["subscriptions"], "ms_subscription_id").iter().map(|(id, k)| format!("{id} {k}")).collect::<Vec<_>>(),
        [
            "c0000000-0000-4000-8000-000000000001 only_at_microsoft",
            "c0000000-0000-4000-8000-000000000002 only_at_microsoft",
            "c0000000-0000-4000-8000-000000000003 only_at_microsoft",
            "c0000000-0000-4000-8000-000000000008 only_at_microsoft"
        ]
    );
    assert_eq!(ok(&db.path, &["--json", "subscription", "list"]).trim(), "[]", "nothing taken in without --apply");

    // What the simulator saw: a token, then the customers in two pages (the first answered 429
    // and asked again with the same MS-RequestId after Retry-After), then each customer's
    // subscriptions; always with a bearer token and one correlation id.
    let log: Vec<Value> = sim.log().into_iter().filter(|r| r["path"].as_str().unwrap().starts_with("/pc/")).collect();
    let first_sync: Vec<&Value> = log.iter().collect();
    assert_eq!(first_sync[0]["status"], 429);
    assert_eq!(first_sync[1]["status"], 200);
    assert_eq!(first_sync[0]["request_id"], first_sync[1]["request_id"], "the retry is the same request");
    let waited = first_sync[1]["time"].as_f64().unwrap() - first_sync[0]["time"].as_f64().unwrap();
    assert!(waited >= 0.95, "Retry-After: 1 was honoured ({waited} s)");
    assert_eq!(first_sync[1]["path"], "/pc/v1/customers?size=500");
    assert_eq!(first_sync[2]["path"], "/pc/v1/customers?seekOperation=Next");
    assert!(first_sync[2]["continuation"].as_str().is_some_and(|c| !c.is_empty()), "{:?}", first_sync[2]);
    assert_ne!(first_sync[1]["request_id"], first_sync[2]["request_id"]);
    assert!(log.iter().all(|r| r["authorization"] == "Bearer" && r["correlation_id"] == first_sync[0]["correlation_id"]), "{log:?}");
    assert_eq!(log.iter().filter(|r| r["path"].as_str().unwrap().ends_with("/subscriptions")).count(), 3);
    // At Microsoft's pace: never more than 500 requests a minute (one per 120 ms). The simulator
    // notes when a request arrives, so one arrival may be late by the machine's scheduling (20 ms
    // allowed); any run of requests still spans its full pace.
    let times: Vec<f64> = log.iter().map(|r| r["time"].as_f64().unwrap()).collect();
    for from in 0..times.len() {
        for to in from + 1..times.len() {
            let span = times[to] - times[from];
            assert!(span >= 0.12 * (to - from) as f64 - 0.02, "requests {from}..{to} came {span} s apart: {times:?}");
        }
    }

    // Taken in: Contoso linked by its domain and its subscriptions adopted; New Co and Fabrikam
    // added. Prices by the markup rules; billed from the next charge cycle.
    let applied = run_json(&db.path, &sim, &["pc", "sync", "--apply"], Some(SECRET));
    let what: Vec<&str> = applied["adopted"].as_array().unwrap().iter().map(|a| a["what"].as_str().unwrap()).collect();
    assert_eq!(
        what,
        ["customer_linked", "subscription_added", "subscription_added", "customer_added", "subscription_added", "customer_added"],
        "{applied}"
    );
    // A product the price list does not have cannot be priced: listed, and the rest taken in.
    let problems = applied["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{applied}");
    assert_eq!(problems[0]["ms_id"], "c0000000-0000-4000-8000-000000000008");
    assert!(problems[0]["message"].as_str().unwrap().contains("CFQ7TTC0ZZZZ"), "{}", problems[0]);
    assert_eq!(
        kinds(&applied["customers"], "tenant_id"),
        [("bbbbbbbb-0000-4000-8000-000000000009".to_string(), "only_in_seatbook".to_string())]
    );
    assert_eq!(
        kinds(&applied["subscriptions"], "ms_subscription_id"),
        [("c0000000-0000-4000-8000-000000000008".to_string(), "only_at_microsoft".to_string())]
    );
    let contoso = json(&db.path, &["customer", "show", "1"]);
    assert_eq!(contoso["customer"]["tenant_id"], CONTOSO, "{contoso}");
    let subs = json(&db.path, &["subscription", "list"]);
    let got: Vec<(i64, &str, u64, &str, &str, &str)> = subs
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["customer_id"].as_i64().unwrap(),
                s["ms_subscription_id"].as_str().unwrap(),
                s["quantity"].as_u64().unwrap(),
                s["term_start"].as_str().unwrap(),
                s["term_end"].as_str().unwrap(),
                s["bill_from"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (1, "c0000000-0000-4000-8000-000000000001", 5, "2026-03-01", "2027-02-28", "2027-01-01"),
            (1, "c0000000-0000-4000-8000-000000000002", 7, "2026-06-01", "2027-05-31", "2027-01-01"),
            (3, "c0000000-0000-4000-8000-000000000003", 3, "2026-11-15", "2026-12-14", "2026-12-15"),
        ],
        "{subs}"
    );
    // Business Basic P1Y monthly: 1360.80 ZAR a term + 20 % = 1632.96 a year, 136.08 a month.
    assert_eq!(subs[0]["price"]["unit_price"], "1632.96", "{}", subs[0]);
    let again = run_json(&db.path, &sim, &["pc", "sync", "--apply"], Some(SECRET));
    assert_eq!(again["adopted"], json!([]), "nothing twice");
    assert_eq!(again["problems"].as_array().map(Vec::len), Some(1), "the unpriced one is still listed");
    assert!(run_json(&db.path, &sim, &["pc", "status"], None)["last_sync"].as_str().is_some_and(|s| s.starts_with("20")));

    // Linked by hand: Gone Ltd's subscription, added before Microsoft's id was known.
    ok(&db.path, &business_basic("2", "P1M", "2", "2026-12-01", &["--no-provision"]));
    let linked = json(&db.path, &["subscription", "link", "4", "--ms-subscription-id", "DDDDDDDD-0000-4000-8000-000000000004"]);
    assert_eq!(linked["ms_subscription_id"], "dddddddd-0000-4000-8000-000000000004");
    let bad = fails(&db.path, &["customer", "link", "2", "--tenant-id", "not-a-guid"], 2);
    assert_eq!(bad["field"], "--tenant-id", "{bad}");
    let drift = run_json(&db.path, &sim, &["pc", "sync"], Some(SECRET));
    assert_eq!(
        kinds(&drift["subscriptions"], "ms_subscription_id"),
        [
            ("c0000000-0000-4000-8000-000000000008".to_string(), "only_at_microsoft".to_string()),
            ("dddddddd-0000-4000-8000-000000000004".to_string(), "only_in_seatbook".to_string())
        ]
    );

    // The secret is in neither the book nor a backup.
    assert!(!file_holds(&db.path, SECRET), "the secret is not in the book");
    let backup = db.dir.path().join("backup.db");
    ok(&db.path, &["backup", "create", "--out", backup.to_str().unwrap()]);
    assert!(!file_holds(&backup, SECRET), "nor in a backup");
}

#[test]
fn server_errors_are_retried_and_an_unreachable_partner_center_changes_nothing() {
    let (db, sim) = connected(&state(0, 2));
    let drift = run_json(&db.path, &sim, &["pc", "sync"], Some(SECRET));
    assert_eq!(drift["customers"].as_array().unwrap().len(), 4, "{drift}");
    let log: Vec<Value> = sim.log().into_iter().filter(|r| r["path"].as_str().unwrap().starts_with("/pc/")).collect();
    let statuses: Vec<i64> = log.iter().take(3).map(|r| r["status"].as_i64().unwrap()).collect();
    assert_eq!(statuses, [500, 500, 200]);
    assert!(log[0]["request_id"] == log[1]["request_id"] && log[1]["request_id"] == log[2]["request_id"], "one request, tried three times");
    // Offline: the sync says so, and the book is as it was.
    let (port, url) = (sim.port, sim.url("pc"));
    drop(sim);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_seatbook"));
    let o = cmd
        .arg("--db")
        .arg(&db.path)
        .args(["--json", "pc", "sync", "--apply"])
        .env("SEATBOOK_TODAY", "2026-12-02")
        .env("SEATBOOK_PARTNER_CENTER_URL", &url)
        .env("SEATBOOK_LOGIN_URL", format!("http://127.0.0.1:{port}/login"))
        .env("SEATBOOK_PC_CLIENT_SECRET", SECRET)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e: Value = serde_json::from_slice(&o.stderr).unwrap();
    assert!(e["message"].as_str().unwrap().contains("could not be reached"), "{e}");
    assert_eq!(ok(&db.path, &["--json", "subscription", "list"]).trim(), "[]");
}

const S1: &str = "c0000000-0000-4000-8000-000000000011";
const S2: &str = "c0000000-0000-4000-8000-000000000012";

/// Contoso with two subscriptions at Microsoft: S1 (P1Y monthly from 3 November, Microsoft's
/// cancellation window long closed) and S2 (P1M from 30 November, still cancellable).
fn provisioning_state() -> Value {
    json!({
        "tenant": TENANT, "client_id": CLIENT, "client_secret": SECRET, "page_size": 10,
        "customers": [
            {"id": CONTOSO, "domain": "contoso.onmicrosoft.com", "name": "Contoso Ltd", "subscriptions": [
                {"id": S1, "offerId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971", "quantity": 5, "termDuration": "P1Y",
                 "billingCycle": "monthly", "effectiveStartDate": "2026-11-03", "commitmentEndDate": "2027-11-02",
                 "cancellationAllowedUntilDate": "2000-01-01T00:00:00Z"},
                {"id": S2, "offerId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971", "quantity": 2, "termDuration": "P1M",
                 "billingCycle": "monthly", "effectiveStartDate": "2026-11-30", "commitmentEndDate": "2026-12-29",
                 "cancellationAllowedUntilDate": "2999-01-01T00:00:00Z"}]}
        ]
    })
}

/// `subscription add` (P1Y billed monthly, from 2 December) against the simulator.
fn buy(db: &Path, sim: &Simulator, customer: &str, product: &str, quantity: &str, extra: &[&str]) -> (Option<i32>, Value) {
    let mut args = vec!["subscription", "add", "--customer", customer, "--product", product, "--term", "P1Y", "--billing", "monthly"];
    args.extend_from_slice(&["--quantity", quantity, "--start", "2026-12-02"]);
    args.extend_from_slice(extra);
    pc_run(db, sim, &args)
}

/// A book (`book`) connected to a simulator started with `state`.
fn connected(state: &Value) -> (TestDb, Simulator) {
    let db = TestDb::new();
    book(&db.path);
    let sim = Simulator::start(state);
    run_json(&db.path, &sim, &["pc", "connect", "--tenant", TENANT, "--client-id", CLIENT, "--app-only"], Some(SECRET));
    (db, sim)
}

/// `seatbook --json ARGS` against the simulator; the failure's JSON and exit status when it fails.
fn pc_run(db: &Path, sim: &Simulator, args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let o = run(db, sim, &all, Some(SECRET), "");
    let text = if o.status.success() { o.stdout.clone() } else { o.stderr.clone() };
    (o.status.code(), serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{args:?} answered no JSON ({e}): {}", stderr(&o))))
}

/// Microsoft back online (the simulator started again with the state it had, on its port): what
/// waited is sent by `pc outbox --retry`, done, with the request id of the change that was
/// `pending`.
fn back_online(db: &Path, saved: &Value, port: u16, pending: &Value) -> Simulator {
    let sim = Simulator::start_on(saved, Some(port));
    let sent = run_json(db, &sim, &["pc", "outbox", "--retry"], Some(SECRET));
    assert_eq!(
        (sent[0]["state"].as_str(), sent[0]["ms_request_id"].as_str()),
        (Some("done"), pending["microsoft"]["ms_request_id"].as_str())
    );
    sim
}

/// `seatbook ARGS` against the simulator, killed after `ms` milliseconds (while Microsoft works
/// on what it was sent).
fn killed_after(db: &Path, sim: &Simulator, args: &[&str], ms: u64) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_seatbook"));
    cmd.arg("--db").arg(db).args(args);
    cmd.env("SEATBOOK_TODAY", "2026-12-02")
        .env("SEATBOOK_PARTNER_CENTER_URL", sim.url("pc"))
        .env("SEATBOOK_LOGIN_URL", sim.url("login"))
        .env("SEATBOOK_PC_CLIENT_SECRET", SECRET)
        .env_remove("SEATBOOK_DB");
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(ms));
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Two comparisons of one book at once (the desktop's on start and a command, say): the second is
/// refused while the first runs, so nothing is taken in twice and neither resumes the other's
/// reading; once the first has finished (or died), the next runs.
#[test]
fn two_comparisons_at_once_take_in_once() {
    let db = TestDb::new();
    book(&db.path);
    let sim = Simulator::start(&state(1, 0));
    run_json(&db.path, &sim, &["pc", "connect", "--tenant", TENANT, "--client-id", CLIENT, "--app-only"], Some(SECRET));
    sim.set(json!({"slow_seconds": 1}));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_seatbook"));
    cmd.arg("--db").arg(&db.path).args(["--json", "pc", "sync", "--apply"]);
    cmd.env("SEATBOOK_TODAY", "2026-12-02")
        .env("SEATBOOK_PARTNER_CENTER_URL", sim.url("pc"))
        .env("SEATBOOK_LOGIN_URL", sim.url("login"))
        .env("SEATBOOK_PC_CLIENT_SECRET", SECRET)
        .env_remove("SEATBOOK_DB");
    let first = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // The first is reading Microsoft's customers (each answer a second late).
    while !sim.log().iter().any(|r| r["path"].as_str().unwrap().starts_with("/pc/")) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let second = run(&db.path, &sim, &["--json", "pc", "sync", "--apply"], Some(SECRET), "");
    assert_eq!(second.status.code(), Some(2), "{}", stderr(&second));
    assert!(stderr(&second).contains("another comparison with Partner Center is running"), "{}", stderr(&second));
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    let applied: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(applied["adopted"].as_array().unwrap().iter().filter(|a| a["what"] == "subscription_added").count(), 3, "{applied}");
    assert_eq!(applied["problems"].as_array().unwrap().len(), 1, "only the product the price list lacks: {applied}");
    sim.set(json!({"slow_seconds": 0}));
    let again = run_json(&db.path, &sim, &["pc", "sync", "--apply"], Some(SECRET));
    assert_eq!(again["adopted"], json!([]), "{again}");
    assert_eq!(json(&db.path, &["subscription", "list"]).as_array().unwrap().len(), 3);
}

fn changes_at_microsoft(sim: &Simulator) -> Vec<Value> {
    sim.log().into_iter().filter(|r| r["method"] == "PATCH" || r["path"].as_str().unwrap().contains("/subscriptions/")).collect()
}

/// The descriptions of the lines of Contoso's December invoice, previewed.
fn december(db: &Path) -> Vec<String> {
    let p = json(db, &["bill", "--month", "2026-12", "--preview", "--date", "2026-12-31"]);
    p["invoices"][0]["lines"].as_array().unwrap().iter().map(|l| l["description"].as_str().unwrap().to_string()).collect()
}

#[test]
fn changes_to_linked_subscriptions_go_to_microsoft_through_the_outbox() {
    let (db, sim) = connected(&provisioning_state());
    run_json(&db.path, &sim, &["pc", "sync", "--apply"], Some(SECRET));
    let subs = json(&db.path, &["subscription", "list"]);
    assert_eq!(subs[0]["ms_subscription_id"], S1, "{subs}");
    assert_eq!(subs[0]["bill_from"], "2026-12-03", "{subs}");

    // Seats added: Microsoft gets the whole object it just gave, with its etag; its answer is kept.
    let (code, added) = pc_run(&db.path, &sim, &["subscription", "quantity", "1", "--quantity", "8", "--on", "2026-12-03"]);
    assert_eq!(code, Some(0), "{added}");
    assert_eq!((added["quantity"].as_u64(), added["pending"].as_bool()), (Some(8), Some(false)), "{added}");
    assert_eq!(added["microsoft"]["state"], "done", "{added}");
    assert_eq!(added["microsoft"]["answer"]["quantity"], 8, "{added}");
    assert_eq!(added["microsoft"]["answer"]["refundable_quantity"], 3, "Microsoft's word on the seats it would take back: {added}");
    let at_ms = sim.subscription(S1);
    assert_eq!(
        (at_ms["quantity"].as_u64(), at_ms["autoRenewEnabled"].as_bool(), at_ms["applied"].as_u64()),
        (Some(8), Some(true), Some(1))
    );
    let calls = changes_at_microsoft(&sim);
    let (get, patch) = (&calls[calls.len() - 2], &calls[calls.len() - 1]);
    assert_eq!((get["method"].as_str(), get["status"].as_u64()), (Some("GET"), Some(200)));
    assert_eq!((patch["method"].as_str(), patch["status"].as_u64()), (Some("PATCH"), Some(200)));
    assert_eq!(patch["path"], format!("/pc/v1/customers/{CONTOSO}/subscriptions/{S1}"));
    assert!(patch["if_match"].as_str().is_some_and(|e| !e.is_empty()), "{patch}");
    assert_eq!(patch["request_id"], added["microsoft"]["ms_request_id"]);

    // Someone changes it in Partner Center between our read and our write: Microsoft says the
    // etag is stale (2055); Seatbook reads it again and sends again, the same request.
    sim.set(json!({"concurrent_changes": 1}));
    let (code, again) = pc_run(&db.path, &sim, &["subscription", "quantity", "1", "--quantity", "9", "--on", "2026-12-03"]);
    assert_eq!((code, again["microsoft"]["state"].as_str()), (Some(0), Some("done")), "{again}");
    let calls = changes_at_microsoft(&sim);
    let tail: Vec<(String, u64)> =
        calls[calls.len() - 4..].iter().map(|r| (r["method"].as_str().unwrap().to_string(), r["status"].as_u64().unwrap())).collect();
    assert_eq!(tail, [("GET".into(), 200), ("PATCH".into(), 400), ("GET".into(), 200), ("PATCH".into(), 200)]);
    assert_eq!(calls[calls.len() - 3]["request_id"], calls[calls.len() - 1]["request_id"]);
    assert_ne!(calls[calls.len() - 3]["if_match"], calls[calls.len() - 1]["if_match"]);
    assert_eq!(sim.subscription(S1)["quantity"], 9);

    // Microsoft refuses a decrease its window no longer allows (its clock is ahead of the
    // book's): exit 2 with its code, and the book put back as it was, visibly.
    sim.set(json!({"clock_offset_days": 8}));
    let (code, refused) = pc_run(&db.path, &sim, &["subscription", "quantity", "1", "--quantity", "6", "--on", "2026-12-03"]);
    assert_eq!(code, Some(2), "{refused}");
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains("900214") && message.contains("window for reducing seats"), "{message}");
    let view = json(&db.path, &["subscription", "show", "1"]);
    assert_eq!(view["subscription"]["quantity"], 9, "{view}");
    let last = view["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "refused-by-microsoft", "{last}");
    assert_eq!((last["quantity"].as_u64(), last["effective"].as_str()), (Some(9), Some("2026-12-03")));
    assert!(last["description"].as_str().unwrap().contains("900214"), "{last}");
    assert_eq!(sim.subscription(S1)["quantity"], 9);
    let outbox = run_json(&db.path, &sim, &["pc", "outbox"], Some(SECRET));
    assert_eq!(
        (outbox[0]["state"].as_str(), outbox[0]["ms_code"].as_str(), outbox[0]["action"].as_str()),
        (Some("refused"), Some("900214"), Some("seats"))
    );
    // The refused change and its undoing bill nothing: December has the licence and the +3, +1.
    sim.set(json!({"clock_offset_days": 0}));
    let lines = december(&db.path);
    assert_eq!(lines.iter().filter(|l| l.contains("seats")).count(), 2, "{lines:?}");

    // Offline: the change is kept, pending, and not billed until Microsoft takes it.
    let (port, saved) = (sim.port, sim.state());
    drop(sim);
    let offline = Simulator { child: Command::new("true").spawn().unwrap(), port, _dir: tempfile::tempdir().unwrap() };
    let (code, pending) = pc_run(&db.path, &offline, &["subscription", "quantity", "1", "--quantity", "10", "--on", "2026-12-04"]);
    assert_eq!((code, pending["pending"].as_bool(), pending["quantity"].as_u64()), (Some(0), Some(true), Some(10)), "{pending}");
    assert_eq!((pending["microsoft"]["state"].as_str(), pending["microsoft"]["attempts"].as_u64()), (Some("waiting"), Some(1)));
    assert!(pending["microsoft"]["last_error"].as_str().unwrap().contains("could not be reached"), "{pending}");
    let text = ok(&db.path, &["subscription", "show", "1"]);
    assert!(text.contains("Pending at Microsoft") && text.contains("10 seats"), "{text}");
    let list = json(&db.path, &["subscription", "list"]);
    assert_eq!((list[0]["pending_at_microsoft"].as_bool(), list[1]["pending_at_microsoft"].as_bool()), (Some(true), Some(false)), "{list}");
    let lines = december(&db.path);
    assert!(!lines.iter().any(|l| l.contains("+1 seats, 4 Dec 2026")), "a pending change is not billed: {lines:?}");
    drop(offline);

    // Back online: sent with the same request id, and billed.
    let sim = back_online(&db.path, &saved, port, &pending);
    assert_eq!(sim.subscription(S1)["quantity"], 10);
    let lines = december(&db.path);
    assert!(lines.iter().any(|l| l.contains("+1 seats, 4 Dec 2026–2 Jan 2027")), "{lines:?}");

    // The connection drops after Microsoft applied the change: the retry, with the same
    // request id, is answered as before and changes nothing more.
    sim.set(json!({"drop_after_apply": 1}));
    let before = sim.subscription(S1)["applied"].as_u64().unwrap();
    let (code, off) = pc_run(&db.path, &sim, &["subscription", "auto-renew", "1", "off"]);
    assert_eq!((code, off["microsoft"]["state"].as_str()), (Some(0), Some("done")), "{off}");
    let at_ms = sim.subscription(S1);
    assert_eq!((at_ms["autoRenewEnabled"].as_bool(), at_ms["applied"].as_u64()), (Some(false), Some(before + 1)), "applied once");
    let patches: Vec<Value> = sim.log().into_iter().filter(|r| r["method"] == "PATCH").collect();
    let n = patches.len();
    assert_eq!(patches[n - 2]["dropped"], true, "{patches:?}");
    assert_eq!(patches[n - 1]["replayed"], true, "{patches:?}");
    assert_eq!(patches[n - 2]["request_id"], patches[n - 1]["request_id"]);

    // Accepted (202): done once Microsoft's subscription shows it.
    sim.set(json!({"patch_accepted": 1}));
    let (_, suspended) = pc_run(&db.path, &sim, &["subscription", "suspend", "1", "--on", "2026-12-05"]);
    assert_eq!((suspended["pending"].as_bool(), suspended["microsoft"]["state"].as_str()), (Some(false), Some("accepted")), "{suspended}");
    let finished = run_json(&db.path, &sim, &["pc", "outbox", "--retry"], Some(SECRET));
    assert_eq!(finished[0]["state"], "done", "{finished}");
    assert_eq!(sim.subscription(S1)["status"], "suspended");

    let (_, back) = pc_run(&db.path, &sim, &["subscription", "reactivate", "1", "--on", "2026-12-05"]);
    assert_eq!(back["microsoft"]["state"], "done", "{back}");
    assert_eq!(sim.subscription(S1)["status"], "active");
    let (_, auto) = pc_run(&db.path, &sim, &["subscription", "auto-renew", "1", "on"]);
    assert_eq!(auto["microsoft"]["state"], "done", "{auto}");
    let (_, scheduled) = pc_run(&db.path, &sim, &["subscription", "schedule", "1", "--quantity", "4"]);
    assert_eq!(scheduled["microsoft"]["state"], "done", "{scheduled}");
    let next = sim.subscription(S1)["scheduledNextTermInstructions"].clone();
    assert_eq!(next["quantity"], 4, "{next}");
    assert_eq!(
        next["product"],
        json!({"productId": "CFQ7TTC0LH18", "skuId": "0001", "availabilityId": "CFQ7TTC0K971", "termDuration": "P1Y", "billingCycle": "Monthly"})
    );
    assert_eq!(sim.subscription(S1)["autoRenewEnabled"], true);
    let (_, cancelled) = pc_run(&db.path, &sim, &["subscription", "cancel", "2", "--on", "2026-12-03"]);
    assert_eq!((cancelled["status"].as_str(), cancelled["microsoft"]["state"].as_str()), (Some("cancelled"), Some("done")), "{cancelled}");
    assert_eq!(sim.subscription(S2)["status"], "deleted");

    // Kept in the book only.
    let (_, local) = pc_run(&db.path, &sim, &["subscription", "quantity", "1", "--quantity", "11", "--on", "2026-12-05", "--no-provision"]);
    assert_eq!((local["quantity"].as_u64(), local["microsoft"].is_null()), (Some(11), true), "{local}");
    assert_eq!(sim.subscription(S1)["quantity"], 10);

    // Killed while Microsoft was applying the change: the entry is still there, and sending it
    // again does not apply it twice.
    sim.set(json!({"slow_seconds": 3}));
    let applied = sim.subscription(S1)["applied"].as_u64().unwrap();
    killed_after(&db.path, &sim, &["subscription", "quantity", "1", "--quantity", "12", "--on", "2026-12-06"], 4500);
    // Microsoft finishes what it was given.
    for _ in 0..100 {
        if sim.subscription(S1)["quantity"] == 12 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(sim.subscription(S1)["quantity"], 12);
    sim.set(json!({"slow_seconds": 0}));
    let waiting = run_json(&db.path, &sim, &["pc", "outbox"], Some(SECRET));
    assert_eq!(
        (waiting[0]["state"].as_str(), waiting[0]["what"].as_str()),
        (Some("waiting"), Some("12 seats")),
        "no entry lost: {waiting}"
    );
    let sent = run_json(&db.path, &sim, &["pc", "outbox", "--retry"], Some(SECRET));
    assert_eq!(sent[0]["state"], "done", "{sent}");
    assert_eq!(sim.subscription(S1)["applied"].as_u64(), Some(applied + 1), "sent once");
    assert_eq!(json(&db.path, &["subscription", "show", "1"])["subscription"]["quantity"], 12);

    // Nothing of the secret anywhere in the book.
    assert!(!file_holds(&db.path, SECRET));
}

#[test]
fn a_subscription_added_for_a_linked_customer_is_bought_at_microsoft() {
    let mut state = provisioning_state();
    state["customers"][0]["subscriptions"] = json!([]);
    state["unsold"] = json!(["CFQ7TTC0LH16:0001"]);
    let (db, sim) = connected(&state);
    run_json(&db.path, &sim, &["pc", "sync", "--apply"], Some(SECRET));
    assert_eq!(json(&db.path, &["customer", "show", "1"])["customer"]["tenant_id"], CONTOSO);
    let add = |quantity: &str, product: &str, extra: &[&str]| buy(&db.path, &sim, "1", product, quantity, extra);

    // Bought through a cart: the availability in the customer's country (the company's, ZA),
    // the cart's one line, its checkout; Microsoft's new subscription id kept.
    let (code, bought) = add("4", "CFQ7TTC0LH18:0001", &[]);
    assert_eq!(code, Some(0), "{bought}");
    assert_eq!((bought["pending"].as_bool(), bought["microsoft"]["state"].as_str()), (Some(false), Some("done")), "{bought}");
    let ms_id = bought["ms_subscription_id"].as_str().unwrap().to_string();
    let at_ms = sim.subscription(&ms_id);
    assert_eq!(
        (at_ms["quantity"].as_u64(), at_ms["termDuration"].as_str(), at_ms["billingCycle"].as_str()),
        (Some(4), Some("P1Y"), Some("monthly"))
    );
    let calls: Vec<Value> = sim
        .log()
        .into_iter()
        .filter(|r| r["path"].as_str().unwrap().starts_with("/pc/v1/products") || r["path"].as_str().unwrap().contains("/carts"))
        .collect();
    let paths: Vec<String> = calls.iter().map(|r| format!("{} {}", r["method"].as_str().unwrap(), r["path"].as_str().unwrap())).collect();
    assert_eq!(paths[0], "GET /pc/v1/products/CFQ7TTC0LH18/skus/0001/availabilities?country=ZA&targetSegment=commercial");
    assert_eq!(paths[1], format!("POST /pc/v1/customers/{CONTOSO}/carts"));
    assert!(paths[2].starts_with(&format!("POST /pc/v1/customers/{CONTOSO}/carts/")) && paths[2].ends_with("/checkout"), "{paths:?}");
    assert_eq!(
        calls[1]["body"]["lineItems"],
        json!([{"id": 0, "catalogItemId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971", "quantity": 4, "termDuration": "P1Y", "billingCycle": "Monthly"}])
    );
    assert_eq!(calls[2]["request_id"], bought["microsoft"]["ms_request_id"]);

    // Provisioning that completes later: accepted, then the order names the subscription.
    sim.set(json!({"provisioning": 1}));
    let (_, later) = add("2", "CFQ7TTC0LH18:0001", &[]);
    assert_eq!(
        (later["pending"].as_bool(), later["microsoft"]["state"].as_str(), later["ms_subscription_id"].as_str()),
        (Some(false), Some("accepted"), Some("")),
        "{later}"
    );
    let outbox = run_json(&db.path, &sim, &["pc", "outbox", "--retry"], Some(SECRET));
    assert_eq!(outbox[0]["state"], "done", "{outbox}");
    let id = later["id"].as_i64().unwrap().to_string();
    let sub = json(&db.path, &["subscription", "show", &id]);
    let later_ms = sub["subscription"]["ms_subscription_id"].as_str().unwrap().to_string();
    assert_eq!(sim.subscription(&later_ms)["quantity"], 2, "{sub}");
    assert_eq!(outbox[0]["ms_subscription_id"], later_ms.as_str());

    // Refused at checkout (more seats than Microsoft allows): exit 2 with Microsoft's code, and
    // the subscription cancelled in the book where it began, nothing of it billed.
    sim.set(json!({"seat_limit": 10}));
    let (code, refused) = add("20", "CFQ7TTC0LH18:0001", &[]);
    assert_eq!(code, Some(2), "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("800088"), "{refused}");
    let list = json(&db.path, &["subscription", "list"]);
    let last = list.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["quantity"].as_u64(), last["status"].as_str(), last["ended_on"].as_str()),
        (Some(20), Some("cancelled"), Some("2026-12-02")),
        "{last}"
    );
    let view = json(&db.path, &["subscription", "show", &last["id"].to_string()]);
    assert_eq!(view["history"].as_array().unwrap().last().unwrap()["kind"], "refused-by-microsoft");
    let preview = json(&db.path, &["bill", "--month", "2026-12", "--preview", "--date", "2026-12-31"]);
    let seats: Vec<u64> =
        preview["invoices"][0]["lines"].as_array().unwrap().iter().filter_map(|l| l["quantity"].as_str()?.parse().ok()).collect();
    assert!(!seats.contains(&20), "the refused purchase is not billed: {preview}");
    assert!(seats.contains(&4) && seats.contains(&2), "{seats:?}");

    // A product Microsoft does not sell now.
    let (code, unsold) = add("1", "CFQ7TTC0LH16:0001", &[]);
    assert_eq!(code, Some(2), "{unsold}");
    assert!(unsold["message"].as_str().unwrap().contains("Microsoft sells no CFQ7TTC0LH16:0001 in ZA"), "{unsold}");

    // Bought elsewhere: the book only.
    let (code, local) = add("3", "CFQ7TTC0LH18:0001", &["--no-provision"]);
    assert_eq!((code, local["microsoft"].is_null(), local["ms_subscription_id"].as_str()), (Some(0), true, Some("")), "{local}");
}

#[test]
fn a_subscription_that_differs_is_put_right_either_way() {
    let mut state = provisioning_state();
    let (db, sim) = connected(&state);
    run_json(&db.path, &sim, &["pc", "sync", "--apply"], Some(SECRET));

    // Seats added in Partner Center: taken into the book from a day, as a seat change.
    state["customers"][0]["subscriptions"][0]["quantity"] = json!(7);
    sim.set(json!({"customers": state["customers"]}));
    let drift = run_json(&db.path, &sim, &["pc", "sync"], Some(SECRET));
    assert_eq!(drift["subscriptions"][0]["fields"], json!([{"field": "quantity", "seatbook": "5", "microsoft": "7"}]), "{drift}");
    let taken = run_json(&db.path, &sim, &["pc", "take", "1", "--on", "2026-12-04"], Some(SECRET));
    assert_eq!((taken["quantity"].as_u64(), taken["differences"]["quantity"].as_u64()), (Some(7), Some(7)), "{taken}");
    let view = json(&db.path, &["subscription", "show", "1"]);
    let last = view["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["kind"].as_str(), last["effective"].as_str(), last["quantity_delta"].as_i64()),
        (Some("quantity-changed"), Some("2026-12-04"), Some(2))
    );
    assert_eq!(last["description"], "seats as Partner Center has them: 5 → 7");
    assert_eq!(run_json(&db.path, &sim, &["pc", "sync"], Some(SECRET))["subscriptions"], json!([]), "they agree now");
    let calls = changes_at_microsoft(&sim);
    assert!(calls.iter().all(|r| r["method"] != "PATCH"), "taking changes nothing at Microsoft");

    // Suspended and auto-renew turned off in Partner Center by mistake: the book's values go
    // back there, and the book stays as it is.
    state["customers"][0]["subscriptions"][0]["quantity"] = json!(7);
    state["customers"][0]["subscriptions"][0]["status"] = json!("suspended");
    state["customers"][0]["subscriptions"][0]["autoRenewEnabled"] = json!(false);
    sim.set(json!({"customers": state["customers"]}));
    let pushed = run_json(&db.path, &sim, &["pc", "push", "1"], Some(SECRET));
    let actions: Vec<&str> = pushed["microsoft"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["reactivate", "auto_renew"], "{pushed}");
    assert!(pushed["microsoft"].as_array().unwrap().iter().all(|e| e["state"] == "done"), "{pushed}");
    let at_ms = sim.subscription(S1);
    assert_eq!(
        (at_ms["status"].as_str(), at_ms["autoRenewEnabled"].as_bool(), at_ms["quantity"].as_u64()),
        (Some("active"), Some(true), Some(7))
    );
    let after = json(&db.path, &["subscription", "show", "1"]);
    assert_eq!(after["history"].as_array().unwrap().len(), view["history"].as_array().unwrap().len(), "the book is as it was");
    assert_eq!(run_json(&db.path, &sim, &["pc", "sync"], Some(SECRET))["subscriptions"], json!([]));

    // Not linked: nothing to compare with.
    ok(&db.path, &business_basic("1", "P1M", "2", "2026-12-02", &["--no-provision"]));
    let (code, e) = pc_run(&db.path, &sim, &["pc", "take", "3"]);
    assert_eq!(code, Some(2), "{e}");
    assert!(e["message"].as_str().unwrap().contains("not linked"), "{e}");
}

#[test]
fn a_new_customer_is_made_at_microsoft_with_its_agreement() {
    let mut state = provisioning_state();
    let unsigned = "aaaaaaaa-0000-4000-8000-000000000077";
    state["customers"].as_array_mut().unwrap().push(
        json!({"id": unsigned, "domain": "unsigned.onmicrosoft.com", "name": "Unsigned Ltd", "agreement": false, "subscriptions": []}),
    );
    let (db, sim) = connected(&state);
    ok(
        &db.path,
        &[
            "customer",
            "add",
            "--name",
            "Tailspin Toys",
            "--contact-person",
            "Ada King Lovelace",
            "--email",
            "ada@tailspin.example",
            "--phone",
            "+27 21 555 0100",
            "--domain",
            "tailspin.onmicrosoft.com",
        ],
    );
    let (code, made) = pc_run(
        &db.path,
        &sim,
        &["customer", "provision", "3", "--address-line", "1 Long Street", "--city", "Cape Town", "--postal-code", "8001", "--state", "WC"],
    );
    assert_eq!(code, Some(0), "{made}");
    let tenant = made["customer"]["tenant_id"].as_str().unwrap().to_string();
    assert_eq!(tenant.len(), 36, "{made}");
    assert_eq!(
        (made["agreement"]["first_name"].as_str(), made["agreement"]["last_name"].as_str(), made["agreement"]["date_agreed"].as_str()),
        (Some("Ada King"), Some("Lovelace"), Some("2026-12-02"))
    );
    // What Microsoft was given: the domain checked, the customer with its billing profile, the
    // agreement attested by the contact on the book's day.
    let calls: Vec<String> = sim
        .log()
        .into_iter()
        .filter(|r| {
            r["path"].as_str().unwrap().starts_with("/pc/v1/domains")
                || r["path"].as_str().unwrap().contains("agreements")
                || r["path"] == "/pc/v1/customers" && r["method"] == "POST"
        })
        .map(|r| format!("{} {} {}", r["method"].as_str().unwrap(), r["path"].as_str().unwrap(), r["status"]))
        .collect();
    assert_eq!(
        calls,
        [
            "HEAD /pc/v1/domains/tailspin.onmicrosoft.com 404".to_string(),
            "POST /pc/v1/customers 201".to_string(),
            "GET /pc/v1/agreements?agreementType=MicrosoftCustomerAgreement 200".to_string(),
            format!("POST /pc/v1/customers/{tenant}/agreements 201"),
        ]
    );
    let at_ms = sim.request("GET", "/_customer/tailspin.onmicrosoft.com", "");
    assert_eq!(at_ms["id"], tenant.as_str());
    let address = &at_ms["billingProfile"]["defaultAddress"];
    assert_eq!(
        (address["addressLine1"].as_str(), address["city"].as_str(), address["postalCode"].as_str(), address["country"].as_str()),
        (Some("1 Long Street"), Some("Cape Town"), Some("8001"), Some("ZA")),
        "{at_ms}"
    );
    let contact = &at_ms["agreements"][0]["primaryContact"];
    assert_eq!((contact["email"].as_str(), contact["phoneNumber"].as_str()), (Some("ada@tailspin.example"), Some("+27 21 555 0100")));
    assert_eq!(at_ms["agreements"][0]["dateAgreed"], "2026-12-02T00:00:00Z");

    // The new customer can buy at once.
    let (code, bought) = buy(&db.path, &sim, "3", "CFQ7TTC0LH18:0001", "2", &[]);
    assert_eq!((code, bought["microsoft"]["state"].as_str()), (Some(0), Some("done")), "{bought}");

    // Made once; a taken domain and a contact without a last name are refused before anything
    // is sent; a customer whose agreement Microsoft lacks cannot buy (Microsoft's 13605).
    let (code, again) = pc_run(&db.path, &sim, &["customer", "provision", "3", "--address-line", "x", "--city", "y", "--postal-code", "1"]);
    assert_eq!(code, Some(2), "{again}");
    assert!(again["message"].as_str().unwrap().contains("made at Microsoft already"), "{again}");
    ok(
        &db.path,
        &[
            "customer",
            "add",
            "--name",
            "Unsigned Ltd",
            "--contact-person",
            "Jo Smith",
            "--email",
            "jo@u.example",
            "--domain",
            "unsigned.onmicrosoft.com",
        ],
    );
    let (code, taken) = pc_run(&db.path, &sim, &["customer", "provision", "4", "--address-line", "x", "--city", "y", "--postal-code", "1"]);
    assert_eq!(code, Some(2), "{taken}");
    assert_eq!(taken["field"], "--domain", "{taken}");
    assert!(taken["message"].as_str().unwrap().contains("is taken at Microsoft"), "{taken}");
    ok(
        &db.path,
        &["customer", "add", "--name", "Solo", "--contact-person", "Cher", "--email", "c@s.example", "--domain", "solo.onmicrosoft.com"],
    );
    let (code, solo) = pc_run(&db.path, &sim, &["customer", "provision", "5", "--address-line", "x", "--city", "y", "--postal-code", "1"]);
    assert_eq!((code, solo["field"].as_str()), (Some(2), Some("--contact-person")), "{solo}");
    assert!(sim.request("GET", "/_customer/solo.onmicrosoft.com", "").get("id").is_none(), "nothing made at Microsoft");
    // That domain is a customer of Microsoft's whose agreement was never attested: linked by
    // hand, it cannot buy.
    ok(&db.path, &["customer", "link", "4", "--tenant-id", unsigned]);
    let (code, refused) = buy(&db.path, &sim, "4", "CFQ7TTC0LH18:0001", "1", &[]);
    assert_eq!(code, Some(2), "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("13605"), "{refused}");
}

/// The billing profile's `PUT`s the simulator answered.
fn profile_puts(sim: &Simulator) -> Vec<Value> {
    sim.log().into_iter().filter(|r| r["method"] == "PUT" && r["path"].as_str().unwrap().ends_with("/profiles/billing")).collect()
}

#[test]
fn a_linked_customers_name_and_contact_go_to_its_billing_profile_at_microsoft() {
    let (db, sim) = connected(&provisioning_state());
    ok(&db.path, &["customer", "link", "1", "--tenant-id", CONTOSO]);
    let (code, changed) = pc_run(
        &db.path,
        &sim,
        &[
            "customer",
            "update",
            "1",
            "--name",
            "Contoso Group",
            "--contact-person",
            "Jane van Wyk",
            "--email",
            "jane@contoso.example, accounts@contoso.example",
            "--phone",
            "+27 21 555 0199",
        ],
    );
    assert_eq!(
        (code, changed["microsoft"]["state"].as_str(), changed["pending"].as_bool()),
        (Some(0), Some("done"), Some(false)),
        "{changed}"
    );
    assert_eq!(changed["microsoft"]["action"], "billing_profile");
    assert!(changed["microsoft"]["subscription_id"].is_null(), "{changed}");
    // Microsoft's whole profile, fetched and sent back with its etag: the address it holds is
    // kept, the names and the first billing address are the book's.
    let at_ms = sim.request("GET", "/_customer/contoso.onmicrosoft.com", "");
    let p = &at_ms["billingProfile"];
    assert_eq!(
        (p["companyName"].as_str(), p["email"].as_str(), p["firstName"].as_str(), p["lastName"].as_str()),
        (Some("Contoso Group"), Some("jane@contoso.example"), Some("Jane van"), Some("Wyk")),
        "{at_ms}"
    );
    let a = &p["defaultAddress"];
    assert_eq!(
        (a["phoneNumber"].as_str(), a["addressLine1"].as_str(), a["city"].as_str(), a["firstName"].as_str()),
        (Some("+27 21 555 0199"), Some("One Microsoft Way"), Some("Redmond"), Some("Jane van"))
    );
    let puts = profile_puts(&sim);
    assert_eq!(puts.len(), 1, "{puts:?}");
    assert_eq!(puts[0]["if_match"], format!("profile-{}-1", &CONTOSO[..8]));
    assert_eq!(puts[0]["request_id"], changed["microsoft"]["ms_request_id"]);

    // What Microsoft's profile does not hold, and what is kept in the book only, is not sent.
    ok(&db.path, &["customer", "update", "1", "--notes", "Prefers paper"]);
    let (_, local) = pc_run(&db.path, &sim, &["customer", "update", "1", "--name", "Contoso (book only)", "--no-provision"]);
    assert!(local["microsoft"].is_null(), "{local}");
    assert_eq!(profile_puts(&sim).len(), 1);
    ok(&db.path, &["customer", "update", "1", "--name", "Contoso Group"]);
    assert_eq!(profile_puts(&sim).len(), 1, "the same name again: nothing to send");

    // Microsoft refuses a phone number it cannot read: exit 2 with its code, and the book's
    // phone is as it was.
    let (code, refused) = pc_run(&db.path, &sim, &["customer", "update", "1", "--phone", "ask reception", "--notes", "Call first"]);
    assert_eq!(code, Some(2), "{refused}");
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains("800002") && message.contains("phone number ask reception is not valid"), "{message}");
    let book = json(&db.path, &["customer", "show", "1"]);
    assert_eq!(
        (book["customer"]["phone"].as_str(), book["customer"]["notes"].as_str()),
        (Some("+27 21 555 0199"), Some("Call first")),
        "{book}"
    );
    let outbox = run_json(&db.path, &sim, &["pc", "outbox"], Some(SECRET));
    assert_eq!((outbox[0]["state"].as_str(), outbox[0]["ms_code"].as_str()), (Some("refused"), Some("800002")), "{outbox}");

    // Offline: the change is kept and waits, shown as pending; back online it is sent with the
    // same request id.
    let saved = sim.state();
    let port = sim.port;
    drop(sim);
    let offline = Simulator { child: Command::new("true").spawn().unwrap(), port, _dir: tempfile::tempdir().unwrap() };
    let (code, pending) = pc_run(&db.path, &offline, &["customer", "update", "1", "--contact-person", "Thabo Nkosi"]);
    assert_eq!((code, pending["pending"].as_bool()), (Some(0), Some(true)), "{pending}");
    let text = run(&db.path, &offline, &["pc", "outbox"], Some(SECRET), "");
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    assert!(
        text.contains(&format!("the billing profile (Contoso Group, jane@contoso.example) — customer 1 (Microsoft's {CONTOSO})")),
        "{text}"
    );
    drop(offline);
    let sim = back_online(&db.path, &saved, port, &pending);
    let p = sim.request("GET", "/_customer/contoso.onmicrosoft.com", "")["billingProfile"].clone();
    assert_eq!((p["firstName"].as_str(), p["lastName"].as_str()), (Some("Thabo"), Some("Nkosi")), "{p}");
}

#[test]
fn a_customer_made_while_seatbook_was_killed_is_made_once() {
    let (db, sim) = connected(&provisioning_state());
    ok(
        &db.path,
        &[
            "customer",
            "add",
            "--name",
            "Fabrikam",
            "--contact-person",
            "Lee Chen",
            "--email",
            "lee@fabrikam.example",
            "--domain",
            "fabrikam.onmicrosoft.com",
        ],
    );
    // Killed after Microsoft was asked to make the customer, before its answer came back.
    sim.set(json!({"slow_seconds": 2}));
    killed_after(
        &db.path,
        &sim,
        &["customer", "provision", "3", "--address-line", "1 Main Rd", "--city", "Durban", "--postal-code", "4001"],
        3000,
    );
    for _ in 0..100 {
        if sim.request("GET", "/_customer/fabrikam.onmicrosoft.com", "").get("id").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let made = sim.request("GET", "/_customer/fabrikam.onmicrosoft.com", "");
    assert!(made.get("id").is_some(), "Microsoft made it: {made}");
    sim.set(json!({"slow_seconds": 0}));
    let book = json(&db.path, &["customer", "show", "3"]);
    assert_eq!(book["customer"]["tenant_id"], "", "the book did not hear back");
    let waiting = run_json(&db.path, &sim, &["pc", "outbox"], Some(SECRET));
    assert_eq!((waiting[0]["action"].as_str(), waiting[0]["state"].as_str()), (Some("customer"), Some("waiting")), "{waiting}");

    // Asked again: the same request, so Microsoft answers with the customer it made, which is
    // linked and gets its agreement; there is still one.
    let (code, again) =
        pc_run(&db.path, &sim, &["customer", "provision", "3", "--address-line", "1 Main Rd", "--city", "Durban", "--postal-code", "4001"]);
    assert_eq!((code, again["pending"].as_bool()), (Some(0), Some(false)), "{again}");
    assert_eq!(again["customer"]["tenant_id"], made["id"], "{again}");
    assert_eq!(again["agreement"]["first_name"], "Lee");
    let posts: Vec<Value> = sim.log().into_iter().filter(|r| r["method"] == "POST" && r["path"] == "/pc/v1/customers").collect();
    // (The killed call was never answered, so the simulator logged only the second.)
    let last = posts.last().unwrap();
    assert_eq!((last["replayed"].as_bool(), &last["request_id"]), (Some(true), &waiting[0]["ms_request_id"]), "{posts:?}");
    let all = sim.state()["customers"].as_array().unwrap().iter().filter(|c| c["domain"] == "fabrikam.onmicrosoft.com").count();
    assert_eq!(all, 1, "made once");
    assert_eq!(sim.request("GET", "/_customer/fabrikam.onmicrosoft.com", "")["agreements"].as_array().unwrap().len(), 1);
}

#[test]
fn a_sync_cut_off_half_way_resumes_where_it_stopped() {
    let (db, sim) = connected(&state(0, 0));
    // Both pages of customers and the first one's subscriptions, then Microsoft throttles for
    // ten minutes: the sync stops, saying so.
    sim.set(json!({"throttle_after": 3, "retry_after": 600}));
    let before = sim.log().len();
    let o = run(&db.path, &sim, &["--json", "pc", "sync"], Some(SECRET), "");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("busy") && stderr(&o).contains("600 s"), "{}", stderr(&o));
    let first: Vec<String> = sim.log()[before..]
        .iter()
        .filter(|r| r["path"].as_str().unwrap().starts_with("/pc/"))
        .map(|r| format!("{} {}", r["path"].as_str().unwrap(), r["status"]))
        .collect();
    assert_eq!(first.len(), 4, "{first:?}");
    assert!(first[3].ends_with("429"), "{first:?}");

    // Later: only what was not read yet is asked for.
    sim.set(json!({"throttle_after": null, "throttle": 0}));
    let before = sim.log().len();
    let resumed = run_json(&db.path, &sim, &["pc", "sync"], Some(SECRET));
    assert_eq!(resumed["resumed"], 1, "{resumed}");
    let paths: Vec<String> = sim.log()[before..]
        .iter()
        .filter(|r| r["path"].as_str().unwrap().starts_with("/pc/"))
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "/pc/v1/customers/aaaaaaaa-0000-4000-8000-000000000002/subscriptions".to_string(),
            format!("/pc/v1/customers/{NEWCO}/subscriptions")
        ]
    );
    // The drift is the whole book's, as a sync from the start would find it.
    assert_eq!(resumed["customers"].as_array().unwrap().len(), 4, "{resumed}");
    assert_eq!(resumed["subscriptions"].as_array().unwrap().len(), 4, "{resumed}");
    // Finished: the next sync starts afresh.
    let again = run_json(&db.path, &sim, &["pc", "sync"], Some(SECRET));
    assert_eq!(again["resumed"], 0);
}

#[test]
fn a_user_signs_in_by_device_code_and_the_refresh_token_stays_in_the_credential_store() {
    let db = TestDb::new();
    book(&db.path);
    let sim = Simulator::start(&state(0, 0));
    let keyring = SecretService::start();
    let seatbook = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_seatbook"))
            .arg("--json")
            .arg("--db")
            .arg(&db.path)
            .args(args)
            .env("SEATBOOK_TODAY", "2026-12-02")
            .env("SEATBOOK_PARTNER_CENTER_URL", sim.url("pc"))
            .env("SEATBOOK_LOGIN_URL", sim.url("login"))
            .env("DBUS_SESSION_BUS_ADDRESS", &keyring.address)
            .env_remove("SEATBOOK_PC_CLIENT_SECRET")
            .env_remove("SEATBOOK_PC_REFRESH_TOKEN")
            .env_remove("SEATBOOK_DB")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // Seatbook shows Microsoft's message with the code, and waits; the user signs in with it.
    let mut child = seatbook(&["pc", "connect", "--tenant", TENANT, "--client-id", CLIENT, "--device-code"]);
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let code = line.split("enter the code ").nth(1).and_then(|r| r.split_whitespace().next()).unwrap_or_else(|| panic!("{line}"));
    assert!(line.contains("https://microsoft.com/devicelogin"), "{line}");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    sim.request("POST", "/_approve", &json!({"user_code": code}).to_string());
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{line}{rest}");
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((s["sign_in"].as_str(), s["secret"].as_str()), (Some("app+user"), Some("kept")), "{s}");
    let polls: Vec<Value> = sim.log().into_iter().filter(|r| r["body"]["grant_type"] == "device_code").collect();
    assert!(polls.len() >= 2 && polls[0]["status"] == 400 && polls.last().unwrap()["status"] == 200, "polled until signed in: {polls:?}");

    // Later calls sign in with the refresh token, kept in the credential store only.
    let o = seatbook(&["pc", "sync"]).wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let drift: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(drift["customers"].as_array().unwrap().len(), 4, "{drift}");
    assert!(sim.log().iter().any(|r| r["body"]["grant_type"] == "refresh_token" && r["status"] == 200));
    let tokens = sim.request("GET", "/_refresh_tokens", "");
    for t in tokens.as_array().unwrap() {
        assert!(!file_holds(&db.path, t.as_str().unwrap()), "a refresh token is in the book");
    }
    let status = serde_json::from_slice::<Value>(&seatbook(&["pc", "status"]).wait_with_output().unwrap().stdout).unwrap();
    assert_eq!((status["sign_in"].as_str(), status["secret"].as_str()), (Some("app+user"), Some("kept")));
}

#[test]
fn an_upgrade_goes_to_microsoft_as_a_transition_and_a_refused_one_is_undone() {
    let mut state = provisioning_state();
    state["upgrades"] = json!({"CFQ7TTC0LH18:0001": ["CFQ7TTC0LCHC:0002"]});
    state["ineligible"] =
        json!([["CFQ7TTC0LH18:0001", "CFQ7TTC0LDPB:0001", 800137, "The subscription is not eligible to transition to this offer."]]);
    let (db, sim) = connected(&state);
    run_json(&db.path, &sim, &["pc", "sync", "--apply"], Some(SECRET));
    let before = json(&db.path, &["subscription", "show", "1"]);

    // Not a transition Microsoft allows: refused with its reason, the book as it was.
    let (code, refused) = pc_run(&db.path, &sim, &["subscription", "upgrade", "1", "--product", "CFQ7TTC0LDPB:0001", "--on", "2026-12-03"]);
    assert_eq!(code, Some(2), "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("800137"), "{refused}");
    let view = json(&db.path, &["subscription", "show", "1"]);
    assert_eq!(view["subscription"]["product"], before["subscription"]["product"], "{view}");
    assert_eq!(view["subscription"]["price"], before["subscription"]["price"]);
    assert_eq!(view["history"].as_array().unwrap().last().unwrap()["kind"], "refused-by-microsoft");
    assert_eq!(sim.subscription(S1)["offerId"], "CFQ7TTC0LH18:0001:CFQ7TTC0K971");

    // Allowed: Microsoft's eligibilities read, the whole subscription moved, the book upgraded.
    let (code, up) = pc_run(&db.path, &sim, &["subscription", "upgrade", "1", "--product", "CFQ7TTC0LCHC:0002", "--on", "2026-12-03"]);
    assert_eq!((code, up["microsoft"]["state"].as_str()), (Some(0), Some("done")), "{up}");
    assert_eq!(up["product"], "CFQ7TTC0LCHC:0002");
    assert_eq!(sim.subscription(S1)["offerId"], "CFQ7TTC0LCHC:0002:CFQ7TTC0K971");
    let log = sim.log();
    let transition = log.iter().rev().find(|r| r["path"].as_str().unwrap().ends_with("/transitions")).unwrap();
    assert_eq!(
        transition["body"],
        json!({"toCatalogItemId": "CFQ7TTC0LCHC:0002:CFQ7TTC0K971", "quantity": 5, "termDuration": "P1Y", "billingCycle": "Monthly",
               "transitionType": "transition_only"})
    );
    assert_eq!(transition["request_id"], up["microsoft"]["ms_request_id"]);
    assert!(log.iter().any(|r| r["path"].as_str().unwrap().ends_with("/transitionEligibilities?eligibilityType=immediate")));
    // Only the upgrade Microsoft made is billed.
    let preview = json(&db.path, &["bill", "--month", "2026-12", "--preview", "--date", "2026-12-31"]);
    let lines: Vec<&str> = preview["invoices"][0]["lines"].as_array().unwrap().iter().map(|l| l["description"].as_str().unwrap()).collect();
    assert_eq!(lines.iter().filter(|l| l.contains("upgraded from")).count(), 1, "{lines:?}");
    assert!(!lines.iter().any(|l| l.contains("Standard")), "{lines:?}");
}
