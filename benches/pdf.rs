//! Benchmark of the PDF renderer, in release mode: `cargo bench --bench pdf`.
//! Goals (issue 3): all 10,000 invoice PDFs of a month written ≤ 10 s; one single-page invoice
//! PDF ≤ 30 KB. Renders 10,000 single-page invoices (about one in ten with a Polish, Czech,
//! Greek or Cyrillic name, which needs the embedded font) on every core and writes each to a
//! temporary directory.

/// The hand-made logo the PDF tests use, so the benchmark pays for a real logo.
#[path = "../src/pdf/sample_png.rs"]
mod sample_png;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use seatbook::company::Paper;
use seatbook::money::Currency;
use seatbook::pdf::{self, BankDetails, Document, DocumentKind, DocumentLine, Party, VatRow};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

const COUNT: usize = 10_000;

/// CPU time (user + system) this process has used so far, from /proc (Linux): the machine may
/// be shared, so wall-clock time alone can mislead.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

const LATIN: [&str; 9] = [
    "Acme Trading (Pty) Ltd",
    "Bêrebos Kwêvoël Boerdery (Edms) Bpk",
    "Müller & Söhne GmbH",
    "Société Générale des Nuages SARL",
    "Van der Merwe Attorneys Inc.",
    "Nordic Fjord Consulting AS",
    "Karoo Solar Installations",
    "Durban Harbour Logistics CC",
    "Café Olé Franchising (Pty) Ltd",
];
const NON_LATIN: [&str; 5] =
    ["Zakład Usług Łódź sp. z o.o.", "Žluťoučký kůň a.s.", "Αθήνα Πληροφορική Α.Ε.", "ООО Москва Софт", "ТОВ Київ Хмара"];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Invoice `i` of the month: 4–8 lines, ZAR, 15% VAT.
fn invoice(i: usize, logo: &[u8]) -> Document {
    let zar = Currency::parse("ZAR", "currency").unwrap();
    let customer = if i % 10 == 3 { NON_LATIN[i / 10 % NON_LATIN.len()] } else { LATIN[i % LATIN.len()] };
    let products = [
        ("Microsoft 365 Business Standard", 26400),
        ("Microsoft 365 Business Premium", 41250),
        ("Exchange Online (Plan 1)", 8420),
        ("Microsoft Teams Essentials", 7800),
        ("Microsoft Defender for Business", 6175),
        ("Power BI Pro", 23690),
        ("Managed backup service, per seat", 4500),
        ("Seat increase from 40 to 45 seats on 12 Nov 2026, prorated for 19 of 30 days", 41250),
    ];
    let n = 4 + i % 5;
    let lines: Vec<DocumentLine> = (0..n)
        .map(|k| {
            let (name, cents) = products[(i + k) % products.len()];
            let quantity = Decimal::from((k % 5 + 1) as i64 * 3);
            let unit_price = Decimal::new(cents, 2);
            DocumentLine {
                description: format!("{name} \u{2013} {customer}"),
                period: Some((day(2026, 11, 1), day(2026, 11, 30))),
                quantity,
                unit_price,
                amount: zar.round(quantity * unit_price),
                vat_rate: Decimal::from(15),
                details: Vec::new(),
            }
        })
        .collect();
    let net: Decimal = lines.iter().map(|l| l.amount).sum();
    let vat = zar.round(net * Decimal::new(15, 2));
    Document {
        kind: DocumentKind::TaxInvoice,
        number: format!("INV-2026-{:05}", i + 1),
        issue_date: day(2026, 12, 1),
        due_date: Some(day(2026, 12, 31)),
        currency: zar,
        paper: Paper::A4,
        supplier: Party {
            name: "Cloudline Solutions (Pty) Ltd".into(),
            address: "Unit 4, Bree Street Studios\n118 Bree Street\nCape Town 8001".into(),
            country: "South Africa".into(),
            vat_number: "4123456789".into(),
            registration_number: "2019/123456/07".into(),
            email: "billing@cloudline.co.za".into(),
            phone: "+27 21 555 0100".into(),
        },
        logo: Some(logo.to_vec()),
        bank: BankDetails {
            bank_name: "First National Bank".into(),
            account_holder: "Cloudline Solutions (Pty) Ltd".into(),
            account_number: "62812345678".into(),
            branch_code: "250655".into(),
            swift: "FIRNZAJJ".into(),
        },
        payment_terms: "Payment within 30 days of the invoice date.".into(),
        customer: Party {
            name: customer.into(),
            address: format!("{} Main Road\nSandton 2196", 10 + i % 300),
            country: "South Africa".into(),
            vat_number: format!("4{:09}", i),
            ..Party::default()
        },
        lines,
        vat: vec![VatRow { rate: Decimal::from(15), net, vat }],
        net,
        vat_total: vat,
        total: net + vat,
        notes: vec!["Prices converted from USD at 18.2345 ZAR per USD (rate of 1 Nov 2026).".into()],
    }
}

