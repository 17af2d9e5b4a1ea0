//! Microsoft's invoice reconciled with what Seatbook billed (DOMAIN §7.1): pure rules over plain
//! values. The store loads Microsoft's lines of one invoice and the book's side (customers,
//! subscriptions with their seat history, the licence lines billed, the last billing run); this
//! module matches them and says what leaks.
//!
//! Microsoft's lines are compared **per subscription and charge period**, never per invoice month
//! (Microsoft bills a calendar month's charges in arrears, Seatbook bills licences in advance):
//!
//! - a *cycle charge* (`new`, `renew`, `cycleCharge`) covers a charge cycle and meets Seatbook's
//!   licence line for the same period (or, for a customer billed by calendar month, the licence
//!   lines that overlap it, counted by the days they share);
//! - a *change* (the pair of lines sharing a `ReferenceId`: the old seats credited for the rest of
//!   the cycle, the new seats charged; or a lone `cancelImmediate`) meets Seatbook's proration
//!   line from the same day (else one from the same cycle).
//!
//! Money is compared in Microsoft's currency with a tolerance of one cent per Microsoft line.

use crate::billing::LineKind;
use crate::catalogue::{BillingPlan, ProductKey, Term};
use crate::dates::{add_days, add_months, days_inclusive};
use crate::money::Currency;
use crate::subscription::term_end;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// What Microsoft's lines of one subscription share: the invoice, the customer, the product and
/// the subscription. A file repeats it on every line; Seatbook keeps it once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MsSubject {
    pub invoice: String,
    pub currency: Currency,
    /// The customer's tenant id, in lower case.
    pub customer_tenant: String,
    pub customer_name: String,
    /// In lower case.
    pub customer_domain: String,
    pub customer_country: String,
    pub product_id: String,
    pub sku_id: String,
    pub sku_name: String,
    pub product_name: String,
    pub subscription_description: String,
    /// Partner Center's subscription id, in lower case.
    pub subscription_id: String,
    pub billing_frequency: String,
    pub subscription_start: Option<NaiveDate>,
    pub subscription_end: Option<NaiveDate>,
}

impl MsSubject {
    /// Azure plan consumption appears on the same invoice; it is billed by usage, not seats.
    pub fn is_azure_plan(&self) -> bool {
        let azure = |s: &str| s.as_bytes().windows(10).any(|w| w.eq_ignore_ascii_case(b"azure plan"));
        azure(&self.product_name) || azure(&self.sku_name) || azure(&self.subscription_description)
    }
}

/// One of Microsoft's lines as a reconciliation reads it (see `import::recon` for how a file's
/// row is checked and becomes one; the row itself is kept in the file as it came).
#[derive(Debug, Clone, PartialEq)]
pub struct MsLine {
    /// The line of the file (CSV: counted from the header's line 1; JSON Lines: the object's line).
    pub line: usize,
    /// What the line shares with the other lines of its subscription.
    pub subject: Arc<MsSubject>,
    /// As Microsoft wrote it, shared by the lines of the same (a file has a few kinds).
    pub charge_type: Arc<str>,
    pub subtotal: Decimal,
    pub total: Decimal,
    pub charge_start: NaiveDate,
    pub charge_end: NaiveDate,
    pub effective_unit_price: Decimal,
    pub billable_quantity: Decimal,
    pub reference_id: String,
}

impl MsLine {
    /// A credit line (the old seats refunded, a cancellation): negative money.
    pub fn is_credit(&self) -> bool {
        self.subtotal < Decimal::ZERO || self.effective_unit_price < Decimal::ZERO
    }

    fn charge(&self) -> ChargeType {
        ChargeType::of(&self.charge_type)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChargeType {
    /// `new`, `renew`, `cycleCharge`, `extendTerm`: a charge cycle.
    Cycle,
    /// `cancelImmediate`.
    Cancel,
    /// `customerCredit`: credits that are not charges for seats.
    Credit,
    /// Every other (seat changes, upgrades, billing-plan changes, and types not known yet).
    Change,
}

impl ChargeType {
    fn of(s: &str) -> ChargeType {
        let s = s.trim();
        let is = |name: &str| s.eq_ignore_ascii_case(name);
        if is("new") || is("renew") || is("cycleCharge") || is("extendTerm") {
            ChargeType::Cycle
        } else if is("cancelImmediate") {
            ChargeType::Cancel
        } else if is("customerCredit") {
            ChargeType::Credit
        } else {
            ChargeType::Change
        }
    }
}

/// A Seatbook customer as reconciliation needs it.
#[derive(Debug, Clone)]
pub struct BookCustomer {
    pub id: i64,
    pub name: String,
    /// In lower case.
    pub domain: String,
    /// In lower case; empty if not known.
    pub tenant_id: String,
}

/// A point of a subscription's history: from `effective`, `seats` seats (0 once ended).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatsFrom {
    pub effective: NaiveDate,
    pub seats: u32,
    /// A change of seats, a cancellation or an upgrade, billed as a proration.
    pub prorated: bool,
}

/// A Seatbook subscription as reconciliation needs it.
#[derive(Debug, Clone)]
pub struct BookSubscription {
    pub id: i64,
    pub customer_id: i64,
    pub product: ProductKey,
    pub product_title: String,
    pub term: Term,
    pub billing: BillingPlan,
    /// In lower case; empty if not known.
    pub ms_subscription_id: String,
    pub trial: bool,
    pub bill_from: NaiveDate,
    /// Its history in date order.
    pub history: Vec<SeatsFrom>,
}

impl BookSubscription {
    /// Seats on `day`, after the changes dated that day.
    pub fn seats_on(&self, day: NaiveDate) -> u32 {
        self.history.iter().take_while(|h| h.effective <= day).last().map(|h| h.seats).unwrap_or(0)
    }

