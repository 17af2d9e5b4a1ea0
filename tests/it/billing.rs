//! Billing over a real database: issuing, gapless numbers, immutability enforced by the
//! database, credit notes and their limits, concurrent runs, and the migration that added billing.

use crate::helpers::*;
use rust_decimal::Decimal;
use seatbook::catalogue::{BillingPlan, ProductKey, Term};
use seatbook::store::{CreditMode, NewSubscription, Store};
use seatbook::ErrorCode;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn basic(customer: i64, qty: u32, start: &str) -> NewSubscription {
    NewSubscription {
        customer_id: customer,
        product: ProductKey::new("CFQ7TTC0LH18", "0001"),
        term: Term::P1Y,
        billing: BillingPlan::Monthly,
        quantity: qty,
        start: day(start),
        auto_renew: true,
        trial: false,
        ms_subscription_id: String::new(),
        price_override: None,
    }
}

/// Two ZAR customers with Business Basic (ZAR cost 1360.80 per term, markup 20 % → 136.08 a
/// month per seat) and a EUR customer priced from the same ZAR row, without an exchange rate.
fn book(db: &TestDb) -> (Store, i64, i64, i64) {
    let mut store = reseller(db);
    let a = add_customer(&mut store, "Acme Łódź Sp. z o.o.", "acme.onmicrosoft.com", "ZAR");
    let b = add_customer(&mut store, "Βήτα Α.Ε.", "beta.onmicrosoft.com", "ZAR");
    let e = add_customer(&mut store, "Euro GmbH", "euro.onmicrosoft.com", "EUR");
    store.add_subscription(&basic(a, 10, "2026-11-01"), NOW).unwrap();
    store.add_subscription(&basic(b, 2, "2026-11-05"), NOW).unwrap();
    store.add_subscription(&basic(e, 1, "2026-11-01"), NOW).unwrap();
    (store, a, b, e)
}

#[test]
fn issuing_numbers_invoices_without_gaps_and_bills_each_item_once() {
    let db = TestDb::new();
    let (mut store, a, b, e) = book(&db);
    let preview = store.preview_month(day("2026-11-01"), day("2026-11-30"), NOW).unwrap();
    assert!(preview.invoices.iter().all(|i| i.number.is_none()));
    // The EUR customer has no USD→EUR rate: left out, with the problem named; the others go ahead.
    assert_eq!(preview.problems.len(), 1);
    assert_eq!(preview.problems[0].customer_id, e);
    assert!(preview.problems[0].message.contains("no ZAR→EUR exchange rate on or before 2026-11-01"), "{}", preview.problems[0].message);
    let run = store.issue_month(day("2026-11-01"), day("2026-11-30"), NOW).unwrap();
    let numbers: Vec<(String, i64)> = run.invoices.iter().map(|i| (i.number.clone().unwrap(), i.customer_id)).collect();
    assert_eq!(numbers, [("INV-2026-00001".to_string(), a), ("INV-2026-00002".to_string(), b)]);
    let inv = store.invoice("INV-2026-00001").unwrap();
    assert_eq!(
        (inv.lines.len(), inv.lines[0].amount, inv.net, inv.vat, inv.total),
        (1, d("1360.80"), d("1360.80"), d("204.12"), d("1564.92"))
    );
    assert_eq!((inv.date, inv.due_date), (day("2026-11-30"), day("2026-12-30")));
    // The same month again issues nothing; December bills the next cycle, numbered on.
    assert!(store.issue_month(day("2026-11-01"), day("2026-11-30"), NOW).unwrap().invoices.is_empty());
    store
        .set_exchange_rate(
            seatbook::money::Currency::parse("ZAR", "c").unwrap(),
            seatbook::money::Currency::parse("EUR", "c").unwrap(),
            d("0.05"),
            day("2026-01-01"),
        )
        .unwrap();
    let dec = store.issue_month(day("2026-12-01"), day("2026-12-31"), NOW).unwrap();
    let numbers: Vec<String> = dec.invoices.iter().map(|i| i.number.clone().unwrap()).collect();
    assert_eq!(numbers, ["INV-2026-00003", "INV-2026-00004", "INV-2026-00005"]);
    // The EUR customer is caught up: November and December, 136.08 ZAR × 0.05 = 6.804 → 6.80 EUR.
    let euro = store.invoice("INV-2026-00005").unwrap();
    assert_eq!(euro.customer_id, e);
    assert_eq!(euro.lines.iter().map(|l| l.amount).collect::<Vec<_>>(), [d("6.80"), d("6.80")]);
    assert_eq!(euro.lines[0].fx_rate, Some(d("0.05")));
}

