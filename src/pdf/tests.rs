//! PDFs checked through the real poppler tools (`pdftotext`, `pdffonts`, `pdfinfo`, `pdftoppm`),
//! never through their bytes.

use super::sample_png::sample_png;
use super::*;
use crate::company::Paper;
use crate::money::Currency;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn day(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap()
}

fn supplier() -> Party {
    Party {
        name: "Cloudline Solutions (Pty) Ltd".into(),
        address: "Unit 4, Bree Street Studios\n118 Bree Street\nCape Town 8001".into(),
        country: "South Africa".into(),
        vat_number: "4123456789".into(),
        registration_number: "2019/123456/07".into(),
        email: "billing@cloudline.co.za".into(),
        phone: "+27 21 555 0100".into(),
    }
}

const PRODUCTS: [(&str, &str); 6] = [
    ("Microsoft 365 Business Standard", "264.00"),
    ("Microsoft 365 Business Premium", "412.50"),
    ("Exchange Online (Plan 1)", "84.20"),
    ("Microsoft Teams Essentials", "78.00"),
    ("Microsoft Defender for Business", "61.75"),
    ("Power BI Pro", "236.90"),
];

/// An invoice of `n` lines (ZAR, 15% VAT) for `customer`; line 2 has a long description.
pub(super) fn invoice(number: &str, customer: &str, n: usize, paper: Paper) -> Document {
    let zar = Currency::parse("ZAR", "currency").unwrap();
    let mut lines = Vec::new();
    for i in 0..n {
        let (name, price) = PRODUCTS[i % PRODUCTS.len()];
        let description = if i == 1 {
            "Microsoft 365 E5 (no Teams) – annual commitment, billed monthly; seat increase from 40 to 45 \
             seats on 12 Nov 2026, prorated for 19 of 30 days, including Defender, Purview and Entra ID P2"
                .to_string()
        } else {
            format!("{name} ({} of 30 days)", 30 - (i % 3))
        };
        let quantity = Decimal::from((i % 7 + 1) as i64 * 5);
        let unit_price = d(price);
        lines.push(DocumentLine {
            description,
            period: Some((day(2026, 11, 1), day(2026, 11, 30))),
            quantity,
            unit_price,
            amount: zar.round(quantity * unit_price),
            vat_rate: d("15"),
            details: Vec::new(),
        });
    }
    let net: Decimal = lines.iter().map(|l| l.amount).sum();
    let vat = zar.round(net * d("0.15"));
    Document {
        kind: DocumentKind::TaxInvoice,
        number: number.into(),
        issue_date: day(2026, 12, 1),
        due_date: Some(day(2026, 12, 31)),
        currency: zar,
        paper,
        supplier: supplier(),
        logo: Some(sample_png(240, 64)),
        bank: BankDetails {
            bank_name: "First National Bank".into(),
            account_holder: "Cloudline Solutions (Pty) Ltd".into(),
            account_number: "62812345678".into(),
            branch_code: "250655".into(),
            swift: "FIRNZAJJ".into(),
        },
        payment_terms: "Payment within 30 days of the invoice date. Please use the invoice number as reference.".into(),
        customer: Party {
            name: customer.into(),
            address: "ul. Piotrkowska 104\n90-926 Łódź".into(),
            country: "Poland".into(),
            vat_number: "PL7251234567".into(),
            ..Party::default()
        },
        lines,
        vat: vec![VatRow { rate: d("15"), net, vat }],
        net,
        vat_total: vat,
        total: net + vat,
        notes: vec!["Prices converted from USD at 18.2345 ZAR per USD (rate of 1 Nov 2026).".into()],
    }
}

