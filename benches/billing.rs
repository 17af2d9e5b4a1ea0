//! Benchmarks of the billing run, in release mode: `cargo bench --bench billing`.
//! Figures go in the README. Goals (issue 3), for a synthetic book of 10,000 customers with 5
//! subscriptions each and changes on a tenth of them (benches/book.rs), and a month of Azure usage
//! for another tenth (two Azure subscriptions each, issue 12), in a file database:
//! preview ≤ 1 s; issue ≤ 2 s; peak memory of the run ≤ 300 MB; all 10,000 PDFs ≤ 10 s; one
//! single-page invoice PDF ≤ 30 KB.

mod book;

use chrono::NaiveDate;
use seatbook::store::Store;
use std::time::Instant;

const CUSTOMERS: usize = 10_000;
const NOW: &str = "2026-11-30T18:00:00Z";

/// A `/proc/self/status` field in MB (Linux), e.g. `VmHWM` (peak resident set) or `VmRSS`.
fn proc_status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?;
    let kb: f64 = line[field.len() + 1..].trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb / 1024.0)
}

/// Reset the peak resident set to the current one (Linux ≥ 4.0), so that the next `VmHWM` is the
/// peak of what follows. Returns false where that is not possible.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn memory(after: &str, phase_peak: bool) -> String {
    let mb = |field: &str| proc_status_mb(field).map(|m| format!("{m:.1} MB")).unwrap_or_else(|| "n/a".into());
    let what = if phase_peak { "peak of this step" } else { "peak of the process so far" };
    // The resident set now, split: the process's own memory (RssAnon) and pages of files it maps
    // (RssFile: the database, through SQLite's mmap, and the binary), which the system can drop.
    format!(
        "memory after {after}: VmHWM {} ({what}; goal ≤ 300 MB), VmRSS {} = RssAnon {} + RssFile {}",
        mb("VmHWM"),
        mb("VmRSS"),
        mb("RssAnon"),
        mb("RssFile")
    )
}

/// CPU time of the calling thread so far (Linux), to tell the run's own time from time spent
/// waiting for a core on a busy machine.
fn cpu() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(s.split_whitespace().next()?.parse::<f64>().ok()? / 1e9)
}

/// CPU time of the whole process so far, all threads (Linux, in clock ticks of 10 ms).
fn process_cpu() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn cpu_since(start: Option<f64>) -> String {
    match (start, cpu()) {
        (Some(a), Some(b)) => format!("CPU {:.3} s", b - a),
        _ => "CPU n/a".into(),
    }
}

