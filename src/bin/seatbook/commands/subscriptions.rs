//! `subscription` and `renewals`.

use crate::args::{ProvisionFlags, RenewalsCommand, SubscriptionCommand};
use crate::{out, render, Ctx, Output};
use seatbook::app::provision::{Changed, Provision, Reach};
use seatbook::app::reports::{self as reports, ReportRequest};
use seatbook::app::subscriptions::{self as subscriptions, AddRequest, ScheduleRequest};
use seatbook::report_table::Report;
use seatbook::subscription::Subscription;
use seatbook::Result;

fn changed(s: Subscription, what: String) -> Result<Output> {
    out(&s, format!("{what}\n{}", render::subscription_line(&s)))
}

/// A subscription as `subscription list` shows it: with whether a change waits for Microsoft.
#[derive(serde::Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    subscription: &'a Subscription,
    pending_at_microsoft: bool,
}

/// What became of a change at Microsoft, as a line after what the book did (empty when it
/// stayed in the book).
fn at_microsoft(c: &Changed) -> String {
    match &c.microsoft {
        None => String::new(),
        Some(e) if c.pending => format!(
            "\nPending at Microsoft: {} ({}). It is sent again by `seatbook pc outbox --retry` and before every `seatbook pc sync`; it is not billed until Microsoft takes it.",
            e.what, e.last_error
        ),
        Some(e) if e.state == "accepted" => format!("\nMicrosoft accepted {} and finishes it later.", e.what),
        Some(e) if e.action == "purchase" => format!("\nBought at Microsoft: subscription {}.", c.ms_subscription_id),
        Some(e) => format!("\nMicrosoft made the change ({}).", e.what),
    }
}

/// A change and what became of it at Microsoft.
fn provisioned(c: Changed, what: String) -> Result<Output> {
    out(&c, format!("{what}{}\n{}", at_microsoft(&c), render::subscription_line(&c)))
}

fn provision(reach: &Reach, to: ProvisionFlags) -> Provision<'_> {
    Provision { reach, send: to.send() }
}

pub fn subscription(ctx: &mut Ctx, cmd: SubscriptionCommand) -> Result<Output> {
    let reach = super::pc::reach();
    let (store, clock) = (&mut ctx.store, &ctx.clock);
    match cmd {
        SubscriptionCommand::Link { id, ms_subscription_id } => {
            let s = seatbook::app::pc::link_subscription(store, id, &ms_subscription_id)?;
            let what = format!("Subscription {} is linked to Microsoft's subscription {}.", s.id, s.ms_subscription_id);
            changed(s, what)
        }
        SubscriptionCommand::Add {
            customer,
            product,
            term,
            billing,
            quantity,
            start,
            price,
            no_auto_renew,
            trial,
            ms_subscription_id,
            confirm,
            to,
        } => {
            let request = AddRequest {
                customer: Some(customer),
                product,
                term,
                billing,
                quantity: quantity.to_string(),
                start: Some(start),
                price,
                auto_renew: Some(!no_auto_renew),
                trial,
                ms_subscription_id,
                confirm,
            };
            let s = subscriptions::add(store, clock, provision(&reach, to), &request)?;
            let view = store.subscription_view(s.id, s.term_start)?;
            out(&s, format!("Added subscription {}.{}\n{}", s.id, at_microsoft(&s), render::subscription_view(&view)))
        }
        SubscriptionCommand::Quantity { id, quantity, on, to } => {
            let s = subscriptions::change_quantity(store, clock, provision(&reach, to), id, &quantity.to_string(), Some(&on))?;
            provisioned(s, format!("Subscription {id} now has {quantity} seats."))
        }
        SubscriptionCommand::Cancel { id, on, to } => {
            let s = subscriptions::cancel(store, clock, provision(&reach, to), id, Some(&on))?;
            provisioned(s, format!("Subscription {id} cancelled on {on}."))
        }
        SubscriptionCommand::Suspend { id, on, to } => {
            let s = subscriptions::suspend(store, clock, provision(&reach, to), id, Some(&on))?;
            provisioned(s, format!("Subscription {id} suspended on {on}; it is still billed and will not renew."))
        }
        SubscriptionCommand::Reactivate { id, on, to } => {
            let s = subscriptions::reactivate(store, clock, provision(&reach, to), id, Some(&on))?;
            provisioned(s, format!("Subscription {id} reactivated on {on}."))
        }
        SubscriptionCommand::AutoRenew { id, state, to } => {
            let s = subscriptions::set_auto_renew(store, clock, provision(&reach, to), id, state == "on")?;
            provisioned(s, format!("Auto-renew of subscription {id} is {state}."))
        }
        SubscriptionCommand::Schedule { id, quantity, term, billing, product, to } => {
            let request = ScheduleRequest { quantity: quantity.map(|q| q.to_string()), term, billing, product };
            let s = subscriptions::schedule(store, clock, provision(&reach, to), id, &request)?;
            provisioned(s, format!("Scheduled for the renewal of subscription {id}."))
        }
        SubscriptionCommand::Upgrade { id, product, on, to } => {
            let s = subscriptions::upgrade(store, clock, provision(&reach, to), id, &product, Some(&on))?;
            provisioned(s, format!("Subscription {id} upgraded on {on}."))
        }
        SubscriptionCommand::Show { id, as_of } => {
            let view = subscriptions::view(store, clock.today, id, as_of.as_deref())?;
            out(&view, render::subscription_view(&view))
        }
        SubscriptionCommand::List { customer, status } => {
            let list = subscriptions::list(store, customer, status.as_deref(), None)?;
            let pending = seatbook::app::provision::pending(store)?;
            let listed: Vec<Listed> =
                list.iter().map(|s| Listed { pending_at_microsoft: pending.contains(&s.id), subscription: s }).collect();
            let mut text = render::subscriptions(&list);
            if !pending.is_empty() {
                for s in list.iter().filter(|s| pending.contains(&s.id)) {
                    text.push_str(&format!("Subscription {} has a change waiting to reach Microsoft (seatbook pc outbox).\n", s.id));
                }
            }
            out(&listed, text)
        }
        SubscriptionCommand::Import { file } => {
            let done = subscriptions::import(store, clock, &file)?;
            let text =
                render::imported("subscriptions", done.imported, &done.subscriptions, render::subscriptions, "seatbook subscription list");
            out(&done, text)
        }
    }
}

pub fn renewals(ctx: &mut Ctx, cmd: RenewalsCommand) -> Result<Output> {
    match cmd {
        RenewalsCommand::Run { through } => {
            let report = subscriptions::run_renewals(&mut ctx.store, &ctx.clock, Some(&through))?;
            out(&report, render::renewals(&report))
        }
        RenewalsCommand::Due { within, as_of } => {
            let request = ReportRequest { as_of, days: within, ..Default::default() };
            let report = reports::query("renewals", &request, ctx.clock.today)?;
            let Report::Renewals { as_of, days } = report else { unreachable!("the renewals report") };
            let reports::Rows::Renewals(due) = reports::rows(&ctx.store, &report)? else { unreachable!("the renewals report") };
            let rows = render::due_rows(&due);
            out(&rows, render::due(&rows, as_of, days))
        }
    }
}
