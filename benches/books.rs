//! Benchmarks of receivables and reports over a large book, in release mode:
//! `cargo bench --bench books`. Figures go in the README. Goals (issue 5), for 10,000 customers
//! (benches/book.rs, 5 subscriptions each) with two years of monthly invoices (24 billing runs,
//! December 2024 to November 2026) and a payment from most customers, in a file database:
//! `aging(as_of)` ≤ 200 ms; `mrr_by_month` for one month ≤ 200 ms; `backup_to` ≤ 1 s.
//!
//! BOOKS_BENCH_BOOK=FILE reuses the billed book saved in FILE (built and saved there if missing).

mod book;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use seatbook::catalogue::{BillingPlan, ProductKey, Term};
use seatbook::receivables::Method;
use seatbook::store::{NewSubscription, Store};
use std::time::{Duration, Instant};

const CUSTOMERS: usize = 10_000;
const NOW: &str = "2026-11-30T18:00:00Z";

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// Three timed runs of `f`, as "a, b, c" and the best.
fn three<T>(mut f: impl FnMut() -> T) -> (String, Duration, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let t = Instant::now();
        last = Some(f());
        times.push(t.elapsed());
    }
    let best = times.iter().min().copied().unwrap_or_default();
    (times.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(", "), best, last.expect("three runs"))
}

fn build(path: &std::path::Path) {
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let t = Instant::now();
    let mut store = Store::open(path).unwrap();
    let summary = book::build(&mut store, CUSTOMERS, today);
    println!("book: {summary}");
    // The book's subscriptions are billed from this month on (what came before was billed
    // elsewhere), so each customer also gets a monthly subscription from December 2024: an
    // invoice every month for two years.
    let subs = Instant::now();
    let at = format!("{today}T08:00:00Z");
    let customers = store.list_customers(None, true, None).unwrap();
    for (i, c) in customers.iter().enumerate() {
        let new = NewSubscription {
            customer_id: c.id,
            product: ProductKey::new(&format!("CFQ7TTC0B{:03}", i % 20), "0001"),
            term: Term::P1M,
            billing: BillingPlan::Monthly,
            quantity: 1 + (i % 25) as u32,
            start: NaiveDate::from_ymd_opt(2024, 12, 1).unwrap(),
            auto_renew: true,
            trial: false,
            ms_subscription_id: String::new(),
            price_override: None,
        };
        store.add_subscription(&new, &at).unwrap();
    }
    println!("{} monthly subscriptions from 2024-12-01 in {}", customers.len(), secs(subs.elapsed()));
    // 24 monthly billing runs, each issued on the month's last day.
    let mut month = NaiveDate::from_ymd_opt(2024, 12, 1).unwrap();
    let mut invoices = 0;
    let runs = Instant::now();
    while month <= NaiveDate::from_ymd_opt(2026, 11, 1).unwrap() {
        let next = month.checked_add_months(chrono::Months::new(1)).unwrap();
        let last = next.pred_opt().unwrap();
        let t = Instant::now();
        let run = store.issue_month(month, last, NOW).unwrap();
        invoices += run.invoices.len();
        println!("  issue_month {}: {} invoices in {}", month.format("%Y-%m"), run.invoices.len(), secs(t.elapsed()));
        month = next;
    }
    println!("24 billing runs: {invoices} invoices in {}", secs(runs.elapsed()));
    // Most customers pay (part of) what they owe on 2026-10-15, so that aging sees allocations,
    // partly paid invoices and some credit; a tenth never pays.
    let pays = Instant::now();
    let mut payments = 0;
    for (i, c) in store.list_customers(None, true, None).unwrap().into_iter().enumerate() {
        if i % 10 == 9 {
            continue;
        }
        let balance = store.account(c.id, NaiveDate::from_ymd_opt(2026, 10, 15).unwrap()).unwrap().balance;
        let share = Decimal::from(80 + (i % 4) as i64 * 10) / Decimal::from(100);
        let amount = c.currency.round(balance * share);
        if amount > Decimal::ZERO {
            store.add_payment(c.id, NaiveDate::from_ymd_opt(2026, 10, 15).unwrap(), amount, Method::Eft, "", &[], NOW).unwrap();
            payments += 1;
        }
    }
    println!("{payments} payments in {}", secs(pays.elapsed()));
    println!("book ready in {}", secs(t.elapsed()));
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seatbook.db");
    println!("books bench: {CUSTOMERS} customers × 5 subscriptions, 24 monthly billing runs (2024-12 to 2026-11)");
    let saved = std::env::var_os("BOOKS_BENCH_BOOK").map(std::path::PathBuf::from);
    match &saved {
        Some(saved) if saved.exists() => {
            std::fs::copy(saved, &path).unwrap();
            println!("book: copied from {}", saved.display());
        }
        _ => {
            build(&path);
            if let Some(saved) = &saved {
                std::fs::copy(&path, saved).unwrap();
            }
        }
    }
    println!("database {:.1} MB", std::fs::metadata(&path).unwrap().len() as f64 / 1e6);

    let store = Store::open(&path).unwrap();
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let (runs, best, report) = three(|| store.aging(as_of).unwrap());
    let total: Vec<String> =
        report.totals.iter().map(|t| format!("{} {} ({} customers)", t.currency, t.total, report.rows.len())).collect();
    println!("aging {as_of}: {runs} (best {}; goal ≤ 200 ms) — open {}", ms(best), total.join(", "));

    let month = NaiveDate::from_ymd_opt(as_of.year(), as_of.month(), 1).unwrap();
    let (runs, best, rows) = three(|| store.mrr_by_month(month, seatbook::dates::month_end(month)).unwrap());
    println!("mrr_by_month {}: {runs} (best {}; goal ≤ 200 ms) — {} rows", month.format("%Y-%m"), ms(best), rows.len());

    let mut times = Vec::new();
    for i in 0..3 {
        let dest = dir.path().join(format!("backup-{i}.db"));
        let t = Instant::now();
        store.backup_to(&dest).unwrap();
        times.push(t.elapsed());
        // The check alone, again on the finished backup: what of the time is PRAGMA integrity_check.
        let t = Instant::now();
        seatbook::store::check_backup_file(&dest).unwrap();
        println!(
            "  backup {i}: {:.1} MB in {}, of which the integrity check {}",
            std::fs::metadata(&dest).unwrap().len() as f64 / 1e6,
            secs(times[i]),
            secs(t.elapsed())
        );
    }
    let best = times.iter().min().copied().unwrap_or_default();
    println!("backup_to: {} (best {}; goal ≤ 1 s)", times.iter().map(|d| secs(*d)).collect::<Vec<_>>().join(", "), secs(best));
}
