//! Receivables over a database: payments applied oldest first or to chosen invoices, credit
//! carried to the next invoices, refunds, reversals, statuses, balances and aging.

use crate::helpers::*;
use rust_decimal::Decimal;
use seatbook::receivables::{InvoiceStatus, Method};
use seatbook::store::{CreditMode, Store};
use seatbook::ErrorCode;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// A customer with three invoices: 1 150.00 (Oct), 2 300.00 (Nov), 3 450.00 (Dec), due in 30 days.
fn three_invoices(db: &TestDb) -> (Store, i64) {
    let mut store = reseller(db);
    let c = add_customer(&mut store, "Acme", "acme.onmicrosoft.com", "ZAR");
    for (month, amount) in [("2026-10", "1000"), ("2026-11", "260.87"), ("2026-12", "391.30")] {
        let date = day(&format!("{month}-05"));
        store.add_charge(c, date, &format!("Work in {month}"), d("1"), d(amount), None).unwrap();
        store.issue_month(day(&format!("{month}-01")), day(&format!("{month}-28")), NOW).unwrap();
    }
    (store, c)
}

#[test]
fn payments_go_to_the_oldest_invoices_unless_chosen_and_the_rest_is_credit() {
    let db = TestDb::new();
    let (mut store, c) = three_invoices(&db);
    let totals: Vec<Decimal> = store.list_invoices(None, None).unwrap().iter().map(|i| i.total).collect();
    assert_eq!(totals, [d("1150.00"), d("300.00"), d("450.00")]);
    let p = store.add_payment(c, day("2026-12-29"), d("1200"), Method::Eft, "ACME-001", &[], NOW).unwrap();
    let alloc: Vec<(String, Decimal)> = p.allocations.iter().map(|a| (a.invoice.clone(), a.amount)).collect();
    assert_eq!(alloc, [("INV-2026-00001".to_string(), d("1150.00")), ("INV-2026-00002".to_string(), d("50.00"))]);
    assert_eq!(store.invoice_status("INV-2026-00001", day("2026-12-29")).unwrap(), (InvoiceStatus::Paid, d("0.00")));
    assert_eq!(store.invoice_status("INV-2026-00002", day("2026-12-29")).unwrap(), (InvoiceStatus::Overdue, d("250.00")));
    // A payment for the December invoice goes there first; the overpayment becomes credit.
    let p = store.add_payment(c, day("2026-12-30"), d("600"), Method::Card, "", &["INV-2026-00003".into()], NOW).unwrap();
    let alloc: Vec<(String, Decimal)> = p.allocations.iter().map(|a| (a.invoice.clone(), a.amount)).collect();
    assert_eq!(alloc, [("INV-2026-00003".to_string(), d("450.00")), ("INV-2026-00002".to_string(), d("150.00"))]);
    let account = store.account(c, day("2026-12-31")).unwrap();
    assert_eq!((account.invoiced, account.received, account.balance, account.credit), (d("1900.00"), d("1800.00"), d("100.00"), d("0.00")));
    assert_eq!(account.invoices.len(), 1);
    assert_eq!(
        (account.invoices[0].number.as_str(), account.invoices[0].open, account.invoices[0].status),
        ("INV-2026-00002", d("100.00"), InvoiceStatus::Overdue)
    );
    // Paying 250 leaves 150 of credit, which January's invoice takes when it is issued.
    store.add_payment(c, day("2027-01-02"), d("250"), Method::Eft, "", &[], NOW).unwrap();
    assert_eq!(store.account(c, day("2027-01-02")).unwrap().credit, d("150.00"));
    store.add_charge(c, day("2027-01-05"), "January", d("1"), d("200"), None).unwrap();
    store.issue_month(day("2027-01-01"), day("2027-01-28"), NOW).unwrap();
    let account = store.account(c, day("2027-01-28")).unwrap();
    assert_eq!((account.credit, account.balance), (d("0.00"), d("80.00")));
    assert_eq!(store.invoice_status("INV-2027-00001", day("2027-01-28")).unwrap(), (InvoiceStatus::PartlyPaid, d("80.00")));
}

