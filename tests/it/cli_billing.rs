//! Billing through the command line: the JSON contract of `bill`, invoices, credit notes,
//! charges, services and instalments, as a script would use them.

use crate::helpers::*;
use serde_json::Value;
use std::path::Path;

/// A reseller with the sample price list, two customers (one zero-rated) and subscriptions.
fn setup(db: &Path) {
    ok(
        db,
        &["init", "--name", "Cloudwise (Pty) Ltd", "--country", "ZA", "--currency", "ZAR", "--vat-rate", "15", "--default-markup", "20"],
    );
    ok(db, &["pricelist", "import", sample_pricelist().to_str().unwrap()]);
    ok(db, &["fx", "set", "--from", "USD", "--to", "ZAR", "--rate", "18.25", "--on", "2026-01-01"]);
    ok(db, &["customer", "add", "--name", "Acme Łódź Sp. z o.o.", "--domain", "acme.onmicrosoft.com", "--payment-terms-days", "14"]);
    ok(db, &["customer", "add", "--name", "Export Ltd", "--domain", "export.onmicrosoft.com", "--tax-treatment", "zero-rated"]);
    // Business Basic P1Y monthly: ZAR row 1360.80 per term, +20 % → 136.08 a month per seat.
    ok(
        db,
        &[
            "subscription",
            "add",
            "--customer",
            "1",
            "--product",
            "CFQ7TTC0LH18:0001",
            "--term",
            "P1Y",
            "--billing",
            "monthly",
            "--quantity",
            "10",
            "--start",
            "2026-11-01",
        ],
    );
    // Exchange Online P1M (USD 4.80 → 5.76 with markup) for the zero-rated customer.
    ok(
        db,
        &[
            "subscription",
            "add",
            "--customer",
            "2",
            "--product",
            "CFQ7TTC0LH16:0001",
            "--term",
            "P1M",
            "--billing",
            "monthly",
            "--quantity",
            "4",
            "--start",
            "2026-11-10",
        ],
    );
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}")).to_string()
}

#[test]
fn preview_and_issue_print_the_documented_json() {
    let db = TestDb::new();
    setup(&db.path);
    ok(&db.path, &["subscription", "quantity", "1", "--quantity", "12", "--on", "2026-11-20"]);
    let preview = json(&db.path, &["bill", "--month", "2026-11", "--preview", "--date", "2026-11-30"]);
    assert_eq!(preview["problems"], serde_json::json!([]));
    let invoices = preview["invoices"].as_array().unwrap();
    assert_eq!(invoices.len(), 2);
    let acme = &invoices[0];
    assert_eq!(acme["number"], Value::Null);
    assert_eq!(
        (s(&acme["customer_name"]), s(&acme["date"]), s(&acme["due_date"]), s(&acme["currency"])),
        ("Acme Łódź Sp. z o.o.".into(), "2026-11-30".into(), "2026-12-14".into(), "ZAR".into())
    );
    let lines = acme["lines"].as_array().unwrap();
    let row =
        |l: &Value| (s(&l["kind"]), s(&l["period_start"]), s(&l["period_end"]), s(&l["quantity"]), s(&l["unit_price"]), s(&l["amount"]));
    assert_eq!(
        row(&lines[0]),
        ("licence".into(), "2026-11-01".into(), "2026-11-30".into(), "10".into(), "136.08".into(), "1360.80".into())
    );
    // +2 seats from 20 November: 11 of 30 days → 2 × 136.08 × 11/30 = 99.792 → 99.79.
    assert_eq!(row(&lines[1]), ("proration".into(), "2026-11-20".into(), "2026-11-30".into(), "2".into(), "49.896".into(), "99.79".into()));
    assert!(s(&lines[1]["description"]).contains("+2 seats, 20 Nov 2026–30 Nov 2026, 11 of 30 days"), "{}", lines[1]["description"]);
    assert_eq!((s(&acme["net"]), s(&acme["vat"]), s(&acme["total"])), ("1460.59".into(), "219.09".into(), "1679.68".into()));
    let export = &invoices[1];
    // 4 × 5.76 USD × 18.25 = 420.48 ZAR, zero-rated.
    assert_eq!(
        (s(&export["lines"][0]["amount"]), s(&export["vat"]), s(&export["total"])),
        ("420.48".into(), "0.00".into(), "420.48".into())
    );
    assert_eq!(s(&export["lines"][0]["fx_rate"]), "18.25");

    // The preview issued nothing.
    assert_eq!(json(&db.path, &["invoice", "list"]), serde_json::json!([]));
    let issued = json(&db.path, &["bill", "--month", "2026-11", "--issue", "--date", "2026-11-30"]);
    let numbers: Vec<String> = issued["invoices"].as_array().unwrap().iter().map(|i| s(&i["number"])).collect();
    assert_eq!(numbers, ["INV-2026-00001", "INV-2026-00002"]);
    assert_eq!(issued["invoices"][0]["total"], acme["total"]);
    let again = json(&db.path, &["bill", "--month", "2026-11", "--issue", "--date", "2026-11-30"]);
    assert_eq!(again["invoices"], serde_json::json!([]));
    let text = ok(&db.path, &["invoice", "show", "INV-2026-00001"]);
    assert!(text.contains("Acme Łódź Sp. z o.o.") && text.contains("1\u{a0}679,68") && text.contains("Due 2026-12-14"), "{text}");
}

