//! Reports: recurring revenue, revenue, margin, commitment exposure and churn, to the cent.

use crate::helpers::*;
use rust_decimal::Decimal;
use seatbook::catalogue::{BillingPlan, Term};
use seatbook::money::Currency;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// A ZAR reseller (default markup 20 %) with USD at 18 ZAR from 1 January 2026, and two ZAR
/// customers: Acme and Beta.
fn acme_and_beta(db: &TestDb) -> (seatbook::store::Store, i64, i64) {
    let mut store = reseller(db);
    store
        .set_exchange_rate(Currency::parse("USD", "c").unwrap(), Currency::parse("ZAR", "c").unwrap(), d("18"), day("2026-01-01"))
        .unwrap();
    let a = add_customer(&mut store, "Acme", "acme.onmicrosoft.com", "ZAR");
    let b = add_customer(&mut store, "Beta", "beta.onmicrosoft.com", "ZAR");
    (store, a, b)
}

#[test]
fn a_term_ending_before_the_month_does_counts_if_it_renews_automatically() {
    let db = TestDb::new();
    let (mut store, a, b) = acme_and_beta(&db);
    // Both P1M from 20 October: the first term ends 19 November, before November's end, and no
    // billing run has renewed them yet. Acme renews automatically; Beta does not.
    store.add_subscription(&new_sub(a, ("CFQ7TTC0LH18", "0001"), Term::P1M, BillingPlan::Monthly, 10, "2026-10-20"), NOW).unwrap();
    let beta =
        store.add_subscription(&new_sub(b, ("CFQ7TTC0LH18", "0001"), Term::P1M, BillingPlan::Monthly, 5, "2026-10-20"), NOW).unwrap();
    store.set_auto_renew(beta.id, false, day("2026-10-21"), NOW).unwrap();
    // USD 8.64 a seat a month, at 18 ZAR to the dollar.
    assert_eq!(store.subscription(beta.id).unwrap().price.unit_price, d("8.64"));
    let mrr = store.mrr_by_month(day("2026-10-01"), day("2026-11-30")).unwrap();
    let got: Vec<(String, Decimal, u32, u32)> = mrr.iter().map(|r| (r.month.clone(), r.mrr, r.subscriptions, r.seats)).collect();
    assert_eq!(
        got,
        [("2026-10".to_string(), d("2332.80"), 2, 15), ("2026-11".to_string(), d("1555.20"), 1, 10)],
        "October: both; November: only Acme's, which renews"
    );
}

