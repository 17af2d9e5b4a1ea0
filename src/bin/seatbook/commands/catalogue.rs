//! `pricelist`, `product`, `markup` and `fx`.

use crate::args::{FxCommand, MarkupCommand, PricelistCommand, ProductCommand};
use crate::{out, render, Ctx, Output};
use seatbook::app::catalogue::{self as catalogue, MarkupRequest, QuoteRequest, RateRequest};
use seatbook::Result;

pub fn pricelist(ctx: &mut Ctx, cmd: PricelistCommand) -> Result<Output> {
    let PricelistCommand::Import { file, market, currency } = cmd;
    let rows = catalogue::price_list_rows(&ctx.store, market.as_deref(), currency.as_deref())?;
    let r = catalogue::import_price_list(&mut ctx.store, &file, &rows)?;
    let s = &r.summary;
    let mut text = format!(
        "Price list {}: {} rows read; {} added, {} updated, {} unchanged; {} products.\n",
        file.display(),
        s.read,
        s.added,
        s.updated,
        s.unchanged,
        s.products
    );
    if s.other_market > 0 || s.other_currency > 0 {
        text.push_str(&format!(
            "Left out: {} rows of other markets than {}{}.\n",
            s.other_market,
            r.market,
            r.currency.map(|c| format!(", {} rows in other currencies than {c}", s.other_currency)).unwrap_or_default()
        ));
    }
    out(&r, text)
}

pub fn product(ctx: &mut Ctx, cmd: ProductCommand) -> Result<Output> {
    match cmd {
        ProductCommand::List { search, on } => {
            let on_day = seatbook::app::date_or(on.as_deref(), "on", ctx.clock.today)?;
            let products = catalogue::products(&ctx.store, ctx.clock.today, search.as_deref(), on.as_deref())?;
            out(&products, render::products(&products, on_day))
        }
        ProductCommand::Price { product, term, billing, customer, on } => {
            let request = QuoteRequest { customer, product, term, billing, start: on, price: None, trial: false };
            let q = catalogue::quote(&ctx.store, ctx.clock.today, &request)?.quote;
            out(&q, render::quote(&q))
        }
    }
}

pub fn markup(ctx: &mut Ctx, cmd: MarkupCommand) -> Result<Output> {
    match cmd {
        MarkupCommand::Set { customer, product, percent, price, currency, on } => {
            let request = MarkupRequest { customer: customer.map(|c| c.to_string()), product, percent, price, currency, on };
            let r = catalogue::set_markup(&mut ctx.store, ctx.clock.today, &request)?;
            out(&r.rule, format!("Markup rule {}: {}.\n", r.rule.id, r.description))
        }
        MarkupCommand::List => {
            let m = catalogue::markup_rules(&ctx.store)?;
            let mut text: String = m.rules.iter().map(|r| format!("{:>4}  {}\n", r.rule.id, r.description)).collect();
            text.push_str(&format!("      otherwise the company's default markup of {}%\n", m.default_markup));
            let rules: Vec<_> = m.rules.iter().map(|r| &r.rule).collect();
            out(&rules, text)
        }
    }
}

pub fn fx(ctx: &mut Ctx, cmd: FxCommand) -> Result<Output> {
    match cmd {
        FxCommand::Set { from, to, rate, on } => {
            let r = catalogue::set_exchange_rate(&mut ctx.store, &RateRequest { from, to, rate, on: Some(on) })?;
            out(&r, format!("1 {} = {} {} from {}\n", r.from, r.rate, r.to, r.effective))
        }
        FxCommand::List => {
            let rates = catalogue::exchange_rates(&ctx.store)?;
            let text = rates.iter().map(|r| format!("{}  1 {} = {} {}\n", r.effective, r.from, r.rate, r.to)).collect();
            out(&rates, text)
        }
    }
}
