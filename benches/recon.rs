//! Benchmark of reconciling Microsoft's invoice, in release mode: `cargo bench --bench recon`.
//! Goal (issue 11): a 100,000-line reconciliation file imported and reconciled against a book of
//! 10,000 customers in ≤ 2 s together, peak memory ≤ 200 MB. The book is benches/book.rs's,
//! November 2026 issued; the file is Microsoft's November invoice made from the book itself:
//! every charge cycle starting in November, seat-change pairs, and on a few subscriptions
//! Microsoft's own differences (seats added, a price not the locked cost, an unknown
//! subscription), built before the clock starts.

mod book;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use seatbook::app::Clock;
use seatbook::catalogue::cycles_per_term;
use seatbook::dates::add_days;
use seatbook::store::Store;
use seatbook::subscription::charge_cycles;
use std::io::Write;
use std::time::Instant;

const CUSTOMERS: usize = 10_000;
const LINES: usize = 100_000;
const NOW: &str = "2026-12-08T09:00:00Z";

fn proc_status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?;
    let kb: f64 = line[field.len() + 1..].trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb / 1024.0)
}

/// CPU time of the calling thread so far (Linux): the run's own time on a busy machine.
fn cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map(|ns| ns / 1e9)
        .unwrap_or(f64::NAN)
}

fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

const HEADER: &str = "PartnerId,CustomerId,CustomerName,CustomerDomainName,CustomerCountry,InvoiceNumber,MpnId,Tier2MpnId,OrderId,OrderDate,ProductId,SkuId,AvailabilityId,SkuName,ProductName,ChargeType,UnitPrice,Quantity,Subtotal,TaxTotal,Total,Currency,PriceAdjustmentDescription,PublisherName,PublisherId,SubscriptionDescription,SubscriptionId,ChargeStartDate,ChargeEndDate,TermAndBillingCycle,EffectiveUnitPrice,UnitType,AlternateId,BillableQuantity,BillingFrequency,PricingCurrency,PCToBCExchangeRate,PCToBCExchangeRateDate,MeterDescription,ReservationOrderId,CreditReasonCode,SubscriptionStartDate,SubscriptionEndDate,ReferenceId,ProductQualifiers,PromotionId";

#[allow(clippy::too_many_arguments)]
fn row(
    out: &mut Vec<u8>,
    domain: &str,
    s: &seatbook::subscription::Subscription,
    charge: &str,
    eup: Decimal,
    qty: u32,
    start: NaiveDate,
    end: NaiveDate,
    reference: &str,
) {
    let subtotal = (eup * Decimal::from(qty)).round_dp(2);
    let tax = (subtotal * Decimal::new(15, 2)).round_dp(2);
    let us = |d: NaiveDate| format!("{}/{}/{}", d.month(), d.day(), d.year());
    let _ = writeln!(
        out,
        "partner,{domain}-tenant,\"{domain}\",{domain},ZA,G000112233,123,,order-{id},{start},{p},{sku},{p}{sku},\"{title}\",\"{title}\",{charge},{up},{qty},{subtotal},{tax},{total},ZAR,,Microsoft Corporation,,\"{title}\",{ms},{start},{end},One-Year commitment for monthly/yearly billing,{eup},Licenses,alt,{qty},{plan},ZAR,1,{start},,,,{ts},{te},{reference},[],",
        id = s.id,
        start = us(start),
        end = us(end),
        p = s.product.product_id,
        sku = s.product.sku_id.trim_start_matches('0'),
        title = s.product_title,
        up = eup,
        total = subtotal + tax,
        ms = s.ms_subscription_id,
        plan = if s.billing.as_str() == "monthly" { "Monthly" } else { "Annual" },
        ts = us(s.term_start),
        te = us(s.term_end),
    );
}