pub(super) fn credit_note() -> Document {
    let mut doc = invoice("CN-2026-00007", "Gdańsk Łódź Logistics sp. z o.o.", 2, Paper::A4);
    doc.kind = DocumentKind::CreditNote {
        corrects: "INV-2026-00042".into(),
        corrects_date: day(2026, 11, 1),
        reason: "Seats reduced within the 7-day window (45 to 40 seats)".into(),
    };
    for l in &mut doc.lines {
        l.amount = -l.amount;
        l.quantity = -l.quantity;
    }
    doc.net = -doc.net;
    doc.vat_total = -doc.vat_total;
    doc.total = -doc.total;
    for v in &mut doc.vat {
        v.net = -v.net;
        v.vat = -v.vat;
    }
    doc.due_date = None;
    doc.notes = vec![];
    doc
}

fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| panic!("{tool} did not run: {e}"));
    assert!(out.status.success(), "{tool} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn save(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn text(path: &Path) -> String {
    run("pdftotext", &["-layout", path.to_str().unwrap(), "-"])
}

fn page_text(path: &Path, page: usize) -> String {
    let p = page.to_string();
    run("pdftotext", &["-layout", "-f", &p, "-l", &p, path.to_str().unwrap(), "-"])
}

fn info(path: &Path) -> String {
    run("pdfinfo", &["-isodates", path.to_str().unwrap()])
}

fn pages(path: &Path) -> usize {
    let info = info(path);
    let line = info.lines().find(|l| l.starts_with("Pages:")).expect("pdfinfo shows Pages");
    line["Pages:".len()..].trim().parse().unwrap()
}

fn renders(path: &Path, dir: &Path) {
    let prefix = dir.join(path.file_stem().unwrap());
    let out = Command::new("pdftoppm").args(["-png", "-r", "60"]).arg(path).arg(&prefix).output().unwrap();
    assert!(out.status.success(), "pdftoppm failed: {}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "pdftoppm complained: {}", String::from_utf8_lossy(&out.stderr));
    let pngs = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            let n = e.file_name().to_string_lossy().to_string();
            n.starts_with(prefix.file_name().unwrap().to_str().unwrap()) && n.ends_with(".png")
        })
        .count();
    assert!(pngs >= 1, "pdftoppm wrote no page image");
}

