//! `report`: every report with the core's defaults; `--csv` writes the core's table, byte for
//! byte the desktop app's Export CSV.

use crate::args::{ReportCommand, ReportRange};
use crate::{out, render, write_file, Ctx, Output};
use seatbook::app::receivables;
use seatbook::app::reports::{self, ReportRequest, Rows};
use seatbook::Result;
use serde_json::json;
use std::path::PathBuf;

fn range(r: &ReportRange) -> ReportRequest {
    ReportRequest { from: r.from.clone(), to: r.to.clone(), ..Default::default() }
}

/// Read a report, write its CSV if asked, and print its rows.
fn show(ctx: &Ctx, name: &str, request: &ReportRequest, csv: &Option<PathBuf>) -> Result<Output> {
    let report = reports::query(name, request, ctx.clock.today)?;
    let rows = reports::rows(&ctx.store, &report)?;
    let table = reports::table_of(&report, &rows);
    if let Some(path) = csv {
        write_file(path, table.to_csv().as_bytes())?;
    }
    // The text is the report's table, as the app lists it; the JSON, its rows.
    let text = render::table(&table);
    match &rows {
        Rows::Renewals(due) => out(&render::due_rows(due), text),
        rows => out(rows, text),
    }
}

pub fn report(ctx: &mut Ctx, cmd: ReportCommand) -> Result<Output> {
    let today = ctx.clock.today;
    match cmd {
        ReportCommand::Aging { as_of, csv } => show(ctx, "aging", &ReportRequest { as_of, ..Default::default() }, &csv),
        ReportCommand::Mrr(r) => show(ctx, "mrr", &range(&r), &r.csv),
        ReportCommand::Revenue(r) => show(ctx, "revenue", &range(&r), &r.csv),
        ReportCommand::Margin { by, range: r } => show(ctx, "margin", &ReportRequest { by: Some(by), ..range(&r) }, &r.csv),
        ReportCommand::Renewals { within, as_of, csv } => {
            show(ctx, "renewals", &ReportRequest { as_of, days: within, ..Default::default() }, &csv)
        }
        ReportCommand::Exposure { as_of, csv } => show(ctx, "exposure", &ReportRequest { as_of, ..Default::default() }, &csv),
        ReportCommand::Churn(r) => show(ctx, "churn", &range(&r), &r.csv),
        ReportCommand::Azure { month, range: r } => {
            let request = match month {
                Some(m) => ReportRequest { from: Some(m.clone()), to: Some(m), ..Default::default() },
                None => range(&r),
            };
            show(ctx, "azure", &request, &r.csv)
        }
        ReportCommand::TrialBalance => {
            let tb = seatbook::app::books::trial_balance(&ctx.store)?;
            let rows: Vec<serde_json::Value> =
                tb.rows.iter().map(|r| json!({"account": r.account, "currency": r.currency, "balance": r.balance})).collect();
            out(&rows, render::trial_balance(&tb))
        }
        ReportCommand::Account { customer, as_of } => {
            let a = receivables::account(&ctx.store, today, customer, as_of.as_deref())?;
            out(&a, render::account(&a))
        }
        ReportCommand::CreditStop { as_of } => {
            let stops = receivables::credit_stops(&ctx.store, today, as_of.as_deref())?;
            out(&stops, render::credit_stops(&stops))
        }
    }
}
