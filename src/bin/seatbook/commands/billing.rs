//! `bill`, `invoice`, `charge`, `service` and `instalments`.

use crate::args::{ChargeCommand, InstalmentsCommand, InvoiceCommand, ServiceCommand};
use crate::{out, render, write_file, Ctx, Output};
use seatbook::app::billing::{self as billing, ChargeRequest, CreditRequest, InstalmentsRequest, Issued, ServiceRequest};
use seatbook::{Error, Result};
use serde_json::json;

pub fn bill(ctx: &mut Ctx, month: &str, date: Option<&str>, issue: bool) -> Result<Output> {
    let run = billing::run(&mut ctx.store, &ctx.clock, month, date, issue)?;
    let output = out(&run, render::billing_run(&run))?;
    Ok(if issue { super::mail::send_issued(ctx, &run.month, output) } else { output })
}

pub fn invoice(ctx: &mut Ctx, cmd: InvoiceCommand) -> Result<Output> {
    let today = ctx.clock.today;
    match cmd {
        InvoiceCommand::List { month, customer, status } => {
            let list = billing::invoices(&ctx.store, today, month.as_deref(), customer, status.as_deref())?;
            out(&list, render::invoices(&list))
        }
        InvoiceCommand::Show { number } => match billing::document(&ctx.store, today, &number)? {
            Issued::Invoice(inv) => out(&inv, render::invoice_detail(&inv)),
            Issued::CreditNote(cn) => out(&cn, render::credit_note(&cn)),
        },
        InvoiceCommand::Pdf { number, out: out_file, month, out_dir, combined } => {
            if let Some(number) = number {
                let pdf = billing::pdf(&ctx.store, &number)?;
                let path = out_file.unwrap_or_else(|| std::path::PathBuf::from(&pdf.file_name));
                write_file(&path, &pdf.bytes)?;
                return out(&json!({"files": [path.display().to_string()]}), format!("Wrote {}\n", path.display()));
            }
            let Some(month) = month else {
                return Err(Error::invalid("number", "give an invoice number, or a month with a folder and/or a combined file"));
            };
            if out_dir.is_none() && combined.is_none() {
                seatbook::dates::parse_month(&month, "month")?;
                return Err(Error::invalid("out_dir", "give a folder for one PDF per invoice and/or a file for all of them combined"));
            }
            let numbers = billing::month_numbers(&ctx.store, &month)?;
            let mut files = Vec::new();
            if let Some(dir) = &out_dir {
                let docs = billing::documents_by_chunk(&numbers, |chunk| billing::printables(&ctx.store, chunk));
                let written = billing::write_pdfs::<Error>(dir, docs, numbers.len(), &mut |_, _| {})?;
                files.extend(written.iter().map(|p| p.display().to_string()));
            }
            if let Some(path) = &combined {
                let docs = billing::month_documents(&ctx.store, &month)?;
                write_file(path, &billing::render_combined(&month, &docs)?.bytes)?;
                files.push(path.display().to_string());
            }
            let text = format!(
                "Wrote {} PDF file{} for {}{}\n",
                files.len(),
                if files.len() == 1 { "" } else { "s" },
                month.trim(),
                out_dir.map(|d| format!(" in {}", d.display())).unwrap_or_default()
            );
            out(&json!({"files": files}), text)
        }
        InvoiceCommand::Credit { number, lines, amount, reason, date } => {
            let request = CreditRequest { number, mode: None, lines: lines.unwrap_or_default(), amount, reason, date };
            let cn = billing::credit(&mut ctx.store, &ctx.clock, &request)?;
            let output = out(&cn, render::credit_note(&cn))?;
            Ok(super::mail::send_queued(ctx, output))
        }
    }
}

pub fn charge(ctx: &mut Ctx, cmd: ChargeCommand) -> Result<Output> {
    let ChargeCommand::Add { customer, description, amount, quantity, date, currency } = cmd;
    let request = ChargeRequest { customer, description, amount, quantity: Some(quantity), date, currency };
    let c = billing::add_charge(&mut ctx.store, ctx.clock.today, &request)?;
    out(&c, format!("Charge {} for customer {}: {} × {} {} on {}.\n", c.id, c.customer_id, c.quantity, c.unit_price, c.currency, c.date))
}

pub fn service(ctx: &mut Ctx, cmd: ServiceCommand) -> Result<Output> {
    match cmd {
        ServiceCommand::Add { customer, description, amount, per_seat_of, start, currency } => {
            let request = ServiceRequest { customer, description, amount, per_seat_of, start, currency };
            let s = billing::add_service(&mut ctx.store, ctx.clock.today, &request)?;
            let per_seat = if per_seat_of.is_some() { " per seat" } else { "" };
            out(&s, format!("Service {}: {} {} a month{per_seat} from {}.\n", s.id, s.amount, s.currency, s.start))
        }
        ServiceCommand::End { id, on } => {
            let s = billing::end_service(&mut ctx.store, id, Some(&on))?;
            out(&s, format!("Service {id} ends after {on}.\n"))
        }
    }
}

pub fn instalments(ctx: &mut Ctx, cmd: InstalmentsCommand) -> Result<Output> {
    let InstalmentsCommand::Add { customer, description, total, count, start, currency } = cmd;
    let request = InstalmentsRequest { customer, description, total, count, start, currency };
    let p = billing::add_instalments(&mut ctx.store, ctx.clock.today, &request)?;
    let amounts: Vec<String> = p.amounts().iter().map(|a| a.to_string()).collect();
    let text = format!(
        "Instalment plan {}: {} {} in {} monthly instalments from {}: {}.\n",
        p.id,
        p.total,
        p.currency,
        p.count,
        p.start,
        amounts.join(", ")
    );
    out(&json!({"plan": p, "instalments": amounts}), text)
}
