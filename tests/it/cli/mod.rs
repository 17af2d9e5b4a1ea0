//! The `seatbook` command line as a script or a person uses it: the real binary over a temporary
//! database, checking exit statuses (0, 2 for bad input or a refused change, 1 otherwise), the
//! JSON a script reads (`{"code","message","field"}` on errors) and the text a person reads.
//! Every command gets `--today 2026-11-24` so that nothing depends on the clock.

use crate::helpers::{fails, json, ok, sample_pricelist, seatbook, stderr, stdout, TestDb};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const TODAY: &str = "2026-11-24";
const BASIC: &str = "CFQ7TTC0LH18:0001";
const STANDARD: &str = "CFQ7TTC0LDPB:0001";
const EXCHANGE: &str = "CFQ7TTC0LH16:0001";

/// A temporary Seatbook database driven through the binary, always with `--today TODAY`.
struct Book {
    db: TestDb,
}

fn with_today<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--today", TODAY];
    all.extend_from_slice(args);
    all
}

impl Book {
    /// An empty database: not even `init`.
    fn empty() -> Book {
        Book { db: TestDb::new() }
    }

    /// A South African reseller (ZAR, VAT 15 %, default markup 20 %), without a price list.
    fn reseller() -> Book {
        let book = Book::empty();
        let mut args = vec!["init", "--name", "Cloudwise (Pty) Ltd"];
        args.extend(words("--country ZA --currency ZAR --vat-rate 15 --default-markup 20"));
        book.ok(&args);
        book
    }

    /// The reseller with the sample price list imported.
    fn with_prices() -> Book {
        let book = Book::reseller();
        book.ok(&["pricelist", "import", path(&sample_pricelist())]);
        book
    }

    fn path(&self) -> &Path {
        &self.db.path
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> String {
        ok(self.path(), &with_today(args))
    }

    #[track_caller]
    fn json(&self, args: &[&str]) -> Value {
        json(self.path(), &with_today(args))
    }

    #[track_caller]
    fn fails(&self, args: &[&str], status: i32) -> Value {
        fails(self.path(), &with_today(args), status)
    }

    /// A file in the temporary folder.
    fn file(&self, name: &str, contents: &str) -> PathBuf {
        self.db.file(name, contents)
    }

    /// Add a customer; returns its id.
    #[track_caller]
    fn customer(&self, name: &str, domain: &str, extra: &[&str]) -> i64 {
        let mut args = vec!["customer", "add", "--name", name, "--domain", domain];
        args.extend_from_slice(extra);
        id(&self.json(&args))
    }

    /// `subscription add` for `customer` and `product`; `spec` is "TERM BILLING QUANTITY START".
    #[track_caller]
    fn subscription(&self, customer: i64, product: &str, spec: &str, extra: &[&str]) -> Value {
        let [term, billing, quantity, start] = words(spec)[..] else { panic!("spec is TERM BILLING QUANTITY START") };
        let line = format!(
            "subscription add --customer {customer} --product {product} --term {term} --billing {billing} \
             --quantity {quantity} --start {start}"
        );
        let mut args = words(&line);
        args.extend_from_slice(extra);
        self.json(&args)
    }

    /// `subscription show ID --as-of DATE --json`.
    #[track_caller]
    fn show(&self, sub: i64, as_of: &str) -> Value {
        self.json(&["subscription", "show", &sub.to_string(), "--as-of", as_of])
    }

    /// `subscription show ID --as-of DATE` as a person reads it.
    #[track_caller]
    fn show_text(&self, sub: i64, as_of: &str) -> String {
        self.ok(&["subscription", "show", &sub.to_string(), "--as-of", as_of])
    }

    /// Seat count and history length, to prove a refused change wrote nothing.
    #[track_caller]
    fn seats_and_history(&self, sub: i64) -> (u64, usize) {
        let v = self.show(sub, TODAY);
        (v["subscription"]["quantity"].as_u64().unwrap(), v["history"].as_array().unwrap().len())
    }

    /// Ids of `customer list` with extra arguments.
    #[track_caller]
    fn customer_ids(&self, args: &[&str]) -> Vec<i64> {
        let mut all = vec!["customer", "list"];
        all.extend_from_slice(args);
        self.json(&all).as_array().unwrap().iter().map(id).collect()
    }

    /// Ids of `subscription list` with extra arguments.
    #[track_caller]
    fn subscription_ids(&self, args: &[&str]) -> Vec<i64> {
        let mut all = vec!["subscription", "list"];
        all.extend_from_slice(args);
        self.json(&all).as_array().unwrap().iter().map(id).collect()
    }

    /// Every price row `product list` shows on `on`, as (product, term, plan, currency, price).
    #[track_caller]
    fn prices_on(&self, on: &str) -> Vec<(String, String, String, String, String)> {
        let mut rows = Vec::new();
        for p in self.json(&["product", "list", "--on", on]).as_array().unwrap() {
            for r in p["prices"].as_array().unwrap() {
                rows.push((text(&p["product"]), text(&r["term"]), text(&r["billing_plan"]), text(&r["currency"]), cents(&r["unit_price"])));
            }
        }
        rows
    }
}

/// The words of a command line whose values hold no spaces.
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

#[track_caller]
fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no integer id in {v}"))
}