#[test]
fn recurring_revenue_margin_exposure_and_churn() {
    let db = TestDb::new();
    let (mut store, a, b) = acme_and_beta(&db); // default markup 20 %
                                                // Acme: Business Basic P1Y monthly, ZAR cost 1360.80 → 1632.96 per term, 136.08 a month per seat.
    let s1 = store.add_subscription(&new_sub(a, ("CFQ7TTC0LH18", "0001"), Term::P1Y, BillingPlan::Monthly, 10, "2026-11-01"), NOW).unwrap();
    // Beta: Exchange Online P1M, USD 4.80 → 5.76 a month per seat, ×18 = 103.68 ZAR.
    let s2 = store.add_subscription(&new_sub(b, ("CFQ7TTC0LH16", "0001"), Term::P1M, BillingPlan::Monthly, 2, "2026-11-05"), NOW).unwrap();
    store.set_auto_renew(s2.id, false, day("2026-11-06"), NOW).unwrap();
    store.issue_month(day("2026-11-01"), day("2026-11-01"), NOW).unwrap();

    let mrr = store.mrr_by_month(day("2026-10-01"), day("2026-12-31")).unwrap();
    let got: Vec<(String, Decimal, Decimal, u32)> = mrr.iter().map(|r| (r.month.clone(), r.mrr, r.arr, r.seats)).collect();
    assert_eq!(
        got,
        [
            ("2026-10".to_string(), d("0.00"), d("0.00"), 0),
            ("2026-11".to_string(), d("1568.16"), d("18817.92"), 12),
            // Beta's P1M expired on 5 December.
            ("2026-12".to_string(), d("1360.80"), d("16329.60"), 10),
        ]
    );

    // Margin on November's invoice: Acme 1360.80 resale vs 1134.00 cost; Beta 2 × 5.76 × 18 = 207.36 vs 172.80.
    let margin = store.margin(day("2026-11-01"), day("2026-11-30"), false).unwrap();
    let rows: Vec<(String, Decimal, Decimal, Decimal, Option<Decimal>)> =
        margin.iter().map(|m| (m.key.clone(), m.revenue, m.cost, m.margin, m.margin_percent)).collect();
    assert_eq!(
        rows,
        [
            ("Acme".to_string(), d("1360.80"), d("1134.00"), d("226.80"), Some(d("16.67"))),
            ("Beta".to_string(), d("207.36"), d("172.80"), d("34.56"), Some(d("16.67"))),
        ]
    );
    let by_product = store.margin(day("2026-11-01"), day("2026-11-30"), true).unwrap();
    assert_eq!(by_product[0].key, "Exchange Online (Plan 1) (CFQ7TTC0LH16:0001)");

    // Revenue by month, less a credit note in December.
    store.credit_invoice("INV-2026-00001", &seatbook::store::CreditMode::Amount(d("100")), "Goodwill", day("2026-12-02"), NOW).unwrap();
    let revenue = store.revenue_by_month(day("2026-11-01"), day("2026-12-01")).unwrap();
    let rows: Vec<(String, Decimal, Decimal)> = revenue.iter().map(|r| (r.month.clone(), r.invoiced, r.credited)).collect();
    assert_eq!(rows, [("2026-11".to_string(), d("1568.16"), d("0.00")), ("2026-12".to_string(), d("0.00"), d("100.00"))]);

    // Acme's invoice (due 1 Dec) is overdue on 15 Feb: what is still owed to Microsoft for its
    // term is the cost of the cycles not started yet: March to October, 8 × 113.40 × 10 seats.
    let exposure = store.exposure(day("2027-02-15")).unwrap();
    assert_eq!(exposure.len(), 1);
    assert_eq!((exposure[0].subscription_id, exposure[0].remaining_cost, exposure[0].cost_currency.code()), (s1.id, d("9072.00"), "ZAR"));

    // Expiries are recorded when renewals run (December's billing run does that first).
    store.run_renewals(day("2026-12-31"), NOW).unwrap();
    let churn = store.churn(day("2026-11-01"), day("2026-12-01")).unwrap();
    let rows: Vec<(String, u32, u32, u32)> = churn.iter().map(|c| (c.month.clone(), c.cancelled, c.expired, c.seats_lost)).collect();
    assert_eq!(rows, [("2026-12".to_string(), 0, 1, 2)]);
}

/// One MRR: the dashboard's figure for today is the MRR report's figure for this month, even in
/// the case the two used to disagree on: a term that ended earlier this month without
/// auto-renew, not yet expired by a billing run, and a seat change effective later this month.
#[test]
fn the_dashboard_and_the_report_agree_on_this_months_mrr() {
    use seatbook::app::reports::{self, ReportRequest};
    let db = TestDb::new();
    let (mut store, a, b) = acme_and_beta(&db);
    // Acme renews; Beta's term ended on 19 November without auto-renew: its status is still
    // active (no billing run has expired it), but nobody pays for it after the 19th.
    let acme =
        store.add_subscription(&new_sub(a, ("CFQ7TTC0LH18", "0001"), Term::P1M, BillingPlan::Monthly, 10, "2026-10-20"), NOW).unwrap();
    let beta =
        store.add_subscription(&new_sub(b, ("CFQ7TTC0LH18", "0001"), Term::P1M, BillingPlan::Monthly, 5, "2026-10-20"), NOW).unwrap();
    store.set_auto_renew(beta.id, false, day("2026-10-21"), NOW).unwrap();
    assert!(store.subscription(beta.id).unwrap().status.is_live(), "not expired yet");
    // Gamma's P1Y term runs; it adds 3 seats from the 28th, after today.
    let g = add_customer(&mut store, "Gamma", "gamma.onmicrosoft.com", "ZAR");
    let gamma =
        store.add_subscription(&new_sub(g, ("CFQ7TTC0LH18", "0001"), Term::P1Y, BillingPlan::Monthly, 2, "2026-11-01"), NOW).unwrap();
    store.change_quantity(gamma.id, 5, day("2026-11-28"), NOW).unwrap();
    let price = store.subscription(gamma.id).unwrap().price;
    let rate = if price.price_currency.code() == "ZAR" { d("1") } else { d("18") };
    let gamma_month = price.unit_price * d("2") / d("12") * rate;

    let today = day("2026-11-24");
    let dashboard = reports::dashboard(&store, today, None).unwrap().recurring;
    let report = reports::mrr(&store, today, &ReportRequest::default()).unwrap();
    let this_month = report.last().unwrap();
    assert_eq!(this_month.month, "2026-11");
    // Acme's 10 seats × USD 8.64 × 18 = ZAR 1555.20, and Gamma's 2 seats: Beta's ended term and
    // Gamma's later seats are out.
    let want = (d("1555.20") + gamma_month).round_dp(2);
    assert_eq!((dashboard.amount, dashboard.subscriptions, dashboard.seats), (want, 2, 12));
    assert_eq!((this_month.mrr, this_month.subscriptions, this_month.seats), (dashboard.amount, 2, 12));
    // A past month is measured at its end.
    assert_eq!(report[report.len() - 2].mrr, d("2332.80"), "October: Acme and Beta, 15 seats");
    let _ = acme;
}

