//! Statements of account: a customer's period, and its PDF (used by receivables and e-mail).

use super::date_or;
use crate::store::{Statement, Store};
use crate::{Error, Result};
use chrono::{Datelike, NaiveDate};

/// A customer's statement of account from `from` to `to` (default: from the first of the month
/// a year before `to`, to today).
pub fn statement(store: &Store, today: NaiveDate, customer: i64, from: Option<&str>, to: Option<&str>) -> Result<Statement> {
    let to = date_or(to, "to", today)?;
    let year_ago = NaiveDate::from_ymd_opt(to.year() - 1, to.month(), 1).unwrap_or(to);
    let from = date_or(from, "from", year_ago)?;
    if from > to {
        return Err(Error::invalid("from", format!("the start ({from}) is after the end ({to})")));
    }
    store.statement(customer, from, to)
}

/// A statement as a PDF, with the file name it is saved under.
pub fn statement_pdf(store: &Store, statement: &Statement) -> Result<crate::pdf::Pdf> {
    let bytes = crate::pdf::render_statement(&store.statement_document(statement)?)?;
    let file_name = crate::pdf::file_name(&format!("Statement-{}", statement.to), &statement.customer_name);
    Ok(crate::pdf::Pdf { file_name, month: statement.to.format("%Y-%m").to_string(), bytes })
}