#[track_caller]
fn text(v: &Value) -> String {
    v.as_str().unwrap_or_else(|| panic!("{v} is not a JSON string")).to_string()
}

/// An amount as a script reads it: it must be a JSON string (never a number), compared to the
/// cent. Seatbook prints locked prices without trailing zeros ("86.4"), so pad to two decimals;
/// more decimals are kept as they are, so "86.405" never passes for "86.40".
#[track_caller]
fn cents(v: &Value) -> String {
    let s = v.as_str().unwrap_or_else(|| panic!("amount {v} is not a decimal string"));
    match s.split_once('.') {
        None => format!("{s}.00"),
        Some((units, frac)) if frac.len() < 2 => format!("{units}.{frac:0<2}"),
        Some(_) => s.to_string(),
    }
}

/// The lines of the sample price list without their line endings (index 0 is the header).
fn sample_lines() -> Vec<String> {
    std::fs::read_to_string(sample_pricelist()).unwrap().lines().map(str::to_string).collect()
}

/// `line` of the sample with `from` replaced by `to` (which must occur).
#[track_caller]
fn edit(line: &str, from: &str, to: &str) -> String {
    assert!(line.contains(from), "{from} not in {line}");
    line.replacen(from, to, 1)
}

mod company;
mod customers;
mod markup;
mod pricelist;
mod renewals;
mod subscriptions;

// ---------------------------------------------------------------------------------------------
// The command line as a whole

#[test]
fn the_database_comes_from_db_or_seatbook_db() {
    let book = Book::reseller();
    let other = TestDb::new();
    let run = |args: &[&str], env_db: &Path| {
        Command::new(env!("CARGO_BIN_EXE_seatbook"))
            .args(args)
            .env("SEATBOOK_DB", env_db)
            // Should the variable be ignored, the default folder is a temporary one.
            .env("HOME", other.dir.path())
            .env("XDG_DATA_HOME", other.dir.path())
            .env("APPDATA", other.dir.path())
            .env_remove("SEATBOOK_TODAY")
            .output()
            .unwrap()
    };
    // SEATBOOK_DB alone.
    let o = run(&["--json", "company", "show"], book.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(serde_json::from_str::<Value>(&stdout(&o)).unwrap()["name"], "Cloudwise (Pty) Ltd");
    let o = run(&["--json", "customer", "add", "--name", "Via Env", "--domain", "env.onmicrosoft.com"], book.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(book.customer_ids(&[]).len(), 1, "written to the SEATBOOK_DB file");
    // --db wins over SEATBOOK_DB.
    let o = run(&["--db", path(&other.path), "--json", "company", "show"], book.path());
    assert_eq!(o.status.code(), Some(2), "the --db file holds no book: {}", stderr(&o));
    assert!(stderr(&o).contains(&format!("there is no Seatbook book at {}", other.path.display())), "{}", stderr(&o));
    assert!(!other.path.exists(), "and none is made there");
    assert!(!other.dir.path().join("seatbook").exists(), "the default folder was not used");
}

#[test]
fn help_names_every_noun_and_the_exit_statuses() {
    let book = Book::empty();
    let out = ok(book.path(), &["--help"]);
    let commands = &out[out.find("Commands:").expect("a command list")..];
    for noun in ["init", "company", "customer", "pricelist", "product", "markup", "fx", "subscription", "renewals"] {
        assert!(commands.lines().any(|l| l.trim_start().starts_with(&format!("{noun} "))), "{noun} missing from\n{out}");
    }
    let words = out.split_whitespace().collect::<Vec<_>>().join(" ");
    for phrase in ["--db", "--json", "--today", "SEATBOOK_DB", "Exit status: 0 success, 2 bad input or a refused change, 1 anything else."]
    {
        assert!(words.contains(phrase), "{phrase} missing from\n{out}");
    }
    let out = ok(book.path(), &["subscription", "--help"]);
    for verb in ["add", "quantity", "cancel", "suspend", "reactivate", "auto-renew", "schedule", "upgrade", "show", "list", "import"] {
        assert!(out.lines().any(|l| l.trim_start().starts_with(&format!("{verb} "))), "{verb} missing from\n{out}");
    }
    assert!(!book.path().exists(), "help opens no database");
}

#[test]
fn bad_input_exits_2_with_a_plain_message_or_json() {
    let book = Book::with_prices();
    let e = fails(book.path(), &["--today", "2026-13-01", "customer", "list"], 2);
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some("--today")));
    let e = book.fails(&["customer", "show", "42"], 2);
    assert_eq!((e["code"].as_str(), e["message"].as_str()), (Some("not_found"), Some("there is no customer 42")));
    // Every error object has exactly the three keys.
    let mut keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["code", "field", "message"]);
    // Without --json: the message on stderr, nothing on stdout.
    let o = seatbook(book.path(), &["--today", TODAY, "subscription", "show", "7"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!((stdout(&o), stderr(&o)), (String::new(), "error: there is no subscription 7\n".to_string()));
}

/// Regression: with `--json`, errors that clap finds (a missing or malformed flag) once printed
/// clap's text instead of `{"code","message","field"}`; the exit status is 2.
#[test]
fn argument_errors_are_json_too() {
    let book = Book::with_prices();
    let e = book.fails(&["subscription", "quantity", "1", "--on", TODAY], 2);
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some("--quantity")), "{e}");
    let e = book.fails(&["subscription", "quantity", "1", "--quantity", "abc", "--on", TODAY], 2);
    assert_eq!(e["field"], "--quantity", "{e}");
}