/// Collapse runs of spaces (pdftotext -layout pads columns).
fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn typical_invoice_reads_back_with_every_required_fact() {
    let dir = tempfile::tempdir().unwrap();
    let doc = invoice("INV-2026-00001", "Zakład Usług Informatycznych Łódź sp. z o.o.", 6, Paper::A4);
    let path = save(dir.path(), "inv.pdf", &render(&doc).unwrap());
    let t = text(&path);
    let flat = squeeze(&t);
    for needle in [
        "Tax Invoice",
        "INV-2026-00001",
        "Zakład Usług Informatycznych Łódź sp. z o.o.",
        "90-926 Łódź",
        "Cloudline Solutions (Pty) Ltd",
        "VAT No. 4123456789",
        "Reg. No. 2019/123456/07",
        "VAT No. PL7251234567",
        "Issue date 1 Dec 2026",
        "Due date 31 Dec 2026",
        "1 Nov 2026 – 30 Nov 2026",
        "Description",
        "Service period",
        "Unit price",
        "Amount ZAR",
        "VAT 15%",
        "Total ZAR",
        "First National Bank",
        "62812345678",
        "Payment within 30 days",
        "18.2345 ZAR per USD",
        "Page 1 of 1",
    ] {
        assert!(flat.contains(needle), "{needle:?} missing from:\n{t}");
    }
    // Amounts: exactly two decimals, grouped as the supplier's country writes them (a country
    // Seatbook has no conventions for: commas and a decimal point).
    let fig = crate::pdf::format::Figures::new(&doc.supplier.country, doc.currency);
    let (net, total) = (fig.amount(doc.net), fig.amount(doc.total));
    assert!(net.contains(',') && total.contains(','), "sample totals should be over 1,000: {net} {total}");
    // A South African supplier's document writes them as South Africans do, as the screens do.
    let mut za = doc.clone();
    za.supplier.country = "ZA".into();
    let za_text = squeeze(&text(&save(dir.path(), "za.pdf", &render(&za).unwrap())));
    let za_total = squeeze(&crate::pdf::format::Figures::new("ZA", za.currency).amount(za.total));
    assert!(za_total.contains(' ') && za_total.contains(',') && za_text.contains(&za_total), "{za_total} missing:\n{za_text}");
    assert!(flat.contains(&net) && flat.contains(&total), "{net} / {total} missing:\n{t}");
    assert!(flat.contains("1,320.00"), "5 × 264.00 missing:\n{t}");
    // The long description wraps inside its column: its start and end are on different lines.
    let start = t.lines().position(|l| l.contains("Microsoft 365 E5 (no Teams)")).expect("long description");
    let end = t.lines().position(|l| l.contains("Entra ID P2")).expect("end of long description");
    assert!(end > start, "the long description should wrap:\n{t}");
    assert!(t.lines().all(|l| !l.contains("E5 (no Teams)") || !l.contains("Entra ID P2")));

    let i = info(&path);
    assert!(i.contains("Title:           Tax Invoice INV-2026-00001"), "{i}");
    assert!(i.contains("Author:          Cloudline Solutions (Pty) Ltd"), "{i}");
    assert!(i.contains("CreationDate:    2026-12-01"), "{i}");
    assert!(i.contains("ModDate:         2026-12-01"), "{i}");
    assert!(i.contains("PDF version:     1.4"), "{i}");
    assert!(!i.contains("PDF/X"), "the file must not claim to be PDF/X: {i}");
    assert!(i.contains("595.276 x 841.89 pts (A4)") || i.contains("595 x 842 pts (A4)"), "{i}");
    assert_eq!(pages(&path), 1);

    // Polish needs more than Windows-1252: embedded subsets of DejaVu.
    let f = run("pdffonts", &[path.to_str().unwrap()]);
    assert!(f.contains("DejaVuSans "), "{f}");
    assert!(f.contains("DejaVuSans-Bold"), "{f}");
    for line in f.lines().skip(2) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        // name type encoding emb sub uni object ID
        assert!(line.contains("CID TrueType") && cols[cols.len() - 5] == "yes" && cols[cols.len() - 4] == "yes", "{f}");
    }

    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size <= 30 * 1024, "a single-page invoice is {size} bytes, over 30 KB");
    renders(&path, dir.path());
}

#[test]
fn every_european_script_prints_and_extracts() {
    let dir = tempfile::tempdir().unwrap();
    let names = [
        "Gdańsk Łódź Żółć sp. z o.o.",
        "Žluťoučký kůň a.s.",
        "Αθήνα Πληροφορική Α.Ε.",
        "ООО Москва Софт",
        "ТОВ Київ Хмара",
        "Bêrebos Kwêvoël (Edms) Bpk",
        "Müller & Söhne GmbH, Straße",
        "Société Générale Cœur à l'œuvre",
    ];
    for (i, name) in names.iter().enumerate() {
        let mut doc = invoice(&format!("INV-2026-{:05}", i + 10), name, 3, Paper::A4);
        doc.lines[0].description = format!("Licences for {name}");
        let path = save(dir.path(), &format!("s{i}.pdf"), &render(&doc).unwrap());
        let t = squeeze(&text(&path));
        assert!(t.contains(name), "{name} missing from:\n{t}");
        assert!(t.contains(&format!("Licences for {name}")), "{name} (table) missing:\n{t}");
        renders(&path, dir.path());
    }
}

