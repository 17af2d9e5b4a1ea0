//! The books: a property test over random sequences of operations (the trial balance always sums
//! to zero, and the ledger agrees with every customer's account), and the exports checked by the
//! real `hledger check` and `bean-check` (installed by .ci/run; a missing tool fails the test).

use crate::helpers::*;
use rust_decimal::Decimal;
use seatbook::books::{customer_credit, receivables, trial_balance};
use seatbook::company::CompanyFields;
use seatbook::receivables::Method;
use seatbook::store::{CreditMode, Store};
use std::process::Command;

/// A small deterministic generator (xorshift), so a failing seed can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn cents(&mut self, max: u64) -> Decimal {
        Decimal::new((1 + self.below(max * 100)) as i64, 2)
    }
}

fn book_with_customers(currencies: &[&str]) -> (Store, Vec<i64>) {
    let mut store = Store::open_in_memory().unwrap();
    store
        .init_company(&CompanyFields {
            name: Some("Cloudwise".into()),
            country: Some("ZA".into()),
            currency: Some("ZAR".into()),
            vat_rate: Some("15".into()),
            ..Default::default()
        })
        .unwrap();
    let ids = currencies
        .iter()
        .enumerate()
        .map(|(i, c)| add_customer(&mut store, &format!("Customer {i}"), &format!("c{i}.onmicrosoft.com"), c))
        .collect();
    (store, ids)
}

#[test]
fn the_trial_balance_always_sums_to_zero() {
    for seed in 1..=40u64 {
        let (mut store, customers) = book_with_customers(&["ZAR", "ZAR", "USD"]);
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut date = day("2026-01-01");
        let mut month = day("2026-01-01");
        let mut charges = 0;
        for _ in 0..40 {
            date += chrono::Duration::days(rng.below(4) as i64);
            let c = customers[rng.below(customers.len() as u64) as usize];
            // Each operation may be refused by a rule (too much to credit, nothing to refund):
            // a refusal must change nothing, so the books still balance.
            let _ = match rng.below(6) {
                0 | 1 => {
                    charges += 1;
                    store.add_charge(c, date, &format!("Work {charges}"), Decimal::from(1 + rng.below(3)), rng.cents(900), None).map(|_| ())
                }
                2 => {
                    if date >= month {
                        let this =
                            chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&date), chrono::Datelike::month(&date), 1).unwrap();
                        month = this + chrono::Months::new(1);
                        store.issue_month(this, date, NOW).map(|_| ())
                    } else {
                        Ok(())
                    }
                }
                3 => store.add_payment(c, date, rng.cents(1500), Method::Eft, "", &[], NOW).map(|_| ()),
                4 => {
                    let invoices = store.list_invoices(None, Some(c)).unwrap();
                    match invoices.get(rng.below(invoices.len().max(1) as u64) as usize) {
                        Some(inv) if rng.below(2) == 0 => store
                            .credit_invoice(
                                inv.number.as_deref().unwrap(),
                                &CreditMode::Amount(rng.cents(300)),
                                "Discount",
                                date.max(inv.date),
                                NOW,
                            )
                            .map(|_| ()),
                        Some(inv) => store
                            .credit_invoice(inv.number.as_deref().unwrap(), &CreditMode::Whole, "Wrong", date.max(inv.date), NOW)
                            .map(|_| ()),
                        None => Ok(()),
                    }
                }
                _ => {
                    let payments: Vec<_> = store
                        .list_payments(Some(c))
                        .unwrap()
                        .into_iter()
                        .filter(|p| p.kind == "payment" && p.reversed_by.is_none())
                        .collect();
                    if rng.below(2) == 0 {
                        match payments.first() {
                            Some(p) => store.reverse_payment(p.id, date.max(p.date), "bounced", NOW).map(|_| ()),
                            None => Ok(()),
                        }
                    } else {
                        store.refund_credit(c, rng.cents(200), date, Method::Eft, "", NOW).map(|_| ())
                    }
                }
            };
            let journal = store.journal().unwrap();
            for e in &journal {
                assert_eq!(
                    e.postings.iter().map(|p| p.amount).sum::<Decimal>(),
                    Decimal::ZERO,
                    "seed {seed}: {} is unbalanced",
                    e.reference
                );
            }
            let tb = trial_balance(&journal);
            let mut per_currency = std::collections::BTreeMap::new();
            for ((_, cur), v) in &tb {
                *per_currency.entry(*cur).or_insert(Decimal::ZERO) += v;
            }
            assert!(per_currency.values().all(|v| v.is_zero()), "seed {seed}: trial balance {per_currency:?}");
        }
        // The ledger agrees with each customer's account: receivables less credit is the balance.
        let tb = trial_balance(&store.journal().unwrap());
        for &c in &customers {
            let account = store.account(c, day("2099-12-31")).unwrap();
            let get = |a: String| tb.get(&(a, account.currency)).copied().unwrap_or_default();
            assert_eq!(get(receivables(c)) + get(customer_credit(c)), account.balance, "seed {seed}, customer {c}");
            // Credit available is what the credit account owes the customer; if a payment whose
            // credit was refunded then bounces, that account owes nothing and the balance shows it.
            assert_eq!((-get(customer_credit(c))).max(Decimal::ZERO), account.credit, "seed {seed}, customer {c}: credit");
        }
    }
}