#[test]
fn a_bounced_payment_is_reversed_by_a_new_entry_and_the_invoices_reopen() {
    let db = TestDb::new();
    let (mut store, c) = three_invoices(&db);
    let p = store.add_payment(c, day("2026-12-29"), d("1450"), Method::Eft, "DEBIT ORDER", &[], NOW).unwrap();
    assert_eq!(store.invoice_status("INV-2026-00002", day("2026-12-29")).unwrap().0, InvoiceStatus::Paid);
    let r = store.reverse_payment(p.id, day("2027-01-03"), "bounced: insufficient funds", NOW).unwrap();
    assert_eq!((r.kind.as_str(), r.reverses, r.amount), ("reversal", Some(p.id), d("1450.00")));
    assert_eq!(store.payment(p.id).unwrap().reversed_by, Some(r.id));
    // Before the reversal date the invoices were paid; after it they are open again.
    assert_eq!(store.invoice_status("INV-2026-00001", day("2027-01-02")).unwrap().0, InvoiceStatus::Paid);
    assert_eq!(store.invoice_status("INV-2026-00001", day("2027-01-03")).unwrap(), (InvoiceStatus::Overdue, d("1150.00")));
    let account = store.account(c, day("2027-01-03")).unwrap();
    assert_eq!((account.received, account.balance, account.credit), (d("0.00"), d("1900.00"), d("0.00")));
    let again = store.reverse_payment(p.id, day("2027-01-04"), "", NOW).unwrap_err();
    assert_eq!(again.code, ErrorCode::Refused);
    // The database keeps every entry: nothing can be edited or deleted.
    assert!(store.execute_raw_for_tests("DELETE FROM payments").unwrap_err().message.contains("reverse"));
    assert!(store.execute_raw_for_tests("UPDATE allocations SET amount_minor = 1").is_err());
    assert_eq!(store.list_payments(Some(c)).unwrap().len(), 2);
}

#[test]
fn credit_can_be_refunded_but_not_more_than_there_is() {
    let db = TestDb::new();
    let (mut store, c) = three_invoices(&db);
    store.add_payment(c, day("2026-12-29"), d("2000"), Method::Eft, "", &[], NOW).unwrap();
    assert_eq!(store.account(c, day("2026-12-29")).unwrap().credit, d("100.00"));
    let e = store.refund_credit(c, d("100.01"), day("2026-12-30"), Method::Eft, "", NOW).unwrap_err();
    assert!(e.message.contains("has 100.00 ZAR of credit"), "{}", e.message);
    store.refund_credit(c, d("100"), day("2026-12-30"), Method::Eft, "REFUND-1", NOW).unwrap();
    let account = store.account(c, day("2026-12-31")).unwrap();
    assert_eq!((account.balance, account.credit, account.refunded), (d("0.00"), d("0.00"), d("100.00")));
}

#[test]
fn credit_notes_count_against_what_is_open() {
    let db = TestDb::new();
    let (mut store, c) = three_invoices(&db);
    store.credit_invoice("INV-2026-00002", &CreditMode::Whole, "Not delivered", day("2026-12-01"), NOW).unwrap();
    assert_eq!(store.invoice_status("INV-2026-00002", day("2026-12-02")).unwrap(), (InvoiceStatus::Credited, d("0.00")));
    let p = store.add_payment(c, day("2026-12-29"), d("1600"), Method::Eft, "", &[], NOW).unwrap();
    let paid: Vec<String> = p.allocations.iter().map(|a| a.invoice.clone()).collect();
    assert_eq!(paid, ["INV-2026-00001", "INV-2026-00003"]);
    assert_eq!(store.account(c, day("2026-12-29")).unwrap().balance, d("0.00"));
}

#[test]
fn aging_puts_open_amounts_in_buckets_by_days_past_due() {
    let db = TestDb::new();
    let (mut store, c) = three_invoices(&db);
    // Due dates: 2026-11-27, 2026-12-28, 2027-01-27 (30 days after the 28th).
    let other = add_customer(&mut store, "Beta", "beta.onmicrosoft.com", "ZAR");
    store.add_charge(other, day("2026-12-10"), "Setup", d("1"), d("100"), None).unwrap();
    store.issue_month(day("2026-12-01"), day("2026-12-28"), NOW).unwrap();
    store.add_payment(c, day("2027-01-10"), d("150"), Method::Cash, "", &[], NOW).unwrap();
    let report = store.aging(day("2027-01-27")).unwrap();
    let row = |id: i64| report.rows.iter().find(|r| r.customer_id == id).unwrap().clone();
    let acme = row(c);
    // INV 1: 1000.00 open, 61 days past due; INV 2: 300.00, 30 days; INV 3: 450.00, due today.
    assert_eq!(acme.buckets, [d("450.00"), d("300.00"), d("0.00"), d("1000.00"), d("0.00")]);
    assert_eq!(acme.total, d("1750.00"));
    assert_eq!(row(other).buckets, [d("115.00"), d("0.00"), d("0.00"), d("0.00"), d("0.00")]);
    assert_eq!(report.totals[0].total, d("1865.00"));
    // A day later every bucket moves on.
    let later = store.aging(day("2027-01-28")).unwrap();
    let acme = later.rows.iter().find(|r| r.customer_id == c).unwrap();
    assert_eq!(acme.buckets, [d("0.00"), d("450.00"), d("300.00"), d("1000.00"), d("0.00")]);
}

