//! Shared set-up: a temporary database with a company, the sample price list and customers.

#![allow(dead_code)]

use chrono::NaiveDate;
use seatbook::company::CompanyFields;
use seatbook::customer::CustomerFields;
use seatbook::store::Store;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const NOW: &str = "2026-11-24T09:00:00Z";

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The sample price list shipped in ../shared/samples, copied into tests/data.
pub fn sample_pricelist() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/nce-pricelist-sample.csv")
}

pub struct TestDb {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TestDb {
    pub fn new() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seatbook.db");
        TestDb { dir, path }
    }
    pub fn open(&self) -> Store {
        Store::open(&self.path).unwrap()
    }
    pub fn file(&self, name: &str, contents: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, contents).unwrap();
        p
    }
}

/// A store set up as a South African reseller with the sample price list imported.
pub fn reseller(db: &TestDb) -> Store {
    let mut store = db.open();
    store
        .init_company(&CompanyFields {
            name: Some("Cloudwise (Pty) Ltd".into()),
            country: Some("ZA".into()),
            currency: Some("ZAR".into()),
            vat_rate: Some("15".into()),
            default_markup: Some("20".into()),
            ..Default::default()
        })
        .unwrap();
    let bytes = std::fs::read(sample_pricelist()).unwrap();
    let parsed = seatbook::import::pricelist::parse(&bytes, Some("ZA"), None).unwrap();
    store.import_price_list(&parsed).unwrap();
    store
}

pub fn add_customer(store: &mut Store, name: &str, domain: &str, currency: &str) -> i64 {
    store
        .add_customer(&CustomerFields {
            name: Some(name.into()),
            domain: Some(domain.into()),
            currency: Some(currency.into()),
            ..Default::default()
        })
        .unwrap()
        .id
}

/// Run the `seatbook` binary on `db` with `args`.
pub fn seatbook(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seatbook"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("SEATBOOK_DB")
        .env_remove("SEATBOOK_TODAY")
        .output()
        .unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Run and expect success; returns stdout.
#[track_caller]
pub fn ok(db: &Path, args: &[&str]) -> String {
    let o = seatbook(db, args);
    assert!(o.status.success(), "seatbook {args:?} failed ({:?}):\n{}", o.status.code(), stderr(&o));
    stdout(&o)
}

/// Run with --json and parse stdout.
#[track_caller]
pub fn json(db: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(db, &all)).unwrap()
}

/// Run, expect failure with `code` as exit status; returns the parsed JSON error from stderr.
#[track_caller]
pub fn fails(db: &Path, args: &[&str], status: i32) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let o = seatbook(db, &all);
    assert_eq!(o.status.code(), Some(status), "seatbook {args:?}: stdout {} stderr {}", stdout(&o), stderr(&o));
    serde_json::from_str(stderr(&o).trim()).unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {}", stderr(&o)))
}

/// A subscription to add: `product` as (ProductId, SkuId), auto-renewing, at the price the rules give.
pub fn new_sub(
    customer: i64,
    product: (&str, &str),
    term: seatbook::catalogue::Term,
    billing: seatbook::catalogue::BillingPlan,
    qty: u32,
    start: &str,
) -> seatbook::store::NewSubscription {
    seatbook::store::NewSubscription {
        customer_id: customer,
        product: seatbook::catalogue::ProductKey::new(product.0, product.1),
        term,
        billing,
        quantity: qty,
        start: day(start),
        auto_renew: true,
        trial: false,
        ms_subscription_id: String::new(),
        price_override: None,
    }
}

/// `subscription add` arguments for Business Basic (CFQ7TTC0LH18:0001 of the sample price list),
/// billed monthly, with `extra` flags after them.
pub fn business_basic<'a>(customer: &'a str, term: &'a str, quantity: &'a str, start: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "subscription",
        "add",
        "--customer",
        customer,
        "--product",
        "CFQ7TTC0LH18:0001",
        "--term",
        term,
        "--billing",
        "monthly",
        "--quantity",
        quantity,
        "--start",
        start,
    ];
    args.extend_from_slice(extra);
    args
}

/// A real credential store for a test: a private D-Bus session bus with GNOME Keyring's Secret
/// Service on it (the login keyring made and unlocked in a directory of its own), both stopped
/// when dropped. The same service a Linux desktop gives Seatbook.
pub struct SecretService {
    bus: Child,
    keyring: Child,
    /// The test bus's address (`DBUS_SESSION_BUS_ADDRESS`).
    pub address: String,
    _dir: tempfile::TempDir,
}

impl SecretService {
    pub fn start() -> SecretService {
        let dir = tempfile::tempdir().unwrap();
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon starts (installed by .ci/run)");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap()).read_line(&mut address).unwrap();
        let address = address.trim().to_string();
        assert!(address.starts_with("unix:"), "the bus said {address:?}");
        let runtime = dir.path().join("run");
        std::fs::create_dir_all(&runtime).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("HOME", dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon starts (installed by .ci/run)");
        {
            use std::io::Write;
            // The login keyring's own password, on standard input, then end of input.
            let mut stdin = keyring.stdin.take().unwrap();
            stdin.write_all(b"keyring-password").unwrap();
        }
        let service = SecretService { bus, keyring, address, _dir: dir };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !service.ready() {
            assert!(Instant::now() < deadline, "the Secret Service did not come up on the test bus");
            std::thread::sleep(Duration::from_millis(100));
        }
        service
    }

    /// The Secret Service has its name on the bus.
    fn ready(&self) -> bool {
        let o = Command::new("dbus-send")
            .args([
                &format!("--bus={}", self.address),
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ])
            .output()
            .expect("dbus-send runs (with dbus-daemon)");
        String::from_utf8_lossy(&o.stdout).contains("boolean true")
    }

    /// `seatbook` on this bus, with no password in the environment.
    pub fn seatbook(&self, db: &Path, args: &[&str], stdin: &str) -> std::process::Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_seatbook"))
            .arg("--json")
            .arg("--db")
            .arg(db)
            .args(args)
            .env_remove("SEATBOOK_SMTP_PASSWORD")
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        for child in [&mut self.keyring, &mut self.bus] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