/// MRR by month (one reading of the history for all the months) says for each month what the
/// dashboard says on that month's last day (the same rule, one day at a time), through seat
/// changes, a cancellation, a renewal and an expiry.
#[test]
fn mrr_by_month_is_each_month_end_s_recurring_revenue() {
    let db = TestDb::new();
    let (mut store, a, b) = acme_and_beta(&db);
    let s1 = store.add_subscription(&new_sub(a, ("CFQ7TTC0LH18", "0001"), Term::P1Y, BillingPlan::Monthly, 10, "2026-09-01"), NOW).unwrap();
    let s2 = store.add_subscription(&new_sub(b, ("CFQ7TTC0LH16", "0001"), Term::P1M, BillingPlan::Monthly, 2, "2026-09-05"), NOW).unwrap();
    let s3 = store.add_subscription(&new_sub(b, ("CFQ7TTC0LH18", "0001"), Term::P1M, BillingPlan::Monthly, 4, "2026-09-10"), NOW).unwrap();
    store.change_quantity(s1.id, 14, day("2026-10-12"), NOW).unwrap();
    store.issue_month(day("2026-10-01"), day("2026-10-01"), NOW).unwrap();
    store.cancel_subscription(s3.id, day("2026-10-12"), NOW).unwrap();
    store.set_auto_renew(s2.id, false, day("2026-11-02"), NOW).unwrap();
    store.issue_month(day("2026-11-01"), day("2026-11-01"), NOW).unwrap();
    store.change_quantity(s1.id, 16, day("2026-11-20"), NOW).unwrap();
    let months = store.mrr_by_month(day("2026-08-01"), day("2027-01-31")).unwrap();
    assert_eq!(months.len(), 6);
    let mut seen = Vec::new();
    for m in &months {
        let first = chrono::NaiveDate::parse_from_str(&format!("{}-01", m.month), "%Y-%m-%d").unwrap();
        let on = seatbook::dates::month_end(first);
        let r = store.recurring_revenue(on).unwrap();
        assert_eq!((m.mrr, m.subscriptions as usize, u64::from(m.seats)), (r.amount, r.subscriptions, r.seats), "{}", m.month);
        seen.push((m.month.clone(), m.seats));
    }
    // And on every day: the day's figure (read from the subscriptions where their last event took
    // effect by then, else from their histories) is the report's (read from the histories alone).
    let mut on = day("2026-09-01");
    while on <= day("2026-12-31") {
        let month_before = on - chrono::Months::new(1);
        let report = store.mrr_by_month(month_before, on).unwrap();
        let (m, r) = (report.last().unwrap(), store.recurring_revenue(on).unwrap());
        assert_eq!((m.mrr, m.subscriptions as usize, u64::from(m.seats)), (r.amount, r.subscriptions, r.seats), "{on}");
        on = on.succ_opt().unwrap();
    }
    // Seats: none in August; 10 + 2 + 4 in September; 14 + 2 in October (s3 cancelled);
    // s2 ends in November without renewing; 16 from 20 November on.
    assert_eq!(
        seen,
        [
            ("2026-08".to_string(), 0),
            ("2026-09".to_string(), 16),
            ("2026-10".to_string(), 16),
            ("2026-11".to_string(), 16),
            ("2026-12".to_string(), 16),
            ("2027-01".to_string(), 16)
        ]
    );
}
