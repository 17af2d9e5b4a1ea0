//! Subscriptions under Microsoft's rules: add (with the credit-stop question), every change, the
//! view with its history, imports and renewals.

use super::provision::{self, Changed, Provision};
use super::{date, date_or, given, whole, Clock};
use crate::catalogue::{BillingPlan, ProductKey, Term};
use crate::error::Hint;
use crate::money::parse_price;
use crate::pc::provision::Action;
use crate::store::{NewSubscription, RenewalReport, Store, SubscriptionView};
use crate::subscription::{RenewalChanges, Status, Subscription};
use crate::{Error, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Subscriptions by customer, filtered by status; `limit`: only the first ones (a list's first page).
pub fn list(store: &Store, customer: Option<i64>, status: Option<&str>, limit: Option<u32>) -> Result<Vec<Subscription>> {
    let status = given(status).map(|s| Status::parse(s, "status")).transpose()?;
    store.first_subscriptions(customer, status, limit)
}

/// A subscription in a list, with its customer's name.
#[derive(Debug, Clone, Serialize)]
pub struct SubscriptionRow {
    #[serde(flatten)]
    pub subscription: Subscription,
    pub customer_name: String,
}

/// `list`, each subscription with its customer's name (what the window's list shows and
/// searches, without loading every customer).
pub fn rows(store: &Store, customer: Option<i64>, status: Option<&str>, limit: Option<u32>) -> Result<Vec<SubscriptionRow>> {
    let subs = list(store, customer, status, limit)?;
    let names = store.customer_names()?;
    Ok(subs
        .into_iter()
        .map(|s| SubscriptionRow { customer_name: names.get(&s.customer_id).cloned().unwrap_or_default(), subscription: s })
        .collect())
}

/// A subscription with its dates, windows and history, as of `as_of` (default today).
pub fn view(store: &Store, today: NaiveDate, id: i64, as_of: Option<&str>) -> Result<SubscriptionView> {
    store.subscription_view(id, date_or(as_of, "as_of", today)?)
}

/// A new subscription as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AddRequest {
    pub customer: Option<i64>,
    pub product: String,
    /// Default P1Y.
    pub term: Option<String>,
    /// Default monthly.
    pub billing: Option<String>,
    pub quantity: String,
    pub start: Option<String>,
    /// A price per seat per month in the customer's currency, beating the markup rules.
    pub price: Option<String>,
    /// Default on.
    pub auto_renew: Option<bool>,
    pub trial: bool,
    pub ms_subscription_id: Option<String>,
    /// Add it even though the customer is on credit stop.
    pub confirm: bool,
}

/// Add a subscription. A customer on credit stop is refused with the reason and a `Confirm` hint
/// (field `confirm`) unless the request says `confirm`: the reseller carries the credit risk.
///
/// For a customer linked to Microsoft (when the book is connected) the subscription is bought at
/// Microsoft too, through a cart and its checkout (see `provision::purchase`); `to` says whether.
pub fn add(store: &mut Store, clock: &Clock, to: Provision<'_>, r: &AddRequest) -> Result<Changed> {
    let customer_id = r.customer.ok_or_else(|| Error::invalid("customer", "choose a customer"))?;
    if r.product.trim().is_empty() {
        return Err(Error::invalid("product", "choose a product"));
    }
    let new = NewSubscription {
        customer_id,
        product: ProductKey::parse(&r.product, "product")?,
        term: given(r.term.as_deref()).map(|t| Term::parse(t, "term")).transpose()?.unwrap_or(Term::P1Y),
        billing: given(r.billing.as_deref()).map(|b| BillingPlan::parse(b, "billing")).transpose()?.unwrap_or(BillingPlan::Monthly),
        quantity: whole(&r.quantity, "quantity")?,
        start: date(r.start.as_deref(), "start")?,
        auto_renew: r.auto_renew.unwrap_or(true),
        trial: r.trial,
        ms_subscription_id: r.ms_subscription_id.as_deref().unwrap_or_default().trim().to_string(),
        price_override: given(r.price.as_deref()).map(|p| parse_price(p, "price")).transpose()?,
    };
    if !r.confirm {
        if let Some(reason) = store.credit_stop(customer_id, clock.today).map_err(|e| e.with_field("customer"))? {
            return Err(Error::refused(format!("customer {customer_id} is on credit stop: {reason}"))
                .with_field("confirm")
                .with_hint(Hint::Confirm));
        }
    }
    if new.ms_subscription_id.is_empty() && !new.trial {
        provision::purchase(store, clock, to, customer_id, |s| s.add_subscription(&new, &clock.now))
    } else {
        // Bought already (Microsoft's id given), or a trial: the book only.
        Ok(Changed { subscription: store.add_subscription(&new, &clock.now)?, pending: false, microsoft: None })
    }
}

/// Add seats (any time) or remove them (only within 7 days of adding them), from `on`.
/// Every change below goes to Microsoft as well when the subscription is linked (see
/// `provision`): `to` says whether, and how to reach Partner Center.
pub fn change_quantity(store: &mut Store, clock: &Clock, to: Provision<'_>, id: i64, quantity: &str, on: Option<&str>) -> Result<Changed> {
    let quantity = whole(quantity, "quantity")?;
    let on = date(on, "on")?;
    provision::change(store, clock, to, id, Action::Seats, |s| s.change_quantity(id, quantity, on, &clock.now))
}

pub fn cancel(store: &mut Store, clock: &Clock, to: Provision<'_>, id: i64, on: Option<&str>) -> Result<Changed> {
    let on = date(on, "on")?;
    provision::change(store, clock, to, id, Action::Cancel, |s| s.cancel_subscription(id, on, &clock.now))
}

pub fn suspend(store: &mut Store, clock: &Clock, to: Provision<'_>, id: i64, on: Option<&str>) -> Result<Changed> {
    let on = date(on, "on")?;
    provision::change(store, clock, to, id, Action::Suspend, |s| s.suspend_subscription(id, on, &clock.now))
}

pub fn reactivate(store: &mut Store, clock: &Clock, to: Provision<'_>, id: i64, on: Option<&str>) -> Result<Changed> {
    let on = date(on, "on")?;
    provision::change(store, clock, to, id, Action::Reactivate, |s| s.reactivate_subscription(id, on, &clock.now))
}

pub fn set_auto_renew(store: &mut Store, clock: &Clock, to: Provision<'_>, id: i64, on: bool) -> Result<Changed> {
    provision::change(store, clock, to, id, Action::AutoRenew, |s| s.set_auto_renew(id, on, clock.today, &clock.now))
}

/// Changes for the next renewal as typed; empty fields are left as scheduled.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ScheduleRequest {
    pub quantity: Option<String>,
    pub term: Option<String>,
    pub billing: Option<String>,
    pub product: Option<String>,
}