#[test]
fn money_received_before_an_invoice_date_is_applied_to_it() {
    let db = TestDb::new();
    let mut store = reseller(&db);
    let c = add_customer(&mut store, "Acme", "acme.onmicrosoft.com", "ZAR");
    store.add_charge(c, day("2026-11-05"), "Setup", d("1"), d("100"), None).unwrap();
    // Issued ahead, dated the 30th; paid on the 24th.
    store.issue_month(day("2026-11-01"), day("2026-11-30"), NOW).unwrap();
    let p = store.add_payment(c, day("2026-11-24"), d("115"), Method::Eft, "", &[], NOW).unwrap();
    assert_eq!(
        p.allocations.iter().map(|a| (a.invoice.as_str(), a.date, a.amount)).collect::<Vec<_>>(),
        [("INV-2026-00001", day("2026-11-30"), d("115.00"))]
    );
    assert_eq!(store.invoice_status("INV-2026-00001", day("2026-11-30")).unwrap(), (InvoiceStatus::Paid, d("0.00")));
    assert_eq!(store.account(c, day("2026-11-30")).unwrap().credit, d("0.00"));
}

/// What is open on each day, through payments, a reversal, credit notes, an overpayment and a
/// payment dated ahead, is the same whether it is read from the invoices the book keeps as not
/// yet settled (from the latest day money was applied) or from every invoice: the receivables,
/// aging and credit stops say of each day what each invoice's own state says.
#[test]
fn what_is_open_each_day_is_what_every_invoice_says() {
    let db = TestDb::new();
    let (mut store, c) = three_invoices(&db);
    let other = add_customer(&mut store, "Beta", "beta.onmicrosoft.com", "ZAR");
    store.add_charge(other, day("2026-12-10"), "Setup", d("1"), d("100"), None).unwrap();
    store.issue_month(day("2026-12-01"), day("2026-12-28"), NOW).unwrap();
    let p = store.add_payment(c, day("2026-12-05"), d("1200"), Method::Eft, "", &[], NOW).unwrap();
    store.credit_invoice("INV-2026-00002", &CreditMode::Amount(d("100")), "discount", day("2026-12-20"), NOW).unwrap();
    store.reverse_payment(p.id, day("2027-01-03"), "bounced", NOW).unwrap();
    store.add_payment(other, day("2027-01-06"), d("215"), Method::Eft, "", &[], NOW).unwrap();
    store.add_payment(c, day("2027-01-10"), d("1150"), Method::Eft, "", &["INV-2026-00001".into()], NOW).unwrap();
    // Entered ahead of its day: until then, what was open stays open.
    store.add_payment(c, day("2027-02-15"), d("300"), Method::Eft, "", &[], NOW).unwrap();
    store.credit_invoice("INV-2026-00003", &CreditMode::Amount(d("291.30")), "not delivered", day("2027-02-20"), NOW).unwrap();
    let mut day_ = day("2026-10-01");
    let mut seen = std::collections::BTreeSet::new();
    while day_ <= day("2027-03-31") {
        let states = store.invoice_states(None, day_).unwrap();
        let open: Vec<_> = states.values().filter(|s| s.open > Decimal::ZERO).collect();
        let overdue: Decimal = open.iter().filter(|s| s.status == InvoiceStatus::Overdue).map(|s| s.open).sum();
        let r = store.receivables(day_).unwrap();
        assert_eq!(
            (r.open_invoices, r.open_total, r.overdue_total),
            (open.len(), open.iter().map(|s| s.open).sum::<Decimal>().round_dp(2), overdue.round_dp(2)),
            "{day_}"
        );
        let aging: Decimal = store.aging(day_).unwrap().totals.iter().map(|t| t.total).sum();
        assert_eq!(aging, r.open_total, "{day_}");
        let stops: Vec<i64> = store.credit_stops(day_).unwrap().iter().map(|s| s.customer_id).collect();
        let expected: Vec<i64> = [c, other].into_iter().filter(|id| store.credit_stop(*id, day_).unwrap().is_some()).collect();
        let mut stops_sorted = stops.clone();
        stops_sorted.sort();
        assert_eq!(stops_sorted, expected, "{day_}");
        seen.insert((r.open_invoices, r.open_total));
        day_ = day_.succ_opt().unwrap();
    }
    // The days went through many states, down to nothing open.
    assert!(seen.len() >= 8, "{seen:?}");
    let end = store.receivables(day("2027-03-31")).unwrap();
    assert_eq!((end.open_invoices, end.open_total), (0, d("0.00")));
}