fn secs(d: std::time::Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn main() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let month = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let date = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seatbook.db");

    println!("billing bench: {CUSTOMERS} customers × 5 subscriptions, changes on a tenth, Azure usage on a tenth, month 2026-11, issued 2026-11-30");
    // BILLING_BENCH_BOOK=FILE: reuse the book saved in FILE (built and saved there if missing),
    // to profile the run without waiting for the book each time.
    let saved = std::env::var_os("BILLING_BENCH_BOOK").map(std::path::PathBuf::from);
    let t = Instant::now();
    match &saved {
        Some(saved) if saved.exists() => {
            std::fs::copy(saved, &path).unwrap();
            println!("book: copied from {}", saved.display());
        }
        _ => {
            let mut store = Store::open(&path).unwrap();
            let summary = book::build(&mut store, CUSTOMERS, today);
            println!("book: {summary}");
            // Azure usage of October for every tenth customer: billed in arrears by this run.
            let t = Instant::now();
            let lines = book::add_usage(&mut store, NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(), today);
            println!("Azure usage: {lines} lines of October for every tenth customer, imported in {}", secs(t.elapsed()));
            drop(store);
            if let Some(saved) = &saved {
                std::fs::copy(&path, saved).unwrap();
            }
        }
    }
    println!("book ready in {}; database {:.1} MB", secs(t.elapsed()), std::fs::metadata(&path).unwrap().len() as f64 / 1e6);
    println!("{}", memory("building the book", false));

    // Preview: three runs on a fresh connection (the first is the one a user waits for).
    let mut store = Store::open(&path).unwrap();
    let can_reset = reset_peak();
    let mut runs = Vec::new();
    let mut preview = None;
    for _ in 0..3 {
        let (t, c) = (Instant::now(), cpu());
        let run = store.preview_month(month, date, NOW).unwrap();
        runs.push((t.elapsed(), cpu_since(c)));
        preview = Some(run);
    }
    let preview = preview.unwrap();
    let lines: usize = preview.invoices.iter().map(|i| i.lines.len()).sum();
    println!(
        "preview_month 2026-11: {} (goal ≤ 1 s) — {} drafts, {lines} lines, {} problems, {} renewals",
        runs.iter().map(|(wall, cpu)| format!("{} ({cpu})", secs(*wall))).collect::<Vec<_>>().join(", "),
        preview.invoices.len(),
        preview.problems.len(),
        preview.renewals
    );
    let azure = preview.invoices.iter().flat_map(|i| &i.lines).filter(|l| l.kind == seatbook::billing::LineKind::Usage).count();
    println!("  of which Azure usage lines: {azure}");
    for p in preview.problems.iter().take(5) {
        println!("  problem: customer {} {}: {}", p.customer_id, p.customer_name, p.message);
    }
    println!("{}", memory("preview", can_reset));
    let drafts = preview.invoices.len();
    drop(preview);

    // Issue, once (it commits), on a fresh connection.
    drop(store);
    let mut store = Store::open(&path).unwrap();
    let can_reset = reset_peak();
    let (t, c) = (Instant::now(), cpu());
    let run = store.issue_month(month, date, NOW).unwrap();
    let (issue, issue_cpu) = (t.elapsed(), cpu_since(c));
    let lines: usize = run.invoices.iter().map(|i| i.lines.len()).sum();
    println!(
        "issue_month 2026-11: {} ({issue_cpu}) (goal ≤ 2 s) — {} invoices ({} to {}), {lines} lines, {} problems, {} renewals",
        secs(issue),
        run.invoices.len(),
        run.invoices.first().and_then(|i| i.number.clone()).unwrap_or_default(),
        run.invoices.last().and_then(|i| i.number.clone()).unwrap_or_default(),
        run.problems.len(),
        run.renewals
    );
    assert_eq!(run.invoices.len(), drafts, "the issue run issues what the preview showed");
    println!("{}", memory("issue", can_reset));
    let numbers: Vec<String> = run.invoices.iter().filter_map(|i| i.number.clone()).collect();
    drop(run);

    // A second run of the same month issues nothing.
    let (t, c) = (Instant::now(), cpu());
    let again = store.issue_month(month, date, NOW).unwrap();
    println!("issue_month 2026-11 again: {} ({}) — {} invoices (must be 0)", secs(t.elapsed()), cpu_since(c), again.invoices.len());
    assert_eq!(again.invoices.len(), 0, "a second run of the same month must issue nothing");
    drop(store);

    let can_reset = reset_peak();
    pdfs(&path, &numbers, dir.path());
    println!("{}", memory("the PDFs", can_reset));
    println!("peak memory of the whole process: VmHWM {:.1} MB", proc_status_mb("VmHWM").unwrap_or(f64::NAN));

    // BILLING_BENCH_MONTHS=N: the book run on for N more months, each issued on its first day on
    // a fresh connection, to see whether a month costs more as history grows (issue 10).
    let more: u32 = std::env::var("BILLING_BENCH_MONTHS").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    for k in 1..=more {
        let m = seatbook::dates::add_months(month, k);
        if k == more {
            // BILLING_BENCH_BEFORE_LAST=FILE: the book as it is before the last month, to profile
            // that month's run (with `seatbook bill` under perf, say).
            if let Some(f) = std::env::var_os("BILLING_BENCH_BEFORE_LAST") {
                std::fs::copy(&path, f).unwrap();
            }
        }
        let mut store = Store::open(&path).unwrap();
        let can_reset = reset_peak();
        let (t, c) = (Instant::now(), cpu());
        let run = store.issue_month(m, m, NOW).unwrap();
        println!(
            "month {:>2} {}: issue {} ({}) — {} invoices, {} renewals; {}",
            k + 1,
            m.format("%Y-%m"),
            secs(t.elapsed()),
            cpu_since(c),
            run.invoices.len(),
            run.renewals,
            memory("the issue", can_reset)
        );
        if k == more {
            drop(run);
            let (t, c) = (Instant::now(), cpu());
            let mrr = store.mrr_by_month(m, seatbook::dates::month_end(m)).unwrap();
            println!(
                "mrr_by_month {} after {} months: {} ({}) — {} {}",
                m.format("%Y-%m"),
                k + 1,
                secs(t.elapsed()),
                cpu_since(c),
                mrr[0].mrr,
                mrr[0].currency
            );
            println!("database {:.1} MB", std::fs::metadata(&path).unwrap().len() as f64 / 1e6);
        }
    }
}