    fn prorated_change_in(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.history.iter().skip(1).any(|h| h.prorated && from <= h.effective && h.effective <= to)
    }
}

/// A licence or proration line Seatbook issued.
#[derive(Debug, Clone)]
pub struct BookLine {
    pub id: i64,
    pub subscription_id: i64,
    pub kind: LineKind,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// Seats (a proration: the seats added, negative when removed).
    pub quantity: Decimal,
    /// Net of VAT, in the invoice's currency.
    pub amount: Decimal,
    pub currency: Currency,
    /// `amount` in Microsoft's currency, if a rate converts it.
    pub amount_in_ms: Option<Decimal>,
    /// The locked cost of the line in Microsoft's currency, if known.
    pub cost_in_ms: Option<Decimal>,
    pub invoice_number: String,
}

/// The book's side of a reconciliation.
#[derive(Debug, Clone, Default)]
pub struct Book {
    pub customers: Vec<BookCustomer>,
    pub subscriptions: Vec<BookSubscription>,
    /// The licence and proration lines issued for the periods the invoice touches.
    pub lines: Vec<BookLine>,
    /// The last day of the month of the last billing run issued: a charge with a later billable
    /// date is billed by the next run.
    pub billed_through: Option<NaiveDate>,
}

/// What reconciliation found. The names are a public contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    NotInSeatbook,
    NotBilled,
    QuantityMismatch,
    BilledNotCharged,
    PlanMismatch,
    CostMismatch,
    BelowCost,
    Pending,
}

impl FindingKind {
    pub const ALL: [FindingKind; 8] = [
        FindingKind::NotInSeatbook,
        FindingKind::NotBilled,
        FindingKind::QuantityMismatch,
        FindingKind::BilledNotCharged,
        FindingKind::PlanMismatch,
        FindingKind::CostMismatch,
        FindingKind::BelowCost,
        FindingKind::Pending,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::NotInSeatbook => "not_in_seatbook",
            FindingKind::NotBilled => "not_billed",
            FindingKind::QuantityMismatch => "quantity_mismatch",
            FindingKind::BilledNotCharged => "billed_not_charged",
            FindingKind::PlanMismatch => "plan_mismatch",
            FindingKind::CostMismatch => "cost_mismatch",
            FindingKind::BelowCost => "below_cost",
            FindingKind::Pending => "pending",
        }
    }

    /// Money Microsoft charged that no customer was billed for.
    pub fn is_leak(self) -> bool {
        matches!(self, FindingKind::NotInSeatbook | FindingKind::NotBilled | FindingKind::QuantityMismatch)
    }
}

/// A change to the book that puts a finding right, through the normal rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "fix", rename_all = "snake_case")]
pub enum Fix {
    /// Take Microsoft's subscription into the book (its customer too, if Seatbook lacks it),
    /// priced by the markup rules and billed from `bill_from`.
    Adopt(Adoption),
    /// Record the seats Microsoft charged for from `on`.
    Seats { subscription_id: i64, quantity: u32, on: NaiveDate },
    /// Record the cancellation Microsoft charged on `on`.
    Cancel { subscription_id: i64, on: NaiveDate },
    /// Keep Microsoft's subscription id on the subscription it matches.
    AttachId { subscription_id: i64, ms_subscription_id: String },
}

/// What adopting one of Microsoft's subscriptions takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adoption {
    pub customer_id: Option<i64>,
    pub customer_tenant: String,
    pub customer_name: String,
    pub customer_domain: String,
    pub customer_country: String,
    pub product: ProductKey,
    pub product_name: String,
    pub term: Term,
    pub billing: BillingPlan,
    pub quantity: u32,
    pub term_start: NaiveDate,
    pub bill_from: NaiveDate,
    pub ms_subscription_id: String,
    /// The file's line it is taken from.
    pub line: usize,
}

/// One finding: what differs, on each side, and what to do.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub id: String,
    pub kind: FindingKind,
    pub customer_id: Option<i64>,
    pub customer_name: String,
    pub customer_domain: String,
    pub subscription_id: Option<i64>,
    pub ms_subscription_id: Option<String>,
    pub product: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub microsoft_quantity: Option<Decimal>,
    pub seatbook_quantity: Option<Decimal>,
    /// What Microsoft charged for the subscription and period (pre-tax, Microsoft's currency).
    pub microsoft_amount: Option<Decimal>,
    /// What Seatbook billed the customer for it (net of VAT, the customer's currency).
    pub seatbook_amount: Option<Decimal>,
    pub seatbook_currency: Option<Currency>,
    /// Microsoft's amount minus Seatbook's locked cost of what it billed, Microsoft's currency.
    pub difference: Decimal,
    /// What to do, in words.
    pub action: String,
    /// Seatbook can put it right (`fix`).
    pub fixable: bool,
    #[serde(skip)]
    pub fix: Option<Fix>,
}

/// Margin of one customer's product on the invoice: on Microsoft's actual cost and on the locked
/// cost, all in Microsoft's currency.
#[derive(Debug, Clone, Serialize)]
pub struct MarginRow {
    pub customer_id: i64,
    pub customer_name: String,
    pub product: String,
    pub revenue: Decimal,
    pub microsoft_cost: Decimal,
    pub margin: Decimal,
    pub locked_cost: Decimal,
    pub locked_margin: Decimal,
}

/// The reconciliation of one of Microsoft's invoices.
#[derive(Debug, Clone, Serialize)]
pub struct Reconciliation {
    pub invoice: String,
    pub currency: Currency,
    /// The month most of the invoice's charges start in.
    pub billing_month: NaiveDate,
    /// The sum of the file's `Total` (tax included).
    pub microsoft_total: Decimal,
    /// Microsoft's charges (pre-tax) that Seatbook billed or will bill with its next run.
    pub matched: Decimal,
    /// The positive differences of the leaks: charged by Microsoft, billed to no customer.
    pub leaked: Decimal,
    /// Seatbook's locked cost of what it billed without a Microsoft charge (Microsoft's currency).
    pub unmatched_billed: Decimal,
    pub findings: Vec<Finding>,
    pub margin: Vec<MarginRow>,
}

