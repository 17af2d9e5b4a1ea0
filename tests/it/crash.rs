//! The crash test (issue 3): a `seatbook bill --issue` process killed (SIGKILL) at pseudo-random
//! moments of a large run, then checked through the store: the database passes
//! `PRAGMA integrity_check`; the run is there whole or not at all (invoices, the billing run's
//! record and the renewals it processed); invoice numbers have no gaps; every invoice has lines
//! that sum to its net, and net + VAT = total. A second run then completes to exactly the totals of
//! an uninterrupted run on a copy of the same database.

#[path = "../../benches/book.rs"]
mod book;

use crate::helpers::{json, TestDb};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use seatbook::store::Store;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

const CUSTOMERS: usize = 1_500;
const MONTH: &str = "2026-11";
const DATE: &str = "2026-11-30";
const ROUNDS: u32 = 6;

/// `seatbook --db DB bill --month MONTH --issue --date DATE`, output discarded.
fn bill_issue(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_seatbook"));
    c.arg("--db")
        .arg(db)
        .args(["bill", "--month", MONTH, "--issue", "--date", DATE])
        .env_remove("SEATBOOK_DB")
        .env_remove("SEATBOOK_TODAY")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

#[track_caller]
fn run_to_completion(db: &Path) -> Duration {
    let t = Instant::now();
    let out = bill_issue(db).output().unwrap();
    assert!(out.status.success(), "bill --issue failed ({:?}): {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    t.elapsed()
}

/// What a run issued, from `invoice list --month M --json`: the number of invoices, the sum of the
/// totals per currency, and each customer's invoice total (decimal strings summed as decimals).
#[derive(Debug, PartialEq, Eq)]
struct Totals {
    invoices: usize,
    per_currency: BTreeMap<String, Decimal>,
    per_customer: BTreeMap<i64, (String, Decimal)>,
}

fn totals(db: &Path) -> Totals {
    let list = json(db, &["invoice", "list", "--month", MONTH]);
    let list = list.as_array().expect("invoice list --json prints an array");
    let mut t = Totals { invoices: list.len(), per_currency: BTreeMap::new(), per_customer: BTreeMap::new() };
    for inv in list {
        let currency = inv["currency"].as_str().unwrap().to_string();
        let total = Decimal::from_str(inv["total"].as_str().expect("total is a decimal string")).unwrap();
        *t.per_currency.entry(currency.clone()).or_default() += total;
        let previous = t.per_customer.insert(inv["customer_id"].as_i64().unwrap(), (currency, total));
        assert!(previous.is_none(), "one invoice per customer per run: {inv}");
    }
    t
}

/// The state of every subscription (renewals are part of the run's transaction).
fn subscription_states(store: &Store) -> Vec<(i64, String, NaiveDate, NaiveDate, u32)> {
    store
        .list_subscriptions(None, None)
        .unwrap()
        .into_iter()
        .map(|s| (s.id, s.status.as_str().to_string(), s.term_start, s.term_end, s.quantity))
        .collect()
}

/// Check a database after a run (killed or not) through the store. Returns the number of
/// invoices of the month.
#[track_caller]
fn check_consistent(db: &Path, what: &str) -> usize {
    let store = Store::open(db).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok", "{what}: integrity_check");
    let numbers = store.invoice_numbers(MONTH).unwrap();
    let expected: Vec<String> = (1..=numbers.len()).map(|i| format!("INV-2026-{i:05}")).collect();
    assert_eq!(numbers, expected, "{what}: invoice numbers must run from INV-2026-00001 without gaps");
    for number in &numbers {
        let inv = store.invoice(number).unwrap();
        assert!(!inv.lines.is_empty(), "{what}: {number} has no lines");
        let lines: Decimal = inv.lines.iter().map(|l| l.amount).sum();
        assert_eq!(lines, inv.net, "{what}: the lines of {number} sum to {lines}, its net is {}", inv.net);
        assert_eq!(inv.net + inv.vat, inv.total, "{what}: {number}: net {} + VAT {} ≠ total {}", inv.net, inv.vat, inv.total);
        let vat: Decimal = inv.vat_lines.iter().map(|v| v.vat).sum();
        assert_eq!(vat, inv.vat, "{what}: {number}: the VAT lines sum to {vat}, its VAT is {}", inv.vat);
    }
    numbers.len()
}

/// The invoices the last billing run recorded (none without a run).
fn last_run_invoices(db: &Path) -> Option<usize> {
    let store = Store::open(db).unwrap();
    store.last_billing_run().unwrap().map(|(month, _, count)| {
        assert_eq!(month, MONTH);
        count as usize
    })
}

#[test]
fn a_killed_issue_run_leaves_all_or_nothing_and_a_rerun_completes_it() {
    let started = Instant::now();
    let db = TestDb::new();
    let original = db.dir.path().join("original.db");
    {
        let mut store = Store::open(&original).unwrap();
        let summary = book::build(&mut store, CUSTOMERS, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        println!("crash test book: {summary}");
    } // closed: the WAL is checkpointed into the file, so a copy of the file is the whole database
    let before = subscription_states(&Store::open(&original).unwrap());

    // The reference: the same run, uninterrupted.
    let reference = db.dir.path().join("reference.db");
    std::fs::copy(&original, &reference).unwrap();
    let mut duration = run_to_completion(&reference);
    let expected = totals(&reference);
    assert!(expected.invoices > CUSTOMERS * 9 / 10, "the book bills most customers: {expected:?}");
    assert_eq!(check_consistent(&reference, "reference"), expected.invoices);
    assert_eq!(last_run_invoices(&reference), Some(expected.invoices));
    let after = subscription_states(&Store::open(&reference).unwrap());
    assert_ne!(before, after, "the run processes renewals");
    println!("uninterrupted run: {} invoices in {:.2} s, totals {:?}", expected.invoices, duration.as_secs_f64(), expected.per_currency);

    // Killed runs: round k < ROUNDS is killed at a moment drawn from the k-th sixth of the run's
    // duration (measured again by every complete rerun, as the machine's load varies); a last
    // round is killed while the run writes, as soon as its write-ahead log passes 1 MB
    // (uncommitted pages spilled from the cache, or the commit being written).
    let mut rng = book::Rng::new(0xC4A5_7E57);
    let (mut none, mut whole) = (0, 0);
    for round in 0..=ROUNDS {
        let copy = db.dir.path().join(format!("round-{round}.db"));
        std::fs::copy(&original, &copy).unwrap();
        let wal_file = copy.with_extension("db-wal");
        let t = Instant::now();
        let mut child = bill_issue(&copy).spawn().unwrap();
        let when = if round < ROUNDS {
            let fraction = (round as f64 + rng.below(1000) as f64 / 1000.0) / ROUNDS as f64;
            std::thread::sleep(duration.mul_f64(fraction));
            format!("after {} ms", t.elapsed().as_millis())
        } else {
            while std::fs::metadata(&wal_file).map(|m| m.len()).unwrap_or(0) < 1_000_000 && child.try_wait().unwrap().is_none() {
                std::thread::sleep(Duration::from_millis(1));
            }
            format!("while writing, after {} ms", t.elapsed().as_millis())
        };
        let killed = child.try_wait().unwrap().is_none();
        if killed {
            child.kill().unwrap();
        }
        let status = child.wait().unwrap();
        assert!(killed || status.success(), "round {round}: the run failed on its own ({status})");
        // Frames the killed process left in the write-ahead log (committed or not).
        let wal = std::fs::metadata(&wal_file).map(|m| m.len()).unwrap_or(0);
        let what = format!("round {round} (kill {when})");
        let issued = check_consistent(&copy, &what);
        let states = subscription_states(&Store::open(&copy).unwrap());
        if issued == 0 {
            assert_eq!(last_run_invoices(&copy), None, "{what}: no invoices, so no billing run");
            assert_eq!(states, before, "{what}: no invoices, so no renewals either");
            none += 1;
        } else {
            assert_eq!(issued, expected.invoices, "{what}: the run is there whole or not at all");
            assert_eq!(last_run_invoices(&copy), Some(issued), "{what}: the billing run records its invoices");
            assert_eq!(states, after, "{what}: the whole run, so all its renewals");
            whole += 1;
        }
        println!(
            "{what}: {} with {:.1} MB in the WAL — {issued} invoices after the kill",
            if killed { format!("killed ({status})") } else { "had already finished".to_string() },
            wal as f64 / 1e6
        );

        let rerun = run_to_completion(&copy);
        if issued == 0 {
            // A whole run again: the latest measure of how long a run takes on this machine now.
            duration = rerun;
        }
        let numbers = Store::open(&copy).unwrap().invoice_numbers(MONTH).unwrap();
        let gapless: Vec<String> = (1..=expected.invoices).map(|i| format!("INV-2026-{i:05}")).collect();
        assert_eq!(numbers, gapless, "{what}, then run again: invoice numbers without gaps");
        assert_eq!(totals(&copy), expected, "{what}: the second run completes to the totals of the uninterrupted run");
        assert_eq!(subscription_states(&Store::open(&copy).unwrap()), after, "{what}: the same renewals as the uninterrupted run");
    }
    println!(
        "{} rounds: {none} left nothing, {whole} left the whole run; crash test took {:.1} s",
        ROUNDS + 1,
        started.elapsed().as_secs_f64()
    );
}