pub fn schedule(store: &mut Store, clock: &Clock, to: Provision<'_>, id: i64, r: &ScheduleRequest) -> Result<Changed> {
    let changes = RenewalChanges {
        quantity: given(r.quantity.as_deref()).map(|q| whole(q, "quantity")).transpose()?,
        term: given(r.term.as_deref()).map(|t| Term::parse(t, "term")).transpose()?,
        billing: given(r.billing.as_deref()).map(|b| BillingPlan::parse(b, "billing")).transpose()?,
        product: given(r.product.as_deref()).map(|p| ProductKey::parse(p, "product")).transpose()?,
    };
    provision::change(store, clock, to, id, Action::Schedule, |s| s.schedule_renewal_changes(id, &changes, clock.today, &clock.now))
}

/// Move to a product that costs at least as much, from `on`.
pub fn upgrade(store: &mut Store, clock: &Clock, to: Provision<'_>, id: i64, product: &str, on: Option<&str>) -> Result<Changed> {
    if product.trim().is_empty() {
        return Err(Error::invalid("product", "choose the product to upgrade to"));
    }
    let product = ProductKey::parse(product, "product")?;
    let on = date(on, "on")?;
    provision::change(store, clock, to, id, Action::Upgrade, |s| s.upgrade_subscription(id, &product, on, &clock.now))
}

/// Import subscriptions from a CSV file, read as it is written to the book (never the whole
/// file at once): all or nothing, the first bad lines reported with how many there are.
pub fn import(store: &mut Store, clock: &Clock, path: &std::path::Path) -> Result<crate::store::SubscriptionImport> {
    let file = crate::files::open(path, "file")?;
    let rows = crate::import::subscriptions::Rows::new(file).map_err(|e| if e.field.is_none() { e.with_field("file") } else { e })?;
    store.import_subscription_rows(rows, clock.today, &clock.now)
}

/// Renew, convert or expire every term that ends on or before `through`.
pub fn run_renewals(store: &mut Store, clock: &Clock, through: Option<&str>) -> Result<RenewalReport> {
    store.run_renewals(date(through, "through")?, &clock.now)
}