#[test]
fn windows_1252_text_uses_the_built_in_fonts_and_stays_tiny() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = invoice("INV-2026-00002", "Bêrebos Kwêvoël (Edms) Bpk", 6, Paper::A4);
    doc.customer.address = "12 Kerk Street\nStellenbosch 7600".into();
    let path = save(dir.path(), "latin.pdf", &render(&doc).unwrap());
    let f = run("pdffonts", &[path.to_str().unwrap()]);
    assert!(f.contains("Helvetica ") && f.contains("Helvetica-Bold"), "{f}");
    assert!(!f.contains("DejaVu"), "{f}");
    let t = squeeze(&text(&path));
    assert!(t.contains("Bêrebos Kwêvoël (Edms) Bpk"), "{t}");
    assert!(t.contains("1 Nov 2026 – 30 Nov 2026"), "{t}");
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size <= 30 * 1024, "{size} bytes");
    renders(&path, dir.path());
}

#[test]
fn long_invoice_breaks_across_pages_with_the_header_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let doc = invoice("INV-2026-00003", "Αθήνα Πληροφορική Α.Ε.", 60, Paper::A4);
    let path = save(dir.path(), "long.pdf", &render(&doc).unwrap());
    let n = pages(&path);
    assert!(n >= 2, "60 lines on {n} page(s)");
    for p in 1..=n {
        let t = squeeze(&page_text(&path, p));
        assert!(t.contains(&format!("Page {p} of {n}")), "page {p}:\n{t}");
        assert!(t.contains("INV-2026-00003"), "page {p} does not name the invoice:\n{t}");
    }
    // The table header is repeated on the next page, above more lines.
    let second = squeeze(&page_text(&path, 2));
    assert!(second.contains("Description") && second.contains("Unit price") && second.contains("Amount ZAR"), "{second}");
    assert!(second.contains("Αθήνα Πληροφορική Α.Ε."), "{second}");
    // Every line made it: 60 service periods.
    let all = text(&path);
    assert_eq!(all.matches("1 Nov 2026 – 30 Nov 2026").count(), 60, "{all}");
    // Totals once, at the end.
    let last = squeeze(&page_text(&path, n));
    assert!(last.contains("Total ZAR"), "{last}");
    renders(&path, dir.path());
}

#[test]
fn credit_note_names_the_invoice_it_corrects() {
    let dir = tempfile::tempdir().unwrap();
    let doc = credit_note();
    let path = save(dir.path(), "cn.pdf", &render(&doc).unwrap());
    let t = squeeze(&text(&path));
    for needle in [
        "Credit Note",
        "CN-2026-00007",
        "Corrects invoice INV-2026-00042 of 1 Nov 2026",
        "Reason: Seats reduced within the 7-day window",
        "Gdańsk Łódź Logistics sp. z o.o.",
        "−1,320.00",
    ] {
        assert!(t.contains(needle), "{needle:?} missing:\n{t}");
    }
    assert!(!t.contains("Tax Invoice"), "{t}");
    let i = info(&path);
    assert!(i.contains("Title:           Credit Note CN-2026-00007"), "{i}");
    renders(&path, dir.path());
}

#[test]
fn letter_paper_and_other_currencies() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = invoice("INV-2026-00004", "Acme Inc.", 3, Paper::Letter);
    doc.currency = Currency::parse("JPY", "c").unwrap();
    doc.lines[0].amount = d("1234567");
    doc.net = d("1234567");
    doc.total = d("1419752");
    let path = save(dir.path(), "letter.pdf", &render(&doc).unwrap());
    let i = info(&path);
    assert!(i.contains("612 x 792 pts (letter)"), "{i}");
    let t = squeeze(&text(&path));
    assert!(t.contains("1,234,567") && !t.contains("1,234,567.00"), "{t}");
    assert!(t.contains("Total JPY 1,419,752"), "{t}");
}

