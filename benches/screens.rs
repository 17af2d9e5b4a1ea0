//! What each screen of the desktop app asks the core for when it opens, timed on a given book
//! (the two-year book the billing bench keeps: `BILLING_BENCH_BEFORE_LAST=FILE`), release build:
//!
//!   SCREENS_BENCH_BOOK=FILE SCREENS_BENCH_TODAY=2028-10-15 cargo bench --bench screens
//!
//! Each call runs three times on one connection (the first is the one a user waits for); the
//! dashboard's parts are timed one by one too. The book is opened read-only where it can be.

use chrono::NaiveDate;
use seatbook::app;
use std::time::Instant;

fn time<T>(what: &str, mut f: impl FnMut() -> T, size: impl Fn(&T) -> String) {
    let mut runs = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let t = Instant::now();
        let r = f();
        runs.push(t.elapsed().as_secs_f64() * 1000.0);
        last = Some(r);
    }
    let shown = last.as_ref().map(&size).unwrap_or_default();
    println!("{what:<48} {} ms  {shown}", runs.iter().map(|ms| format!("{ms:>7.1}")).collect::<Vec<_>>().join(" "));
}

#[allow(clippy::ptr_arg)] // passed where a `Fn(&Vec<T>)` is wanted
fn rows<T>(v: &Vec<T>) -> String {
    format!("{} rows", v.len())
}

fn main() {
    let Some(book) = std::env::var_os("SCREENS_BENCH_BOOK") else {
        println!("screens bench: set SCREENS_BENCH_BOOK to a book (the billing bench keeps one with BILLING_BENCH_BEFORE_LAST)");
        return;
    };
    let today: NaiveDate = std::env::var("SCREENS_BENCH_TODAY").ok().and_then(|d| d.parse().ok()).expect("SCREENS_BENCH_TODAY=YYYY-MM-DD");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seatbook.db");
    std::fs::copy(&book, &path).unwrap();
    let t = Instant::now();
    let store = app::open(&path).unwrap();
    println!(
        "book: a copy of {} ({:.0} MB), opened in {:.1} ms; today {today}",
        std::path::Path::new(&book).display(),
        std::fs::metadata(&path).unwrap().len() as f64 / 1e6,
        t.elapsed().as_secs_f64() * 1000.0
    );
    println!("-- the dashboard, whole and by part");
    let first = app::reports::DASHBOARD_FIRST_ROWS;
    time(
        &format!("dashboard (first {first} rows of each list, as the app)"),
        || app::reports::dashboard(&store, today, Some(first)).unwrap(),
        |d| format!("{} renewals, {} credit stops", d.renewals_total, d.credit_stops_total),
    );
    time(
        "dashboard (every row: \"Show all\")",
        || app::reports::dashboard(&store, today, None).unwrap(),
        |d| format!("{} renewals, {} credit stops", d.renewals_total, d.credit_stops_total),
    );
    time("  recurring revenue (MRR today)", || store.recurring_revenue(today).unwrap(), |_| String::new());
    time("  receivables (open and overdue)", || store.receivables(today).unwrap(), |r| format!("{} open invoices", r.open_invoices));
    time(
        &format!("  renewals ahead (first {first})"),
        || store.renewals_ahead_first(today, 30, Some(first)).unwrap().1,
        |n| format!("of {n}"),
    );
    time("  renewals ahead (all)", || store.renewals_ahead(today, 30).unwrap(), rows);
    time("  credit stops", || store.credit_stops(today).unwrap(), rows);
    time("  Azure budgets", || store.budget_statuses(today, None).unwrap(), rows);
    time("  Azure summary", || store.azure_summary(today).unwrap(), |_| String::new());
    time("  Partner-earned-credit alerts", || store.pec_alerts(today).unwrap(), rows);
    println!("-- the other screens");
    time("customers (first 300)", || app::customers::list(&store, None, false, Some(300)).unwrap(), rows);
    time("subscriptions (first 300)", || app::subscriptions::list(&store, None, None, Some(300)).unwrap(), rows);
    time(
        "invoices (newest 300 and the count)",
        || app::billing::invoices_page(&store, today, None, None, None, Some(300)).unwrap(),
        |p| format!("{} of {}", p.rows.len(), p.total),
    );
    time(
        "invoices, unpaid (newest 300 and the count)",
        || app::billing::invoices_page(&store, today, None, None, Some("unpaid"), Some(300)).unwrap(),
        |p| format!("{} of {}", p.rows.len(), p.total),
    );
    time("customers for the invoices' filter (all)", || app::customers::list(&store, None, true, None).unwrap(), rows);
    time("reports: MRR by month (default range)", || app::reports::mrr(&store, today, &Default::default()).unwrap(), rows);
    time("reports: aging", || app::reports::aging(&store, today, None).unwrap(), |a| format!("{} customers", a.rows.len()));
    // The app reads reports on read-only connections of its own (`app::open_reader`).
    let reader = app::open_reader(&path).unwrap();
    time("reports: MRR by month, on a reader as the app", || app::reports::mrr(&reader, today, &Default::default()).unwrap(), rows);
    time(
        "reports: aging, on a reader as the app",
        || app::reports::aging(&reader, today, None).unwrap(),
        |a| format!("{} customers", a.rows.len()),
    );
    time(
        "reports: trial balance (when it comes into view)",
        || app::books::trial_balance(&store).unwrap(),
        |t| format!("{} entries", t.entries),
    );
    time("reconcile: Microsoft's invoices imported", || app::recon::list(&store).unwrap(), rows);
}