#[test]
fn a_file_that_is_not_a_database_exits_1_and_is_left_alone() {
    let book = Book::empty();
    let contents = "ProductId,SkuId\nthis is a price list, not a database\n".repeat(50);
    std::fs::write(book.path(), &contents).unwrap();
    let e = book.fails(&["company", "show"], 1);
    assert_eq!(
        (e["code"].as_str(), e["message"].as_str()),
        (Some("database"), Some("the file is not a Seatbook database (or it is damaged)"))
    );
    let o = seatbook(book.path(), &["customer", "list"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "error: the file is not a Seatbook database (or it is damaged)\n");
    assert_eq!(std::fs::read_to_string(book.path()).unwrap(), contents);
}

#[test]
fn a_database_from_a_newer_seatbook_exits_1_and_is_left_alone() {
    let book = Book::reseller();
    book.db.open().execute_raw_for_tests("PRAGMA user_version = 99").unwrap();
    let before = std::fs::read(book.path()).unwrap();
    let e = book.fails(&["customer", "list"], 1);
    assert_eq!(e["code"], "newer_database");
    assert!(text(&e["message"]).contains("written by a newer Seatbook (schema version 99"), "{e}");
    assert_eq!(std::fs::read(book.path()).unwrap(), before);
}

/// An adversarial probe's values that once crashed a command or poisoned the book: amounts of
/// 1e20 and more, and dates past 9999. Each is refused at its flag, with exit 2, and the book still
/// bills.
#[test]
fn huge_amounts_and_impossible_dates_are_refused_at_their_flag() {
    let book = Book::with_prices();
    let acme = book.customer("Acme", "acme.onmicrosoft.com", &[]).to_string();
    let huge = "100000000000000000000";
    for (args, flag) in [
        (vec!["payment", "add", "--customer", &acme, "--amount", huge], "--amount"),
        (vec!["charge", "add", "--customer", &acme, "--description", "x", "--amount", huge], "--amount"),
        (vec!["charge", "add", "--customer", &acme, "--description", "x", "--amount", "1", "--quantity", huge], "--quantity"),
        (vec!["customer", "update", &acme, "--credit-limit", huge], "--credit-limit"),
        (vec!["service", "add", "--customer", &acme, "--description", "x", "--amount", huge], "--amount"),
        (vec!["instalments", "add", "--customer", &acme, "--description", "x", "--total", huge, "--count", "3"], "--total"),
        (vec!["fx", "set", "--from", "USD", "--to", "ZAR", "--rate", huge, "--on", TODAY], "--rate"),
        (
            vec![
                "subscription",
                "add",
                "--customer",
                &acme,
                "--product",
                BASIC,
                "--term",
                "P1Y",
                "--billing",
                "monthly",
                "--quantity",
                "1",
                "--start",
                TODAY,
                "--price",
                huge,
            ],
            "--price",
        ),
        (vec!["bill", "--month", "2026-11", "--issue", "--date", "9999-12-31"], "--date"),
        (
            vec![
                "subscription",
                "add",
                "--customer",
                &acme,
                "--product",
                BASIC,
                "--term",
                "P1Y",
                "--billing",
                "monthly",
                "--quantity",
                "1",
                "--start",
                "9999-12-31",
            ],
            "--start",
        ),
        (vec!["charge", "add", "--customer", &acme, "--description", "x", "--amount", "1", "--date", "10000-01-01"], "--date"),
    ] {
        let e = book.fails(&args, 2);
        assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some(flag)), "{args:?}: {e}");
        assert!(text(&e["message"]).contains("out of range") || text(&e["message"]).contains("is not a date"), "{args:?}: {e}");
    }
    book.ok(&[
        "subscription",
        "add",
        "--customer",
        &acme,
        "--product",
        BASIC,
        "--term",
        "P1Y",
        "--billing",
        "monthly",
        "--quantity",
        "2",
        "--start",
        "2026-11-01",
    ]);
    let run = book.json(&["bill", "--month", "2026-11", "--issue", "--date", "2026-11-30"]);
    assert_eq!(run["invoices"].as_array().unwrap().len(), 1, "the book still bills: {run}");
}

