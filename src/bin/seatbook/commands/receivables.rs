//! `payment`, `credit`, `statement` and `reminders`.

use crate::args::{CreditCommand, PaymentCommand, RemindersCommand};
use crate::{out, render, write_file, Ctx, Output};
use seatbook::app::receivables::{self as receivables, PaymentRequest, RefundRequest};
use seatbook::Result;
use serde_json::json;
use std::path::PathBuf;

pub fn payment(ctx: &mut Ctx, cmd: PaymentCommand) -> Result<Output> {
    match cmd {
        PaymentCommand::Add { customer, amount, date, method, reference, invoices } => {
            let request =
                PaymentRequest { customer_id: customer, amount, date, method: Some(method), reference: Some(reference), invoices };
            let p = receivables::add_payment(&mut ctx.store, &ctx.clock, &request)?;
            out(&p, render::payment(&p))
        }
        PaymentCommand::List { customer } => {
            let list = receivables::payments(&ctx.store, customer)?;
            out(&list, list.iter().map(render::payment).collect::<String>())
        }
        PaymentCommand::Reverse { id, date, reference } => {
            let p = receivables::reverse_payment(&mut ctx.store, &ctx.clock, id, date.as_deref(), Some(&reference))?;
            out(&p, render::payment(&p))
        }
    }
}

pub fn credit(ctx: &mut Ctx, cmd: CreditCommand) -> Result<Output> {
    let CreditCommand::Refund { customer, amount, date, method, reference } = cmd;
    let request = RefundRequest { customer_id: customer, amount, date, method: Some(method), reference: Some(reference) };
    let p = receivables::refund_credit(&mut ctx.store, &ctx.clock, &request)?;
    out(&p, render::payment(&p))
}

pub fn statement(ctx: &mut Ctx, customer: i64, from: Option<String>, to: Option<String>, file: Option<PathBuf>) -> Result<Output> {
    let s = receivables::statement(&ctx.store, ctx.clock.today, customer, from.as_deref(), to.as_deref())?;
    match file {
        Some(path) => {
            write_file(&path, &receivables::statement_pdf(&ctx.store, &s)?.bytes)?;
            out(
                &json!({"file": path.display().to_string(), "customer_id": customer, "closing": s.closing}),
                format!("Wrote the statement of {} to {}\n", s.customer_name, path.display()),
            )
        }
        None => out(&s, render::statement(&s)),
    }
}

pub fn reminders(ctx: &mut Ctx, cmd: RemindersCommand) -> Result<Output> {
    let RemindersCommand::Run { as_of, preview, out_dir } = cmd;
    if preview {
        let due = receivables::due_reminders(&ctx.store, ctx.clock.today, as_of.as_deref())?;
        return out(&due, render::reminders(&due, None));
    }
    let dir = out_dir.unwrap_or_else(|| PathBuf::from("."));
    let sent = receivables::send_reminders(&mut ctx.store, &ctx.clock, as_of.as_deref(), &dir)?;
    let reminders: Vec<_> = sent.iter().map(|s| s.reminder.clone()).collect();
    let files: Vec<String> = sent.iter().map(|s| s.file.clone()).collect();
    let rows: Vec<serde_json::Value> = sent.iter().map(|s| json!({"reminder": s.reminder, "file": s.file})).collect();
    // The letters that go by e-mail were written to the outbox with the run: they go now.
    let output = out(&rows, render::reminders(&reminders, Some(&files)))?;
    Ok(super::mail::send_queued(ctx, output))
}
