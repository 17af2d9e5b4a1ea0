//! The books: the trial balance on the Reports screen, the journal saved for the accountant
//! (CSV, hledger or beancount), and every table written as CSV into a folder ("Export all
//! data"). The journal, its formats and the export are the core's, the same as
//! `seatbook report trial-balance`, `seatbook export journal --format F` and
//! `seatbook export all --out-dir DIR`.

use super::blocking;
use crate::error::IpcError;
use crate::files;
use crate::state::AppState;
use rust_decimal::Decimal;
use seatbook::books::{self, Entry};
use seatbook::money::Currency;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use tauri::{AppHandle, Runtime, State};

/// One account's balance in one currency (debit positive, credit negative).
#[derive(Debug, Clone, Serialize)]
pub struct BalanceRow {
    pub account: String,
    pub currency: Currency,
    pub balance: Decimal,
    /// The customer of a per-customer account (receivables, customer credit).
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
}

/// What the accounts of one currency sum to: zero, as every entry is balanced.
#[derive(Debug, Clone, Serialize)]
pub struct BalanceTotal {
    pub currency: Currency,
    pub total: Decimal,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrialBalance {
    /// By account, then currency (the order of `seatbook report trial-balance`).
    pub rows: Vec<BalanceRow>,
    /// One per currency, by currency code.
    pub totals: Vec<BalanceTotal>,
    /// How many journal entries the balance sums.
    pub entries: usize,
}

fn trial_balance(entries: &[Entry], customers: &[(i64, String)]) -> TrialBalance {
    let mut owner: HashMap<String, (i64, &str)> = HashMap::with_capacity(customers.len() * 2);
    for (id, name) in customers {
        owner.insert(books::receivables(*id), (*id, name));
        owner.insert(books::customer_credit(*id), (*id, name));
    }
    let tb = books::trial_balance(entries);
    let mut sums: BTreeMap<String, (Currency, Decimal)> = BTreeMap::new();
    let rows = tb
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

/// The balance of every account and currency, from the whole journal, with a total per currency.
#[tauri::command(rename_all = "snake_case")]
pub async fn books_trial_balance(state: State<'_, AppState>) -> Result<TrialBalance, IpcError> {
    state.with_store(|s| {
        let entries = s.journal()?;
        let customers: Vec<(i64, String)> = s.list_customers(None, true, None)?.into_iter().map(|c| (c.id, c.name)).collect();
        Ok(trial_balance(&entries, &customers))
    })
}

/// A journal format: its name, the file's extension and the dialog's file type.
struct Format {
    name: &'static str,
    filter: files::Filter,
    write: fn(&[Entry]) -> String,
}

const FORMATS: &[Format] = &[
    Format { name: "csv", filter: files::Filter { name: "CSV", extensions: &["csv"] }, write: books::to_csv },
    Format {
        name: "hledger",
        filter: files::Filter { name: "hledger journal", extensions: &["journal", "hledger"] },
        write: books::to_hledger,
    },
    Format { name: "beancount", filter: files::Filter { name: "Beancount", extensions: &["beancount"] }, write: books::to_beancount },
];

fn format(name: &str) -> Result<&'static Format, IpcError> {
    let name = name.trim().to_ascii_lowercase();
    FORMATS
        .iter()
        .find(|f| f.name == name)
        .ok_or_else(|| IpcError::invalid("format", format!("'{name}' is not a journal format (csv, hledger or beancount)")))
}

/// A journal written to a file.
#[derive(Debug, Clone, Serialize)]
pub struct JournalSaved {
    pub file: String,
    pub entries: usize,
}

/// Save the journal in `format` (`csv`, `hledger` or `beancount`) where the user says in a save
/// dialog (`seatbook-journal-<today>.csv|.journal|.beancount`): the same bytes as
/// `seatbook export journal --format F`. `null` when the dialog was cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn books_export_journal<R: Runtime>(app: AppHandle<R>, format: String) -> Result<Option<JournalSaved>, IpcError> {
    let f = self::format(&format)?;
    blocking(app, move |app, state| {
        let name = format!("seatbook-journal-{}.{}", state.today(), f.filter.extensions[0]);
        let Some(path) = files::save_file(app, "Export the journal as", &name, &f.filter)? else {
            return Ok(None);
        };
        let entries = state.with_store(|s| s.journal())?;
        files::write(&path, (f.write)(&entries).as_bytes())?;
        Ok(Some(JournalSaved { file: path.display().to_string(), entries: entries.len() }))
    })
    .await
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
    /// In the order written (`seatbook export all --json` lists the same).
    pub files: Vec<ExportedFile>,
    /// Rows in all the files.
    pub rows: usize,
}

/// Write every table as `<table>.csv` into a folder the user picks. `null` when the dialog was
/// cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn books_export_all<R: Runtime>(app: AppHandle<R>) -> Result<Option<ExportAll>, IpcError> {
    blocking(app, |app, state| {
        let Some(dir) = files::pick_folder(app, "Export all data into which folder?", &state.pdf_dir())? else {
            return Ok(None);
        };
        let written = state.with_store(|s| s.export_all(&dir))?;
        let files: Vec<ExportedFile> = written.into_iter().map(|(file, rows)| ExportedFile { file, rows }).collect();
        Ok(Some(ExportAll { folder: dir.display().to_string(), rows: files.iter().map(|f| f.rows).sum(), files }))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use seatbook::books::{entries, Document};

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
        let tb = trial_balance(&es, &[(1, "Acme".into()), (2, "Globex".into())]);
        assert_eq!(tb.entries, 3);
        let totals: Vec<(String, Decimal)> = tb.totals.iter().map(|t| (t.currency.to_string(), t.total)).collect();
        assert_eq!(totals, [("EUR".to_string(), Decimal::ZERO), ("ZAR".to_string(), Decimal::ZERO)]);
        let acme = tb.rows.iter().find(|r| r.account == books::receivables(1)).unwrap();
        assert_eq!((acme.customer_name.as_deref(), acme.balance), (Some("Acme"), d("115.00")));
        let credit = tb.rows.iter().find(|r| r.account == books::customer_credit(1)).unwrap();
        assert_eq!((credit.customer_id, credit.balance), (Some(1), d("-40.00")));
        assert!(tb.rows.iter().filter(|r| !r.account.contains(":C0")).all(|r| r.customer_id.is_none()));
        assert_eq!(format(" HLEDGER ").unwrap().filter.extensions[0], "journal");
        assert_eq!(format("ledger").map(|f| f.name).unwrap_err().field.as_deref(), Some("format"));
    }
}