fn main() {
    let logo = sample_png::sample_png(240, 64);
    let docs: Vec<Document> = (0..COUNT).map(|i| invoice(i, &logo)).collect();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);

    // Warm up: font metrics and the logo are parsed once per process.
    let typical = pdf::render(&docs[0]).expect("render");
    let unicode = pdf::render(&docs[3]).expect("render");

    // One thread, 1,000 invoices: the cost of one PDF.
    let start = Instant::now();
    for d in &docs[..1000] {
        std::hint::black_box(pdf::render(d).expect("render"));
    }
    let single = start.elapsed().as_secs_f64() / 1000.0;
    let time_one = |d: &Document| {
        let start = Instant::now();
        for _ in 0..300 {
            std::hint::black_box(pdf::render(d).expect("render"));
        }
        start.elapsed().as_secs_f64() / 300.0
    };
    let (latin_one, unicode_one) = (time_one(&docs[0]), time_one(&docs[3]));

    // Rendering alone (no files), then rendering and writing every file.
    let next = AtomicUsize::new(0);
    let cpu_before = cpu_seconds();
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= COUNT {
                    break;
                }
                std::hint::black_box(pdf::render(&docs[i]).expect("render"));
            });
        }
    });
    let render_only = start.elapsed();
    let render_cpu = cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);

    let next = AtomicUsize::new(0);
    let bytes = AtomicUsize::new(0);
    let cpu_before = cpu_seconds();
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= COUNT {
                    break;
                }
                let pdf = pdf::render(&docs[i]).expect("render");
                bytes.fetch_add(pdf.len(), Ordering::Relaxed);
                std::fs::write(dir.path().join(format!("{}.pdf", docs[i].number)), pdf).expect("write");
            });
        }
    });
    let elapsed = start.elapsed();
    let write_cpu = cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);

    let combined_start = Instant::now();
    let combined = pdf::render_combined(&docs[..1000]).expect("combined");
    let combined_time = combined_start.elapsed();

    println!("PDF benchmark ({threads} threads)");
    println!(
        "  {COUNT} invoices rendered and written: {:.2} s total, {:.3} ms per PDF (goal: ≤ 10 s)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 / COUNT as f64
    );
    if let Some(cpu) = write_cpu {
        println!("    CPU time used: {cpu:.2} s ({:.3} ms per PDF)", cpu * 1000.0 / COUNT as f64);
    }
    println!(
        "  rendering alone (no files): {:.2} s, {:.3} ms per PDF",
        render_only.as_secs_f64(),
        render_only.as_secs_f64() * 1000.0 / COUNT as f64
    );
    if let Some(cpu) = render_cpu {
        println!("    CPU time used: {cpu:.2} s ({:.3} ms per PDF)", cpu * 1000.0 / COUNT as f64);
    }
    println!(
        "  one thread, one PDF: {:.3} ms on average; {:.3} ms in Helvetica, {:.3} ms with a DejaVu subset",
        single * 1000.0,
        latin_one * 1000.0,
        unicode_one * 1000.0
    );
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("  load average during the run: {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
    }
    println!("  average file size: {:.1} KB", bytes.load(Ordering::Relaxed) as f64 / COUNT as f64 / 1024.0);
    println!("  typical single-page invoice (built-in Helvetica): {:.1} KB (goal: ≤ 30 KB)", typical.len() as f64 / 1024.0);
    println!("  single-page invoice with a Polish name (DejaVu subset): {:.1} KB", unicode.len() as f64 / 1024.0);
    println!(
        "  one combined PDF of 1,000 invoices: {:.2} s, {:.1} MB",
        combined_time.as_secs_f64(),
        combined.len() as f64 / 1024.0 / 1024.0
    );
}
