//! The books: every issued invoice, credit note, payment, refund, reversal and application of
//! money to an invoice is one balanced journal entry. Pure: documents in, entries out; the trial
//! balance of any set of entries sums to zero per currency, and the exports are plain text in the
//! CSV, hledger and beancount formats.
//!
//! Accounts: `Assets:Receivables:C<id>` (per customer), `Income:Sales` (licences, services,
//! charges), `Income:Azure` (Azure usage, which is consumption, not recurring), `Liabilities:VAT:Output`,
//! `Liabilities:CustomerCredit:C<id>` (money received and not yet applied), `Assets:Bank`.
//! Money received first lands as customer credit; applying it to an invoice moves it to
//! receivables. This keeps every document's entry balanced on its own.

use crate::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

pub const SALES: &str = "Income:Sales";
pub const AZURE_SALES: &str = "Income:Azure";
pub const VAT_OUTPUT: &str = "Liabilities:VAT:Output";
pub const BANK: &str = "Assets:Bank";

pub fn receivables(customer_id: i64) -> String {
    format!("Assets:Receivables:C{customer_id:05}")
}

pub fn customer_credit(customer_id: i64) -> String {
    format!("Liabilities:CustomerCredit:C{customer_id:05}")
}

/// What happened, as the books see it. Amounts are positive in the document's own sense.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    Invoice {
        number: String,
        date: NaiveDate,
        customer_id: i64,
        customer: String,
        currency: Currency,
        net: Decimal,
        vat: Decimal,
        /// Of `net`, what Azure usage lines bring (posted to `AZURE_SALES`).
        azure: Decimal,
    },
    CreditNote {
        number: String,
        invoice: String,
        date: NaiveDate,
        customer_id: i64,
        customer: String,
        currency: Currency,
        net: Decimal,
        vat: Decimal,
        /// Of `net`, what credits Azure usage lines.
        azure: Decimal,
    },
    Payment {
        id: i64,
        date: NaiveDate,
        customer_id: i64,
        customer: String,
        currency: Currency,
        amount: Decimal,
        method: String,
        reference: String,
    },
    Refund {
        id: i64,
        date: NaiveDate,
        customer_id: i64,
        customer: String,
        currency: Currency,
        amount: Decimal,
    },
    Reversal {
        id: i64,
        reverses: i64,
        date: NaiveDate,
        customer_id: i64,
        customer: String,
        currency: Currency,
        amount: Decimal,
    },
    /// Money of a payment applied to an invoice (negative when a reversal undoes it).
    Application {
        payment_id: i64,
        invoice: String,
        date: NaiveDate,
        customer_id: i64,
        customer: String,
        currency: Currency,
        amount: Decimal,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Posting {
    pub account: String,
    /// Debit positive, credit negative.
    pub amount: Decimal,
    pub currency: Currency,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub date: NaiveDate,
    pub reference: String,
    pub description: String,
    pub postings: Vec<Posting>,
}

fn p(account: impl Into<String>, amount: Decimal, currency: Currency) -> Posting {
    // No "-0.00" in the books.
    let amount = if amount.is_zero() { amount.abs() } else { amount };
    Posting { account: account.into(), amount, currency }
}

/// The journal entry of each document, in the order given.
pub fn entries(docs: &[Document]) -> Vec<Entry> {
    docs.iter()
        .map(|d| match d {
            Document::Invoice { number, date, customer_id, customer, currency, net, vat, azure } => Entry {
                date: *date,
                reference: number.clone(),
                description: format!("Invoice {number} to {customer}"),
                postings: [
                    Some(p(receivables(*customer_id), net + vat, *currency)),
                    (azure.is_zero() || net != azure).then(|| p(SALES, -(net - azure), *currency)),
                    (!azure.is_zero()).then(|| p(AZURE_SALES, -azure, *currency)),
                    Some(p(VAT_OUTPUT, -vat, *currency)),
                ]
                .into_iter()
                .flatten()
                .collect(),
            },
            Document::CreditNote { number, invoice, date, customer_id, customer, currency, net, vat, azure } => Entry {
                date: *date,
                reference: number.clone(),
                description: format!("Credit note {number} to {customer}, correcting {invoice}"),
                postings: [
                    (azure.is_zero() || net != azure).then(|| p(SALES, net - azure, *currency)),
                    (!azure.is_zero()).then(|| p(AZURE_SALES, *azure, *currency)),
                    Some(p(VAT_OUTPUT, *vat, *currency)),
                    Some(p(receivables(*customer_id), -(net + vat), *currency)),
                ]
                .into_iter()
                .flatten()
                .collect(),
            },
            Document::Payment { id, date, customer_id, customer, currency, amount, method, reference } => Entry {
                date: *date,
                reference: format!("PAY-{id}"),
                description: format!(
                    "Payment from {customer} ({method}{})",
                    if reference.is_empty() { String::new() } else { format!(", {reference}") }
                ),
                postings: vec![p(BANK, *amount, *currency), p(customer_credit(*customer_id), -amount, *currency)],
            },
            Document::Refund { id, date, customer_id, customer, currency, amount } => Entry {
                date: *date,
                reference: format!("REF-{id}"),
                description: format!("Refund of credit to {customer}"),
                postings: vec![p(customer_credit(*customer_id), *amount, *currency), p(BANK, -amount, *currency)],
            },
            Document::Reversal { id, reverses, date, customer_id, customer, currency, amount } => Entry {
                date: *date,
                reference: format!("REV-{id}"),
                description: format!("Reversal of payment PAY-{reverses} from {customer}"),
                postings: vec![p(customer_credit(*customer_id), *amount, *currency), p(BANK, -amount, *currency)],
            },
            Document::Application { payment_id, invoice, date, customer_id, customer, currency, amount } => Entry {
                date: *date,
                reference: format!("PAY-{payment_id}"),
                description: format!("Payment PAY-{payment_id} from {customer} applied to {invoice}"),
                postings: vec![p(customer_credit(*customer_id), *amount, *currency), p(receivables(*customer_id), -amount, *currency)],
            },
        })
        .collect()
}

/// The balance of every account and currency (debit positive).
pub fn trial_balance(entries: &[Entry]) -> BTreeMap<(String, Currency), Decimal> {
    let mut tb = BTreeMap::new();
    for e in entries {
        for p in &e.postings {
            *tb.entry((p.account.clone(), p.currency)).or_insert(Decimal::ZERO) += p.amount;
        }
    }
    tb
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One row per posting: date, reference, description, account, debit, credit, currency.
pub fn to_csv(entries: &[Entry]) -> String {
    let mut s = String::from("date,reference,description,account,debit,credit,currency\n");
    for e in entries {
        for p in &e.postings {
            let (debit, credit) =
                if p.amount >= Decimal::ZERO { (p.amount.to_string(), String::new()) } else { (String::new(), (-p.amount).to_string()) };
            let _ = writeln!(
                s,
                "{},{},{},{},{debit},{credit},{}",
                e.date,
                csv_field(&e.reference),
                csv_field(&e.description),
                p.account,
                p.currency
            );
        }
    }
    s
}

/// The hledger journal format.
pub fn to_hledger(entries: &[Entry]) -> String {
    let mut s = String::from("; Seatbook journal export\n\n");
    for a in accounts(entries) {
        let _ = writeln!(s, "account {a}");
    }
    for e in entries {
        let _ = writeln!(s, "\n{} ({}) {}", e.date, e.reference, e.description.replace(['\n', ';'], " "));
        for p in &e.postings {
            let _ = writeln!(s, "    {:<40}  {} {}", p.account, p.amount, p.currency);
        }
    }
    s
}

/// The beancount format, with the accounts opened on the first day of the journal.
pub fn to_beancount(entries: &[Entry]) -> String {
    let mut s = String::from(";; Seatbook journal export\n\n");
    let first = entries.iter().map(|e| e.date).min();
    if let Some(first) = first {
        for a in accounts(entries) {
            let _ = writeln!(s, "{first} open {a}");
        }
    }
    let quote = |t: &str| t.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', " ");
    for e in entries {
        let _ = writeln!(s, "\n{} * \"{}\" \"{}\"", e.date, quote(&e.reference), quote(&e.description));
        for p in &e.postings {
            let _ = writeln!(s, "  {:<40}  {} {}", p.account, p.amount, p.currency);
        }
    }
    s
}

fn accounts(entries: &[Entry]) -> Vec<String> {
    let mut all: Vec<String> = entries.iter().flat_map(|e| e.postings.iter().map(|p| p.account.clone())).collect();
    all.sort();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn each_document_is_one_balanced_entry() {
        let zar = Currency::parse("ZAR", "c").unwrap();
        let d = |s: &str| Decimal::from_str(s).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let docs = vec![
            Document::Invoice {
                number: "INV-1".into(),
                date: day,
                customer_id: 1,
                customer: "Acme, \"Ltd\"".into(),
                currency: zar,
                net: d("100.00"),
                vat: d("15.00"),
                azure: Decimal::ZERO,
            },
            Document::Payment {
                id: 1,
                date: day,
                customer_id: 1,
                customer: "Acme".into(),
                currency: zar,
                amount: d("200.00"),
                method: "eft".into(),
                reference: String::new(),
            },
            Document::Application {
                payment_id: 1,
                invoice: "INV-1".into(),
                date: day,
                customer_id: 1,
                customer: "Acme".into(),
                currency: zar,
                amount: d("115.00"),
            },
            Document::Refund { id: 2, date: day, customer_id: 1, customer: "Acme".into(), currency: zar, amount: d("85.00") },
        ];
        let es = entries(&docs);
        for e in &es {
            assert_eq!(e.postings.iter().map(|p| p.amount).sum::<Decimal>(), Decimal::ZERO, "{}", e.reference);
        }
        let tb = trial_balance(&es);
        assert_eq!(tb[&(receivables(1), zar)], Decimal::ZERO);
        assert_eq!(tb[&(customer_credit(1), zar)], Decimal::ZERO);
        assert_eq!(tb[&(BANK.to_string(), zar)], d("115.00"));
        assert_eq!(tb[&(SALES.to_string(), zar)], d("-100.00"));
        let csv = to_csv(&es);
        assert!(csv.contains("2026-11-30,INV-1,\"Invoice INV-1 to Acme, \"\"Ltd\"\"\",Assets:Receivables:C00001,115.00,,ZAR"), "{csv}");
        assert!(to_beancount(&es).contains("2026-11-30 * \"INV-1\" \"Invoice INV-1 to Acme, \\\"Ltd\\\"\""));
    }

    #[test]
    fn azure_usage_is_income_of_its_own() {
        let eur = Currency::parse("EUR", "c").unwrap();
        let d = |s: &str| Decimal::from_str(s).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let es = entries(&[
            Document::Invoice {
                number: "INV-7".into(),
                date: day,
                customer_id: 3,
                customer: "Acme".into(),
                currency: eur,
                net: d("150.40"),
                vat: d("28.58"),
                azure: d("120.40"),
            },
            Document::CreditNote {
                number: "CN-1".into(),
                invoice: "INV-7".into(),
                date: day,
                customer_id: 3,
                customer: "Acme".into(),
                currency: eur,
                net: d("20.00"),
                vat: d("3.80"),
                azure: d("20.00"),
            },
        ]);
        let accounts: Vec<(&str, Decimal)> = es[0].postings.iter().map(|p| (p.account.as_str(), p.amount)).collect();
        assert_eq!(
            accounts,
            [
                ("Assets:Receivables:C00003", d("178.98")),
                ("Income:Sales", d("-30.00")),
                ("Income:Azure", d("-120.40")),
                ("Liabilities:VAT:Output", d("-28.58"))
            ]
        );
        // A credit note of Azure usage only touches Azure's income, not sales.
        assert!(es[1].postings.iter().all(|p| p.account != SALES), "{:?}", es[1].postings);
        let tb = trial_balance(&es);
        assert_eq!(tb[&(AZURE_SALES.to_string(), eur)], d("-100.40"));
        assert_eq!(tb.values().sum::<Decimal>(), Decimal::ZERO);
    }
}