/// Pages of a PDF, counted from its page objects (`None` if they are not visible, e.g. in
/// compressed object streams).
fn pages(pdf: &[u8]) -> Option<usize> {
    let count = |pat: &[u8]| pdf.windows(pat.len() + 1).filter(|w| &w[..pat.len()] == pat && !w[pat.len()].is_ascii_alphabetic()).count();
    Some(count(b"/Type /Page") + count(b"/Type/Page")).filter(|n| *n > 0)
}

/// Every invoice of the month as a PDF file, on all cores: each thread opens its own `Store` on
/// the database, reads `Store::document(number)` and calls `seatbook::pdf::render`.
/// BILLING_BENCH_PDF_DIR=DIR keeps the files there (else a temporary folder).
fn pdfs(path: &std::path::Path, numbers: &[String], dir: &std::path::Path) {
    let out = std::env::var_os("BILLING_BENCH_PDF_DIR").map(std::path::PathBuf::from).unwrap_or_else(|| dir.join("pdf"));
    std::fs::create_dir_all(&out).unwrap();
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    struct Written {
        number: String,
        lines: usize,
        embedded_font: bool,
        bytes: usize,
        pages: Option<usize>,
    }
    let (t, c) = (Instant::now(), process_cpu());
    let written: Vec<Written> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|k| {
                let out = &out;
                s.spawn(move || {
                    let store = Store::open(path).unwrap();
                    let mut written = Vec::new();
                    for number in numbers.iter().skip(k).step_by(threads) {
                        let doc = store.document(number).unwrap();
                        let pdf = seatbook::pdf::render(&doc).unwrap();
                        std::fs::write(out.join(format!("{number}.pdf")), &pdf).unwrap();
                        let embedded_font = pdf.windows(9).any(|w| w == b"/FontFile");
                        written.push(Written {
                            number: number.clone(),
                            lines: doc.lines.len(),
                            embedded_font,
                            bytes: pdf.len(),
                            pages: pages(&pdf),
                        });
                    }
                    written
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let elapsed = t.elapsed();
    let used = match (c, process_cpu()) {
        (Some(a), Some(b)) => format!("CPU {:.1} s in all threads", b - a),
        _ => "CPU n/a".into(),
    };
    let total: usize = written.iter().map(|w| w.bytes).sum();
    println!(
        "PDFs: {} invoices written in {} ({used}) on {threads} threads (goal ≤ 10 s), {:.1} MB in all",
        written.len(),
        secs(elapsed),
        total as f64 / 1e6
    );
    let kb = |b: usize| format!("{:.1} KB", b as f64 / 1024.0);
    for (what, embedded) in [
        ("text in Windows-1252, built-in Helvetica", false),
        ("text beyond Windows-1252 (Polish, Czech, Greek, Cyrillic), embedded font subset", true),
    ] {
        let mut one: Vec<&Written> = written.iter().filter(|w| w.embedded_font == embedded && w.pages == Some(1)).collect();
        if one.is_empty() {
            continue;
        }
        one.sort_by_key(|w| w.bytes);
        let (min, median, max) = (one[0], one[one.len() / 2], one[one.len() - 1]);
        println!(
            "single-page invoice PDF, {what}: median {} ({}, {} lines), largest {} ({}, {} lines), smallest {} — {} such invoices (goal ≤ 30 KB)",
            kb(median.bytes),
            median.number,
            median.lines,
            kb(max.bytes),
            max.number,
            max.lines,
            kb(min.bytes),
            one.len()
        );
    }
    let unknown = written.iter().filter(|w| w.pages.is_none()).count();
    let multi: Vec<&Written> = written.iter().filter(|w| w.pages.is_some_and(|p| p > 1)).collect();
    if unknown > 0 {
        println!("  ({unknown} PDFs whose pages could not be counted)");
    }
    if let Some(big) = multi.iter().max_by_key(|w| w.lines) {
        println!(
            "  {} invoices take more than one page; the longest, {}, has {} lines: {}",
            multi.len(),
            big.number,
            big.lines,
            kb(big.bytes)
        );
    }
}