#[test]
fn a_customer_with_a_problem_is_left_out_and_the_others_are_issued() {
    let db = TestDb::new();
    setup(&db.path);
    ok(&db.path, &["customer", "add", "--name", "Euro GmbH", "--domain", "euro.onmicrosoft.com", "--currency", "EUR"]);
    ok(
        &db.path,
        &[
            "subscription",
            "add",
            "--customer",
            "3",
            "--product",
            "CFQ7TTC0LH16:0001",
            "--term",
            "P1M",
            "--billing",
            "monthly",
            "--quantity",
            "1",
            "--start",
            "2026-11-01",
        ],
    );
    let run = json(&db.path, &["bill", "--month", "2026-11", "--issue", "--date", "2026-11-30"]);
    assert_eq!(run["invoices"].as_array().unwrap().len(), 2);
    let problems = run["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!((problems[0]["customer_id"].as_i64(), s(&problems[0]["customer_name"])), (Some(3), "Euro GmbH".into()));
    assert!(s(&problems[0]["message"]).contains("no USD→EUR exchange rate on or before 2026-11-01"), "{}", problems[0]["message"]);
    let text = ok(&db.path, &["bill", "--month", "2026-11", "--preview", "--date", "2026-11-30"]);
    assert!(text.contains("Left out: customer 3 (Euro GmbH): no USD→EUR exchange rate"), "{text}");
    // With the rate, the next run catches the customer up; the others have nothing new.
    ok(&db.path, &["fx", "set", "--from", "USD", "--to", "EUR", "--rate", "0.86", "--on", "2026-01-01"]);
    let run = json(&db.path, &["bill", "--month", "2026-11", "--issue", "--date", "2026-11-30"]);
    let inv = &run["invoices"].as_array().unwrap()[0];
    // 5.76 USD × 0.86 = 4.9536 → 4.95 EUR; VAT 15 % → 0.74.
    assert_eq!(
        (s(&inv["number"]), s(&inv["currency"]), s(&inv["net"]), s(&inv["vat"])),
        ("INV-2026-00003".into(), "EUR".into(), "4.95".into(), "0.74".into())
    );
}

#[test]
fn charges_services_and_instalments_are_billed_in_their_month() {
    let db = TestDb::new();
    setup(&db.path);
    let c = json(
        &db.path,
        &[
            "charge",
            "add",
            "--customer",
            "1",
            "--description",
            "Mailbox migration",
            "--amount",
            "450",
            "--quantity",
            "12",
            "--date",
            "2026-12-03",
        ],
    );
    assert_eq!((s(&c["unit_price"]), s(&c["quantity"]), s(&c["currency"])), ("450".into(), "12".into(), "ZAR".into()));
    json(
        &db.path,
        &[
            "service",
            "add",
            "--customer",
            "1",
            "--description",
            "Managed support",
            "--amount",
            "25",
            "--per-seat-of",
            "1",
            "--start",
            "2026-12-01",
        ],
    );
    let plan = json(
        &db.path,
        &[
            "instalments",
            "add",
            "--customer",
            "1",
            "--description",
            "Deployment",
            "--total",
            "1000",
            "--count",
            "3",
            "--start",
            "2026-12-15",
        ],
    );
    assert_eq!(plan["instalments"], serde_json::json!(["333.33", "333.33", "333.34"]));
    let e = fails(&db.path, &["service", "add", "--customer", "1", "--description", "x", "--amount", "5", "--per-seat-of", "2"], 2);
    assert_eq!(s(&e["field"]), "--per-seat-of");
    let e = fails(&db.path, &["instalments", "add", "--customer", "1", "--description", "x", "--total", "100", "--count", "0"], 2);
    assert_eq!(s(&e["field"]), "--count");

    let nov = json(&db.path, &["bill", "--month", "2026-11", "--issue", "--date", "2026-11-30"]);
    assert_eq!(nov["invoices"][0]["lines"].as_array().unwrap().len(), 1, "nothing of December in November");
    let dec = json(&db.path, &["bill", "--month", "2026-12", "--issue", "--date", "2026-12-31"]);
    let lines: Vec<(String, String)> =
        dec["invoices"][0]["lines"].as_array().unwrap().iter().map(|l| (s(&l["kind"]), s(&l["amount"]))).collect();
    assert_eq!(
        lines,
        [
            ("licence".to_string(), "1360.80".to_string()),
            ("service".to_string(), "250.00".to_string()),
            ("charge".to_string(), "5400.00".to_string()),
            ("instalment".to_string(), "333.33".to_string()),
        ]
    );
    ok(&db.path, &["service", "end", "1", "--on", "2026-12-31"]);
    let jan = json(&db.path, &["bill", "--month", "2027-01", "--preview", "--date", "2027-01-31"]);
    let kinds: Vec<String> = jan["invoices"][0]["lines"].as_array().unwrap().iter().map(|l| s(&l["kind"])).collect();
    assert_eq!(kinds, ["licence", "instalment"]);
}

#[test]
fn credit_notes_from_the_command_line() {
    let db = TestDb::new();
    setup(&db.path);
    ok(&db.path, &["charge", "add", "--customer", "1", "--description", "Onboarding", "--amount", "1000", "--date", "2026-11-05"]);
    ok(&db.path, &["bill", "--month", "2026-11", "--issue", "--date", "2026-11-30"]);
    let e = fails(&db.path, &["invoice", "credit", "INV-2026-00001", "--lines", "2"], 2);
    assert!(s(&e["message"]).contains("--reason"), "{e}");
    let cn = json(
        &db.path,
        &["invoice", "credit", "INV-2026-00001", "--lines", "2", "--reason", "Onboarding cancelled", "--date", "2026-12-01"],
    );
    assert_eq!(
        (s(&cn["number"]), s(&cn["invoice_number"]), s(&cn["net"]), s(&cn["vat"]), s(&cn["total"])),
        ("CN-2026-00001".into(), "INV-2026-00001".into(), "1000.00".into(), "150.00".into(), "1150.00".into())
    );
    let e =
        fails(&db.path, &["invoice", "credit", "INV-2026-00001", "--amount", "1360.81", "--reason", "Too much", "--date", "2026-12-01"], 2);
    assert_eq!((s(&e["code"]), s(&e["field"])), ("refused".into(), "--amount".into()));
    assert!(s(&e["message"]).contains("1360.80 ZAR (net) left to credit"), "{e}");
    let e = fails(&db.path, &["invoice", "credit", "INV-2026-00001", "--lines", "9", "--reason", "x", "--date", "2026-12-01"], 2);
    assert_eq!(s(&e["field"]), "--lines");
    let shown = ok(&db.path, &["invoice", "show", "CN-2026-00001"]);
    assert!(shown.contains("Corrects INV-2026-00001 of 2026-11-30") && shown.contains("Onboarding cancelled"), "{shown}");
    let list = ok(&db.path, &["invoice", "list", "--month", "2026-11"]);
    assert!(list.contains("credited by CN-2026-00001"), "{list}");
    let e = fails(&db.path, &["invoice", "show", "INV-2026-00042"], 2);
    assert_eq!(s(&e["code"]), "not_found");
}

fn tool(name: &str, args: &[&str]) -> String {
    let o = std::process::Command::new(name).args(args).output().unwrap_or_else(|e| panic!("{name} (poppler-utils) is required: {e}"));
    assert!(o.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn invoice_pdfs_read_back_as_tax_invoices() {
    let db = TestDb::new();
    setup(&db.path);
    ok(
        &db.path,
        &[
            "company",
            "set",
            "--address",
            "Unit 4, 118 Bree Street\\nCape Town 8001",
            "--vat-number",
            "4123456789",
            "--bank-name",
            "First National Bank",
            "--bank-account-number",
            "62812345678",
        ],
    );
    ok(&db.path, &["bill", "--month", "2026-11", "--issue", "--date", "2026-11-30"]);
    ok(&db.path, &["invoice", "credit", "INV-2026-00001", "--amount", "100", "--reason", "Goodwill", "--date", "2026-12-01"]);
    let one = db.dir.path().join("one.pdf");
    ok(&db.path, &["invoice", "pdf", "INV-2026-00001", "--out", one.to_str().unwrap()]);
    let text = tool("pdftotext", &["-layout", one.to_str().unwrap(), "-"]);
    for needle in [
        "Tax Invoice",
        "INV-2026-00001",
        "Cloudwise (Pty) Ltd",
        "4123456789",
        "Acme Łódź Sp. z o.o.",
        "30 Nov 2026",
        "14 Dec 2026",
        // Amounts as South Africans write them (the supplier's country), as the screens do.
        "1 360,80",
        "204,12",
        "1 564,92",
        "First National Bank",
        "Page 1 of 1",
    ] {
        assert!(text.replace('\u{a0}', " ").contains(needle), "{needle:?} missing from the PDF text:\n{text}");
    }
    let info = tool("pdfinfo", &[one.to_str().unwrap()]);
    assert!(info.contains("Tax Invoice INV-2026-00001") && info.contains("Cloudwise (Pty) Ltd"), "{info}");
    assert!(info.contains("(A4)"), "A4: {info}");
    // Polish letters need the embedded font; all text stays extractable.
    let fonts = tool("pdffonts", &[one.to_str().unwrap()]);
    assert!(fonts.contains("DejaVu"), "{fonts}");
    assert!(std::fs::metadata(&one).unwrap().len() <= 30 * 1024, "a one-page invoice stays under 30 KB");

    let cn = db.dir.path().join("cn.pdf");
    ok(&db.path, &["invoice", "pdf", "CN-2026-00001", "--out", cn.to_str().unwrap()]);
    let text = tool("pdftotext", &["-layout", cn.to_str().unwrap(), "-"]);
    assert!(
        text.contains("Credit Note") && text.contains("INV-2026-00001") && text.contains("Goodwill") && text.contains("115,00"),
        "{text}"
    );

    let dir = db.dir.path().join("month");
    let all = db.dir.path().join("all.pdf");
    let v =
        json(&db.path, &["invoice", "pdf", "--month", "2026-11", "--out-dir", dir.to_str().unwrap(), "--combined", all.to_str().unwrap()]);
    assert_eq!(v["files"].as_array().unwrap().len(), 3);
    let mut names: Vec<String> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["INV-2026-00001_Acme-Łódź-Sp-z-o-o.pdf", "INV-2026-00002_Export-Ltd.pdf"]);
    let pages = tool("pdfinfo", &[all.to_str().unwrap()]);
    assert!(pages.lines().any(|l| l.starts_with("Pages:") && l.ends_with(" 2")), "{pages}");
    let e = fails(&db.path, &["invoice", "pdf", "--month", "2027-01", "--out-dir", dir.to_str().unwrap()], 2);
    assert_eq!(e["code"], "not_found");
}

/// Amounts that multiply past what an invoice can carry are refused where they come in, and a
/// book that holds one anyway (written by another program) leaves that customer out of the run,
/// saying why, instead of stopping the run for everyone.
#[test]
fn a_charge_too_large_to_bill_is_refused_and_never_stops_a_run() {
    let db = TestDb::new();
    setup(&db.path);
    let e = fails(
        &db.path,
        &[
            "charge",
            "add",
            "--customer",
            "1",
            "--description",
            "X",
            "--amount",
            "100000000000",
            "--quantity",
            "100000000000",
            "--date",
            "2026-11-15",
        ],
        2,
    );
    assert_eq!(e["field"], "--amount", "{e}");
    assert!(e["message"].as_str().unwrap().contains("less than a trillion"), "{e}");
    // Written around the command line: 999,999,999,999 × 1,000,000.
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let charges: i64 = conn.query_row("SELECT count(*) FROM charges", [], |r| r.get(0)).unwrap();
    assert_eq!(charges, 0, "the refused charge was not added");
    conn.execute(
        "INSERT INTO charges (customer_id, date, description, quantity, unit_price, currency) VALUES (1, '2026-11-15', 'Huge', '1000000', '999999999999', 'ZAR')",
        [],
    )
    .unwrap();
    drop(conn);
    let run = json(&db.path, &["bill", "--month", "2026-11", "--issue", "--date", "2026-11-30"]);
    let issued: Vec<&str> = run["invoices"].as_array().unwrap().iter().map(|i| i["customer_name"].as_str().unwrap()).collect();
    assert_eq!(issued, ["Export Ltd"], "the other customer is billed: {run}");
    let problem = &run["problems"][0];
    assert_eq!(problem["customer_id"], 1, "{run}");
    assert!(problem["message"].as_str().unwrap().contains("\"Huge\" comes to more than an invoice line can carry"), "{problem}");
}

/// A tax invoice is never negative: a credit larger than what is billed waits (the customer is
/// listed with the reason) until a later invoice can take it.
#[test]
fn a_credit_larger_than_the_invoice_waits_for_a_later_one() {
    let db = TestDb::new();
    setup(&db.path);
    // A customer with nothing else to bill this month.
    ok(&db.path, &["customer", "add", "--name", "Only Credit", "--domain", "only.onmicrosoft.com"]);
    ok(&db.path, &["charge", "add", "--customer", "3", "--description", "Refund of setup", "--amount=-50", "--date", "2026-11-15"]);
    let run = json(&db.path, &["bill", "--month", "2026-11", "--issue", "--date", "2026-11-30"]);
    let invoices = run["invoices"].as_array().unwrap();
    assert!(invoices.iter().all(|i| i["customer_id"] != 3), "{run}");
    assert!(invoices.iter().all(|i| !i["total"].as_str().unwrap().starts_with('-')), "no negative invoice: {run}");
    let p = run["problems"].as_array().unwrap().iter().find(|p| p["customer_id"] == 3).expect("Only Credit is listed");
    assert!(p["message"].as_str().unwrap().contains("would total -57.50 ZAR"), "{p}");
    // December brings a licence for it: the credit goes on that invoice.
    ok(&db.path, &business_basic("3", "P1Y", "1", "2026-12-01", &[]));
    let dec = json(&db.path, &["bill", "--month", "2026-12", "--issue", "--date", "2026-12-01"]);
    let mine = dec["invoices"].as_array().unwrap().iter().find(|i| i["customer_id"] == 3).expect("Only Credit billed in December");
    // 136.08 − 50.00 = 86.08 net.
    assert_eq!(mine["net"], "86.08", "{mine}");
}

/// One Microsoft subscription is one subscription in the book.
#[test]
fn a_microsoft_subscription_id_belongs_to_one_subscription() {
    let db = TestDb::new();
    setup(&db.path);
    let id = "11111111-0000-4000-8000-000000000001";
    ok(&db.path, &business_basic("1", "P1M", "1", "2026-11-01", &["--ms-subscription-id", id]));
    let upper = id.to_uppercase();
    let e = fails(&db.path, &business_basic("1", "P1M", "1", "2026-11-01", &["--ms-subscription-id", &upper]), 2);
    assert_eq!(e["field"], "--ms-subscription-id", "{e}");
    assert!(e["message"].as_str().unwrap().contains("already subscription 3"), "{e}");
    // Nor can another program give a second subscription the same id.
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let raw = conn
        .execute("UPDATE subscriptions SET ms_subscription_id = '11111111-0000-4000-8000-000000000001' WHERE id = 1", [])
        .unwrap_err()
        .to_string();
    assert!(raw.contains("already another subscription"), "{raw}");
}