/// Files are written whole, through a hidden temporary file beside them: a user's own
/// `report.tmp` beside `report.db` is never touched, and what a killed write left is cleared.
#[test]
fn backups_and_exports_leave_the_users_files_alone() {
    let book = Book::reseller();
    let dir = book.db.dir.path();
    let mine = dir.join("report.tmp");
    std::fs::write(&mine, "my notes").unwrap();
    let leftover = dir.join(".report.db.seatbook-99999.part");
    std::fs::write(&leftover, "half a backup").unwrap();
    book.ok(&["backup", "create", "--out", path(&dir.join("report.db"))]);
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "my notes");
    assert!(!leftover.exists(), "a killed backup's leftover is cleared");
    assert!(dir.join("report.db").is_file());
    let hidden: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part"))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
    let csv = dir.join("aging.csv");
    book.ok(&["report", "aging", "--csv", path(&csv)]);
    assert!(std::fs::read_to_string(&csv).unwrap().starts_with("customer,"));
}

/// Several processes opening a new database at once (six `init`s of the same file): each takes
/// the write lock before migrating and reads the version again, so none fails with "table
/// company already exists": one sets the book up, the others are told it is set up already.
#[test]
fn processes_opening_a_new_database_at_once_all_succeed() {
    for round in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(format!("new-{round}.db"));
        let children: Vec<_> = (0..6)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_seatbook"))
                    .args(["--db", db.to_str().unwrap(), "--today", TODAY, "--json", "init", "--name", "Cloudwise", "--country", "ZA"])
                    .args(["--currency", "ZAR", "--vat-rate", "15"])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut set_up = 0;
        for child in children {
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr).to_string();
            if out.status.success() {
                set_up += 1;
            } else {
                assert!(err.contains("\"conflict\"") && err.contains("already set up"), "round {round}: {err}");
            }
        }
        assert_eq!(set_up, 1, "round {round}");
        let o = seatbook(&db, &["customer", "list"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
}

/// Tax-invoice dates: invoice numbers follow their dates, and a month's invoices are dated near
/// the month they bill.
#[test]
fn invoices_are_dated_in_order_and_near_their_month() {
    let book = Book::with_prices();
    let acme = book.customer("Acme", "acme.onmicrosoft.com", &[]).to_string();
    book.ok(&[
        "subscription",
        "add",
        "--customer",
        &acme,
        "--product",
        BASIC,
        "--term",
        "P1Y",
        "--billing",
        "monthly",
        "--quantity",
        "2",
        "--start",
        "2026-11-01",
    ]);
    book.ok(&["bill", "--month", "2026-11", "--issue", "--date", "2026-11-20"]);
    let e = book.fails(&["bill", "--month", "2026-12", "--issue", "--date", "2026-11-19"], 2);
    assert_eq!(e["field"], "--date");
    assert!(text(&e["message"]).contains("before the last invoice issued (2026-11-20)"), "{e}");
    let e = book.fails(&["bill", "--month", "2026-12", "--issue", "--date", "1990-12-01"], 2);
    assert!(text(&e["message"]).contains("are dated from 2026-11-01 to 2027-12-31"), "{e}");
    book.ok(&["bill", "--month", "2026-12", "--issue", "--date", "2026-12-01"]);
}
