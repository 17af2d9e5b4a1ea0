//! Statements of account, reminders sent once at their levels, and the credit stop.

use crate::helpers::*;
use rust_decimal::Decimal;
use seatbook::customer::CustomerFields;
use seatbook::receivables::Method;
use seatbook::store::Store;
use std::process::Command;
use std::str::FromStr;

const POLISH: &str = "Zakład Usług Informatycznych Łódź Sp. z o.o.";

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// One invoice of 1 150.00 dated 2026-10-28, due 2026-11-27.
fn one_invoice(db: &TestDb) -> (Store, i64) {
    let mut store = reseller(db);
    let c = add_customer(&mut store, POLISH, "lodz.onmicrosoft.com", "ZAR");
    store.add_charge(c, day("2026-10-05"), "Migration", d("1"), d("1000"), None).unwrap();
    store.issue_month(day("2026-10-01"), day("2026-10-28"), NOW).unwrap();
    (store, c)
}

/// October's invoice, a payment of 1 200 on 15 Nov (50 left as credit for November's invoice of
/// 300), the payment reversed on 10 Dec, December's invoice of 450.
fn book(db: &TestDb) -> (Store, i64) {
    let (mut store, c) = one_invoice(db);
    let p = store.add_payment(c, day("2026-11-15"), d("1200"), Method::Eft, "LODZ-1", &[], NOW).unwrap();
    store.add_charge(c, day("2026-11-05"), "Support", d("1"), d("260.87"), None).unwrap();
    store.issue_month(day("2026-11-01"), day("2026-11-28"), NOW).unwrap();
    store.reverse_payment(p.id, day("2026-12-10"), "bounced", NOW).unwrap();
    store.add_charge(c, day("2026-12-05"), "Training", d("1"), d("391.30"), None).unwrap();
    store.issue_month(day("2026-12-01"), day("2026-12-28"), NOW).unwrap();
    (store, c)
}

#[test]
fn statement_balances_run_across_the_period_boundary() {
    let db = TestDb::new();
    let (store, c) = book(&db);
    let s = store.statement(c, day("2026-11-01"), day("2026-12-31")).unwrap();
    assert_eq!(s.opening, d("1150.00"));
    let lines: Vec<(String, &str, &str, Decimal, Decimal, Decimal)> =
        s.lines.iter().map(|l| (l.date.to_string(), l.kind.as_str(), l.document.as_str(), l.debit, l.credit, l.balance)).collect();
    let expected = [
        ("2026-11-15", "payment", d("0"), d("1200.00"), d("-50.00")),
        ("2026-11-28", "invoice", d("300.00"), d("0"), d("250.00")),
        ("2026-12-10", "reversal", d("1200.00"), d("0"), d("1450.00")),
        ("2026-12-28", "invoice", d("450.00"), d("0"), d("1900.00")),
    ];
    assert_eq!(lines.len(), expected.len(), "{lines:?}");
    for (got, want) in lines.iter().zip(expected) {
        assert_eq!((got.0.as_str(), got.1, got.3, got.4, got.5), want, "{got:?}");
    }
    assert_eq!(lines[1].2, "INV-2026-00002");
    assert_eq!(s.closing, d("1900.00"));
    // Aging at 31 Dec: October's invoice 34 days late, November's 3, December's not yet due.
    assert_eq!(s.aging, [d("450.00"), d("300.00"), d("1150.00"), d("0.00"), d("0.00")]);
    assert_eq!(s.aging_total, d("1900.00"));

    // The next period opens where the last closed; a period cut in the middle carries the running balance.
    let nov = store.statement(c, day("2026-11-01"), day("2026-11-30")).unwrap();
    let dec = store.statement(c, day("2026-12-01"), day("2026-12-31")).unwrap();
    assert_eq!((nov.opening, nov.closing), (d("1150.00"), d("250.00")));
    assert_eq!((dec.opening, dec.closing), (d("250.00"), d("1900.00")));
    assert_eq!(dec.lines.first().map(|l| l.balance), Some(d("1450.00")));
    // A period with nothing in it: opening equals closing.
    let quiet = store.statement(c, day("2027-01-01"), day("2027-01-15")).unwrap();
    assert_eq!((quiet.opening, quiet.closing, quiet.lines.len()), (d("1900.00"), d("1900.00"), 0));
    assert!(store.statement(c, day("2026-12-31"), day("2026-12-01")).is_err());
}