#[test]
fn the_database_refuses_to_change_issued_documents_or_bill_an_item_twice() {
    let db = TestDb::new();
    let (mut store, _, _, _) = book(&db);
    store.issue_month(day("2026-11-01"), day("2026-11-30"), NOW).unwrap();
    store.credit_invoice("INV-2026-00001", &CreditMode::Amount(d("100")), "Goodwill", day("2026-12-01"), NOW).unwrap();
    for sql in [
        "UPDATE invoices SET total_minor = 1",
        "DELETE FROM invoices",
        "UPDATE invoice_lines SET amount_minor = 1",
        "DELETE FROM invoice_lines",
        "UPDATE invoice_vat SET vat_minor = 0",
        "UPDATE credit_notes SET reason = 'x'",
        "DELETE FROM credit_note_lines",
    ] {
        let e = store.execute_raw_for_tests(sql).unwrap_err();
        assert!(e.message.contains("cannot be"), "{sql}: {}", e.message);
    }
    let dup = store
        .execute_raw_for_tests(
            "INSERT INTO invoice_lines (invoice_id, position, own_key, kind_code, subscription_id, period_start, period_end, text_id,
                quantity, unit_price, amount_minor, vat_rate, billable_kept)
             SELECT invoice_id, 99, own_key, kind_code, subscription_id, period_start, period_end, text_id, quantity, unit_price,
                amount_minor, vat_rate, billable_kept FROM invoice_lines LIMIT 1",
        )
        .unwrap_err();
    // A line added to an issued invoice is refused before its natural key is even looked at (a
    // second run billing the same item meets the key: see `two_runs_at_once_do_not_double_bill`).
    assert!(dup.message.contains("issued invoices cannot be changed"), "{}", dup.message);
    // Nor can an issued credit note take a line, or an issued invoice a VAT line, afterwards.
    for sql in [
        "INSERT INTO credit_note_lines (credit_note_id, position, description, quantity, unit_price, amount_minor, vat_rate)
         SELECT credit_note_id, max(position) + 1, 'Extra', '1', '1', 100, vat_rate FROM credit_note_lines",
        "INSERT INTO invoice_vat (invoice_id, rate, net_minor, vat_minor) SELECT invoice_id, '0', 100, 0 FROM invoice_vat LIMIT 1",
    ] {
        let e = store.execute_raw_for_tests(sql).unwrap_err();
        assert!(e.message.contains("cannot be changed"), "{sql}: {}", e.message);
    }
}

/// A month billed after it ended keeps the month it bills and the due date its terms give: the
/// book keeps the month beside the invoice only then, and reads the due date from the date.
#[test]
fn a_month_billed_after_it_ended_keeps_its_month_and_due_date() {
    let db = TestDb::new();
    let (mut store, a, _, _) = book(&db);
    let terms = store.customer(a).unwrap().payment_terms_days as i64;
    store.issue_month(day("2026-11-01"), day("2026-12-03"), NOW).unwrap();
    let inv = store.invoice("INV-2026-00001").unwrap();
    assert_eq!(
        (inv.month.as_str(), inv.date, inv.due_date),
        ("2026-11", day("2026-12-03"), day("2026-12-03") + chrono::Duration::days(terms))
    );
    assert_eq!(store.invoice_numbers("2026-11").unwrap(), ["INV-2026-00001", "INV-2026-00002"]);
    assert!(store.invoice_numbers("2026-12").unwrap().is_empty());
    // December's, dated in December, keep no month of their own and read the same way.
    store.issue_month(day("2026-12-01"), day("2026-12-04"), NOW).unwrap();
    let december = store.invoice_numbers("2026-12").unwrap();
    assert_eq!(december, ["INV-2026-00003", "INV-2026-00004"]);
    let inv = store.invoice(&december[0]).unwrap();
    assert_eq!((inv.month.as_str(), inv.date), ("2026-12", day("2026-12-04")));
}