fn run(tool: &str, args: &[&str]) -> std::process::Output {
    Command::new(tool).args(args).output().unwrap_or_else(|e| panic!("{tool} is required for this test (.ci/run installs it): {e}"))
}

#[test]
fn the_journal_exports_pass_hledger_and_beancount_checks() {
    let db = TestDb::new();
    let mut store = reseller(&db);
    let a = add_customer(&mut store, "Acme Łódź \"Sp. z o.o.\"", "acme.onmicrosoft.com", "ZAR");
    let b = add_customer(&mut store, "Export; Ltd", "export.onmicrosoft.com", "USD");
    store.add_charge(a, day("2026-11-05"), "Migration", Decimal::ONE, Decimal::new(100000, 2), None).unwrap();
    store.add_charge(b, day("2026-11-05"), "Setup", Decimal::ONE, Decimal::new(50000, 2), None).unwrap();
    store.issue_month(day("2026-11-01"), day("2026-11-30"), NOW).unwrap();
    store.credit_invoice("INV-2026-00001", &CreditMode::Amount(Decimal::new(10000, 2)), "Goodwill", day("2026-12-01"), NOW).unwrap();
    let p = store.add_payment(a, day("2026-12-05"), Decimal::new(200000, 2), Method::Eft, "ACME \"DEC\"", &[], NOW).unwrap();
    store.refund_credit(a, Decimal::new(5000, 2), day("2026-12-06"), Method::Eft, "", NOW).unwrap();
    store.add_payment(b, day("2026-12-07"), Decimal::new(57500, 2), Method::Card, "", &[], NOW).unwrap();
    store.reverse_payment(p.id, day("2026-12-08"), "bounced", NOW).unwrap();
    let journal = store.journal().unwrap();
    assert_eq!(journal.len(), 10, "2 invoices, 1 credit note, 2 payments, 1 refund, 1 reversal, 3 applications");

    let hledger = db.file("books.journal", &seatbook::books::to_hledger(&journal));
    let o = run("hledger", &["-f", hledger.to_str().unwrap(), "check"]);
    assert!(o.status.success(), "hledger check: {}", String::from_utf8_lossy(&o.stderr));
    let o = run("hledger", &["-f", hledger.to_str().unwrap(), "balance", "--flat", "-N", "Assets:Bank"]);
    let text = String::from_utf8_lossy(&o.stdout);
    // 2000.00 received and reversed, 50.00 refunded, 575.00 USD received.
    assert!(text.contains("-50.00 ZAR") && text.contains("575.00 USD"), "{text}");
    let bean = db.file("books.beancount", &seatbook::books::to_beancount(&journal));
    let o = run("bean-check", &[bean.to_str().unwrap()]);
    assert!(o.status.success(), "bean-check: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    let csv = seatbook::books::to_csv(&journal);
    assert!(csv.starts_with("date,reference,description,account,debit,credit,currency\n"));
    assert!(
        csv.contains(
            "2026-11-30,INV-2026-00001,\"Invoice INV-2026-00001 to Acme Łódź \"\"Sp. z o.o.\"\"\",Assets:Receivables:C00001,1150.00,,ZAR"
        ),
        "{csv}"
    );
}
