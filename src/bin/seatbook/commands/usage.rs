//! `usage`: Azure usage imported from Microsoft's daily rated usage, and listed.

use crate::args::UsageCommand;
use crate::{out, Ctx, Output};
use seatbook::app::usage::{self, UsageImported, UsageRow};
use seatbook::Result;
use std::fmt::Write;

pub fn usage(ctx: &mut Ctx, cmd: UsageCommand) -> Result<Output> {
    match cmd {
        UsageCommand::Import { file } => {
            let r = usage::import(&mut ctx.store, &ctx.clock, &file)?;
            out(&r, import_text(&r))
        }
        UsageCommand::List { month, customer, estimates } => {
            let rows = usage::list(&ctx.store, month.as_deref(), customer, estimates)?;
            out(&rows, list_text(&rows))
        }
        UsageCommand::Rule { customer, basis, percent, on } => {
            usage::set_rule(&mut ctx.store, &ctx.clock, customer, &basis, &percent, on.as_deref())?;
            let rules = usage::rules(&ctx.store)?;
            let mut t = String::new();
            for r in &rules {
                let who = r.customer_id.map(|c| format!("customer {c}")).unwrap_or_else(|| "everyone (default)".to_string());
                let _ = writeln!(t, "From {}: {who}: {} {:+}%", r.effective_from, r.basis.as_str(), r.percent);
            }
            out(&rules, t)
        }
        UsageCommand::Budget { customer, amount } => {
            let status = usage::set_budget(&mut ctx.store, &ctx.clock, customer, &amount)?;
            let text = match &status {
                None => format!("Customer {customer} has no Azure budget.\n"),
                Some(b) => format!(
                    "{}: Azure budget {} {} a month; {} so far: {}{}\n",
                    b.customer_name,
                    b.budget,
                    b.currency.code(),
                    b.month,
                    b.spent
                        .map(|s| format!("{} {} ({} %)", s, b.currency.code(), b.percent))
                        .unwrap_or_else(|| "not known (an exchange rate is missing)".into()),
                    match b.warning {
                        Some(100) => ", over budget",
                        Some(_) => ", past 80 %",
                        None => "",
                    }
                ),
            };
            out(&status, text)
        }
    }
}

fn import_text(r: &UsageImported) -> String {
    let mut t = format!("{} ({}): ", r.file_name, r.format);
    if r.duplicate {
        let _ = writeln!(t, "the same {} usage lines were imported before: nothing added.", r.lines);
        return t;
    }
    let _ = writeln!(
        t,
        "{} usage lines of {} Azure subscription{} for {} imported.",
        r.lines,
        r.subscriptions,
        if r.subscriptions == 1 { "" } else { "s" },
        r.months.join(", ")
    );
    if r.estimate_lines > 0 {
        let _ = writeln!(t, "{} lines are estimates (not billed by Microsoft yet): shown, never billed.", r.estimate_lines);
    }
    if !r.unknown_tenants.is_empty() {
        let _ = writeln!(
            t,
            "Usage of {} tenant{} no customer has (kept; add the customer with its tenant id or domain): {}",
            r.unknown_tenants.len(),
            if r.unknown_tenants.len() == 1 { "" } else { "s" },
            r.unknown_tenants.join(", ")
        );
    }
    t
}

fn list_text(rows: &[UsageRow]) -> String {
    if rows.is_empty() {
        return "No Azure usage imported for this.\n".to_string();
    }
    let mut t = String::new();
    for r in rows {
        let who = match r.customer_id {
            Some(id) => format!("{} (#{id})", r.customer_name),
            None => format!("unknown tenant {} {}", r.tenant_id, r.domain),
        };
        let _ = writeln!(
            t,
            "{}  {}  {} — {}: {} lines, retail {} {}, cost {} {}, PEC on {} lines{}",
            r.month,
            who,
            r.entitlement,
            r.entitlement_id,
            r.lines,
            r.retail.round_dp(2),
            r.pricing_currency.code(),
            r.cost.round_dp(2),
            r.billing_currency.code(),
            r.pec_lines,
            if r.estimate { " (estimate)" } else { "" }
        );
    }
    t
}