/// The invoice list a screen shows first: the newest invoices the filters keep, each with its
/// status as of the day (one dated later is open in full), and how many are kept in all; the
/// whole list (the command line's) in number order says the same of each.
#[test]
fn the_invoice_list_pages_newest_first_with_the_count_and_the_same_statuses() {
    use seatbook::app::billing::{invoices, invoices_page};
    let db = TestDb::new();
    let (mut store, c) = three_invoices(&db);
    store.add_payment(c, day("2026-12-29"), d("1200"), Method::Eft, "ACME-001", &[], NOW).unwrap();
    store.credit_invoice("INV-2026-00003", &CreditMode::Amount(d("100")), "Goodwill", day("2026-12-29"), NOW).unwrap();
    let today = day("2026-12-30");
    let all = invoices(&store, today, None, None, None).unwrap();
    let numbers: Vec<&str> = all.iter().map(|r| r.number.as_str()).collect();
    assert_eq!(numbers, ["INV-2026-00001", "INV-2026-00002", "INV-2026-00003"]);
    let states: Vec<(InvoiceStatus, Decimal, Decimal)> = all.iter().map(|r| (r.status, r.paid, r.open)).collect();
    assert_eq!(
        states,
        [
            (InvoiceStatus::Paid, d("1150.00"), d("0.00")),
            (InvoiceStatus::Overdue, d("50.00"), d("250.00")),
            (InvoiceStatus::Open, d("0.00"), d("335.00")),
        ]
    );
    assert_eq!((all[2].credited_net, all[2].credit_notes.clone()), (d("100.00"), vec!["CN-2026-00001".to_string()]));
    // The first two, newest first, of three.
    let page = invoices_page(&store, today, None, None, None, Some(2)).unwrap();
    assert_eq!(page.total, 3);
    let first: Vec<(&str, InvoiceStatus, Decimal)> = page.rows.iter().map(|r| (r.number.as_str(), r.status, r.open)).collect();
    assert_eq!(first, [("INV-2026-00003", InvoiceStatus::Open, d("335.00")), ("INV-2026-00002", InvoiceStatus::Overdue, d("250.00"))]);
    // A status filter counts what it keeps; a month filter by index.
    let unpaid = invoices_page(&store, today, None, Some(c), Some("unpaid"), Some(1)).unwrap();
    assert_eq!((unpaid.total, unpaid.rows[0].number.as_str()), (2, "INV-2026-00003"));
    let november = invoices_page(&store, today, Some("2026-11"), None, None, None).unwrap();
    assert_eq!((november.total, november.rows.len(), november.rows[0].number.as_str()), (1, 1, "INV-2026-00002"));
    // Seen from before the December invoice's date, it is open in full, nothing paid.
    let early = invoices_page(&store, day("2026-12-01"), Some("2026-12"), None, None, None).unwrap();
    assert_eq!((early.rows[0].status, early.rows[0].paid, early.rows[0].open), (InvoiceStatus::Open, d("0"), d("450.00")));
    assert_eq!(invoices_page(&store, today, None, None, Some("sent"), None).unwrap_err().field.as_deref(), Some("status"));
    // Every customer's invoices by status (read from the unsettled ones alone) are the whole
    // list's, newest first, on either day (the December invoice dated after the first).
    for on in [today, day("2026-12-01")] {
        for status in ["unpaid", "open", "partly-paid", "overdue", "paid", "credited"] {
            let whole: Vec<(String, InvoiceStatus, Decimal)> =
                invoices(&store, on, None, None, Some(status)).unwrap().into_iter().rev().map(|r| (r.number, r.status, r.open)).collect();
            let page = invoices_page(&store, on, None, None, Some(status), Some(1)).unwrap();
            let shown: Vec<(String, InvoiceStatus, Decimal)> = page.rows.into_iter().map(|r| (r.number, r.status, r.open)).collect();
            assert_eq!((page.total, shown.as_slice()), (whole.len(), &whole[..whole.len().min(1)]), "{status} on {on}");
        }
    }
}