/// Charges Microsoft made for one subscription and period: a cycle, or one change.
#[derive(Debug)]
struct Unit<'a> {
    /// Microsoft's subscription, by its place among the invoice's.
    sub: usize,
    ms_subscription: &'a str,
    cycle: bool,
    cancel: bool,
    start: NaiveDate,
    end: NaiveDate,
    lines: &'a [&'a MsLine],
    amount: Decimal,
    /// Seats after the charge (a cycle: its seats; a change: the seats charged anew).
    seats: Decimal,
}

/// Term and plan as Microsoft's dates show them (its text is free and not standard).
pub fn ms_term(lines: &[&MsLine]) -> Option<Term> {
    lines.iter().find_map(|l| {
        let (s, e) = (l.subject.subscription_start?, l.subject.subscription_end?);
        Term::ALL.into_iter().find(|t| term_end(s, *t) == e)
    })
}

pub fn ms_billing(lines: &[&MsLine]) -> Option<BillingPlan> {
    for l in lines {
        match l.subject.billing_frequency.trim().to_ascii_lowercase().as_str() {
            "monthly" => return Some(BillingPlan::Monthly),
            "annual" | "yearly" => return Some(BillingPlan::Annual),
            "triennial" => return Some(BillingPlan::Triennial),
            _ => {}
        }
    }
    lines
        .iter()
        .filter(|l| l.charge() == ChargeType::Cycle)
        .find_map(|l| BillingPlan::ALL.into_iter().find(|p| add_days(add_months(l.charge_start, p.cycle_months()), -1) == l.charge_end))
}

/// The key a line is grouped by into a charge: a cycle (by charge type and period), or a change
/// (by `ReferenceId`, else by charge type and period).
fn unit_key(l: &MsLine) -> (bool, &str, NaiveDate, NaiveDate) {
    let cycle = l.charge() == ChargeType::Cycle;
    if cycle || l.reference_id.is_empty() {
        (cycle, &*l.charge_type, l.charge_start, l.charge_end)
    } else {
        (false, l.reference_id.as_str(), NaiveDate::MIN, NaiveDate::MIN)
    }
}

/// Microsoft's lines of one subscription, sorted by `unit_key` (stable: file order within a
/// charge), grouped into its charges in that order.
fn units<'a>(sub: usize, ms_subscription: &'a str, sorted: &'a [&'a MsLine]) -> Vec<Unit<'a>> {
    sorted
        .chunk_by(|a, b| unit_key(a) == unit_key(b))
        .map(|lines| {
            let cycle = unit_key(lines[0]).0;
            let start = lines.iter().map(|l| l.charge_start).min().expect("a line");
            let end = lines.iter().map(|l| l.charge_end).max().expect("a line");
            let amount = lines.iter().map(|l| l.subtotal).sum();
            let seats = if cycle {
                lines.iter().map(|l| if l.is_credit() { -l.billable_quantity } else { l.billable_quantity }).sum()
            } else {
                lines.iter().filter(|l| !l.is_credit()).map(|l| l.billable_quantity).sum()
            };
            let cancel = lines.iter().all(|l| l.charge() == ChargeType::Cancel);
            Unit { sub, ms_subscription, cycle, cancel, start, end, lines, amount, seats }
        })
        .collect()
}

/// The month most of the charges start in (Microsoft's billing period for the invoice).
fn billing_month(lines: &[MsLine]) -> Option<NaiveDate> {
    let mut count: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for l in lines {
        *count.entry(l.charge_start.with_day(1).expect("day 1")).or_default() += 1;
    }
    count.into_iter().max_by_key(|(m, n)| (*n, std::cmp::Reverse(*m))).map(|(m, _)| m)
}

fn short_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::files::hex(&Sha256::digest(text.as_bytes())[..4])
}

fn overlap(a: (NaiveDate, NaiveDate), b: (NaiveDate, NaiveDate)) -> i64 {
    let (s, e) = (a.0.max(b.0), a.1.min(b.1));
    if e < s {
        0
    } else {
        days_inclusive(s, e)
    }
}

struct Matched<'a> {
    customer: Option<&'a BookCustomer>,
    subscription: Option<&'a BookSubscription>,
    /// Matched by product, term and plan: Seatbook lacks Microsoft's id.
    by_product: bool,
    candidates: usize,
}