/// The columns an invoice, its line and a payment keep (the others are made from them).
const INVOICE: &str = "id, number, series_year, seq, run_id, customer_id, day, due_kept, month_kept, currency, net_minor, vat_minor,
    total_minor, customer_party_id, supplier_party_id, tax_treatment, payment_terms_days, paper, recorded_at, logo_id, logo_kept,
    line_count, vat_line_count";
const LINE: &str = "id, invoice_id, position, kind_code, subscription_id, period_start, period_end, own_key, text_id, quantity,
    unit_price, amount_minor, vat_rate, fx_rate, fx_from, billable_kept, cost_minor";
const PAYMENT: &str = "id, customer_id, kind, day, amount_minor, currency, method, reference, reverses_id, recorded_at";

/// Every way around the triggers an adversarial probe found: `INSERT OR REPLACE` / `REPLACE INTO`
/// over an issued invoice, its lines, a payment or a history event; a line appended to an issued
/// invoice; a numbering counter moved to leave a gap.
#[test]
fn no_path_around_the_immutability_of_issued_documents() {
    let db = TestDb::new();
    let (mut store, a, _, _) = book(&db);
    store.issue_month(day("2026-11-01"), day("2026-11-30"), NOW).unwrap();
    store.add_payment(a, day("2026-11-30"), d("10"), seatbook::receivables::Method::Eft, "x", &[], NOW).unwrap();
    for sql in [
        format!("INSERT OR REPLACE INTO invoices ({INVOICE}) SELECT {INVOICE} FROM invoices WHERE seq = 1"),
        format!("REPLACE INTO invoices ({INVOICE}) SELECT {INVOICE} FROM invoices WHERE seq = 1"),
        format!("REPLACE INTO invoice_lines ({LINE}) SELECT {LINE} FROM invoice_lines LIMIT 1"),
        format!("REPLACE INTO payments ({PAYMENT}) SELECT {PAYMENT} FROM payments LIMIT 1"),
        "REPLACE INTO subscription_events SELECT * FROM subscription_events LIMIT 1".into(),
        "INSERT INTO invoice_lines (invoice_id, position, own_key, kind_code, text_id, quantity, unit_price, amount_minor, vat_rate,
            billable_kept)
         SELECT invoice_id, max(position) + 1, 'extra', kind_code, text_id, quantity, unit_price, amount_minor, vat_rate, billable_date
         FROM invoice_lines WHERE invoice_id = (SELECT max(id) FROM invoices)"
            .into(),
        "UPDATE line_texts SET text = 'Tampered'".into(),
        "DELETE FROM line_texts".into(),
        "UPDATE parties SET bank_account_number = '999'".into(),
        "DELETE FROM parties".into(),
    ] {
        let e = store.execute_raw_for_tests(&sql).unwrap_err();
        assert!(["cannot be", "append-only", "no gaps"].iter().any(|m| e.message.contains(m)), "{sql}: {}", e.message);
    }
    // A counter moved by hand: the next invoice still follows the last one, without a gap.
    store.execute_raw_for_tests("UPDATE document_series SET last_seq = last_seq + 5 WHERE kind = 'invoice'").unwrap();
    store.add_subscription(&basic(a, 1, "2026-12-01"), NOW).unwrap();
    let december = store.issue_month(day("2026-12-01"), day("2026-12-01"), NOW).unwrap();
    assert_eq!(
        december.invoices.iter().filter_map(|i| i.number.clone()).next().as_deref(),
        Some("INV-2026-00003"),
        "two were issued in November"
    );
    // A new series may start where the reseller's earlier numbers ended (its counter), and
    // goes on without gaps from there.
    store.execute_raw_for_tests("INSERT INTO document_series (kind, year, last_seq) VALUES ('invoice', 2027, 1041)").unwrap();
    store.add_subscription(&basic(a, 1, "2027-01-01"), NOW).unwrap();
    let january = store.issue_month(day("2027-01-01"), day("2027-01-01"), NOW).unwrap();
    assert_eq!(january.invoices.iter().filter_map(|i| i.number.clone()).next().as_deref(), Some("INV-2027-01042"));
    assert!(store.check_book().is_ok(), "a series that starts at 1042 has no gap");
    // And a document written with a gap is refused by the book.
    let gap = store
        .execute_raw_for_tests(&format!(
            "INSERT INTO invoices ({INVOICE}) SELECT {} FROM invoices LIMIT 1",
            INVOICE.replacen("id, number, series_year, seq", "NULL, 'INV-2026-00099', series_year, 99", 1)
        ))
        .unwrap_err();
    assert!(gap.message.contains("numbers have no gaps"), "{}", gap.message);
}

