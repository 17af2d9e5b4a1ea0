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
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("state.json");
        std::fs::write(&file, state.to_string()).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pc/simulator.py");
        let mut child = Command::new("python3").arg(script).arg(&file).stdout(Stdio::piped()).spawn().expect("python3 runs the simulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().strip_prefix("READY ").unwrap_or_else(|| panic!("the simulator said {line:?}")).parse().unwrap();
        Simulator { child, port, _dir: dir }
    }

    fn url(&self, prefix: &str) -> String {
        format!("http://127.0.0.1:{}/{prefix}", self.port)
    }

    /// Every request the simulator answered, in order.
    fn log(&self) -> Vec<Value> {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.write_all(b"GET /_log HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        let body = answer.split_once("\r\n\r\n").unwrap().1;
        serde_json::from_str::<Value>(body).unwrap().as_array().unwrap().clone()
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
    // At Microsoft's pace: never more than 500 requests a minute (one per 120 ms).
    let times: Vec<f64> = log.iter().map(|r| r["time"].as_f64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[1] - w[0] >= 0.11), "{times:?}");

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
    ok(&db.path, &business_basic("2", "P1M", "2", "2026-12-01", &[]));
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
    let db = TestDb::new();
    book(&db.path);
    let sim = Simulator::start(&state(0, 2));
    run_json(&db.path, &sim, &["pc", "connect", "--tenant", TENANT, "--client-id", CLIENT, "--app-only"], Some(SECRET));
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