/// Reconcile Microsoft's lines of one invoice with the book.
pub fn reconcile(invoice: &str, lines: &[MsLine], book: &Book) -> Reconciliation {
    let currency = lines.first().map(|l| l.subject.currency).unwrap_or_else(|| Currency::parse("USD", "currency").expect("USD"));
    let month = billing_month(lines).unwrap_or(NaiveDate::MIN);
    let month_end = add_days(add_months(month, 1), -1);
    let cent = currency.from_minor(1);

    let by_tenant: HashMap<&str, &BookCustomer> =
        book.customers.iter().filter(|c| !c.tenant_id.is_empty()).map(|c| (c.tenant_id.as_str(), c)).collect();
    let by_domain: HashMap<&str, &BookCustomer> = book.customers.iter().map(|c| (c.domain.as_str(), c)).collect();
    let by_ms_id: HashMap<&str, &BookSubscription> =
        book.subscriptions.iter().filter(|s| !s.ms_subscription_id.is_empty()).map(|s| (s.ms_subscription_id.as_str(), s)).collect();
    let mut by_customer: HashMap<i64, Vec<&BookSubscription>> = HashMap::new();
    for s in &book.subscriptions {
        by_customer.entry(s.customer_id).or_default().push(s);
    }
    let customers: HashMap<i64, &BookCustomer> = book.customers.iter().map(|c| (c.id, c)).collect();
    let mut book_lines: HashMap<i64, Vec<&BookLine>> = HashMap::new();
    for l in &book.lines {
        book_lines.entry(l.subscription_id).or_default().push(l);
    }

    // Microsoft's lines by subscription (in order of its id), to match each subscription once.
    // Lines of one subscription share their subject most often: each subject is looked at once.
    let mut per_ms_sub: Vec<(&str, Vec<&MsLine>)> = Vec::new();
    {
        let mut by_id: HashMap<&str, usize> = HashMap::new();
        let mut by_subject: HashMap<*const MsSubject, Option<usize>> = HashMap::new();
        for l in lines {
            let at = *by_subject.entry(Arc::as_ptr(&l.subject)).or_insert_with(|| {
                let t = &l.subject;
                (!t.is_azure_plan()).then(|| {
                    *by_id.entry(t.subscription_id.as_str()).or_insert_with(|| {
                        per_ms_sub.push((t.subscription_id.as_str(), Vec::new()));
                        per_ms_sub.len() - 1
                    })
                })
            });
            if let Some(at) = at.filter(|_| l.charge() != ChargeType::Credit) {
                per_ms_sub[at].1.push(l);
            }
        }
        per_ms_sub.retain(|(_, ls)| !ls.is_empty());
        per_ms_sub.sort_unstable_by(|a, b| a.0.cmp(b.0));
    }
    let mut matched: Vec<Matched> = Vec::with_capacity(per_ms_sub.len());
    for (ms, ls) in &per_ms_sub {
        let first = ls[0];
        let customer = by_tenant
            .get(first.subject.customer_tenant.as_str())
            .or_else(|| by_domain.get(first.subject.customer_domain.as_str()))
            .copied();
        if let Some(s) = by_ms_id.get(ms) {
            let customer = customers.get(&s.customer_id).copied().or(customer);
            matched.push(Matched { customer, subscription: Some(s), by_product: false, candidates: 1 });
            continue;
        }
        let (term, billing) = (ms_term(ls), ms_billing(ls));
        let candidates: Vec<&BookSubscription> = customer
            .and_then(|c| by_customer.get(&c.id))
            .map(|subs| {
                subs.iter()
                    .filter(|s| {
                        s.ms_subscription_id.is_empty()
                            && s.product.product_id.eq_ignore_ascii_case(&first.subject.product_id)
                            && s.product.sku_id.eq_ignore_ascii_case(&first.subject.sku_id)
                            && term.is_none_or(|t| t == s.term)
                            && billing.is_none_or(|b| b == s.billing)
                    })
                    .copied()
                    .collect()
            })
            .unwrap_or_default();
        let one = (candidates.len() == 1).then(|| candidates[0]);
        matched.push(Matched { customer, subscription: one, by_product: one.is_some(), candidates: candidates.len() });
    }

    let mut findings: Vec<Finding> = Vec::new();
    let mut used_lines: HashSet<i64> = HashSet::new();
    let mut matched_total = Decimal::ZERO;
    let mut margin: BTreeMap<(i64, &str), MarginRow> = BTreeMap::new();
    let sorted: Vec<Vec<&MsLine>> = per_ms_sub
        .iter()
        .map(|(_, ls)| {
            let mut ls = ls.clone();
            ls.sort_by(|a, b| unit_key(a).cmp(&unit_key(b)));
            ls
        })
        .collect();
    let sub_units: Vec<Vec<Unit>> = per_ms_sub.iter().zip(&sorted).enumerate().map(|(i, ((ms, _), ls))| units(i, ms, ls)).collect();
    // A book subscription's product as findings name it.
    let titles: HashMap<i64, String> =
        matched.iter().filter_map(|m| m.subscription).map(|s| (s.id, format!("{} ({})", s.product_title, s.product))).collect();

    // Microsoft's name and domain of a customer Seatbook does not know, by Microsoft's subscription.
    let mut ms_customer: HashMap<&str, (&str, &str)> = HashMap::new();
    let mut last: *const MsSubject = std::ptr::null();
    for l in lines {
        if Arc::as_ptr(&l.subject) != last {
            last = Arc::as_ptr(&l.subject);
            ms_customer.insert(l.subject.subscription_id.as_str(), (l.subject.customer_name.as_str(), l.subject.customer_domain.as_str()));
        }
    }
    let finding = |kind: FindingKind,
                   m: &Matched,
                   ms: Option<&str>,
                   product: String,
                   period: (NaiveDate, NaiveDate),
                   q: (Option<Decimal>, Option<Decimal>),
                   amounts: (Option<Decimal>, Option<Decimal>, Option<Currency>),
                   difference: Decimal,
                   action: String,
                   fix: Option<Fix>| {
        let id_text = format!("{kind:?}|{}|{}|{}|{}", ms.unwrap_or(""), m.subscription.map(|s| s.id).unwrap_or(0), period.0, period.1);
        Finding {
            id: format!("{invoice}-{}", short_hash(&id_text)),
            kind,
            customer_id: m.customer.map(|c| c.id),
            customer_name: match m.customer {
                Some(c) => c.name.clone(),
                None => ms.and_then(|s| ms_customer.get(s)).map(|c| c.0.to_string()).unwrap_or_default(),
            },
            customer_domain: match m.customer {
                Some(c) => c.domain.clone(),
                None => ms.and_then(|s| ms_customer.get(s)).map(|c| c.1.to_string()).unwrap_or_default(),
            },
            subscription_id: m.subscription.map(|s| s.id),
            ms_subscription_id: ms.map(str::to_string),
            product,
            period_start: period.0,
            period_end: period.1,
            microsoft_quantity: q.0,
            seatbook_quantity: q.1,
            microsoft_amount: amounts.0,
            seatbook_amount: amounts.1,
            seatbook_currency: amounts.2,
            difference,
            action,
            fixable: fix.is_some(),
            fix,
        }
    };

    // Subscriptions Seatbook does not know by Microsoft's id: adopt, or attach the id.
    for (i, (ms, ls)) in per_ms_sub.iter().enumerate() {
        let m = &matched[i];
        if !m.by_product && m.subscription.is_some() {
            continue;
        }
        let first = ls[0];
        let product = format!("{} ({}:{})", first.subject.product_name, first.subject.product_id, first.subject.sku_id);
        let ms_amount: Decimal = ls.iter().map(|l| l.subtotal).sum();
        let start = ls.iter().map(|l| l.charge_start).min().expect("a line");
        let end = ls.iter().map(|l| l.charge_end).max().expect("a line");
        let latest = sub_units[i].iter().max_by_key(|u| (u.start, !u.cycle)).expect("a unit");
        let seats = latest.seats;
        if let (true, Some(s)) = (m.by_product, m.subscription) {
            findings.push(finding(
                FindingKind::NotInSeatbook,
                m,
                Some(ms),
                product,
                (start, end),
                (Some(seats), Some(Decimal::from(s.seats_on(end)))),
                (Some(ms_amount), None, None),
                Decimal::ZERO,
                format!("Seatbook's subscription {} matches it by product, term and plan but lacks Microsoft's id: attach the id", s.id),
                Some(Fix::AttachId { subscription_id: s.id, ms_subscription_id: ms.to_string() }),
            ));
            continue;
        }
        let line_refs: Vec<&MsLine> = ls.to_vec();
        let term = ms_term(&line_refs);
        let billing = ms_billing(&line_refs);
        let term_start = ls.iter().find_map(|l| l.subject.subscription_start);
        let action;
        let fix = match (term, billing, term_start, u32::try_from(seats.trunc().mantissa()).ok().filter(|q| *q > 0)) {
            _ if m.candidates > 1 => {
                action = format!(
                    "{} of the customer's subscriptions could be this one (same product, term and plan): record Microsoft's id on the right one by hand",
                    m.candidates
                );
                None
            }
            (Some(term), Some(billing), Some(term_start), Some(quantity)) => {
                action = if m.customer.is_some() {
                    "adopt it: add the subscription, priced by the markup rules and billed from this charge's period".to_string()
                } else {
                    "adopt it: add the customer and the subscription, priced by the markup rules and billed from this charge's period"
                        .to_string()
                };
                Some(Fix::Adopt(Adoption {
                    customer_id: m.customer.map(|c| c.id),
                    customer_tenant: first.subject.customer_tenant.clone(),
                    customer_name: first.subject.customer_name.clone(),
                    customer_domain: first.subject.customer_domain.clone(),
                    customer_country: first.subject.customer_country.clone(),
                    product: ProductKey { product_id: first.subject.product_id.clone(), sku_id: first.subject.sku_id.clone() },
                    product_name: first.subject.product_name.clone(),
                    term,
                    billing,
                    quantity,
                    term_start,
                    bill_from: start,
                    ms_subscription_id: ms.to_string(),
                    line: first.line,
                }))
            }
            _ => {
                action = "add it by hand: Microsoft's lines do not show its term, plan or seats".to_string();
                None
            }
        };
        findings.push(finding(
            FindingKind::NotInSeatbook,
            m,
            Some(ms),
            product,
            (start, end),
            (Some(seats), None),
            (Some(ms_amount), None, None),
            ms_amount,
            action,
            fix,
        ));
    }

    // Each charge of a subscription Seatbook knows, against what Seatbook billed for it.
    let mut plan_checked: HashSet<i64> = HashSet::new();
    for u in sub_units.iter().flatten() {
        let m = &matched[u.sub];
        let Some(s) = m.subscription else { continue };
        let title = &titles[&s.id];
        // A cent per line, and per seat where Microsoft rounds the effective unit price to cents
        // before multiplying by the seats (its own example: −9.42 × 10 for 10.08 × 29/31).
        let tolerance: Decimal = u.lines.iter().map(|l| cent * l.billable_quantity.abs().max(Decimal::ONE)).sum();
        if plan_checked.insert(s.id) {
            let ls = &per_ms_sub[u.sub].1;
            let (term, billing) = (ms_term(ls), ms_billing(ls));
            if term.is_some_and(|t| t != s.term) || billing.is_some_and(|b| b != s.billing) {
                let show = |t: Option<String>, fallback: String| t.unwrap_or(fallback);
                let theirs = format!(
                    "{} billed {}",
                    show(term.map(|t| t.to_string()), s.term.to_string()),
                    show(billing.map(|b| b.as_str().to_string()), s.billing.as_str().to_string())
                );
                findings.push(finding(
                    FindingKind::PlanMismatch,
                    m,
                    Some(u.ms_subscription),
                    title.to_string(),
                    (u.start, u.end),
                    (None, None),
                    (None, None, None),
                    Decimal::ZERO,
                    format!(
                        "Microsoft charges it as {theirs}, Seatbook as {} billed {}: change the plan where it is wrong (at Microsoft, or schedule it in Seatbook for the renewal)",
                        s.term,
                        s.billing.as_str()
                    ),
                    None,
                ));
            }
        }
        let lines_of = book_lines.get(&s.id).map(Vec::as_slice).unwrap_or_default();
        // Seatbook's lines for this charge.
        let mut mine: Vec<(&BookLine, Decimal)> = Vec::new();
        if u.cycle {
            if let Some(l) = lines_of.iter().find(|l| l.kind == LineKind::Licence && l.period_start == u.start && l.period_end == u.end) {
                mine.push((l, Decimal::ONE));
                // Changes dated on the cycle's first day are billed as their own lines.
                for p in lines_of.iter().filter(|p| p.kind == LineKind::Proration && p.period_start == u.start && p.period_end == u.end) {
                    mine.push((p, Decimal::ONE));
                }
            } else {
                for l in lines_of.iter().filter(|l| l.kind == LineKind::Licence) {
                    let shared = overlap((l.period_start, l.period_end), (u.start, u.end));
                    if shared > 0 {
                        mine.push((l, Decimal::from(shared) / Decimal::from(days_inclusive(l.period_start, l.period_end))));
                    }
                }
            }
        } else {
            let prorations = lines_of.iter().filter(|l| l.kind == LineKind::Proration && !used_lines.contains(&l.id));
            let same_day: Vec<&&BookLine> = prorations.clone().filter(|l| l.period_start == u.start).collect();
            let found = if same_day.is_empty() {
                prorations
                    .filter(|l| l.period_end == u.end)
                    .min_by_key(|l| (l.period_start - u.start).num_days().abs())
                    .into_iter()
                    .collect()
            } else {
                same_day
            };
            for l in found {
                mine.push((l, Decimal::ONE));
            }
        }
        for (l, _) in &mine {
            used_lines.insert(l.id);
        }
        let sb_amount: Option<Decimal> = (!mine.is_empty()).then(|| mine.iter().map(|(l, f)| l.amount * f).sum());
        let sb_currency = mine.first().map(|(l, _)| l.currency);
        let sb_cost: Option<Decimal> = mine.iter().map(|(l, f)| l.cost_in_ms.map(|c| c * f)).sum();
        let sb_revenue: Option<Decimal> = mine.iter().map(|(l, f)| l.amount_in_ms.map(|c| c * f)).sum();
        let sb_seats = Decimal::from(s.seats_on(u.start));
        let billable = u.start;
        let period = (u.start, u.end);
        let amounts = (Some(u.amount), sb_amount.map(|a| sb_currency.map(|c| c.round(a)).unwrap_or(a)), sb_currency);
        let quantities = (Some(u.seats), Some(sb_seats));

        if mine.is_empty() {
            // Nothing billed for this charge yet.
            let seatbook_will_bill = if u.cycle {
                !s.trial && sb_seats > Decimal::ZERO && u.start >= s.bill_from
            } else {
                s.prorated_change_in(u.start, u.end) && Decimal::from(s.seats_on(u.end)) == if u.cancel { Decimal::ZERO } else { u.seats }
            };
            if seatbook_will_bill {
                matched_total += u.amount;
                findings.push(finding(
                    FindingKind::Pending,
                    m,
                    Some(u.ms_subscription),
                    title.to_string(),
                    period,
                    quantities,
                    amounts,
                    u.amount,
                    match book.billed_through {
                        Some(t) if billable <= t => format!(
                            "nothing to do: Seatbook's next billing run bills it (billable on {billable}, recorded after the run that billed through {t}: the next run catches it up)"
                        ),
                        _ => format!("nothing to do: Seatbook's next billing run bills it (billable on {billable})"),
                    },
                    None,
                ));
                continue;
            }
            let (action, fix) = if u.cycle {
                if sb_seats.is_zero() {
                    (
                        "Seatbook has the subscription ended or not started for this period while Microsoft charges it: bill the period as a one-time charge, or stop it at Microsoft".to_string(),
                        None,
                    )
                } else if u.start < s.bill_from {
                    (format!("Seatbook bills this subscription from {} only: bill the period as a one-time charge", s.bill_from), None)
                } else {
                    ("bill the period as a one-time charge".to_string(), None)
                }
            } else if u.cancel || u.seats.is_zero() {
                (
                    format!("record the cancellation Microsoft charged on {} (the next run bills the credit)", u.start),
                    Some(Fix::Cancel { subscription_id: s.id, on: u.start }),
                )
            } else if Decimal::from(s.seats_on(u.start)) != u.seats {
                let q = u32::try_from(u.seats.trunc().mantissa()).unwrap_or(0);
                (
                    format!("record the change to {q} seats Microsoft charged from {} (the next run bills the proration)", u.start),
                    Some(Fix::Seats { subscription_id: s.id, quantity: q, on: u.start }),
                )
            } else {
                ("Seatbook has these seats but billed no proration for the days: bill them as a one-time charge".to_string(), None)
            };
            findings.push(finding(
                FindingKind::NotBilled,
                m,
                Some(u.ms_subscription),
                title.to_string(),
                period,
                quantities,
                amounts,
                u.amount,
                action,
                fix,
            ));
            continue;
        }
        matched_total += u.amount;
        let billed_seats: Decimal = if u.cycle {
            let latest = mine.iter().filter(|(l, _)| l.kind == LineKind::Licence).map(|(l, _)| l.period_start).max();
            mine.iter().filter(|(l, _)| Some(l.period_start) == latest).map(|(l, _)| l.quantity).sum()
        } else {
            sb_seats
        };
        // Seatbook has the seats Microsoft charged, recorded after the charge was billed: the
        // next run bills the difference.
        if billed_seats != u.seats && sb_seats == u.seats && s.prorated_change_in(u.start, u.start) {
            findings.push(finding(
                FindingKind::Pending,
                m,
                Some(u.ms_subscription),
                title.to_string(),
                period,
                (Some(u.seats), Some(billed_seats)),
                amounts,
                u.amount - sb_cost.unwrap_or_default(),
                format!("nothing to do: Seatbook's next billing run bills the change to {} seats from {}", u.seats, u.start),
                None,
            ));
            continue;
        }
        let difference = match sb_cost {
            Some(c) => u.amount - c,
            // Cost unknown: Microsoft's own price for the seats Seatbook billed.
            None if !u.seats.is_zero() => u.amount * (Decimal::ONE - billed_seats / u.seats),
            None => Decimal::ZERO,
        };
        if billed_seats != u.seats && !(u.cancel && billed_seats.is_zero()) {
            let q = u32::try_from(u.seats.trunc().mantissa()).unwrap_or(0);
            let fix = if q == 0 {
                Some(Fix::Cancel { subscription_id: s.id, on: u.start })
            } else if Decimal::from(s.seats_on(u.start)) != u.seats {
                Some(Fix::Seats { subscription_id: s.id, quantity: q, on: u.start })
            } else {
                None
            };
            let action = match &fix {
                Some(Fix::Cancel { on, .. }) => format!("record the cancellation Microsoft charged on {on}"),
                Some(_) => format!("record the change to {q} seats Microsoft charged from {} (the next run bills the proration)", u.start),
                None => {
                    format!("Seatbook has {q} seats now but billed {billed_seats} for this period: bill or credit the difference by hand")
                }
            };
            findings.push(finding(
                FindingKind::QuantityMismatch,
                m,
                Some(u.ms_subscription),
                title.to_string(),
                period,
                (Some(u.seats), Some(billed_seats)),
                amounts,
                difference,
                action,
                fix,
            ));
        } else if sb_cost.is_some() && difference.abs() > tolerance {
            findings.push(finding(
                FindingKind::CostMismatch,
                m,
                Some(u.ms_subscription),
                title.to_string(),
                period,
                quantities,
                amounts,
                difference,
                "Microsoft's price differs from the cost Seatbook locked: check the price list in force and the margin".to_string(),
                None,
            ));
        }
        if let Some(revenue) = sb_revenue {
            // Per seat: where the seats differ, that is the finding (not a price below cost).
            let below = if billed_seats == u.seats {
                revenue + tolerance < u.amount
            } else {
                billed_seats > Decimal::ZERO && u.seats > Decimal::ZERO && revenue / billed_seats + cent < u.amount / u.seats
            };
            if u.amount > Decimal::ZERO && below {
                findings.push(finding(
                    FindingKind::BelowCost,
                    m,
                    Some(u.ms_subscription),
                    title.to_string(),
                    period,
                    quantities,
                    amounts,
                    difference,
                    "the customer pays less than Microsoft charges: raise the price (markup rule or the subscription's own price)"
                        .to_string(),
                    None,
                ));
            }
            if let (Some(c), Some(cost)) = (m.customer, sb_cost) {
                let row = margin.entry((c.id, title.as_str())).or_insert_with(|| MarginRow {
                    customer_id: c.id,
                    customer_name: c.name.clone(),
                    product: title.clone(),
                    revenue: Decimal::ZERO,
                    microsoft_cost: Decimal::ZERO,
                    margin: Decimal::ZERO,
                    locked_cost: Decimal::ZERO,
                    locked_margin: Decimal::ZERO,
                });
                row.revenue += revenue;
                row.microsoft_cost += u.amount;
                row.locked_cost += cost;
            }
        }
    }

    // What Seatbook billed for the invoice's month that Microsoft did not charge.
    let subs: HashMap<i64, &BookSubscription> = book.subscriptions.iter().map(|s| (s.id, s)).collect();
    for l in &book.lines {
        if used_lines.contains(&l.id) || l.period_start < month || l.period_start > month_end {
            continue;
        }
        let Some(s) = subs.get(&l.subscription_id) else { continue };
        let m = Matched { customer: customers.get(&s.customer_id).copied(), subscription: Some(s), by_product: false, candidates: 1 };
        let ms = (!s.ms_subscription_id.is_empty()).then_some(s.ms_subscription_id.as_str());
        let cost = l.cost_in_ms.unwrap_or_default();
        findings.push(finding(
            FindingKind::BilledNotCharged,
            &m,
            ms,
            format!("{} ({})", s.product_title, s.product),
            (l.period_start, l.period_end),
            (Some(Decimal::ZERO), Some(l.quantity)),
            (Some(Decimal::ZERO), Some(l.amount), Some(l.currency)),
            -cost,
            format!(
                "Microsoft charged nothing for it on this invoice ({}): check it is still live at Microsoft; if it was cancelled there, record the cancellation and credit the customer",
                l.invoice_number
            ),
            None,
        ));
    }

    findings.sort_by(|a, b| {
        (a.kind, &a.customer_name, a.subscription_id, a.period_start, &a.id).cmp(&(
            b.kind,
            &b.customer_name,
            b.subscription_id,
            b.period_start,
            &b.id,
        ))
    });
    let leaked = findings.iter().filter(|f| f.kind.is_leak() && f.difference > Decimal::ZERO).map(|f| f.difference).sum();
    let unmatched_billed = -findings.iter().filter(|f| f.kind == FindingKind::BilledNotCharged).map(|f| f.difference).sum::<Decimal>();
    let round = |d: Decimal| currency.round(d);
    let findings = findings
        .into_iter()
        .map(|mut f| {
            f.difference = round(f.difference);
            f.microsoft_amount = f.microsoft_amount.map(round);
            f
        })
        .collect();
    let margin = margin
        .into_values()
        .map(|mut r| {
            r.revenue = round(r.revenue);
            r.microsoft_cost = round(r.microsoft_cost);
            r.locked_cost = round(r.locked_cost);
            r.margin = r.revenue - r.microsoft_cost;
            r.locked_margin = r.revenue - r.locked_cost;
            r
        })
        .collect();
    Reconciliation {
        invoice: invoice.to_string(),
        currency,
        billing_month: month,
        microsoft_total: round(lines.iter().map(|l| l.total).sum()),
        matched: round(matched_total),
        leaked: round(leaked),
        unmatched_billed: round(unmatched_billed),
        findings,
        margin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn eur() -> Currency {
        Currency::parse("EUR", "c").unwrap()
    }

    fn subject() -> MsSubject {
        MsSubject {
            invoice: "G1".into(),
            currency: eur(),
            customer_tenant: "t".into(),
            customer_name: "C".into(),
            customer_domain: "c.example".into(),
            customer_country: "DE".into(),
            product_id: "P".into(),
            sku_id: "0001".into(),
            sku_name: "Business Standard".into(),
            product_name: "Business Standard".into(),
            subscription_description: String::new(),
            subscription_id: "s1".into(),
            billing_frequency: String::new(),
            subscription_start: Some(day("2021-07-15")),
            subscription_end: Some(day("2021-08-14")),
        }
    }

    fn ms(charge: &str, eup: &str, qty: &str, subtotal: &str, start: &str, end: &str) -> MsLine {
        MsLine {
            line: 2,
            subject: Arc::new(subject()),
            charge_type: charge.into(),
            subtotal: d(subtotal),
            total: d(subtotal),
            charge_start: day(start),
            charge_end: day(end),
            effective_unit_price: d(eup),
            billable_quantity: d(qty),
            reference_id: String::new(),
        }
    }

    /// One subscription of 10 seats from 15 Jul 2021, billed for its first cycle, cancelled on the
    /// 17th with the unused days credited (a cost of 10.08 a seat a month).
    fn book(cancel_cost: &str) -> Book {
        let line = |id, kind, start: &str, qty: &str, amount: &str, cost: &str| BookLine {
            id,
            subscription_id: 1,
            kind,
            period_start: day(start),
            period_end: day("2021-08-14"),
            quantity: d(qty),
            amount: d(amount),
            currency: eur(),
            amount_in_ms: Some(d(amount)),
            cost_in_ms: Some(d(cost)),
            invoice_number: "INV-1".into(),
        };
        Book {
            customers: vec![BookCustomer { id: 1, name: "C".into(), domain: "c.example".into(), tenant_id: "t".into() }],
            subscriptions: vec![BookSubscription {
                id: 1,
                customer_id: 1,
                product: ProductKey { product_id: "P".into(), sku_id: "0001".into() },
                product_title: "Business Standard".into(),
                term: Term::P1M,
                billing: BillingPlan::Monthly,
                ms_subscription_id: "s1".into(),
                trial: false,
                bill_from: day("2021-07-15"),
                history: vec![
                    SeatsFrom { effective: day("2021-07-15"), seats: 10, prorated: false },
                    SeatsFrom { effective: day("2021-07-17"), seats: 0, prorated: true },
                ],
            }],
            lines: vec![
                line(1, LineKind::Licence, "2021-07-15", "10", "120.96", "100.80"),
                line(2, LineKind::Proration, "2021-07-17", "-10", "-113.16", cancel_cost),
            ],
            billed_through: Some(day("2021-07-31")),
        }
    }

    #[test]
    fn term_and_plan_come_from_microsofts_dates_never_its_text() {
        let l = ms("new", "10.08", "10", "100.80", "2021-07-15", "2021-08-14");
        assert_eq!((ms_term(&[&l]), ms_billing(&[&l])), (Some(Term::P1M), Some(BillingPlan::Monthly)));
        let mut annual = ms("new", "120.96", "1", "120.96", "2021-01-31", "2022-01-30");
        Arc::make_mut(&mut annual.subject).subscription_start = Some(day("2021-01-31"));
        Arc::make_mut(&mut annual.subject).subscription_end = Some(day("2022-01-30"));
        assert_eq!((ms_term(&[&annual]), ms_billing(&[&annual])), (Some(Term::P1Y), Some(BillingPlan::Annual)));
        Arc::make_mut(&mut annual.subject).billing_frequency = "Monthly".into();
        assert_eq!(ms_billing(&[&annual]), Some(BillingPlan::Monthly));
    }

    #[test]
    fn microsofts_rounding_of_the_unit_price_is_within_the_tolerance_and_more_is_a_cost_mismatch() {
        // Microsoft's example: −9.42 × 10 where the exact credit is 10.08 × 10 × 29/31 = 94.297…
        let lines = [
            ms("new", "10.08", "10", "100.8", "2021-07-15", "2021-08-14"),
            ms("cancelImmediate", "-9.42", "10", "-94.2", "2021-07-17", "2021-08-14"),
        ];
        let r = reconcile("G1", &lines, &book("-94.30"));
        assert!(r.findings.is_empty(), "{:#?}", r.findings);
        assert_eq!((r.matched, r.leaked), (d("6.60"), Decimal::ZERO));
        // Eleven cents a seat off is not rounding.
        let r = reconcile("G1", &lines, &book("-95.40"));
        let kinds: Vec<_> = r.findings.iter().map(|f| (f.kind, f.difference)).collect();
        assert_eq!(kinds, [(FindingKind::CostMismatch, d("1.20"))]);
    }

    #[test]
    fn seats_short_of_microsofts_are_a_quantity_mismatch_not_a_price_below_cost() {
        // Seatbook billed 10 seats at 12.096 (120.96); Microsoft charged 14 at 10.08 (141.12).
        let lines = [ms("new", "10.08", "14", "141.12", "2021-07-15", "2021-08-14")];
        let mut b = book("-94.30");
        b.lines.truncate(1);
        b.subscriptions[0].history.truncate(1);
        let r = reconcile("G1", &lines, &b);
        let kinds: Vec<_> = r.findings.iter().map(|f| (f.kind, f.difference)).collect();
        assert_eq!(kinds, [(FindingKind::QuantityMismatch, d("40.32"))], "{:#?}", r.findings);
        // The margin on Microsoft's actual cost shows what the missing seats cost.
        assert_eq!((r.margin[0].revenue, r.margin[0].microsoft_cost, r.margin[0].margin), (d("120.96"), d("141.12"), d("-20.16")));
    }

    #[test]
    fn a_charge_seatbook_did_not_bill_is_a_leak_with_its_fix_and_ids_are_stable() {
        let lines = [ms("new", "10.08", "10", "100.8", "2021-07-15", "2021-08-14")];
        let mut b = book("-94.30");
        b.lines.clear();
        b.subscriptions[0].bill_from = day("2021-08-01");
        let r = reconcile("G1", &lines, &b);
        assert_eq!(r.findings.len(), 1);
        let f = &r.findings[0];
        assert_eq!((f.kind, f.difference, r.leaked), (FindingKind::NotBilled, d("100.80"), d("100.80")));
        assert!(f.action.contains("from 2021-08-01"), "{}", f.action);
        assert!(f.id.starts_with("G1-") && f.id.len() == 11);
        assert_eq!(reconcile("G1", &lines, &b).findings[0].id, f.id);
    }
}