#[test]
fn combined_pdf_numbers_each_document_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let docs = vec![
        invoice("INV-2026-00010", "Acme Inc.", 3, Paper::A4),
        invoice("INV-2026-00011", "ООО Москва Софт", 60, Paper::A4),
        credit_note(),
    ];
    let path = save(dir.path(), "all.pdf", &render_combined(&docs).unwrap());
    let n = pages(&path);
    let second_len = pages(&save(dir.path(), "one.pdf", &render(&docs[1]).unwrap()));
    assert_eq!(n, 1 + second_len + 1);
    let first = squeeze(&page_text(&path, 1));
    assert!(first.contains("INV-2026-00010") && first.contains("Page 1 of 1"), "{first}");
    let second = squeeze(&page_text(&path, 2));
    assert!(second.contains("INV-2026-00011") && second.contains(&format!("Page 1 of {second_len}")), "{second}");
    let last = squeeze(&page_text(&path, n));
    assert!(last.contains("CN-2026-00007") && last.contains("Page 1 of 1"), "{last}");
    let i = info(&path);
    assert!(i.contains("CreationDate:    2026-12-01"), "{i}");
    assert!(render_combined(&[]).is_err());
    renders(&path, dir.path());
}

#[test]
fn a_logo_that_is_not_an_image_is_refused() {
    let mut doc = invoice("INV-2026-00005", "Acme Inc.", 1, Paper::A4);
    doc.logo = Some(b"not an image".to_vec());
    let err = render(&doc).unwrap_err();
    assert_eq!(err.code, crate::ErrorCode::InvalidInput);
    assert_eq!(err.field.as_deref(), Some("logo"));
    doc.logo = None;
    assert!(render(&doc).is_ok());
}

#[test]
fn hostile_text_does_not_break_the_layout() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = invoice("INV-2026-00006", "A\tname\rwith\u{7}controls", 2, Paper::A4);
    doc.lines[0].description = "x".repeat(600);
    doc.lines[1].description = "Word ".repeat(900);
    doc.customer.name = "Averyveryverylongcompanynamewithoutanyspacesatallthatmustbecutsomewhere".repeat(2);
    let path = save(dir.path(), "hostile.pdf", &render(&doc).unwrap());
    let t = text(&path);
    assert!(t.contains("xxxxxxxx"));
    assert!(pages(&path) >= 2, "900 words should need a second page");
    renders(&path, dir.path());
}

/// Writes sample PDFs for a person to look at:
/// `SEATBOOK_PDF_SAMPLES=/tmp/samples cargo test --lib pdf::tests::write_samples -- --ignored`.
#[test]
#[ignore]
fn write_samples() {
    let dir = PathBuf::from(std::env::var("SEATBOOK_PDF_SAMPLES").unwrap_or_else(|_| "/tmp/seatbook-pdf".into()));
    std::fs::create_dir_all(&dir).unwrap();
    let typical = invoice("INV-2026-00001", "Zakład Usług Informatycznych Łódź sp. z o.o.", 6, Paper::A4);
    save(&dir, "typical.pdf", &render(&typical).unwrap());
    let mut latin = invoice("INV-2026-00002", "Bêrebos Kwêvoël (Edms) Bpk", 6, Paper::A4);
    latin.customer.address = "12 Kerk Street\nStellenbosch 7600".into();
    latin.customer.country = "South Africa".into();
    latin.customer.vat_number = "4987654321".into();
    save(&dir, "latin.pdf", &render(&latin).unwrap());
    save(&dir, "long.pdf", &render(&invoice("INV-2026-00003", "Αθήνα Πληροφορική Α.Ε.", 60, Paper::A4)).unwrap());
    save(&dir, "credit.pdf", &render(&credit_note()).unwrap());
    save(&dir, "letter.pdf", &render(&invoice("INV-2026-00004", "ООО Москва Софт", 6, Paper::Letter)).unwrap());
}

