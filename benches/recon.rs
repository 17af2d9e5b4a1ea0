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
use seatbook::dates::{add_days, add_months};
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
    {
        let mut store = Store::open(&path).unwrap();
        let t = Instant::now();
        book::build(&mut store, CUSTOMERS, today);
        store.issue_month(month, month_end, "2026-11-30T18:00:00Z").unwrap();
        println!("book of {CUSTOMERS} customers built and November issued in {:.1} s", t.elapsed().as_secs_f64());
    }
    // Microsoft's November invoice, made from the book.
    let store = Store::open(&path).unwrap();
    let domains: std::collections::HashMap<i64, String> =
        store.list_customers(None, true, None).unwrap().into_iter().map(|c| (c.id, c.domain)).collect();
    let subs = store.list_subscriptions(None, None).unwrap();
    let mut file = Vec::with_capacity(LINES * 600);
    file.extend_from_slice(HEADER.as_bytes());
    file.push(b'\n');
    let mut lines = 0usize;
    let mut k = 0u64;
    'fill: loop {
        for s in subs.iter().filter(|s| s.status.is_live() && !s.trial) {
            let per_cycle = s.price.unit_cost / Decimal::from(cycles_per_term(s.term, s.billing));
            let Some(cycle) = charge_cycles(s.term_start, s.term, s.billing).into_iter().find(|c| c.start <= month_end && c.end >= month)
            else {
                continue;
            };
            let domain = &domains[&s.customer_id];
            if k == 0 && cycle.start >= month {
                // Every fiftieth a price that is not the locked cost; every hundredth with seats added.
                let eup = if s.id % 50 == 0 { per_cycle + Decimal::ONE } else { per_cycle };
                let seats = if s.id % 100 == 1 { s.quantity + 2 } else { s.quantity };
                row(&mut file, domain, s, "cycleCharge", eup.round_dp(4), seats, cycle.start, cycle.end, "");
                lines += 1;
            } else {
                // Seat changes inside the cycle: the old seats credited, the new charged.
                let days = (cycle.end - cycle.start).num_days() + 1;
                let on = add_days(cycle.start, (k as i64 * 7 + s.id) % days);
                let eup = (per_cycle * Decimal::from((cycle.end - on).num_days() + 1) / Decimal::from(days)).round_dp(4);
                let reference = format!("ref-{}-{k}", s.id);
                row(&mut file, domain, s, "addQuantity", -eup, s.quantity, on, cycle.end, &reference);
                row(&mut file, domain, s, "addQuantity", eup, s.quantity, on, cycle.end, &reference);
                lines += 2;
            }
            if lines >= LINES {
                break 'fill;
            }
        }
        k += 1;
        let _ = add_months(month, 1);
    }
    let recon_file = dir.path().join("G000112233.csv");
    std::fs::write(&recon_file, &file).unwrap();
    println!("reconciliation file: {lines} lines, {:.1} MB", file.len() as f64 / 1e6);
    drop(file);
    drop(subs);
    drop(store);

    let mut store = Store::open(&path).unwrap();
    let clock = Clock::new(NaiveDate::from_ymd_opt(2026, 12, 8).unwrap(), NOW);
    let peak_ok = reset_peak();
    let t = Instant::now();
    let imported = seatbook::app::recon::import(&mut store, &clock, &recon_file, false, &mut |_| {}).unwrap();
    let import_time = t.elapsed();
    let t2 = Instant::now();
    let r = seatbook::app::recon::report(&store, "G000112233").unwrap();
    let report_time = t2.elapsed();
    let total = t.elapsed();
    println!(
        "recon import: {:.3} s ({} lines, {}); report: {:.3} s; together {:.3} s (goal ≤ 2 s)",
        import_time.as_secs_f64(),
        imported.invoices[0].lines,
        imported.format,
        report_time.as_secs_f64(),
        total.as_secs_f64()
    );
    let mut kinds: std::collections::BTreeMap<&str, usize> = Default::default();
    for f in &r.findings {
        *kinds.entry(f.kind.as_str()).or_default() += 1;
    }
    println!(
        "findings: {kinds:?}; Microsoft's total {} {}, matched {}, leaked {}, billed not charged {}",
        r.microsoft_total, r.currency, r.matched, r.leaked, r.unmatched_billed
    );
    println!(
        "memory: VmHWM {} ({}; goal ≤ 200 MB), VmRSS {}",
        proc_status_mb("VmHWM").map(|m| format!("{m:.1} MB")).unwrap_or_else(|| "n/a".into()),
        if peak_ok { "peak of import and report" } else { "peak of the process" },
        proc_status_mb("VmRSS").map(|m| format!("{m:.1} MB")).unwrap_or_else(|| "n/a".into())
    );
    let t = Instant::now();
    let again = seatbook::app::recon::import(&mut store, &clock, &recon_file, false, &mut |_| {}).unwrap();
    println!("the same file again: {:.3} s, {:?}", t.elapsed().as_secs_f64(), again.invoices[0].status);
}