/// The same, from another program's connection (the `sqlite3` shell, a script), where SQLite's
/// default leaves `REPLACE`'s delete without its delete trigger: a row kept by the book cannot be
/// swapped for an edited copy, by any of its unique keys, and nothing changes.
#[test]
fn another_programs_replace_cannot_rewrite_what_the_book_keeps() {
    let db = TestDb::new();
    let (mut store, a, _, _) = book(&db);
    store.issue_month(day("2026-11-01"), day("2026-11-30"), NOW).unwrap();
    store.add_payment(a, day("2026-11-30"), d("10"), seatbook::receivables::Method::Eft, "x", &[], NOW).unwrap();
    store.credit_invoice("INV-2026-00001", &CreditMode::Amount(d("1")), "Goodwill", day("2026-12-01"), NOW).unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let recursive: bool = conn.query_row("PRAGMA recursive_triggers", [], |r| r.get(0)).unwrap();
    assert!(!recursive, "SQLite's default, as another program has it");
    let snapshot = |conn: &rusqlite::Connection| -> Vec<String> {
        [
            "invoices",
            "invoice_lines",
            "line_texts",
            "parties",
            "invoice_vat",
            "credit_notes",
            "credit_note_lines",
            "payments",
            "allocations",
            "subscription_events",
            "event_offers",
        ]
        .iter()
        .map(|t| {
            let mut stmt = conn.prepare(&format!("SELECT * FROM {t}")).unwrap();
            let n = stmt.column_count();
            let rows: Vec<String> = stmt
                .query_map([], |r| Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join(",")))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            format!("{t}: {}", rows.join(" / "))
        })
        .collect()
    };
    let before = snapshot(&conn);
    // Edited copies of kept rows, put back with REPLACE (the probe's: an invoice renumbered past
    // the last so its numbering trigger passes, a payment's amount, a history event's price).
    for (table, edit) in [
        ("invoices", "seq = (SELECT max(seq) + 1 FROM invoices), total_minor = 1, customer_party_id = 1"),
        ("invoices", "id = id + 100, supplier_party_id = customer_party_id"),
        ("parties", "name = 'Tampered'"),
        ("parties", "id = id + 100"),
        ("invoice_lines", "amount_minor = 1"),
        ("invoice_lines", "id = id + 100"),
        ("line_texts", "text = 'Tampered'"),
        ("invoice_vat", "vat_minor = 1"),
        ("credit_notes", "total_minor = 1"),
        ("credit_note_lines", "amount_minor = 1"),
        ("payments", "amount_minor = 999999"),
        ("allocations", "amount_minor = 999999"),
        ("subscription_events", "unit_price = '1'"),
        ("event_offers", "term = 'P3Y'"),
    ] {
        // The columns the table keeps (not those it makes from them).
        let kept: Vec<String> = conn
            .prepare(&format!("SELECT name FROM pragma_table_xinfo('{table}') WHERE hidden = 0"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let cols = kept.join(", ");
        let sql = format!(
            "CREATE TEMP TABLE copy AS SELECT {cols} FROM {table} LIMIT 1; UPDATE copy SET {edit}; REPLACE INTO {table} ({cols}) SELECT {cols} FROM copy;"
        );
        let e = conn.execute_batch(&sql).unwrap_err().to_string();
        assert!(["cannot be changed", "append-only"].iter().any(|m| e.contains(m)), "{table} ({edit}): {e}");
        conn.execute_batch("DROP TABLE temp.copy").unwrap();
    }
    assert_eq!(snapshot(&conn), before, "nothing changed");
    drop(conn);
    let store = db.open();
    assert!(store.check_book().is_ok());
}

#[test]
fn credit_notes_never_exceed_what_is_left() {
    let db = TestDb::new();
    let (mut store, a, _, _) = book(&db);
    store.add_charge(a, day("2026-11-15"), "Migration", d("1"), d("500"), None).unwrap();
    store.issue_month(day("2026-11-01"), day("2026-11-30"), NOW).unwrap();
    // INV-2026-00001: licence 1360.80 and migration 500.00; net 1860.80.
    let too_much =
        store.credit_invoice("INV-2026-00001", &CreditMode::Amount(d("1860.81")), "Too much", day("2026-12-01"), NOW).unwrap_err();
    assert_eq!(too_much.code, ErrorCode::Refused);
    assert!(too_much.message.contains("1860.80 ZAR (net) left to credit"), "{}", too_much.message);
    let cn = store.credit_invoice("INV-2026-00001", &CreditMode::Lines(vec![2]), "Migration not done", day("2026-12-01"), NOW).unwrap();
    assert_eq!((cn.number.as_str(), cn.net, cn.vat, cn.total), ("CN-2026-00001", d("500.00"), d("75.00"), d("575.00")));
    assert_eq!((cn.invoice_number.as_str(), cn.reason.as_str()), ("INV-2026-00001", "Migration not done"));
    let again = store.credit_invoice("INV-2026-00001", &CreditMode::Lines(vec![2]), "Twice", day("2026-12-01"), NOW).unwrap_err();
    assert!(again.message.contains("already credited"), "{}", again.message);
    let cn2 = store.credit_invoice("INV-2026-00001", &CreditMode::Amount(d("60.80")), "Discount", day("2026-12-02"), NOW).unwrap();
    assert_eq!(cn2.number, "CN-2026-00002");
    // Left: 1360.80 − 60.80 = 1300.00; the whole of the remaining line is more than that.
    let whole = store.credit_invoice("INV-2026-00001", &CreditMode::Whole, "Everything", day("2026-12-03"), NOW).unwrap_err();
    assert!(whole.message.contains("1300.00 ZAR (net) left"), "{}", whole.message);
    let cn3 = store.credit_invoice("INV-2026-00001", &CreditMode::Amount(d("1300")), "Rest", day("2026-12-03"), NOW).unwrap();
    assert_eq!((cn3.number.as_str(), cn3.total), ("CN-2026-00003", d("1495.00")));
    let inv = store.invoice("INV-2026-00001").unwrap();
    assert_eq!((inv.credited_net, inv.credit_notes.len()), (d("1860.80"), 3));
    let none = store.credit_invoice("INV-2026-00001", &CreditMode::Amount(d("0.01")), "More", day("2026-12-04"), NOW).unwrap_err();
    assert!(none.message.contains("0.00 ZAR (net) left"), "{}", none.message);
    assert_eq!(
        store.credit_invoice("INV-2026-00099", &CreditMode::Whole, "x", day("2026-12-04"), NOW).unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[test]
fn a_preview_changes_nothing_even_when_renewals_are_due() {
    let db = TestDb::new();
    let mut store = reseller(&db);
    let a = add_customer(&mut store, "Acme", "acme.onmicrosoft.com", "ZAR");
    // P1M Business Basic is priced in USD only (7.20 a month).
    store
        .set_exchange_rate(
            seatbook::money::Currency::parse("USD", "c").unwrap(),
            seatbook::money::Currency::parse("ZAR", "c").unwrap(),
            d("18"),
            day("2026-01-01"),
        )
        .unwrap();
    let mut p1m = basic(a, 3, "2026-10-15");
    p1m.term = Term::P1M;
    let s = store.add_subscription(&p1m, NOW).unwrap();
    let preview = store.preview_month(day("2026-11-01"), day("2026-11-30"), NOW).unwrap();
    assert_eq!(preview.renewals, 1);
    assert_eq!(preview.invoices[0].lines.len(), 2, "October's term and the renewal of 15 November");
    let after = store.subscription(s.id).unwrap();
    assert_eq!((after.term_start, store.subscription_events(s.id).unwrap().len()), (day("2026-10-15"), 1));
    let run = store.issue_month(day("2026-11-01"), day("2026-11-30"), NOW).unwrap();
    assert_eq!(run.renewals, 1);
    assert_eq!(store.subscription(s.id).unwrap().term_start, day("2026-11-15"));
}

#[test]
fn a_change_cannot_be_dated_inside_an_invoiced_period_it_would_alter() {
    let db = TestDb::new();
    let mut store = reseller(&db);
    let a = add_customer(&mut store, "Acme", "acme.onmicrosoft.com", "ZAR");
    let s = store.add_subscription(&basic(a, 3, "2026-10-01"), NOW).unwrap();
    store.issue_month(day("2026-11-01"), day("2026-11-01"), NOW).unwrap();
    let e = store.change_quantity(s.id, 5, day("2026-10-20"), NOW).unwrap_err();
    assert_eq!(e.code, ErrorCode::Refused);
    assert!(e.message.contains("from 2026-11-01 is already invoiced (INV-2026-00001)"), "{}", e.message);
    store.change_quantity(s.id, 5, day("2026-11-10"), NOW).unwrap();
}

#[test]
fn two_runs_at_once_do_not_double_bill() {
    let db = TestDb::new();
    {
        book(&db);
    }
    let path = db.path.clone();
    let runs: Vec<usize> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                scope.spawn(move || {
                    let mut store = Store::open(&path).unwrap();
                    store.issue_month(day("2026-11-01"), day("2026-11-30"), NOW).unwrap().invoices.len()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(runs.iter().sum::<usize>(), 2, "{runs:?}");
    let store = db.open();
    assert_eq!(store.list_invoices(Some("2026-11"), None).unwrap().len(), 2);
}

#[test]
fn migrating_a_version_1_database_saves_a_copy_first() {
    let db = TestDb::new();
    {
        let mut v1 = Store::open_at_version(&db.path, 1).unwrap();
        v1.init_company(&seatbook::company::CompanyFields {
            name: Some("Old Book".into()),
            country: Some("ZA".into()),
            currency: Some("ZAR".into()),
            vat_rate: Some("15".into()),
            ..Default::default()
        })
        .unwrap();
    }
    let store = db.open();
    assert_eq!(store.company().unwrap().name, "Old Book");
    assert!(store.list_invoices(None, None).unwrap().is_empty(), "the billing tables exist");
    let copy = db.dir.path().join("seatbook.db.v1.bak");
    assert!(copy.exists(), "a copy of the version-1 file is kept beside it");
    // The copy is the old database, whole: a newer Seatbook opens and migrates it too.
    let old = Store::open(&copy).unwrap();
    assert_eq!(old.company().unwrap().name, "Old Book");
}

/// A book of schema 18 (made by the Seatbook of that version: `tests/data/book-v18.sh`) takes
/// migrations 19 to 22 (descriptions and both parties kept once, licence keys derived, the
/// lines' and the history's dates kept as days): every
/// invoice shows and prints
/// as that version showed and printed it, the book passes its own checks, nothing is billed a
/// second time, and the next month bills as before.
#[test]
fn a_book_of_schema_18_keeps_its_invoices_through_the_lean_migrations() {
    let db = TestDb::new();
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    std::fs::copy(data.join("book-v18.db"), &db.path).unwrap();
    // Free pages in the file, as a book that deleted much (or made big tables again) has them.
    rusqlite::Connection::open(&db.path)
        .unwrap()
        .execute_batch(
            "CREATE TABLE scratch AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
                SELECT i, randomblob(100) AS b FROM n;
             DROP TABLE scratch;",
        )
        .unwrap();
    let before: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(data.join("book-v18-invoices.json")).unwrap()).unwrap();
    let before = before.as_array().unwrap();
    assert_eq!(before.len(), 4, "the book has four invoices");
    for invoice in before {
        let number = invoice["number"].as_str().unwrap();
        let shown = json(&db.path, &["--today", "2026-12-01", "invoice", "show", number]);
        assert_eq!(&shown, invoice, "{number} shows as it did");
        let pdf = db.dir.path().join(format!("{number}.pdf"));
        ok(&db.path, &["--today", "2026-12-01", "invoice", "pdf", number, "--out", pdf.to_str().unwrap()]);
        assert_eq!(
            std::fs::read(&pdf).unwrap(),
            std::fs::read(data.join(format!("book-v18-{number}.pdf"))).unwrap(),
            "{number} prints as it did"
        );
    }
    let kinds: Vec<&str> = before.iter().flat_map(|i| i["lines"].as_array().unwrap().iter().map(|l| l["kind"].as_str().unwrap())).collect();
    for kind in ["licence", "proration", "charge", "usage"] {
        assert!(kinds.contains(&kind), "the book has a {kind} line: {kinds:?}");
    }
    db.open().check_book().unwrap();
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let (texts, lines): (i64, i64) = conn
        .query_row("SELECT (SELECT count(*) FROM line_texts), (SELECT count(*) FROM invoice_lines)", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert!(texts < lines, "each description once: {texts} texts for {lines} lines");
    // The lines' dates are kept as days (shown and printed as dates above).
    let kept: Vec<(String, String, String)> = conn
        .prepare(
            "SELECT DISTINCT typeof(period_start), typeof(period_end), typeof(billable_date) FROM invoice_lines WHERE kind = 'licence'",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(kept, [("integer".to_string(), "integer".to_string(), "integer".to_string())]);
    let history: Vec<(String, String, String)> = conn
        .prepare("SELECT DISTINCT typeof(effective), typeof(term_start), typeof(term_end) FROM subscription_events")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(history, [("integer".to_string(), "integer".to_string(), "integer".to_string())]);
    let moments: Vec<String> = conn
        .prepare(
            "SELECT typeof(recorded_at) FROM subscription_events UNION SELECT typeof(recorded_at) FROM invoices
             UNION SELECT typeof(recorded_at) FROM payments",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(moments, ["integer"], "the moments Seatbook wrote (history, invoices, payments) are kept as seconds");
    let (free, pages): (i64, i64) = conn
        .query_row("SELECT freelist_count, page_count FROM pragma_freelist_count, pragma_page_count", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert!(free * 10 <= pages, "a migrated book more than a tenth empty is written again compactly: {free} of {pages} pages free");
    let parties: Vec<String> =
        conn.prepare("SELECT name FROM parties ORDER BY id").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(
        parties,
        ["Cloudwise (Pty) Ltd", "Contoso (Pty) Ltd", "Fabrikam CC"],
        "the supplier and each customer once, for four invoices"
    );
    drop(conn);
    // What was billed stays billed: December again issues nothing, January bills its licences.
    let again = json(&db.path, &["--today", "2026-12-01", "bill", "--month", "2026-12", "--issue", "--date", "2026-12-01"]);
    assert_eq!(again["invoices"], serde_json::json!([]), "{again}");
    let jan = json(&db.path, &["--today", "2027-01-01", "bill", "--month", "2027-01", "--issue", "--date", "2027-01-01"]);
    let jan_lines: Vec<(String, String)> = jan["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| {
            i["lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| (l["kind"].as_str().unwrap().to_string(), l["period_start"].as_str().unwrap_or("").to_string()))
        })
        .collect();
    assert!(!jan_lines.is_empty() && jan_lines.iter().all(|(k, start)| k == "licence" && start.starts_with("2027-01")), "{jan_lines:?}");
    let jan_again = json(&db.path, &["--today", "2027-01-01", "bill", "--month", "2027-01", "--issue", "--date", "2027-01-01"]);
    assert_eq!(jan_again["invoices"], serde_json::json!([]));
    db.open().check_book().unwrap();
}

/// A batch reads its documents together (`Store::documents`, four queries for a chunk): each is
/// the document read alone, whatever its lines (licence, proration, charge, Azure usage with its
/// meter categories), a credit note among them included, in the order asked; an unknown number
/// is refused by name.
#[test]
fn documents_read_together_are_the_documents_read_one_by_one() {
    let db = TestDb::new();
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    std::fs::copy(data.join("book-v18.db"), &db.path).unwrap();
    let store = db.open();
    let numbers: Vec<String> = rusqlite::Connection::open(&db.path)
        .unwrap()
        .prepare("SELECT number FROM credit_notes UNION ALL SELECT number FROM (SELECT number FROM invoices ORDER BY id DESC)")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(numbers.len(), 5, "four invoices and a credit note: {numbers:?}");
    let alone: Vec<_> = numbers.iter().map(|n| store.document(n).unwrap()).collect();
    assert!(alone.iter().any(|d| d.lines.iter().any(|l| !l.details.is_empty())), "an Azure line with its meter categories");
    assert_eq!(store.documents(&numbers).unwrap(), alone);
    let by_chunk: Vec<_> = seatbook::app::billing::documents_by_chunk(&numbers, |chunk| seatbook::app::billing::printables(&store, chunk))
        .map(Result::unwrap)
        .collect();
    assert_eq!(by_chunk, alone);
    let e = store.documents(&[numbers[1].clone(), "INV-2026-99999".into()]).unwrap_err();
    assert_eq!((e.code, e.message.contains("INV-2026-99999")), (ErrorCode::NotFound, true), "{e:?}");
}

/// A reprint looks as the original did: the logo is kept with the documents issued under it, so a
/// new logo (or none) in the profile changes only the documents issued after.
#[test]
fn a_reprint_keeps_the_logo_of_its_issue() {
    let db = TestDb::new();
    let (mut store, a, _, _) = book(&db);
    let old = db.file("old-logo.png", "\u{89}PNG old");
    let new = db.file("new-logo.png", "\u{89}PNG new");
    let logo = |store: &mut Store, path: &std::path::Path| {
        let fields = seatbook::company::CompanyFields { logo_path: Some(path.display().to_string()), ..Default::default() };
        store.update_company(&fields).unwrap();
    };
    logo(&mut store, &old);
    let run = store.issue_month(day("2026-11-01"), day("2026-11-01"), NOW).unwrap();
    let first = run.invoices[0].number.clone().unwrap();
    logo(&mut store, &new);
    std::fs::remove_file(&old).unwrap();
    assert_eq!(store.document(&first).unwrap().logo.as_deref(), Some("\u{89}PNG old".as_bytes()), "the logo of its issue");
    // A credit note issued now carries today's logo; its invoice keeps its own.
    let cn = store.credit_invoice(&first, &CreditMode::Whole, "wrong seats", day("2026-11-02"), NOW).unwrap();
    assert_eq!(store.document(&cn.number).unwrap().logo.as_deref(), Some("\u{89}PNG new".as_bytes()));
    // Issued with no logo: printed with none, whatever the profile says later.
    logo(&mut store, std::path::Path::new(""));
    store.add_subscription(&basic(a, 1, "2026-12-01"), NOW).unwrap();
    let december = store.issue_month(day("2026-12-01"), day("2026-12-01"), NOW).unwrap();
    let plain = december.invoices.iter().find_map(|i| i.number.clone()).unwrap();
    logo(&mut store, &new);
    assert_eq!(store.document(&plain).unwrap().logo, None);
    assert_eq!(store.document(&first).unwrap().logo.as_deref(), Some("\u{89}PNG old".as_bytes()));
}
