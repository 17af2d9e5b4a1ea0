//! Text output of the command line: what a person reads in a terminal.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use seatbook::app::{PriceQuote, RenewalDue, RenewalReport, SubscriptionView};
use seatbook::catalogue::Product;
use seatbook::company::Company;
use seatbook::customer::{ContactEntry, Customer};
use seatbook::dates::add_days;
use seatbook::locale::Style;
use seatbook::money::Currency;
use seatbook::subscription::{RenewalChanges, Subscription};
use serde::Serialize;
use std::cell::Cell;
use std::fmt::Write;

thread_local! {
    /// How amounts are written: the company's country's way (`R 1 304,10`), as on its screens and
    /// documents. Set once per command, before anything is printed.
    static STYLE: Cell<&'static Style> = const { Cell::new(&seatbook::locale::FALLBACK) };
}

/// Write amounts as the company's country does.
pub fn use_country(country: &str) {
    STYLE.with(|s| s.set(seatbook::locale::for_country(country)));
}

fn style() -> &'static Style {
    STYLE.with(Cell::get)
}

/// Money with its symbol or code: `R 1 304,10`, `USD 86,40`.
pub fn money(v: Decimal, c: Currency) -> String {
    style().money(v, c)
}

/// A price, exact: `USD 8,6435`.
fn price(v: Decimal, c: Currency) -> String {
    style().price(v, c)
}

/// The minor digits of a currency given by its code (2 for one Seatbook does not know).
fn minor(code: &str) -> u32 {
    Currency::parse(code, "currency").map(|c| c.minor_units()).unwrap_or(2)
}

/// An amount in a column whose currency is named beside it: `1 304,10`.
fn fig(v: Decimal, c: Currency) -> String {
    style().number(v, c.minor_units())
}

fn line(out: &mut String, label: &str, value: impl std::fmt::Display) {
    let v = value.to_string();
    if !v.is_empty() {
        let _ = writeln!(out, "  {label:<22} {}", v.replace('\n', &format!("\n  {:<22} ", "")));
    }
}

pub fn company(c: &Company) -> String {
    let mut s = format!("{}\n", c.name);
    line(&mut s, "Address", &c.address);
    line(&mut s, "Country", &c.country);
    line(&mut s, "Email", &c.email);
    line(&mut s, "Phone", &c.phone);
    line(&mut s, "VAT number", &c.vat_number);
    line(&mut s, "Registration number", &c.registration_number);
    line(&mut s, "Bank", &c.bank_name);
    line(&mut s, "Account holder", &c.bank_account_holder);
    line(&mut s, "Account number", &c.bank_account_number);
    line(&mut s, "Branch code", &c.bank_branch_code);
    line(&mut s, "SWIFT", &c.bank_swift);
    line(&mut s, "Logo", &c.logo_path);
    line(&mut s, "Currency", c.currency);
    line(&mut s, "VAT rate", format!("{}%", c.vat_rate));
    line(&mut s, "Payment terms", format!("{} days", c.payment_terms_days));
    line(&mut s, "Default markup", format!("{}%", c.default_markup));
    line(&mut s, "Price-list market", &c.market);
    line(&mut s, "Invoice numbers", &c.invoice_number_format);
    line(&mut s, "Credit note numbers", &c.credit_note_number_format);
    line(&mut s, "Paper", c.paper.as_str());
    s
}

pub fn customer(c: &Customer) -> String {
    let mut s = format!("Customer {}: {}{}\n", c.id, c.name, c.closed_on.map(|d| format!(" (closed {d})")).unwrap_or_default());
    line(&mut s, "Tenant domain", &c.domain);
    line(&mut s, "Tenant id", &c.tenant_id);
    line(&mut s, "Contact", &c.contact_person);
    line(&mut s, "Email", &c.email);
    line(&mut s, "Phone", &c.phone);
    line(&mut s, "Billing address", &c.address);
    line(&mut s, "Country", &c.country);
    line(&mut s, "Currency", c.currency);
    line(&mut s, "VAT number", &c.vat_number);
    line(&mut s, "Tax treatment", c.tax_treatment.as_str());
    line(&mut s, "Payment terms", format!("{} days", c.payment_terms_days));
    line(&mut s, "Credit limit", c.credit_limit.map(|l| money(l, c.currency)).unwrap_or_default());
    line(&mut s, "Billing alignment", c.billing_alignment.as_str());
    line(&mut s, "Notes", &c.notes);
    s
}

