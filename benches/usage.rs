//! Benchmark of the Azure usage import, in release mode: `cargo bench --bench usage`.
//! Goal (issue 12): 500,000 lines of Microsoft's daily rated usage imported in ≤ 3 s with a peak
//! memory of ≤ 150 MB. The file is made from the real partner's redacted sample in
//! ../shared/real (read from there, never copied into the repository): its 145 lines repeated
//! over 200 tenants with 400 Azure subscriptions and the 30 days of the month (the real month
//! has 89,780 lines over 24 tenants and 32 subscriptions), written to disk before the clock
//! starts.

use seatbook::app::{usage, Clock};
use seatbook::store::Store;
use std::time::Instant;

const LINES: usize = 500_000;

/// A `/proc/self/status` field in MB (Linux), e.g. `VmHWM` (peak resident set).
fn proc_status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?;
    let kb: f64 = line[field.len() + 1..].trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    // The shared folder: SEATBOOK_SHARED_DIR, else ../shared beside the repository, else /work/shared.
    let shared = std::env::var_os("SEATBOOK_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .into_iter()
        .chain([std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"), std::path::PathBuf::from("/work/shared")])
        .find(|d| d.join("real").exists())
        .expect("the project's shared folder (set SEATBOOK_SHARED_DIR)");
    let sample = shared.join("real/derived-dru-sample-phildata-2025-11-redacted.csv");
    let mut reader = csv::Reader::from_path(&sample).expect("../shared/real holds the partner's sample");
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (tenant, entitlement, usage_date) = (col("CustomerId"), col("EntitlementId"), col("UsageDate"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("usage.csv");
    {
        let mut w = csv::Writer::from_path(&file).unwrap();
        w.write_record(&header).unwrap();
        for i in 0..LINES {
            let mut r: Vec<String> = rows[i % rows.len()].iter().map(str::to_string).collect();
            r[tenant] = format!("00000000-0000-0000-0000-{:012}", i % 200);
            r[entitlement] = format!("11111111-0000-0000-0000-{:012}", i % 400);
            r[usage_date] = format!("11/{:02}/2025", 1 + i % 30);
            w.write_record(&r).unwrap();
        }
        w.flush().unwrap();
    }
    let bytes = std::fs::metadata(&file).unwrap().len();
    let db = dir.path().join("seatbook.db");
    let mut store = Store::open(&db).unwrap();
    let clock = Clock::new(chrono::NaiveDate::from_ymd_opt(2025, 12, 10).unwrap(), "2025-12-10T09:00:00Z");
    let before = proc_status_mb("VmHWM").unwrap_or(f64::NAN);
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let t = Instant::now();
    let r = usage::import(&mut store, &clock, &file).unwrap();
    let took = t.elapsed().as_secs_f64();
    let peak = proc_status_mb("VmHWM").unwrap_or(f64::NAN);
    assert_eq!(r.lines as usize, LINES);
    println!(
        "usage import: {LINES} lines ({:.0} MB CSV, {} Azure subscriptions) in {took:.2} s (goal ≤ 3 s); peak memory VmHWM {peak:.1} MB (before the import {before:.1} MB; goal ≤ 150 MB)",
        bytes as f64 / 1e6,
        r.subscriptions
    );
    let t = Instant::now();
    let again = usage::import(&mut store, &clock, &file).unwrap();
    assert!(again.duplicate);
    println!("the same file again (nothing added): {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let list = usage::list(&store, Some("2025-11"), None, false).unwrap();
    println!("usage list of the month ({} rows): {:.1} ms", list.len(), t.elapsed().as_secs_f64() * 1000.0);
    let size = std::fs::metadata(&db).unwrap().len();
    println!("database after the import: {:.1} MB", size as f64 / 1e6);
}