fn main() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let month = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let month_end = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seatbook.db");
    // RECON_BENCH_DIR keeps the built book there between runs (each run works on a copy).
    let kept = std::env::var_os("RECON_BENCH_DIR").map(std::path::PathBuf::from);
    let built = kept.as_ref().map(|d| d.join("book.db")).unwrap_or_else(|| dir.path().join("book.db"));
    if !built.exists() {
        let mut store = Store::open(&built).unwrap();
        let t = Instant::now();
        book::build(&mut store, CUSTOMERS, today);
        store.issue_month(month, month_end, "2026-11-30T18:00:00Z").unwrap();
        println!("book of {CUSTOMERS} customers built and November issued in {:.1} s", t.elapsed().as_secs_f64());
    }
    {
        let store = Store::open(&built).unwrap();
        store.backup_to(&path).unwrap();
    }
    // Microsoft's November invoice, made from the book.
    let store = Store::open(&path).unwrap();
    let domains: std::collections::HashMap<i64, String> =
        store.list_customers(None, true, None).unwrap().into_iter().map(|c| (c.id, c.domain)).collect();
    let subs = store.list_subscriptions(None, None).unwrap();
    let mut file = Vec::with_capacity(LINES * 600);
    file.extend_from_slice(HEADER.as_bytes());
    file.push(b'\n');
    // Every charge cycle starting in November, each split over several lines (as Microsoft's
    // files hold many alike), so that the file has LINES lines; on a few subscriptions
    // Microsoft's own differences.
    let cycles: Vec<_> = subs
        .iter()
        .filter(|s| s.status.is_live() && !s.trial)
        .flat_map(|s| {
            charge_cycles(s.term_start, s.term, s.billing)
                .into_iter()
                .filter(|c| c.start >= month && c.start <= month_end)
                .map(move |c| (s, c))
        })
        .collect();
    let parts = LINES.div_ceil(cycles.len()) as u32;
    let mut lines = 0usize;
    'fill: for (i, (s, cycle)) in cycles.iter().enumerate() {
        let per_cycle = s.price.unit_cost / Decimal::from(cycles_per_term(s.term, s.billing));
        let domain = &domains[&s.customer_id];
        // Every fiftieth a price that is not the locked cost; every hundredth with seats added.
        let eup = if i % 50 == 7 { per_cycle + Decimal::ONE } else { per_cycle };
        let seats = if i % 100 == 1 { s.quantity + 2 } else { s.quantity };
        let mut unknown = (*s).clone();
        if i % 200 == 3 {
            unknown.ms_subscription_id = format!("unknown-{i}");
        }
        let n = parts.min(seats);
        for k in 0..n {
            let q = seats / n + u32::from(k < seats % n);
            row(&mut file, domain, &unknown, "cycleCharge", eup.round_dp(4), q, cycle.start, cycle.end, "");
            lines += 1;
            if lines >= LINES {
                break 'fill;
            }
        }
        if i % 10 == 0 {
            // A seat change inside the cycle: the old seats credited, the new charged.
            let days = (cycle.end - cycle.start).num_days() + 1;
            let on = add_days(cycle.start, days / 2);
            let part = (per_cycle * Decimal::from((cycle.end - on).num_days() + 1) / Decimal::from(days)).round_dp(4);
            let reference = format!("ref-{i}");
            row(&mut file, domain, s, "addQuantity", -part, seats, on, cycle.end, &reference);
            row(&mut file, domain, s, "addQuantity", part, seats + 1, on, cycle.end, &reference);
            lines += 2;
        }
    }
    let recon_file = dir.path().join("G000112233.csv");
    std::fs::write(&recon_file, &file).unwrap();
    // On disk before the clock starts, as a downloaded file is: on ext4 a commit's flush would
    // otherwise write this file's pages too.
    std::fs::File::open(&recon_file).unwrap().sync_all().unwrap();
    println!("reconciliation file: {lines} lines, {:.1} MB", file.len() as f64 / 1e6);
    drop(file);
    drop(subs);
    drop(store);

    // Reading and checking alone, no database.
    let t = Instant::now();
    let c = cpu();
    let mut reader =
        seatbook::import::recon::RowReader::new(std::fs::File::open(&recon_file).unwrap(), &seatbook::import::recon::SPEC).unwrap();
    let mut n = 0u64;
    while let Some(row) = reader.next_row() {
        let l = seatbook::import::recon::line(row.unwrap()).unwrap();
        n ^= l.digest();
    }
    println!(
        "reading, checking and digesting the file alone (one thread, nothing written): {:.3} s, CPU {:.3} s ({n:x})",
        t.elapsed().as_secs_f64(),
        cpu() - c
    );
    let mut store = Store::open(&path).unwrap();
    let clock = Clock::new(NaiveDate::from_ymd_opt(2026, 12, 8).unwrap(), NOW);
    let peak_ok = reset_peak();
    let t = Instant::now();
    let c = cpu();
    let imported = seatbook::app::recon::import(&mut store, &clock, &recon_file, false, &mut |_| {}).unwrap();
    let import_time = t.elapsed();
    let import_cpu = cpu() - c;
    let import_peak = proc_status_mb("VmHWM");
    reset_peak();
    let t2 = Instant::now();
    let c2 = cpu();
    let r = seatbook::app::recon::report(&store, "G000112233").unwrap();
    let report_time = t2.elapsed();
    let report_cpu = cpu() - c2;
    let total = t.elapsed();
    println!(
        "recon import: {:.3} s, CPU {import_cpu:.3} s ({} lines, {}); report: {:.3} s, CPU {report_cpu:.3} s; together {:.3} s, CPU {:.3} s (goal ≤ 2 s)",
        import_time.as_secs_f64(),
        imported.invoices[0].lines,
        imported.format,
        report_time.as_secs_f64(),
        total.as_secs_f64(),
        import_cpu + report_cpu
    );
    let mut kinds: std::collections::BTreeMap<&str, usize> = Default::default();
    for f in &r.findings {
        *kinds.entry(f.kind.as_str()).or_default() += 1;
    }
    println!(
        "findings: {kinds:?}; Microsoft's total {} {}, matched {}, leaked {}, billed not charged {}",
        r.microsoft_total, r.currency, r.matched, r.leaked, r.unmatched_billed
    );
    let mb = |m: Option<f64>| m.map(|m| format!("{m:.1} MB")).unwrap_or_else(|| "n/a".into());
    println!(
        "memory: VmHWM of the import {}, of the report {} ({}; goal ≤ 200 MB), VmRSS {}",
        mb(import_peak),
        mb(proc_status_mb("VmHWM")),
        if peak_ok { "peaks of each step" } else { "peaks of the process" },
        mb(proc_status_mb("VmRSS"))
    );
    // Where the report's time goes.
    let t = Instant::now();
    let import = store.recon_import("G000112233").unwrap().unwrap();
    let ms_lines = store.recon_lines(&import).unwrap();
    let t_lines = t.elapsed();
    let t = Instant::now();
    let book = store.recon_book(import.currency, NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(), month_end).unwrap();
    let t_book = t.elapsed();
    let t = Instant::now();
    let _ = seatbook::recon::reconcile("G000112233", &ms_lines, &book);
    println!(
        "report: Microsoft's lines loaded in {:.3} s, the book's side in {:.3} s ({} lines), reconciled in {:.3} s",
        t_lines.as_secs_f64(),
        t_book.as_secs_f64(),
        book.lines.len(),
        t.elapsed().as_secs_f64()
    );
    drop((ms_lines, book));
    let t = Instant::now();
    let again = seatbook::app::recon::import(&mut store, &clock, &recon_file, false, &mut |_| {}).unwrap();
    println!("the same file again: {:.3} s, {:?}", t.elapsed().as_secs_f64(), again.invoices[0].status);
}