fn pdftotext(pdf: &[u8], dir: &std::path::Path, name: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext").arg("-layout").arg(&path).arg("-").output().expect("pdftotext is installed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn statement_pdf_reads_back_with_amounts_and_the_polish_name() {
    let db = TestDb::new();
    let (_store, c) = book(&db);
    let pdf_path = db.dir.path().join("statement.pdf");
    let args = ["statement", "--customer", &c.to_string(), "--from", "2026-11-01", "--to", "2026-12-31", "--out"];
    let mut all: Vec<&str> = args.to_vec();
    let p = pdf_path.to_str().unwrap();
    all.push(p);
    ok(&db.path, &all);
    let text = pdftotext(&std::fs::read(&pdf_path).unwrap(), db.dir.path(), "s.pdf");
    for want in [
        "Statement of account",
        POLISH,
        "Opening balance",
        // Amounts as South Africans write them (the supplier's country), as the screens do.
        "1 150,00",
        "1 200,00",
        "1 450,00",
        "1 900,00",
        "Closing balance",
        "Page 1 of 1",
    ] {
        assert!(text.replace('\u{a0}', " ").contains(want), "{want} missing from:\n{text}");
    }
    for col in ["Date", "Document", "Description", "Debit", "Credit", "Balance", "Over 90 days"] {
        assert!(text.contains(col), "{col}");
    }
    // Text and JSON without --out.
    let txt = ok(&db.path, &args[..args.len() - 1]);
    assert!(txt.contains("Closing balance") && txt.contains("1\u{a0}900,00"), "{txt}");
    let j = json(&db.path, &args[..args.len() - 1]);
    assert_eq!(j["closing"], "1900.00");
    assert_eq!(j["lines"].as_array().unwrap().len(), 4);
}

#[test]
fn a_long_statement_breaks_pages_and_repeats_the_header() {
    use seatbook::pdf::{render_statement, StatementDocument, StatementRow};
    let rows: Vec<StatementRow> = (0..120)
        .map(|i| StatementRow {
            date: day("2026-01-01") + chrono::Days::new(i),
            document: format!("INV-2026-{:05}", i + 1),
            description: "Tax invoice".into(),
            debit: d("1000.00"),
            credit: d("0"),
            balance: d("1000.00") * Decimal::from(i + 1),
        })
        .collect();
    let doc = StatementDocument {
        from: day("2026-01-01"),
        to: day("2026-12-31"),
        currency: seatbook::money::Currency::parse("ZAR", "currency").unwrap(),
        paper: seatbook::company::Paper::A4,
        supplier: seatbook::pdf::Party { name: "Cloudwise (Pty) Ltd".into(), ..Default::default() },
        customer: seatbook::pdf::Party { name: POLISH.into(), ..Default::default() },
        bank: Default::default(),
        opening: d("0"),
        rows,
        closing: d("120000.00"),
        aging: [d("0"), d("0"), d("0"), d("0"), d("120000.00")],
    };
    let dir = tempfile::tempdir().unwrap();
    let text = pdftotext(&render_statement(&doc).unwrap(), dir.path(), "long.pdf");
    let pages = text.split('\u{c}').filter(|p| !p.trim().is_empty()).count();
    assert!(pages >= 3, "{pages} pages");
    assert!(text.contains(&format!("Page {pages} of {pages}")));
    assert_eq!(text.matches("Balance").count(), pages, "the table header on every page");
    assert!(text.contains("120,000.00"));
}

#[test]
fn reminders_go_out_once_at_each_level_boundary() {
    let db = TestDb::new();
    let (mut store, _c) = one_invoice(&db);
    // Due 2026-11-27: 6/7, 29/30 and 59/60 days overdue.
    let cases = [
        ("2026-12-03", None),
        ("2026-12-04", Some((1, "Reminder", 7))),
        ("2026-12-04", None),
        ("2026-12-26", None),
        ("2026-12-27", Some((2, "Second reminder", 30))),
        ("2026-12-27", None),
        ("2027-01-25", None),
        ("2027-01-26", Some((3, "Final notice", 60))),
        ("2027-01-26", None),
        ("2027-03-01", None),
    ];
    for (as_of, want) in cases {
        let sent = store.run_reminders(day(as_of), NOW).unwrap();
        let got: Vec<(u8, &str, i64)> = sent.iter().map(|r| (r.level, r.title.as_str(), r.days_overdue)).collect();
        assert_eq!(got, want.into_iter().collect::<Vec<_>>(), "{as_of}");
        for r in &sent {
            assert_eq!((r.invoice.as_str(), r.open, r.due_date), ("INV-2026-00001", d("1150.00"), day("2026-11-27")));
        }
    }
}

#[test]
fn only_the_highest_due_level_is_sent_and_paid_invoices_get_none() {
    let db = TestDb::new();
    let (mut store, c) = one_invoice(&db);
    let sent = store.run_reminders(day("2027-02-01"), NOW).unwrap();
    assert_eq!(sent.iter().map(|r| (r.level, r.days_overdue)).collect::<Vec<_>>(), [(3, 66)]);
    assert!(store.run_reminders(day("2027-02-02"), NOW).unwrap().is_empty());
    assert_eq!(store.account(c, day("2027-02-02")).unwrap().balance, d("1150.00"));

    let db2 = TestDb::new();
    let (mut store2, c2) = one_invoice(&db2);
    store2.add_payment(c2, day("2026-12-01"), d("1150"), Method::Eft, "", &[], NOW).unwrap();
    assert!(store2.run_reminders(day("2027-02-01"), NOW).unwrap().is_empty());
}

#[test]
fn a_letter_that_cannot_be_delivered_records_nothing() {
    let db = TestDb::new();
    let (mut store, _c) = one_invoice(&db);
    let e = store.send_reminders(day("2026-12-04"), NOW, |_, _| Err(seatbook::Error::io("the disk is full")), |_, _| Ok(None)).unwrap_err();
    assert_eq!(e.message, "the disk is full");
    assert_eq!(store.due_reminders(day("2026-12-04")).unwrap().len(), 1, "still due: nothing was recorded");
    let mut letters = Vec::new();
    let sent = store
        .send_reminders(
            day("2026-12-04"),
            NOW,
            |r, letter| {
                letters.push(letter.to_vec());
                Ok(format!("{}-{}.pdf", r.invoice, r.level))
            },
            |_, _| Ok(None),
        )
        .unwrap();
    assert_eq!(sent.iter().map(|s| (s.reminder.level, s.file.as_str())).collect::<Vec<_>>(), [(1, "INV-2026-00001-1.pdf")]);
    assert!(letters[0].starts_with(b"%PDF-"), "the letter is a PDF");
    assert!(store.due_reminders(day("2026-12-04")).unwrap().is_empty(), "sent once");
}

#[test]
fn reminders_run_writes_one_letter_per_reminder() {
    let db = TestDb::new();
    let (_store, _c) = one_invoice(&db);
    let dir = db.dir.path().join("letters");
    let dir_s = dir.to_str().unwrap();
    // A preview lists what is due and records and writes nothing.
    let preview = ok(&db.path, &["reminders", "run", "--as-of", "2026-12-04", "--preview", "--json"]);
    let preview: serde_json::Value = serde_json::from_str(&preview).unwrap();
    assert_eq!(preview.as_array().unwrap().len(), 1, "{preview}");
    assert_eq!(
        (preview[0]["invoice"].as_str(), preview[0]["level"].as_u64(), preview[0]["open"].as_str()),
        (Some("INV-2026-00001"), Some(1), Some("1150.00"))
    );
    assert!(!dir.exists(), "a preview writes no letters");
    let out = ok(&db.path, &["reminders", "run", "--as-of", "2026-12-04", "--out-dir", dir_s]);
    assert!(out.contains("INV-2026-00001"), "{out}");
    let file = dir.join("INV-2026-00001_reminder-1.pdf");
    let text = pdftotext(&std::fs::read(&file).unwrap(), db.dir.path(), "r1.pdf");
    for want in ["Reminder", "INV-2026-00001", POLISH, "28 Oct 2026", "27 Nov 2026", "R 1 150,00", "Days overdue", "Page 1 of 1"] {
        assert!(text.replace('\u{a0}', " ").contains(want), "{want} missing from:\n{text}");
    }
    let again = ok(&db.path, &["reminders", "run", "--as-of", "2026-12-04", "--out-dir", dir_s]);
    assert!(again.contains("No reminders due"), "{again}");
    ok(&db.path, &["reminders", "run", "--as-of", "2027-01-26", "--out-dir", dir_s]);
    let text = pdftotext(&std::fs::read(dir.join("INV-2026-00001_reminder-3.pdf")).unwrap(), db.dir.path(), "r3.pdf");
    assert!(text.contains("Final notice") && text.contains("60"), "{text}");
}

#[test]
fn the_list_of_credit_stops_agrees_with_each_customers_verdict() {
    let db = TestDb::new();
    let (mut store, lodz) = one_invoice(&db); // 1 150.00 due 2026-11-27
    let over = add_customer(&mut store, "Over Limit Ltd", "over.onmicrosoft.com", "ZAR");
    let fine = add_customer(&mut store, "Fine Ltd", "fine.onmicrosoft.com", "ZAR");
    let paid = add_customer(&mut store, "Paid Up Ltd", "paid.onmicrosoft.com", "ZAR");
    for c in [over, fine, paid] {
        store.add_charge(c, day("2026-12-05"), "Work", d("1"), d("1000"), None).unwrap();
    }
    store.issue_month(day("2026-12-01"), day("2026-12-28"), NOW).unwrap();
    store.update_customer(over, &CustomerFields { credit_limit: Some("500".into()), ..Default::default() }).unwrap();
    store.update_customer(fine, &CustomerFields { credit_limit: Some("5000".into()), ..Default::default() }).unwrap();
    store.add_payment(paid, day("2027-01-02"), d("1150"), Method::Eft, "", &[], NOW).unwrap();
    for as_of in ["2026-11-30", "2027-01-26", "2027-01-27", "2027-03-31"] {
        let list = store.credit_stops(day(as_of)).unwrap();
        for c in [lodz, over, fine, paid] {
            let one = store.credit_stop(c, day(as_of)).unwrap();
            let listed = list.iter().find(|s| s.customer_id == c).map(|s| s.reason.clone());
            assert_eq!(listed, one, "customer {c} on {as_of}");
        }
    }
    let names = |as_of: &str| store.credit_stops(day(as_of)).unwrap().into_iter().map(|s| s.customer_name).collect::<Vec<_>>();
    assert_eq!(names("2027-01-26"), ["Over Limit Ltd"], "Łódź is 60 days overdue: not yet");
    assert_eq!(names("2027-01-27"), ["Over Limit Ltd", POLISH], "by name");
    assert_eq!(names("2027-03-31"), ["Fine Ltd", "Over Limit Ltd", POLISH], "December's invoices more than 60 days overdue too");
    drop(store);
    let cli: serde_json::Value =
        serde_json::from_str(&ok(&db.path, &["report", "credit-stop", "--as-of", "2027-01-27", "--json"])).unwrap();
    let listed: Vec<(&str, &str)> =
        cli.as_array().unwrap().iter().map(|s| (s["customer_name"].as_str().unwrap(), s["reason"].as_str().unwrap())).collect();
    assert_eq!(listed.len(), 2, "{cli}");
    assert_eq!(listed[0].0, "Over Limit Ltd");
    assert!(listed[1].1.contains("INV-2026-00001 is 61 days overdue"), "{cli}");
    let text = ok(&db.path, &["report", "credit-stop", "--as-of", "2026-11-01"]);
    assert_eq!(text, "No customer is on credit stop.\n");
}

#[test]
fn credit_stop_asks_for_confirmation_on_the_command_line() {
    let db = TestDb::new();
    let (mut store, c) = one_invoice(&db);
    // 60 days overdue is not yet a stop; 61 is.
    assert_eq!(store.credit_stop(c, day("2027-01-26")).unwrap(), None);
    let reason = store.credit_stop(c, day("2027-01-27")).unwrap().unwrap();
    assert!(reason.contains("INV-2026-00001") && reason.contains("61 days"), "{reason}");
    // Over the credit limit.
    store.update_customer(c, &CustomerFields { credit_limit: Some("1000".into()), ..Default::default() }).unwrap();
    let reason = store.credit_stop(c, day("2026-11-01")).unwrap().unwrap();
    assert!(reason.contains("credit limit"), "{reason}");
    store.update_customer(c, &CustomerFields { credit_limit: Some("2000".into()), ..Default::default() }).unwrap();
    assert_eq!(store.credit_stop(c, day("2026-11-01")).unwrap(), None);
    drop(store);

    let cid = c.to_string();
    let add = ["subscription", "add", "--customer", &cid, "--product", "CFQ7TTC0LH18:0001", "--term", "P1Y", "--billing", "monthly"];
    let mut args = vec!["--json", "--today", "2027-01-27"];
    args.extend_from_slice(&add);
    args.extend_from_slice(&["--quantity", "2", "--start", "2027-01-27"]);
    let refused = seatbook(&db.path, &args);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    let err: serde_json::Value = serde_json::from_str(stderr(&refused).trim()).unwrap();
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("refused"), Some("--confirm")));
    assert!(err["message"].as_str().unwrap().contains("61 days overdue"), "{err}");
    let shown = ok(&db.path, &["--today", "2027-01-27", "customer", "show", &cid]);
    assert!(shown.contains("Credit stop") && shown.contains("61 days overdue"), "{shown}");
    args.push("--confirm");
    let added = seatbook(&db.path, &args);
    assert_eq!(added.status.code(), Some(0), "{}", stderr(&added));
    let shown = ok(&db.path, &["--today", "2026-11-01", "customer", "show", &cid]);
    assert!(!shown.contains("Credit stop"), "{shown}");
}
