//! `seatbook report NAME --csv FILE` writes the core's report table (`seatbook::report_table`),
//! byte for byte what the desktop app's "Export CSV" writes for the same report: RFC 4180, CRLF,
//! the column keys as header, the header even when there are no rows.

use crate::helpers::*;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use seatbook::catalogue::{BillingPlan, Term};
use seatbook::money::Currency;
use seatbook::receivables::Method;
use seatbook::report_table::Report;
use std::path::Path;
use std::str::FromStr;

const TODAY: &str = "2027-01-15";
const ACME: &str = "Acme, \"Pty\" Ltd";

/// Two ZAR customers (one whose name needs quoting) with two months billed, a payment, an
/// expiry and a cancellation; on TODAY Acme's November invoice is overdue.
fn book(db: &TestDb) {
    let mut store = reseller(db);
    let (usd, zar) = (Currency::parse("USD", "c").unwrap(), Currency::parse("ZAR", "c").unwrap());
    store.set_exchange_rate(usd, zar, Decimal::from_str("18.25").unwrap(), day("2026-01-01")).unwrap();
    let acme = add_customer(&mut store, ACME, "acme.onmicrosoft.com", "ZAR");
    let beta = add_customer(&mut store, "Beta", "beta.onmicrosoft.com", "ZAR");
    let basic = ("CFQ7TTC0LH18", "0001");
    let exchange = ("CFQ7TTC0LH16", "0001");
    store.add_subscription(&new_sub(acme, basic, Term::P1Y, BillingPlan::Monthly, 10, "2026-11-01"), NOW).unwrap();
    let once = store.add_subscription(&new_sub(beta, exchange, Term::P1M, BillingPlan::Monthly, 2, "2026-11-05"), NOW).unwrap();
    store.set_auto_renew(once.id, false, day("2026-11-06"), NOW).unwrap();
    store.add_subscription(&new_sub(beta, basic, Term::P1M, BillingPlan::Monthly, 3, "2026-12-20"), NOW).unwrap();
    let gone = store.add_subscription(&new_sub(beta, exchange, Term::P1M, BillingPlan::Monthly, 1, "2026-12-10"), NOW).unwrap();
    store.cancel_subscription(gone.id, day("2026-12-12"), NOW).unwrap();
    store.issue_month(day("2026-11-01"), day("2026-11-01"), NOW).unwrap();
    store.issue_month(day("2026-12-01"), day("2026-12-01"), NOW).unwrap();
    store.add_payment(beta, day("2026-12-05"), Decimal::from(100), Method::Eft, "EFT 7", &[], NOW).unwrap();
}

/// The CLI's `--csv` file for `args`, with `--today TODAY`.
fn cli_csv(db: &Path, dir: &Path, name: &str, args: &[&str]) -> Vec<u8> {
    let file = dir.join(format!("{name}.csv"));
    let mut all = vec!["--today", TODAY, "report"];
    all.extend_from_slice(args);
    all.extend(["--csv", file.to_str().unwrap()]);
    ok(db, &all);
    std::fs::read(&file).unwrap()
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn the_cli_writes_the_core_report_table_byte_for_byte() {
    let db = TestDb::new();
    book(&db);
    let dir = db.dir.path();
    let today = day(TODAY);
    // The months are whole: to the last day of --to.
    let (from, to) = (ymd(2026, 10, 1), ymd(2027, 1, 31));
    let cases: Vec<(&str, Vec<&str>, Report)> = vec![
        ("mrr", vec!["mrr", "--from", "2026-10", "--to", "2027-01"], Report::Mrr { from, to }),
        ("revenue", vec!["revenue", "--from", "2026-10", "--to", "2027-01"], Report::Revenue { from, to }),
        ("churn", vec!["churn", "--from", "2026-10", "--to", "2027-01"], Report::Churn { from, to }),
        ("margin", vec!["margin", "--from", "2026-10", "--to", "2027-01"], Report::Margin { from, to, by_product: false }),
        (
            "margin-by-product",
            vec!["margin", "--by", "product", "--from", "2026-10", "--to", "2027-01"],
            Report::Margin { from, to, by_product: true },
        ),
        ("aging", vec!["aging", "--as-of", TODAY], Report::Aging { as_of: today }),
        ("aging-default", vec!["aging"], Report::Aging { as_of: today }),
        ("renewals", vec!["renewals", "--within", "90", "--as-of", TODAY], Report::Renewals { as_of: today, days: 90 }),
        ("renewals-default", vec!["renewals"], Report::Renewals { as_of: today, days: 30 }),
        ("exposure", vec!["exposure", "--as-of", TODAY], Report::Exposure { as_of: today }),
    ];
    let written: Vec<(&str, Vec<u8>, Report)> =
        cases.into_iter().map(|(name, args, r)| (name, cli_csv(&db.path, dir, name, &args), r)).collect();
    let store = db.open();
    for (name, csv, report) in written {
        let table = seatbook::app::reports::make(&store, report).unwrap();
        assert!(!table.rows.is_empty(), "{name}: the book gives rows");
        let want = table.to_csv();
        assert_eq!(String::from_utf8(csv).unwrap(), want, "{name}");
        assert!(want.ends_with("\r\n") && !want.replace("\r\n", "").contains('\n'), "{name}: CRLF line ends");
        assert_eq!(want.matches("\r\n").count(), table.rows.len() + 1, "{name}: a header and one line per row");
    }

    // What the CSV holds, for a person reading it: the quoted name, the total, an empty margin %.
    let aging = String::from_utf8(cli_csv(&db.path, dir, "aging-read", &["aging", "--as-of", TODAY])).unwrap();
    let lines: Vec<&str> = aging.split("\r\n").collect();
    assert_eq!(lines[0], "customer,currency,current,days_1_30,days_31_60,days_61_90,over_90,total,credit");
    assert!(lines[1].starts_with("\"Acme, \"\"Pty\"\" Ltd\",ZAR,"), "{aging}");
    assert!(lines.iter().any(|l| l.starts_with("Total,ZAR,")), "{aging}");
    let churn = String::from_utf8(cli_csv(&db.path, dir, "churn-read", &["churn", "--from", "2026-12", "--to", "2026-12"])).unwrap();
    assert_eq!(churn, "month,cancelled,expired,seats_lost\r\n2026-12,1,1,3\r\n");
}

#[test]
fn an_empty_report_still_has_its_header() {
    let db = TestDb::new();
    book(&db);
    let dir = db.dir.path();
    // Nothing overdue on 2 November, nothing cancelled in 2025.
    let exposure = cli_csv(&db.path, dir, "exposure", &["exposure", "--as-of", "2026-11-02"]);
    assert_eq!(String::from_utf8(exposure).unwrap(), "customer,product,seats,term_end,currency,remaining_cost,subscription_id\r\n");
    let churn = cli_csv(&db.path, dir, "churn", &["churn", "--from", "2025-01", "--to", "2025-12"]);
    assert_eq!(String::from_utf8(churn).unwrap(), "month,cancelled,expired,seats_lost\r\n");
    let store = db.open();
    let t = seatbook::app::reports::make(&store, Report::Churn { from: ymd(2025, 1, 1), to: ymd(2025, 12, 1) }).unwrap();
    assert_eq!(t.to_csv(), "month,cancelled,expired,seats_lost\r\n");
}