/// A customer's page: the profile, what they owe and their credit, the credit stop, the
/// contact log and the subscriptions.
pub fn customer_page(p: &seatbook::app::customers::CustomerPage) -> String {
    let mut s = customer(&p.customer);
    let cur = p.currency;
    line(&mut s, "Balance", format!("{} (as of {})", money(p.balance, cur), p.as_of));
    line(&mut s, "Overdue", if p.overdue.is_zero() { String::new() } else { money(p.overdue, cur) });
    line(&mut s, "Unapplied credit", if p.unapplied_credit.is_zero() { String::new() } else { money(p.unapplied_credit, cur) });
    line(&mut s, "Credit stop", p.credit_stop.as_deref().unwrap_or_default());
    s.push_str(&contact_log(&p.contact_log));
    s.push_str(&subscriptions(&p.subscriptions));
    s
}

pub fn customers(list: &[Customer]) -> String {
    if list.is_empty() {
        return "No customers.\n".into();
    }
    let mut s = format!("{:>5}  {:<36} {:<34} {:<8} {}\n", "ID", "NAME", "DOMAIN", "CURRENCY", "EMAIL");
    for c in list {
        let _ = writeln!(
            s,
            "{:>5}  {:<36} {:<34} {:<8} {}{}",
            c.id,
            truncate(&c.name, 36),
            truncate(&c.domain, 34),
            c.currency,
            c.email,
            c.closed_on.map(|d| format!("  (closed {d})")).unwrap_or_default()
        );
    }
    s
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

pub fn contact_log(log: &[ContactEntry]) -> String {
    if log.is_empty() {
        return String::new();
    }
    let mut s = "Contact log\n".to_string();
    for e in log {
        let _ = writeln!(s, "  {}  {:<8} {}", e.date, e.channel, e.summary);
    }
    s
}

pub fn subscription_line(s: &Subscription) -> String {
    format!(
        "{:>5}  {:<40} {:>5} seats  {} {:<9}  {} to {}  {}{}{}\n",
        s.id,
        truncate(&format!("{} ({})", s.product_title, s.product), 40),
        s.quantity,
        s.term,
        s.billing.as_str(),
        s.term_start,
        s.term_end,
        s.status.as_str(),
        if s.trial { ", trial" } else { "" },
        if s.auto_renew { "" } else { ", no auto-renew" }
    )
}

pub fn subscriptions(list: &[Subscription]) -> String {
    if list.is_empty() {
        return "No subscriptions.\n".into();
    }
    let mut s = "Subscriptions\n".to_string();
    for sub in list {
        s.push_str(&subscription_line(sub));
    }
    s
}

fn scheduled(c: &RenewalChanges) -> String {
    let mut parts = Vec::new();
    if let Some(q) = c.quantity {
        parts.push(format!("{q} seats"));
    }
    if let Some(t) = c.term {
        parts.push(format!("term {t}"));
    }
    if let Some(b) = c.billing {
        parts.push(format!("billed {b}"));
    }
    if let Some(p) = &c.product {
        parts.push(format!("product {p}"));
    }
    parts.join(", ")
}

pub fn subscription_view(v: &SubscriptionView) -> String {
    let s = &v.subscription;
    let mut out = format!("Subscription {}: {} ({})\n", s.id, s.product_title, s.product);
    line(&mut out, "Customer", format!("{} ({})", v.customer_name, s.customer_id));
    line(&mut out, "Status", format!("{}{}", s.status.as_str(), if s.trial { " (30-day trial)" } else { "" }));
    line(&mut out, "Seats", s.quantity);
    line(&mut out, "Term", format!("{} billed {}", s.term, s.billing));
    line(&mut out, "Current term", format!("{} to {}", s.term_start, s.term_end));
    line(&mut out, "Purchased", s.purchased_on);
    line(&mut out, "Microsoft id", &s.ms_subscription_id);
    line(&mut out, "Auto-renew", if s.auto_renew { "on" } else { "off" });
    for e in &v.pending_at_microsoft {
        let state = if e.state == "accepted" { "accepted, not finished".to_string() } else { format!("waiting: {}", e.last_error) };
        line(&mut out, "Pending at Microsoft", format!("{} ({})", e.what, state.trim_end_matches([':', ' '])));
    }
    match &v.current_cycle {
        Some(c) => line(&mut out, "Charge cycle", format!("{} to {} ({} days), as of {}", c.start, c.end, c.days(), v.as_of)),
        None => line(&mut out, "Charge cycle", format!("none as of {}", v.as_of)),
    }
    line(&mut out, "Cost", format!("{} per seat per term", price(s.price.unit_cost, s.price.cost_currency)));
    line(
        &mut out,
        "Price",
        format!(
            "{} per seat per term; {} per {} cycle",
            price(s.price.unit_price, s.price.price_currency),
            price(v.price_per_cycle, s.price.price_currency),
            s.billing
        ),
    );
    line(&mut out, "Price rule", &s.price.rule);
    match v.reducible_until {
        Some(until) => line(
            &mut out,
            "Seats can be reduced",
            format!("{} seat{} until {until}", v.reducible_seats, if v.reducible_seats == 1 { "" } else { "s" }),
        ),
        None if s.status.is_live() => {
            line(&mut out, "Seats can be reduced", format!("not now; schedule a decrease for the renewal on {}", add_days(s.term_end, 1)))
        }
        None => {}
    }
    if let Some(d) = v.cancellable_until {
        line(&mut out, "Can be cancelled until", d);
    }
    if let Some(d) = v.renews_on {
        line(&mut out, "Renews on", d);
    } else if s.status.is_live() {
        line(&mut out, "Ends after", s.term_end);
    }
    if let Some(d) = s.ended_on {
        line(&mut out, "Ended on", d);
    }
    line(&mut out, "At renewal", scheduled(&s.scheduled));
    line(&mut out, "Billed from", s.bill_from);
    out.push_str("History (effective date, recorded at)\n");
    for e in &v.history {
        let _ = writeln!(out, "  {}  {:<18} {}  [{}]", e.effective, e.kind.as_str(), e.description, e.recorded_at);
    }
    out
}

pub fn products(list: &[Product], on: NaiveDate) -> String {
    if list.is_empty() {
        return "No products.\n".into();
    }
    let mut s = format!("Prices in force on {on} (cost per seat for the whole term)\n");
    for p in list {
        let _ = writeln!(s, "{}  {}", p.product, p.title);
        for r in &p.prices {
            let _ = writeln!(
                s,
                "    {:<4} {:<10} {} {:>10} {}{}",
                r.term,
                r.billing_plan,
                r.market,
                style().unit_price(r.unit_price, minor(&r.currency)),
                r.currency,
                r.erp_price.map(|e| format!("  (ERP {})", style().unit_price(e, minor(&r.currency)))).unwrap_or_default()
            );
        }
    }
    s
}

pub fn quote(q: &PriceQuote) -> String {
    let mut s = format!("{} ({}) {} billed {} on {}\n", q.product_title, q.product, q.term, q.billing, q.on);
    line(
        &mut s,
        "Cost",
        format!(
            "{} per seat per term (price-list row from {})",
            price(q.price.unit_cost, q.price.cost_currency),
            q.cost_row.effective_start
        ),
    );
    line(&mut s, "Resale", format!("{} per seat per term", price(q.price.unit_price, q.price.price_currency)));
    line(&mut s, "Per charge cycle", price(q.price_per_cycle, q.price.price_currency));
    line(&mut s, "Rule", &q.price.rule);
    s
}

pub fn renewals(r: &RenewalReport) -> String {
    let mut s = String::new();
    if r.done.is_empty() && r.problems.is_empty() {
        s.push_str("Nothing to renew.\n");
    }
    for e in &r.done {
        let what = match e.outcome {
            seatbook::subscription::RenewalOutcome::Renewed => "renewed",
            seatbook::subscription::RenewalOutcome::Converted => "trial converted",
            seatbook::subscription::RenewalOutcome::Expired => "expired",
        };
        let _ = writeln!(
            s,
            "Subscription {:>5} (customer {}) {what} on {}: {} seats of {} at {} per seat per term",
            e.subscription_id,
            e.customer_id,
            e.date,
            e.quantity,
            e.product,
            price(e.unit_price, e.price_currency)
        );
    }
    for p in &r.problems {
        let _ = writeln!(s, "Problem: subscription {} (customer {}): {}", p.subscription_id, p.customer_id, p.message);
    }
    s
}

/// A renewal coming up, with the dates that matter for cutting seats.
#[derive(Serialize)]
pub struct DueRow {
    pub subscription_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub product: seatbook::catalogue::ProductKey,
    pub product_title: String,
    pub quantity: u32,
    pub term_end: NaiveDate,
    pub auto_renew: bool,
    /// The renewal date, if it renews.
    pub renews_on: Option<NaiveDate>,
    pub scheduled: RenewalChanges,
    /// Seats can be cut by scheduling a decrease up to this day…
    pub schedule_cut_until: NaiveDate,
    /// …or by removing them within 7 days after the renewal, until this day.
    pub cut_after_renewal_until: Option<NaiveDate>,
}

pub fn due_rows(list: &[RenewalDue]) -> Vec<DueRow> {
    list.iter()
        .map(|r| DueRow {
            subscription_id: r.subscription_id,
            customer_id: r.customer_id,
            customer_name: r.customer_name.clone(),
            product: r.product.clone(),
            product_title: r.product_title.clone(),
            quantity: r.quantity,
            term_end: r.term_end,
            auto_renew: r.auto_renew,
            renews_on: r.renews_on,
            scheduled: r.scheduled.clone(),
            schedule_cut_until: r.schedule_by,
            cut_after_renewal_until: r.cut_until,
        })
        .collect()
}

pub fn due(rows: &[DueRow], as_of: NaiveDate, within: u32) -> String {
    if rows.is_empty() {
        return format!("No terms end between {as_of} and {}.\n", add_days(as_of, within as i64));
    }
    let mut s = format!("Terms ending between {as_of} and {}\n", add_days(as_of, within as i64));
    for r in rows {
        let _ = writeln!(
            s,
            "{}  sub {:>5}  {:<30} {:<34} {:>4} seats  {}{}",
            r.term_end,
            r.subscription_id,
            truncate(&r.customer_name, 30),
            truncate(&r.product_title, 34),
            r.quantity,
            match (r.renews_on, r.cut_after_renewal_until) {
                (Some(on), Some(cut)) => format!("renews {on}; cut seats by scheduling, or until {cut} after renewal"),
                _ => "expires (auto-renew off)".to_string(),
            },
            if r.scheduled.is_empty() { String::new() } else { format!("; at renewal: {}", scheduled(&r.scheduled)) }
        );
    }
    s
}

fn period(l: &seatbook::billing::InvoiceLineView) -> String {
    match (l.period_start, l.period_end) {
        (Some(a), Some(b)) => format!("{a} – {b}"),
        _ => String::new(),
    }
}

fn lines_table(s: &mut String, lines: &[seatbook::billing::InvoiceLineView], currency: seatbook::money::Currency) {
    let _ = writeln!(s, "  {:>3}  {:<58} {:<25} {:>8} {:>12} {:>12}", "#", "DESCRIPTION", "PERIOD", "QTY", "UNIT", "AMOUNT");
    for l in lines {
        let _ = writeln!(
            s,
            "  {:>3}  {:<58} {:<25} {:>8} {:>12} {:>12}{}",
            l.position,
            truncate(&l.description, 58),
            period(l),
            style().quantity(l.quantity),
            style().unit_price(currency.round(l.unit_price), currency.minor_units()),
            fig(l.amount, currency),
            if l.credited { "  (credited)" } else { "" }
        );
    }
}

fn totals(
    s: &mut String,
    vat_lines: &[seatbook::billing::engine::VatLine],
    net: rust_decimal::Decimal,
    vat: rust_decimal::Decimal,
    total: rust_decimal::Decimal,
    currency: seatbook::money::Currency,
) {
    let _ = writeln!(s, "  {:>118} {:>12}", "Net", fig(net, currency));
    for v in vat_lines {
        let _ = writeln!(s, "  {:>118} {:>12}", format!("VAT {}% on {}", v.rate.normalize(), fig(v.net, currency)), fig(v.vat, currency));
    }
    if vat_lines.is_empty() {
        let _ = writeln!(s, "  {:>118} {:>12}", "VAT", fig(vat, currency));
    }
    let _ = writeln!(s, "  {:>118} {:>12}", format!("Total {currency}"), fig(total, currency));
}

pub fn invoice(inv: &seatbook::billing::InvoiceView) -> String {
    let mut s = format!(
        "{}  {}  (customer {})\n  Date {}   Due {}   Month {}   Currency {}\n",
        inv.number.as_deref().unwrap_or("DRAFT"),
        inv.customer_name,
        inv.customer_id,
        inv.date,
        inv.due_date,
        inv.month,
        inv.currency
    );
    lines_table(&mut s, &inv.lines, inv.currency);
    totals(&mut s, &inv.vat_lines, inv.net, inv.vat, inv.total, inv.currency);
    if !inv.credit_notes.is_empty() {
        let _ = writeln!(s, "  Credited {} (net) by {}", money(inv.credited_net, inv.currency), inv.credit_notes.join(", "));
    }
    s
}

pub fn credit_note(cn: &seatbook::billing::CreditNoteView) -> String {
    let mut s = format!(
        "Credit note {}  {}  (customer {})\n  Date {}   Corrects {} of {}   Reason: {}\n",
        cn.number, cn.customer_name, cn.customer_id, cn.date, cn.invoice_number, cn.invoice_date, cn.reason
    );
    lines_table(&mut s, &cn.lines, cn.currency);
    totals(&mut s, &cn.vat_lines, cn.net, cn.vat, cn.total, cn.currency);
    s
}

pub fn invoices(list: &[seatbook::app::billing::InvoiceRow]) -> String {
    if list.is_empty() {
        return "No invoices.\n".into();
    }
    let mut s = format!(
        "{:<18} {:<10} {:<10} {:<36} {:>14} {:>14}     {:<11} {:>14}\n",
        "NUMBER", "DATE", "DUE", "CUSTOMER", "NET", "TOTAL", "STATUS", "OPEN"
    );
    for i in list {
        let _ = writeln!(
            s,
            "{:<18} {:<10} {:<10} {:<36} {:>14} {:>14} {} {:<11} {:>14}{}",
            i.number,
            i.date,
            i.due_date,
            truncate(&i.customer_name, 36),
            fig(i.net, i.currency),
            fig(i.total, i.currency),
            i.currency,
            i.status.as_str(),
            fig(i.open, i.currency),
            if i.credit_notes.is_empty() { String::new() } else { format!("  credited by {}", i.credit_notes.join(", ")) }
        );
    }
    s
}

/// An issued invoice with its status and what is paid and open.
pub fn invoice_detail(d: &seatbook::app::billing::InvoiceDetail) -> String {
    let mut s = invoice(&d.invoice);
    let cur = d.invoice.currency;
    let _ = writeln!(s, "Status: {} (paid {}, open {})", d.status.as_str(), money(d.paid, cur), money(d.open, cur));
    s
}

pub fn billing_run(run: &seatbook::billing::BillingRun) -> String {
    let mut s = String::new();
    for inv in &run.invoices {
        s.push_str(&invoice(inv));
        s.push('\n');
    }
    let mut by_currency: std::collections::BTreeMap<String, (Currency, Decimal)> = Default::default();
    for inv in &run.invoices {
        by_currency.entry(inv.currency.to_string()).or_insert((inv.currency, Decimal::ZERO)).1 += inv.total;
    }
    let sums: Vec<String> = by_currency.values().map(|(c, t)| money(*t, *c)).collect();
    let _ = writeln!(
        s,
        "{} {}: {} invoice{}{}{}.",
        if run.preview { "Preview of" } else { "Issued for" },
        run.month,
        run.invoices.len(),
        if run.invoices.len() == 1 { "" } else { "s" },
        if sums.is_empty() { String::new() } else { format!(", totalling {}", sums.join(", ")) },
        if run.renewals > 0 {
            format!("; {} renewal{} processed first", run.renewals, if run.renewals == 1 { "" } else { "s" })
        } else {
            String::new()
        }
    );
    if run.preview && !run.invoices.is_empty() {
        s.push_str("Nothing was issued. Run again with --issue to issue them.\n");
    }
    for p in &run.problems {
        let _ = writeln!(
            s,
            "Left out: customer {} ({}): {}",
            p.customer_id,
            p.customer_name,
            crate::wording::with_hint(&p.message, p.hint.as_ref())
        );
    }
    s
}

pub fn payment(p: &seatbook::app::PaymentView) -> String {
    let mut s = format!(
        "{} {:>5}  {}  {}  {}{}{}\n",
        match p.kind.as_str() {
            "payment" => "Payment ",
            "refund" => "Refund  ",
            _ => "Reversal",
        },
        p.id,
        p.date,
        money(p.amount, p.currency),
        p.method,
        if p.reference.is_empty() { String::new() } else { format!("  ref {}", p.reference) },
        match (p.reverses, p.reversed_by) {
            (Some(r), _) => format!("  reverses payment {r}"),
            (_, Some(r)) => format!("  reversed by {r}"),
            _ => String::new(),
        }
    );
    if p.kind != "reversal" {
        for a in &p.allocations {
            let _ = writeln!(s, "           {} {} applied to {}", a.date, money(a.amount, p.currency), a.invoice);
        }
    }
    s
}

pub fn account(a: &seatbook::app::Account) -> String {
    let mut s = format!("Account of {} (customer {}) as of {}, {}\n", a.customer_name, a.customer_id, a.as_of, a.currency);
    let cur = a.currency;
    line(&mut s, "Invoiced", money(a.invoiced, cur));
    line(&mut s, "Credited", money(a.credited, cur));
    line(&mut s, "Received", money(a.received, cur));
    line(&mut s, "Refunded", money(a.refunded, cur));
    line(&mut s, "Balance owed", money(a.balance, cur));
    line(&mut s, "Unapplied credit", money(a.credit, cur));
    for i in &a.invoices {
        let _ = writeln!(
            s,
            "  {:<16} {} due {}  open {:>12}  {}{}",
            i.number,
            i.date,
            i.due_date,
            fig(i.open, a.currency),
            i.status.as_str(),
            if i.days_overdue > 0 { format!(", {} days overdue", i.days_overdue) } else { String::new() }
        );
    }
    s
}

pub fn statement(st: &seatbook::app::Statement) -> String {
    let mut s = format!(
        "Statement of account: {} (customer {}), {} to {}, {}\n{:<10}  {:<16} {:<40} {:>12} {:>12} {:>12}\n",
        st.customer_name, st.customer_id, st.from, st.to, st.currency, "DATE", "DOCUMENT", "DESCRIPTION", "DEBIT", "CREDIT", "BALANCE"
    );
    let _ = writeln!(s, "{:<10}  {:<16} {:<40} {:>12} {:>12} {:>12}", st.from, "", "Opening balance", "", "", fig(st.opening, st.currency));
    for l in &st.lines {
        let amt = |v: Decimal| if v.is_zero() { String::new() } else { fig(v, st.currency) };
        let _ = writeln!(
            s,
            "{:<10}  {:<16} {:<40} {:>12} {:>12} {:>12}",
            l.date,
            truncate(&l.document, 16),
            truncate(&l.description, 40),
            amt(l.debit),
            amt(l.credit),
            fig(l.balance, st.currency)
        );
    }
    let _ = writeln!(s, "{:<10}  {:<16} {:<40} {:>12} {:>12} {:>12}", st.to, "", "Closing balance", "", "", fig(st.closing, st.currency));
    let _ = writeln!(
        s,
        "Aging as of {}: current {}, 1-30 {}, 31-60 {}, 61-90 {}, over 90 {}; total {}",
        st.to,
        fig(st.aging[0], st.currency),
        fig(st.aging[1], st.currency),
        fig(st.aging[2], st.currency),
        fig(st.aging[3], st.currency),
        fig(st.aging[4], st.currency),
        money(st.aging_total, st.currency)
    );
    s
}

/// Reminders sent (with their letters' files), or due (a preview: no files).
pub fn reminders(sent: &[seatbook::app::Reminder], files: Option<&[String]>) -> String {
    if sent.is_empty() {
        return "No reminders due.\n".to_string();
    }
    let mut s = match files {
        Some(_) => format!("Sent {} reminders.\n", sent.len()),
        None => format!("{} reminders due (preview: nothing recorded).\n", sent.len()),
    };
    for (i, r) in sent.iter().enumerate() {
        let f = files.and_then(|f| f.get(i)).map(String::as_str).unwrap_or("");
        let _ = writeln!(
            s,
            "{:<16} {:<16} {:<30} {} {:>12} {:>4} days  {}",
            r.invoice,
            r.title,
            truncate(&r.customer_name, 30),
            r.currency,
            fig(r.open, r.currency),
            r.days_overdue,
            f
        );
    }
    s
}

pub fn trial_balance(tb: &seatbook::app::books::TrialBalance) -> String {
    let mut text: String =
        tb.rows.iter().map(|r| format!("{:<44} {:>14} {}\n", r.account, fig(r.balance, r.currency), r.currency)).collect();
    for t in &tb.totals {
        let _ = writeln!(text, "{:<44} {:>14} {}", "Total", fig(t.total, t.currency), t.currency);
    }
    text
}

pub fn credit_stops(stops: &[seatbook::app::CreditStop]) -> String {
    if stops.is_empty() {
        return "No customer is on credit stop.\n".to_string();
    }
    stops.iter().map(|s| format!("{:>6}  {}: {}\n", s.customer_id, s.customer_name, s.reason)).collect()
}

/// A report as its table (the rows the app shows and the CSV holds), aligned for a terminal:
/// text to the left, figures to the right, amounts written the company's way.
pub fn table(t: &seatbook::report_table::ReportTable) -> String {
    use seatbook::report_table::ColumnKind;
    let currency = t.columns.iter().position(|c| c.key == "currency");
    let cells: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|row| {
            let cur = currency.and_then(|i| Currency::parse(&row[i], "currency").ok());
            row.iter()
                .zip(&t.columns)
                .map(|(cell, col)| match (col.kind, cell.parse::<Decimal>(), cur) {
                    (ColumnKind::Money, Ok(v), Some(c)) => fig(v, c),
                    (ColumnKind::Money | ColumnKind::Percent, Ok(v), _) => style().quantity(v),
                    _ => cell.clone(),
                })
                .collect()
        })
        .collect();
    let widths: Vec<usize> = t
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| cells.iter().map(|r| r[i].chars().count()).chain([c.label.chars().count()]).max().unwrap_or(0))
        .collect();
    let right = |k: ColumnKind| matches!(k, ColumnKind::Money | ColumnKind::Number | ColumnKind::Percent);
    let line = |row: Vec<&str>| -> String {
        let parts: Vec<String> = row
            .iter()
            .zip(&t.columns)
            .zip(&widths)
            .map(|((cell, col), w)| if right(col.kind) { format!("{cell:>w$}") } else { format!("{cell:<w$}") })
            .collect();
        parts.join("  ").trim_end().to_string() + "\n"
    };
    let mut out = format!("{}\n", t.title);
    out.push_str(&line(t.columns.iter().map(|c| c.label).collect()));
    if cells.is_empty() {
        out.push_str("(nothing)\n");
    }
    for row in &cells {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

pub fn recon_import(r: &seatbook::app::recon::ReconImportOutcome) -> String {
    use seatbook::app::recon::ImportStatus;
    let mut out = format!("{} ({}):\n", r.file, r.format);
    for i in &r.invoices {
        let what = match i.status {
            ImportStatus::Imported => "imported",
            ImportStatus::Replaced => "imported, replacing the earlier file (kept)",
            ImportStatus::Unchanged => "already imported with the same lines: nothing added",
        };
        let _ = writeln!(out, "  {}: {} lines, total {}; {what}", i.invoice, i.lines, money(i.total, i.currency));
    }
    out
}

pub fn recon_list(list: &[seatbook::app::ReconImport]) -> String {
    if list.is_empty() {
        return "No reconciliation file imported yet.\n".to_string();
    }
    let mut out = String::new();
    for i in list {
        let _ = writeln!(
            out,
            "{:<12} {:>8} lines  {:>18}  {}  imported {}",
            i.invoice,
            i.lines,
            money(i.total, i.currency),
            i.file,
            i.imported_at.get(..10).unwrap_or(&i.imported_at)
        );
    }
    out
}

pub fn recon_report(r: &seatbook::recon::Reconciliation) -> String {
    let c = r.currency;
    let mut out = format!("Microsoft's invoice {} (charges of {}), in {c}\n", r.invoice, r.billing_month.format("%B %Y"));
    line(&mut out, "Microsoft's total", money(r.microsoft_total, c));
    line(&mut out, "Matched", money(r.matched, c));
    line(&mut out, "Leaked", money(r.leaked, c));
    line(&mut out, "Billed, not charged", money(r.unmatched_billed, c));
    if r.findings.is_empty() {
        out.push_str("\nEvery charge matches what Seatbook billed.\n");
    }
    let mut kind = None;
    for f in &r.findings {
        if kind != Some(f.kind) {
            kind = Some(f.kind);
            let n = r.findings.iter().filter(|g| g.kind == f.kind).count();
            let _ = writeln!(out, "\n{} ({n})", f.kind.as_str());
        }
        let seats = |q: Option<Decimal>| q.map(|q| style().quantity(q)).unwrap_or_else(|| "–".to_string());
        let _ = writeln!(
            out,
            "  {}  {}  {}  {} to {}  seats {} at Microsoft, {} billed  charged {}  difference {}{}",
            f.id,
            if f.customer_name.is_empty() { f.customer_domain.as_str() } else { f.customer_name.as_str() },
            f.product,
            f.period_start,
            f.period_end,
            seats(f.microsoft_quantity),
            seats(f.seatbook_quantity),
            f.microsoft_amount.map(|a| money(a, c)).unwrap_or_else(|| "–".to_string()),
            money(f.difference, c),
            f.seatbook_amount.zip(f.seatbook_currency).map(|(a, sc)| format!("  billed {}", money(a, sc))).unwrap_or_default()
        );
        let _ = writeln!(out, "    {}{}", f.action, if f.fixable { " (can be fixed)" } else { "" });
    }
    if !r.margin.is_empty() {
        let _ = writeln!(out, "\nMargin on Microsoft's actual cost (and on the locked cost), in {c}");
        for m in &r.margin {
            let _ = writeln!(
                out,
                "  {}  {}  revenue {}  cost {}  margin {}  (locked cost {}, margin {})",
                m.customer_name,
                m.product,
                fig(m.revenue, c),
                fig(m.microsoft_cost, c),
                fig(m.margin, c),
                fig(m.locked_cost, c),
                fig(m.locked_margin, c)
            );
        }
    }
    out
}

/// What an import wrote, as text: how many, the first fifty of them, and how many more (listed
/// in full by `list_command`).
pub fn imported<T>(what: &str, total: usize, first: &[T], show: impl Fn(&[T]) -> String, list_command: &str) -> String {
    const SHOWN: usize = 50;
    let more = total.saturating_sub(SHOWN);
    format!(
        "Imported {total} {what}.\n{}{}",
        show(&first[..first.len().min(SHOWN)]),
        if more > 0 { format!("… and {more} more ({list_command}).\n") } else { String::new() }
    )
}
