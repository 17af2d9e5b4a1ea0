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
    let mut issued = issued_of(&run);
    drop(run);

    // A second run of the same month issues nothing.
    let (t, c) = (Instant::now(), cpu());
    let again = store.issue_month(month, date, NOW).unwrap();
    println!("issue_month 2026-11 again: {} ({}) — {} invoices (must be 0)", secs(t.elapsed()), cpu_since(c), again.invoices.len());
    assert_eq!(again.invoices.len(), 0, "a second run of the same month must issue nothing");
    drop(store);

    pdfs(&path, &numbers, dir.path());
    println!("peak memory of the whole process: VmHWM {:.1} MB", proc_status_mb("VmHWM").unwrap_or(f64::NAN));

    // BILLING_BENCH_MONTHS=N: the book run on for N more months (23: the two-year book), each
    // month's work done after its run (payments, credit notes, seat increases, cancellations) and
    // the next month issued on its first day on a fresh connection, to see whether a month costs
    // more as history grows (issues 10 and 15).
    let more: u32 = std::env::var("BILLING_BENCH_MONTHS").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut rng = book::Rng::new(0x2_4EA5);
    let first_preview = runs[0].0;
    for k in 1..=more {
        // The invoices of month 1 are dated its last day, the later ones their month's first.
        let before = if k == 1 { date } else { seatbook::dates::add_months(month, k - 1) };
        let mut store = Store::open(&path).unwrap();
        let t = Instant::now();
        let work = book::month_of_work(&mut store, &mut rng, before, &issued);
        println!(
            "  work of {}: {} payments, {} credit notes, {} seat increases, {} cancellations, in {}",
            before.format("%Y-%m"),
            work.payments,
            work.credit_notes,
            work.seat_increases,
            work.cancellations,
            secs(t.elapsed())
        );
        drop(store);
        let m = seatbook::dates::add_months(month, k);
        if k == more {
            // BILLING_BENCH_BEFORE_LAST=FILE: the book as it is before the last month, to profile
            // that month's run (with `seatbook bill` under perf, say).
            if let Some(f) = std::env::var_os("BILLING_BENCH_BEFORE_LAST") {
                std::fs::copy(&path, f).unwrap();
            }
            let mut store = Store::open(&path).unwrap();
            let (t, c) = (Instant::now(), cpu());
            let p = store.preview_month(m, m, NOW).unwrap();
            println!(
                "month {:>2} {}: preview {} ({}) — {} drafts; month 1's first preview {}",
                k + 1,
                m.format("%Y-%m"),
                secs(t.elapsed()),
                cpu_since(c),
                p.invoices.len(),
                secs(first_preview)
            );
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
        issued = issued_of(&run);
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
            let bytes = std::fs::metadata(&path).unwrap().len() as f64;
            let invoices: i64 =
                rusqlite::Connection::open(&path).unwrap().query_row("SELECT count(*) FROM invoices", [], |r| r.get(0)).unwrap();
            println!("database {:.1} MB, {invoices} issued invoices: {:.0} B per invoice", bytes / 1e6, bytes / invoices.max(1) as f64);
            let copy = dir.path().join("backup.db");
            let t = Instant::now();
            store.backup_to(&copy).unwrap();
            println!("backup_to (copy and full check) of the book: {}", secs(t.elapsed()));
        }
    }
}

/// (customer, number, total) of each invoice a run issued.
fn issued_of(run: &seatbook::store::BillingRun) -> Vec<(i64, String, rust_decimal::Decimal)> {
    run.invoices.iter().filter_map(|i| Some((i.customer_id, i.number.clone()?, i.total))).collect()
}

/// Pages of a PDF, counted from its page objects (`None` if they are not visible, e.g. in
/// compressed object streams).
fn pages(pdf: &[u8]) -> Option<usize> {
    let count = |pat: &[u8]| pdf.windows(pat.len() + 1).filter(|w| &w[..pat.len()] == pat && !w[pat.len()].is_ascii_alphabetic()).count();
    Some(count(b"/Type /Page") + count(b"/Type/Page")).filter(|n| *n > 0)
}

/// Every invoice of the month as a PDF file, as the app writes them (`app::billing::write_pdfs`:
/// read from the book 200 at a time on this thread, rendered and written on every core), with
/// its peak memory; then printpdf's floor: the same documents already in memory, rendered on
/// every core and written nowhere. BILLING_BENCH_PDF_DIR=DIR keeps the files there (else a
/// temporary folder).
fn pdfs(path: &std::path::Path, numbers: &[String], dir: &std::path::Path) {
    let out = std::env::var_os("BILLING_BENCH_PDF_DIR").map(std::path::PathBuf::from).unwrap_or_else(|| dir.join("pdf"));
    std::fs::create_dir_all(&out).unwrap();
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let store = Store::open(path).unwrap();
    let can_reset = reset_peak();
    let (t, c) = (Instant::now(), process_cpu());
    let files = seatbook::app::billing::write_pdfs::<seatbook::Error>(
        &out,
        seatbook::app::billing::documents_by_chunk(numbers, |chunk| seatbook::app::billing::printables(&store, chunk)),
        numbers.len(),
        &mut |_, _| {},
    )
    .unwrap();
    let batch = t.elapsed();
    let used = match (c, process_cpu()) {
        (Some(a), Some(b)) => format!("CPU {:.1} s in all threads", b - a),
        _ => "CPU n/a".into(),
    };
    println!("PDF batch (the app's): {} files written in {} ({used}) on {threads} threads", files.len(), secs(batch));
    println!("{}", memory("the PDF batch", can_reset));

    struct Written {
        number: String,
        lines: usize,
        embedded_font: bool,
        bytes: usize,
        pages: Option<usize>,
    }
    let docs: Vec<seatbook::pdf::Document> = numbers.iter().map(|n| store.document(n).unwrap()).collect();
    let (t, c) = (Instant::now(), process_cpu());
    let chunk = docs.len().div_ceil(threads).max(1);
    let written: Vec<Written> = std::thread::scope(|s| {
        let handles: Vec<_> = docs
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|doc| {
                            let pdf = seatbook::pdf::render(doc).unwrap();
                            Written {
                                number: doc.number.clone(),
                                lines: doc.lines.len(),
                                embedded_font: pdf.windows(9).any(|w| w == b"/FontFile"),
                                bytes: pdf.len(),
                                pages: pages(&pdf),
                            }
                        })
                        .collect::<Vec<_>>()
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
        "printpdf's floor: {} invoices rendered in memory in {} ({used}) on {threads} threads, {:.1} MB in all; the app's batch is {:.2}× it (goal ≤ 1.5×)",
        written.len(),
        secs(elapsed),
        total as f64 / 1e6,
        batch.as_secs_f64() / elapsed.as_secs_f64()
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
