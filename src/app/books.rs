//! The reseller's books: the journal (one balanced entry per document) in the formats
//! accountants' tools read, the trial balance with customers named, and every table as CSV.

use crate::books::{self, Entry};
use crate::money::Currency;
use crate::store::Store;
use crate::{Error, Result};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// A journal format: its name, the file extensions it is saved with, and its writer.
pub struct JournalFormat {
    pub name: &'static str,
    /// What a file dialog calls it.
    pub label: &'static str,
    pub extensions: &'static [&'static str],
    pub write: fn(&[Entry]) -> String,
}

pub const FORMATS: &[JournalFormat] = &[
    JournalFormat { name: "csv", label: "CSV", extensions: &["csv"], write: books::to_csv },
    JournalFormat { name: "hledger", label: "hledger journal", extensions: &["journal", "hledger"], write: books::to_hledger },
    JournalFormat { name: "beancount", label: "Beancount", extensions: &["beancount"], write: books::to_beancount },
];

pub fn format(name: &str) -> Result<&'static JournalFormat> {
    let name = name.trim().to_ascii_lowercase();
    FORMATS
        .iter()
        .find(|f| f.name == name)
        .ok_or_else(|| Error::invalid("format", format!("'{name}' is not a journal format (csv, hledger or beancount)")))
}

/// The journal in a format, with the number of entries.
pub struct Journal {
    pub entries: Vec<Entry>,
    pub text: String,
}

pub fn journal(store: &Store, format: &JournalFormat) -> Result<Journal> {
    let entries = store.journal()?;
    let text = (format.write)(&entries);
    Ok(Journal { entries, text })
}

#[derive(Debug, Clone, Serialize)]
pub struct BalanceRow {
    pub account: String,
    pub currency: Currency,
    pub balance: Decimal,
    /// The customer whose receivable or credit account this is.
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BalanceTotal {
    pub currency: Currency,
    pub total: Decimal,
}

/// Every account's balance, customers named, and the total per currency (zero when the books
/// balance).
#[derive(Debug, Clone, Serialize)]
pub struct TrialBalance {
    pub rows: Vec<BalanceRow>,
    pub totals: Vec<BalanceTotal>,
    pub entries: usize,
}

pub fn trial_balance(store: &Store) -> Result<TrialBalance> {
    let entries = store.journal()?;
    let customers: Vec<(i64, String)> = store.list_customers(None, true, None)?.into_iter().map(|c| (c.id, c.name)).collect();
    Ok(balance(&entries, &customers))
}

fn balance(entries: &[Entry], customers: &[(i64, String)]) -> TrialBalance {
    let mut owner: HashMap<String, (i64, &str)> = HashMap::with_capacity(customers.len() * 2);
    for (id, name) in customers {
        owner.insert(books::receivables(*id), (*id, name));
        owner.insert(books::customer_credit(*id), (*id, name));
    }
    let mut sums: BTreeMap<String, (Currency, Decimal)> = BTreeMap::new();
    let rows = books::trial_balance(entries)
        .into_iter()
        .map(|((account, currency), balance)| {
            sums.entry(currency.to_string()).or_insert((currency, Decimal::ZERO)).1 += balance;
            let who = owner.get(&account);
            BalanceRow { customer_id: who.map(|w| w.0), customer_name: who.map(|w| w.1.to_string()), account, currency, balance }
        })
        .collect();
    let totals = sums.into_values().map(|(currency, total)| BalanceTotal { currency, total }).collect();
    TrialBalance { rows, totals, entries: entries.len() }
}

/// One table written as CSV.
#[derive(Debug, Clone, Serialize)]
pub struct ExportedFile {
    pub file: String,
    pub rows: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportAll {
    pub folder: String,
    /// In the order written.
    pub files: Vec<ExportedFile>,
    /// Rows in all the files.
    pub rows: usize,
}

/// Every table as `<table>.csv` in `dir`.
pub fn export_all(store: &Store, dir: &Path) -> Result<ExportAll> {
    let files: Vec<ExportedFile> = store.export_all(dir)?.into_iter().map(|(file, rows)| ExportedFile { file, rows }).collect();
    Ok(ExportAll { folder: dir.display().to_string(), rows: files.iter().map(|f| f.rows).sum(), files })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::{entries, Document};
    use chrono::NaiveDate;

    #[test]
    fn the_trial_balance_names_customers_and_sums_to_zero_per_currency() {
        let zar = Currency::parse("ZAR", "c").unwrap();
        let eur = Currency::parse("EUR", "c").unwrap();
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let invoice = |number: &str, customer_id: i64, currency, net, vat| Document::Invoice {
            number: number.into(),
            date: day,
            customer_id,
            customer: "x".into(),
            currency,
            net: d(net),
            vat: d(vat),
            azure: Decimal::ZERO,
        };
        let es = entries(&[
            invoice("INV-1", 1, zar, "100.00", "15.00"),
            invoice("INV-2", 2, eur, "10.00", "0.00"),
            Document::Payment {
                id: 1,
                date: day,
                customer_id: 1,
                customer: "x".into(),
                currency: zar,
                amount: d("40.00"),
                method: "eft".into(),
                reference: String::new(),
            },
        ]);
        let tb = balance(&es, &[(1, "Acme".into()), (2, "Globex".into())]);
        assert_eq!(tb.entries, 3);
        let totals: Vec<(String, Decimal)> = tb.totals.iter().map(|t| (t.currency.to_string(), t.total)).collect();
        assert_eq!(totals, [("EUR".to_string(), Decimal::ZERO), ("ZAR".to_string(), Decimal::ZERO)]);
        let acme = tb.rows.iter().find(|r| r.account == books::receivables(1)).unwrap();
        assert_eq!((acme.customer_name.as_deref(), acme.balance), (Some("Acme"), d("115.00")));
        let credit = tb.rows.iter().find(|r| r.account == books::customer_credit(1)).unwrap();
        assert_eq!((credit.customer_id, credit.balance), (Some(1), d("-40.00")));
        assert!(tb.rows.iter().filter(|r| !r.account.contains(":C0")).all(|r| r.customer_id.is_none()));
        assert_eq!(format(" HLEDGER ").unwrap().extensions[0], "journal");
        assert_eq!(format("ledger").map(|f| f.name).unwrap_err().field.as_deref(), Some("format"));
    }
}