#[test]
fn logos_in_png_and_jpeg_are_embedded() {
    let dir = tempfile::tempdir().unwrap();
    // PNG with transparency: an image and its soft mask.
    let doc = invoice("INV-2026-00020", "Acme Inc.", 2, Paper::A4);
    let png = save(dir.path(), "png.pdf", &render(&doc).unwrap());
    let list = run("pdfimages", &["-list", png.to_str().unwrap()]);
    assert!(list.contains(" image ") && list.contains(" smask "), "{list}");
    assert!(list.contains("240    64"), "{list}");

    // A JPEG (made by poppler from a page) goes in as it is.
    let prefix = dir.path().join("logo");
    let out = Command::new("pdftoppm").args(["-jpeg", "-r", "20", "-singlefile"]).arg(&png).arg(&prefix).output().unwrap();
    assert!(out.status.success());
    let jpeg = std::fs::read(dir.path().join("logo.jpg")).unwrap();
    let mut doc = invoice("INV-2026-00021", "Acme Inc.", 2, Paper::A4);
    doc.logo = Some(jpeg.clone());
    let path = save(dir.path(), "jpeg.pdf", &render(&doc).unwrap());
    let list = run("pdfimages", &["-list", path.to_str().unwrap()]);
    assert!(list.contains("jpeg"), "{list}");
    assert!(std::fs::metadata(&path).unwrap().len() as usize > jpeg.len());
    renders(&path, dir.path());
}

#[test]
fn a_batch_is_written_on_every_core_in_order_and_stops_at_the_first_failure() {
    use crate::app::billing::write_pdfs;
    let docs: Vec<Document> = (0..7)
        .map(|i| invoice(&format!("INV-2026-{:05}", 100 + i), if i % 2 == 0 { "Acme Inc." } else { "ООО Москва Софт" }, 2, Paper::A4))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let mut told = Vec::new();
    let files =
        write_pdfs::<crate::Error>(dir.path(), docs.iter().cloned().map(Ok), docs.len(), &mut |done, total| told.push((done, total)))
            .unwrap();
    assert_eq!(told, (0..=7).map(|d| (d, 7)).collect::<Vec<_>>(), "progress told once per file, in order");
    assert_eq!(files.len(), 7);
    for (i, path) in files.iter().enumerate() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with(&format!("INV-2026-{:05}_", 100 + i)), "{name}");
        assert!(squeeze(&text(path)).contains(&format!("INV-2026-{:05}", 100 + i)));
    }
    assert!(write_pdfs::<crate::Error>(dir.path(), std::iter::empty(), 0, &mut |_, _| {}).unwrap().is_empty());
    // A document that cannot be rendered, and one that cannot be loaded: each stops the batch
    // with its own error, and nothing half-written is left.
    let other = tempfile::tempdir().unwrap();
    let mut bad = docs.clone();
    bad[5].logo = Some(b"junk".to_vec());
    let e = write_pdfs::<crate::Error>(other.path(), bad.into_iter().map(Ok), 7, &mut |_, _| {}).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("logo"));
    let unloadable = docs.iter().cloned().map(Ok).take(3).chain(std::iter::once(Err(crate::Error::not_found("no invoice INV-2026-00103"))));
    let e = write_pdfs::<crate::Error>(other.path(), unloadable, 7, &mut |_, _| {}).unwrap_err();
    assert_eq!(e.message, "no invoice INV-2026-00103");
    for f in std::fs::read_dir(other.path()).unwrap() {
        let name = f.unwrap().file_name().to_string_lossy().into_owned();
        assert!(name.ends_with(".pdf") && !name.starts_with('.'), "only whole PDFs: {name}");
    }
}

#[test]
fn a_document_renders_to_the_same_bytes_whatever_was_rendered_before() {
    // E-mail attaches an issued invoice's PDF made again when the message is sent: it must be
    // the PDF the reseller saved, byte for byte.
    let a = invoice("INV-2026-00001", "Acme Łódź Sp. z o.o.", 3, Paper::A4);
    let b = invoice("INV-2026-00002", "Αθήνα Πληροφορική Α.Ε.", 40, Paper::Letter);
    let first = render(&a).unwrap();
    render(&b).unwrap();
    render(&credit_note()).unwrap();
    assert!(render(&a).unwrap() == first, "the second rendering of the same invoice differs");
    let other_thread = std::thread::spawn(move || render(&a).unwrap()).join().unwrap();
    assert!(other_thread == first, "a rendering on another thread differs");
}
