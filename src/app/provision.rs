//! Changes made in Seatbook, provisioned at Microsoft (DOMAIN §8) through an outbox. A change to
//! a linked subscription is written together with its outbox entry, in one transaction; then
//! the outbox is sent: each entry as a `PATCH` of Microsoft's whole subscription object fetched
//! just before, with its etag (fetched again and sent again when Microsoft says the etag is
//! stale), and with the entry's own `MS-RequestId` on every try, so that Microsoft never applies
//! it twice. Offline, throttled or failing at Microsoft, an entry waits and is tried again with
//! back-off, in order per subscription. Microsoft's answer is the truth: what it answers is
//! kept; a refusal undoes the change in the book by a visible history event.

pub use super::reach::Reach;
use super::reach::{connected, credentials, runtime};
use super::Clock;
use crate::pc::client::{new_id, Client, Failure, Patched, Patience};
use crate::pc::provision::{Action, Answer, Change, Checkout, Differences};
use crate::store::{NewCustomerOutgoing, NewOutgoing, Store};
use crate::subscription::Subscription;
use crate::{Error, Result};
use serde::Serialize;
use std::collections::HashSet;
use std::time::Duration;

pub use crate::store::PcOutboxEntry as OutboxEntry;

/// Whether a change goes to Microsoft: `send` `None` sends it when the subscription is linked
/// and the book connected; `Some(false)` keeps it in the book only; `Some(true)` insists.
#[derive(Debug, Clone, Copy)]
pub struct Provision<'a> {
    pub reach: &'a Reach,
    pub send: Option<bool>,
}

/// A subscription after a change, and what became of it at Microsoft.
#[derive(Debug, Clone, Serialize)]
pub struct Changed {
    #[serde(flatten)]
    pub subscription: Subscription,
    /// The change waits to reach Microsoft (offline, throttled): it is not billed until
    /// Microsoft takes it.
    pub pending: bool,
    /// The outbox entry that carries it, when it went to Microsoft.
    pub microsoft: Option<OutboxEntry>,
}

impl std::ops::Deref for Changed {
    type Target = Subscription;
    fn deref(&self) -> &Subscription {
        &self.subscription
    }
}

/// Make a change with `f` and, when the subscription is linked, send it to Microsoft.
pub fn change(
    store: &mut Store,
    clock: &Clock,
    to: Provision<'_>,
    id: i64,
    action: Action,
    f: impl FnOnce(&mut Store) -> Result<Subscription>,
) -> Result<Changed> {
    let before = store.subscription(id)?;
    let Some(tenant) = destination(store, to, before.customer_id, Some(&before))? else {
        return Ok(Changed { subscription: f(store)?, pending: false, microsoft: None });
    };
    let entry = store.atomically(|s| {
        let after = f(s)?;
        let out = NewOutgoing {
            action,
            before: &before,
            change: crate::pc::provision::change_for(action, &after, ""),
            tenant_id: tenant,
            ms_request_id: new_id(),
            created_at: &clock.now,
            for_event: true,
        };
        s.enqueue_pc_change(&out)
    })?;
    sent(store, clock, to, id, entry, "Seatbook put the subscription back as it was")
}

/// Buy a subscription with `f` (it adds it to the book) and, when its customer is linked, at
/// Microsoft through a cart and its checkout; the subscription's Microsoft id is Microsoft's
/// answer (at once, or on a later read of the order).
pub fn purchase(
    store: &mut Store,
    clock: &Clock,
    to: Provision<'_>,
    customer_id: i64,
    f: impl FnOnce(&mut Store) -> Result<Subscription>,
) -> Result<Changed> {
    let Some(tenant) = destination(store, to, customer_id, None)? else {
        return Ok(Changed { subscription: f(store)?, pending: false, microsoft: None });
    };
    let customer = store.customer(customer_id)?;
    let country = match customer.country.trim() {
        "" => store.company()?.country,
        c => c.to_string(),
    };
    let (id, entry) = store.atomically(|s| {
        let after = f(s)?;
        let out = NewOutgoing {
            action: Action::Purchase,
            before: &after,
            change: crate::pc::provision::change_for(Action::Purchase, &after, &country),
            tenant_id: tenant,
            ms_request_id: new_id(),
            created_at: &clock.now,
            for_event: true,
        };
        Ok((after.id, s.enqueue_pc_change(&out)?))
    })?;
    sent(store, clock, to, id, entry, "Seatbook cancelled it in the book")
}

/// Send `entry` (with what waits before it for the subscription) and say what became of it: a
/// refusal is an error, naming Microsoft's code and what the book did about it (`undone`).
fn sent(store: &mut Store, clock: &Clock, to: Provision<'_>, id: i64, entry: i64, undone: &str) -> Result<Changed> {
    deliver(store, clock, to.reach, Some(id), true)?;
    let entry = store.pc_outbox_entry(entry)?;
    if entry.state == "refused" {
        return Err(Error::refused(format!("Microsoft refused {} for subscription {id} ({}); {undone}", entry.what, refusal(&entry))));
    }
    Ok(Changed { subscription: store.subscription(id)?, pending: entry.state == "waiting", microsoft: Some(entry) })
}

/// The customer's tenant when the change goes to Microsoft; `None` when it stays in the book. A
/// change to a subscription (`s`) needs it linked too; a purchase, only its customer.
fn destination(store: &Store, to: Provision<'_>, customer_id: i64, s: Option<&Subscription>) -> Result<Option<String>> {
    if to.send == Some(false) {
        return Ok(None);
    }
    let tenant = store.customer(customer_id)?.tenant_id.trim().to_ascii_lowercase();
    let connected = store.pc_settings()?.is_some();
    let linked = !tenant.is_empty() && s.is_none_or(|s| !s.ms_subscription_id.is_empty());
    match (to.send, connected, linked) {
        (_, true, true) => Ok(Some(tenant)),
        (Some(true), false, _) => {
            Err(Error::refused("Seatbook is not connected to Partner Center: connect it first").with_field("provision"))
        }
        (Some(true), true, false) => Err(match s {
            Some(s) => Error::refused(format!(
                "subscription {} is not linked to Microsoft (its own Microsoft subscription id and its customer's tenant id are needed)",
                s.id
            )),
            None => Error::refused(format!("customer {customer_id} is not linked to Microsoft (its tenant id is needed)")),
        }
        .with_field("provision")),
        _ => Ok(None),
    }
}

/// `pc outbox`: every entry, the latest first; with `retry`, what waits is sent now first.
pub fn outbox(store: &mut Store, clock: &Clock, reach: &Reach, retry: bool) -> Result<Vec<OutboxEntry>> {
    if retry {
        deliver(store, clock, reach, None, true)?;
    }
    store.pc_outbox(false)
}

/// Subscriptions with a change waiting to reach Microsoft (shown as pending).
pub fn pending(store: &Store) -> Result<HashSet<i64>> {
    store.pc_pending_subscriptions()
}

/// What waits for Microsoft (the app's badge).
pub fn waiting(store: &Store) -> Result<Vec<OutboxEntry>> {
    store.pc_outbox(true)
}

/// Send what waits: every open entry (or `only` one subscription's), in order, one subscription's
/// entries stopping at the first that cannot be sent. Without `force` an entry waits out its
/// back-off. Returns the entries tried, as they now are.
pub fn deliver(store: &mut Store, clock: &Clock, reach: &Reach, only: Option<i64>, force: bool) -> Result<Vec<OutboxEntry>> {
    deliver_where(store, clock, reach, |e| only.is_none_or(|id| e.subscription_id == Some(id)), force)
}

/// Which entries wait on each other: a subscription's, in order; a customer's own changes (made
/// at Microsoft, its billing profile), in order.
fn lane(e: &OutboxEntry) -> (i64, Option<i64>) {
    (e.customer_id, e.subscription_id)
}

fn deliver_where(
    store: &mut Store,
    clock: &Clock,
    reach: &Reach,
    pick: impl Fn(&OutboxEntry) -> bool,
    force: bool,
) -> Result<Vec<OutboxEntry>> {
    let open: Vec<OutboxEntry> = store.pc_outbox(true)?.into_iter().filter(|e| pick(e)).collect();
    if open.is_empty() {
        return Ok(Vec::new());
    }
    // The connection and its credentials, read once (the credential store is asked once).
    let signed = connected(store).and_then(|s| {
        let c = credentials(&s, reach)?;
        let refresh_before = c.refresh_token.clone();
        Ok((Client::new(reach.endpoints.clone(), c, patience())?, s, refresh_before))
    });
    let (mut client, settings, refresh_before) = match signed {
        Ok(c) => c,
        Err(e) => {
            for entry in &open {
                store.pc_outbox_not_sent(entry.id, &e.message, &later(&clock.now, entry.attempts, None))?;
            }
            return ids_now(store, &open);
        }
    };
    // One runtime for the client: its timers (the token's, Microsoft's pace) live in it.
    let rt = runtime()?;
    let mut blocked: HashSet<(i64, Option<i64>)> = HashSet::new();
    let mut offline = false;
    let mut tried = Vec::new();
    for entry in open {
        if offline || blocked.contains(&lane(&entry)) || (!force && entry.next_attempt_at.as_str() > clock.now.as_str()) {
            blocked.insert(lane(&entry));
            continue;
        }
        let change = Change::decode(&entry.change)?;
        let outcome = match &change {
            Change::Purchase { .. } => buy(store, &rt, &mut client, &entry, &change)?,
            Change::Upgrade { .. } => rt.block_on(upgrade(&mut client, &entry, &change)),
            Change::Customer { customer, date_agreed } => {
                make_customer(store, &rt, &mut client, &entry, customer, *date_agreed, &clock.now)?
            }
            Change::BillingProfile { .. } => rt.block_on(send_profile(&mut client, &entry, &change)),
            _ => rt.block_on(send(&mut client, &entry, &change)),
        };
        match outcome {
            Outcome::Done(answer) => store.pc_outbox_answered(entry.id, true, Some(&answer), &clock.now)?,
            Outcome::Ordered { order_id, ms_subscription_id } => {
                store.pc_outbox_ordered(entry.id, &order_id, ms_subscription_id.as_deref(), &clock.now)?
            }
            Outcome::Accepted => store.pc_outbox_answered(entry.id, false, None, &clock.now)?,
            Outcome::StillAccepted | Outcome::Recorded => {}
            Outcome::Refused { code, description } => {
                store.pc_outbox_refused(entry.id, &code, &description, &clock.now)?;
            }
            Outcome::NotSent { why, wait, unreachable } => {
                store.pc_outbox_not_sent(entry.id, &why, &later(&clock.now, entry.attempts, wait))?;
                blocked.insert(lane(&entry));
                offline |= unreachable;
            }
        }
        tried.push(entry);
    }
    super::reach::keep_rotated(&settings, reach, refresh_before.as_deref(), client.refresh_token());
    ids_now(store, &tried)
}

/// A client for the connection, with a change's patience.
fn client(store: &Store, reach: &Reach) -> Result<Client> {
    let s = connected(store)?;
    Client::new(reach.endpoints.clone(), credentials(&s, reach)?, patience())
}

/// What `take` or `push` did for a subscription that differs from Microsoft's.
#[derive(Debug, Clone, Serialize)]
pub struct Aligned {
    #[serde(flatten)]
    pub subscription: Subscription,
    /// Microsoft's values where they differed (before this).
    pub differences: Differences,
    /// `push`: what went to Microsoft.
    pub microsoft: Vec<OutboxEntry>,
    /// `push`: some of it waits to reach Microsoft.
    pub pending: bool,
}

/// A linked subscription, its customer's tenant, and where Microsoft's subscription differs now.
fn at_microsoft(store: &Store, reach: &Reach, id: i64) -> Result<(Subscription, String, Differences)> {
    let sub = store.subscription(id)?;
    let tenant = store.customer(sub.customer_id)?.tenant_id.trim().to_ascii_lowercase();
    if tenant.is_empty() || sub.ms_subscription_id.is_empty() {
        return Err(Error::refused(format!("subscription {id} is not linked to Microsoft")).with_field("id"));
    }
    let mut client = client(store, reach)?;
    let path = format!("/v1/customers/{tenant}/subscriptions/{}", sub.ms_subscription_id);
    let object = runtime()?.block_on(client.subscription_object(&tenant, &sub.ms_subscription_id)).map_err(|f| f.error(&path))?;
    let differences = Differences::between(&sub, &object);
    Ok((sub, tenant, differences))
}

/// `pc take`: Microsoft's seats, status and auto-renew become the book's, from `on` (default
/// today), as the subscription's ordinary history events.
pub fn take(store: &mut Store, clock: &Clock, reach: &Reach, id: i64, on: Option<&str>) -> Result<Aligned> {
    let on = super::date_or(on, "on", clock.today)?;
    let (sub, _, differences) = at_microsoft(store, reach, id)?;
    let subscription = if differences.is_empty() { sub } else { store.take_from_microsoft(id, &differences, on, &clock.now)? };
    Ok(Aligned { subscription, differences, microsoft: Vec::new(), pending: false })
}

/// `pc push`: the book's seats, status and auto-renew sent to Microsoft where they differ,
/// through the outbox (a refusal changes nothing in the book).
pub fn push(store: &mut Store, clock: &Clock, reach: &Reach, id: i64) -> Result<Aligned> {
    let (sub, tenant, differences) = at_microsoft(store, reach, id)?;
    let ids = store.atomically(|s| {
        let mut ids = Vec::new();
        for (action, change) in differences.pushed(&sub) {
            let out = NewOutgoing {
                action,
                before: &sub,
                change,
                tenant_id: tenant.clone(),
                ms_request_id: new_id(),
                created_at: &clock.now,
                for_event: false,
            };
            ids.push(s.enqueue_pc_change(&out)?);
        }
        Ok(ids)
    })?;
    deliver(store, clock, reach, Some(id), true)?;
    let microsoft = ids.into_iter().map(|e| store.pc_outbox_entry(e)).collect::<Result<Vec<_>>>()?;
    if let Some(e) = microsoft.iter().find(|e| e.state == "refused") {
        return Err(Error::refused(format!(
            "Microsoft refused {} for subscription {id} ({}: {}); the book is as it was",
            e.what, e.ms_code, e.last_error
        )));
    }
    let pending = microsoft.iter().any(|e| e.state == "waiting");
    Ok(Aligned { subscription: store.subscription(id)?, differences, microsoft, pending })
}

fn ids_now(store: &Store, entries: &[OutboxEntry]) -> Result<Vec<OutboxEntry>> {
    entries.iter().map(|e| store.pc_outbox_entry(e.id)).collect()
}

/// A change's calls wait less than a sync's: what cannot go now waits in the outbox.
fn patience() -> Patience {
    Patience { attempts: 3, longest_wait: Duration::from_secs(10), ..Patience::default() }
}

/// When to try again: what Microsoft asked (`Retry-After`), else 30 s doubled per try, at most
/// an hour.
fn later(now: &str, attempts: i64, wait: Option<Duration>) -> String {
    let secs = wait.map(|w| w.as_secs()).unwrap_or_else(|| (30u64 << attempts.clamp(0, 7)).min(3600));
    match chrono::DateTime::parse_from_rfc3339(now) {
        Ok(t) => {
            (t.with_timezone(&chrono::Utc) + chrono::Duration::seconds(secs as i64)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        }
        Err(_) => now.to_string(),
    }
}

enum Outcome {
    Done(Answer),
    /// A purchase checked out: its order, and the new subscription when Microsoft has made it.
    Ordered {
        order_id: String,
        ms_subscription_id: Option<String>,
    },
    Accepted,
    StillAccepted,
    /// What Microsoft answered is in the book already.
    Recorded,
    Refused {
        code: String,
        description: String,
    },
    NotSent {
        why: String,
        wait: Option<Duration>,
        unreachable: bool,
    },
}

/// Codes Microsoft gives for "not now": its order or cart is busy, the subscription not ready,
/// an operation pending.
const TRY_LATER: [&str; 4] = ["800060", "800064", "800082", "900278"];

fn not_sent(f: Failure) -> Outcome {
    match f {
        Failure::Refused { status, code, description } => {
            let why = if code.is_empty() { format!("HTTP {status}") } else { format!("{code}: {description}") };
            Outcome::NotSent { why: format!("Partner Center answered {why}"), wait: None, unreachable: false }
        }
        Failure::Unavailable(why, wait) => {
            let unreachable = why.contains("could not be reached");
            Outcome::NotSent { why, wait, unreachable }
        }
        Failure::SignIn(e) => Outcome::NotSent { unreachable: e.code == crate::ErrorCode::Unavailable, why: e.message, wait: None },
    }
}

/// A refusal, or a "not now" (signed out, Microsoft busy with the order or the subscription).
fn classify(f: Failure) -> Outcome {
    match f {
        Failure::Refused { status, code, description }
            if !(status == 401 || (status == 403 && code.is_empty()) || TRY_LATER.contains(&code.as_str())) =>
        {
            Outcome::Refused { code, description }
        }
        f => not_sent(f),
    }
}

/// Buy: the product's availability in the customer's country, a cart (kept on the entry, so a
/// retry checks out the same cart), its checkout with the entry's request id; or, accepted
/// earlier, the order read again until it names the new subscription.
fn buy(store: &mut Store, rt: &tokio::runtime::Runtime, client: &mut Client, e: &OutboxEntry, change: &Change) -> Result<Outcome> {
    let Change::Purchase { product_id, sku_id, quantity, term, billing, country } = change else {
        return Ok(Outcome::NotSent { why: "not a purchase".into(), wait: None, unreachable: false });
    };
    let tenant = &e.tenant_id;
    if e.state == "accepted" {
        let path = format!("/v1/customers/{tenant}/orders/{}", e.ms_order_id);
        return Ok(match rt.block_on(client.get_json(&path)) {
            Ok(order) => match crate::pc::provision::order_of(&order) {
                Some(Checkout::Ordered { order_id, ms_subscription_id: Some(ms) }) => {
                    Outcome::Ordered { order_id, ms_subscription_id: Some(ms) }
                }
                _ => Outcome::StillAccepted,
            },
            Err(_) => Outcome::StillAccepted,
        });
    }
    let mut cart = e.ms_cart_id.clone();
    if cart.is_empty() {
        let path = format!("/v1/products/{product_id}/skus/{sku_id}/availabilities?country={country}&targetSegment=commercial");
        let availabilities = match rt.block_on(client.get_json(&path)) {
            Ok(v) => v,
            Err(f) => return Ok(classify(f)),
        };
        let Some(item) = crate::pc::provision::catalog_item(&availabilities, term, billing) else {
            return Ok(Outcome::Refused {
                code: String::new(),
                description: format!("Microsoft sells no {product_id}:{sku_id} in {country} now"),
            });
        };
        let body = crate::pc::provision::cart(&item, *quantity, term, billing);
        let made = match rt.block_on(client.post_json(&format!("/v1/customers/{tenant}/carts"), Some(&body), &new_id())) {
            Ok(v) => v,
            Err(f) => return Ok(classify(f)),
        };
        cart = crate::pc::provision::id_of(&made).unwrap_or_default();
        if cart.is_empty() {
            return Ok(Outcome::NotSent { why: "Partner Center made a cart without an id".into(), wait: None, unreachable: false });
        }
        store.pc_outbox_cart(e.id, &cart)?;
    }
    let path = format!("/v1/customers/{tenant}/carts/{cart}/checkout");
    Ok(match rt.block_on(client.post_json(&path, None, &e.ms_request_id)) {
        Ok(result) => match crate::pc::provision::checkout(&result) {
            Some(Checkout::Refused { code, description }) => Outcome::Refused { code, description },
            Some(Checkout::Ordered { order_id, ms_subscription_id }) => Outcome::Ordered { order_id, ms_subscription_id },
            None => Outcome::NotSent { why: "Partner Center's checkout answer has no order".into(), wait: None, unreachable: false },
        },
        // The availability changed since the cart was made: a new cart next time.
        Err(Failure::Refused { code, description, .. }) if code == "400019" => {
            store.pc_outbox_cart(e.id, "")?;
            Outcome::NotSent { why: format!("Partner Center answered 400019: {description}"), wait: None, unreachable: false }
        }
        Err(f) => classify(f),
    })
}

/// Upgrade: Microsoft's transition eligibilities for the subscription, then a transition of the
/// whole subscription to the eligible catalog item, with the entry's request id.
async fn upgrade(client: &mut Client, e: &OutboxEntry, change: &Change) -> Outcome {
    let Change::Upgrade { product_id, sku_id, quantity, term, billing } = change else {
        return Outcome::NotSent { why: "not an upgrade".into(), wait: None, unreachable: false };
    };
    let base = format!("/v1/customers/{}/subscriptions/{}", e.tenant_id, e.ms_subscription_id);
    let object = match client.subscription_object(&e.tenant_id, &e.ms_subscription_id).await {
        Ok(o) => o,
        Err(f) => return classify(f),
    };
    if change.shown_by(&object) {
        // Done before its answer was lost.
        return Outcome::Done(Answer::of(&object));
    }
    let eligibilities = match client.get_json(&format!("{base}/transitionEligibilities?eligibilityType=immediate")).await {
        Ok(v) => v,
        Err(f) => return classify(f),
    };
    let item = match crate::pc::provision::eligible_transition(&eligibilities, product_id, sku_id) {
        Ok(item) => item,
        Err((code, description)) => return Outcome::Refused { code, description },
    };
    let body = crate::pc::provision::transition(&item, *quantity, term, billing);
    if let Err(f) = client.post_json(&format!("{base}/transitions"), Some(&body), &e.ms_request_id).await {
        return classify(f);
    }
    match client.subscription_object(&e.tenant_id, &e.ms_subscription_id).await {
        Ok(o) if change.shown_by(&o) => Outcome::Done(Answer::of(&o)),
        _ => Outcome::Accepted,
    }
}

/// Send one entry: fetch the whole object, set the change on it, `PATCH` it with its etag.
async fn send(client: &mut Client, e: &OutboxEntry, change: &Change) -> Outcome {
    // A stale etag (code 2055): fetch again, send again; a few times at most.
    for _ in 0..3 {
        let object = match client.subscription_object(&e.tenant_id, &e.ms_subscription_id).await {
            Ok(o) => o,
            Err(Failure::Refused { status: 404, code, description }) => return Outcome::Refused { code, description },
            Err(f) => return not_sent(f),
        };
        if e.state == "accepted" {
            // Accepted earlier: done once Microsoft's object shows it.
            return if change.shown_by(&object) { Outcome::Done(Answer::of(&object)) } else { Outcome::StillAccepted };
        }
        let change = change.completed_by(&object);
        let mut body = object.clone();
        change.apply(&mut body);
        let etag = crate::pc::provision::etag(&object);
        match client.patch_subscription(&e.tenant_id, &e.ms_subscription_id, &body, etag.as_deref(), &e.ms_request_id).await {
            Ok(Patched::Done(answer)) => return Outcome::Done(Answer::of(if answer.is_null() { &body } else { &answer })),
            Ok(Patched::Accepted(_)) => return Outcome::Accepted,
            Err(Failure::Refused { code, .. }) if code == "2055" => continue,
            Err(f) => return classify(f),
        }
    }
    Outcome::NotSent {
        why: "Microsoft's subscription kept changing while Seatbook sent the change (etag no longer valid)".into(),
        wait: None,
        unreachable: false,
    }
}

/// Send a change to a linked customer's billing profile: fetch Microsoft's whole profile, set
/// the change on it, `PUT` it back with its etag (fetched again when Microsoft says it is stale).
async fn send_profile(client: &mut Client, e: &OutboxEntry, change: &Change) -> Outcome {
    let path = format!("/v1/customers/{}/profiles/billing", e.tenant_id);
    for _ in 0..3 {
        let profile = match client.get_json(&path).await {
            Ok(p) => p,
            Err(Failure::Refused { status: 404, code, description }) => return Outcome::Refused { code, description },
            Err(f) => return not_sent(f),
        };
        if change.shown_by(&profile) && e.state == "accepted" {
            return Outcome::Done(Answer::default());
        }
        let mut body = profile.clone();
        change.apply(&mut body);
        let etag = crate::pc::provision::etag(&profile);
        match client.put_json(&path, &body, etag.as_deref(), &e.ms_request_id).await {
            Ok(Patched::Done(_)) => return Outcome::Done(Answer::default()),
            Ok(Patched::Accepted(_)) => return Outcome::Accepted,
            Err(Failure::Refused { code, .. }) if code == "2055" => continue,
            Err(f) => return classify(f),
        }
    }
    Outcome::NotSent {
        why: "Microsoft's billing profile kept changing while Seatbook sent the change (etag no longer valid)".into(),
        wait: None,
        unreachable: false,
    }
}

/// Make a customer at Microsoft (`POST /v1/customers` with the entry's request id, so a retry
/// after a lost answer or a crash gets the same customer), link the book's customer to its
/// tenant at once, then attest the Microsoft Customer Agreement and keep it. A customer made
/// earlier (the entry accepted, or the book's customer linked already) gets only the agreement.
fn make_customer(
    store: &mut Store,
    rt: &tokio::runtime::Runtime,
    client: &mut Client,
    e: &OutboxEntry,
    new: &crate::pc::provision::NewCustomer,
    date_agreed: chrono::NaiveDate,
    now: &str,
) -> Result<Outcome> {
    use crate::pc::provision::{agreement_template, tenant_of};
    let mut tenant = store.customer(e.customer_id)?.tenant_id.trim().to_ascii_lowercase();
    if tenant.is_empty() {
        let made = match rt.block_on(client.post_json("/v1/customers", Some(&new.body()), &e.ms_request_id)) {
            Ok(v) => v,
            Err(f) => return Ok(classify(f)),
        };
        let Some(t) = tenant_of(&made) else {
            return Ok(Outcome::NotSent {
                why: "Partner Center made the customer but did not say its tenant id".into(),
                wait: None,
                unreachable: false,
            });
        };
        tenant = t;
        // Linked at once: the customer exists at Microsoft from now on, whatever follows.
        store.pc_customer_made(e.id, &tenant, &new.domain, None, now)?;
    }
    let templates = match rt.block_on(client.get_json("/v1/agreements?agreementType=MicrosoftCustomerAgreement")) {
        Ok(v) => v,
        Err(f) => return Ok(not_sent(f)),
    };
    let Some(template) = agreement_template(&templates) else {
        return Ok(Outcome::NotSent { why: "Partner Center named no Microsoft Customer Agreement".into(), wait: None, unreachable: false });
    };
    let path = format!("/v1/customers/{tenant}/agreements");
    if let Err(f) = rt.block_on(client.post_json(&path, Some(&new.agreement(&template, date_agreed)), &new_id())) {
        return Ok(match classify(f) {
            Outcome::Refused { code, description } => Outcome::Refused {
                code,
                description: format!("the customer was made at Microsoft and linked, but its agreement was refused: {description}"),
            },
            other => other,
        });
    }
    let agreement = crate::store::PcAgreement {
        customer_id: e.customer_id,
        tenant_id: tenant.clone(),
        first_name: new.first_name.clone(),
        last_name: new.last_name.clone(),
        email: new.email.clone(),
        phone: new.phone.clone(),
        date_agreed: date_agreed.to_string(),
        template_id: template,
        recorded_at: now.to_string(),
    };
    store.pc_customer_made(e.id, &tenant, &new.domain, Some(&agreement), now)?;
    Ok(Outcome::Recorded)
}

/// A customer after a change, and what became of it at Microsoft.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerChanged {
    #[serde(flatten)]
    pub customer: crate::customer::Customer,
    /// The change waits to reach Microsoft (offline, throttled).
    pub pending: bool,
    /// The outbox entry that carries it, when it went to Microsoft.
    pub microsoft: Option<OutboxEntry>,
}

/// Change a customer and, when it is linked (and the book connected), send what Microsoft's
/// billing profile holds of it (the company's name, the contact's names, e-mail and phone) to
/// Microsoft through the outbox. A refusal puts those fields back in the book.
pub fn update_customer(
    store: &mut Store,
    clock: &Clock,
    to: Provision<'_>,
    id: i64,
    fields: &crate::customer::CustomerFields,
) -> Result<CustomerChanged> {
    use crate::pc::provision::{Action, CustomerBefore, ProfileEdit};
    let before = store.customer(id)?;
    let relinked = fields.tenant_id.as_deref().is_some_and(|t| !t.trim().eq_ignore_ascii_case(before.tenant_id.trim()));
    let tenant = if relinked && to.send != Some(true) { None } else { destination(store, to, id, None)? };
    let Some(tenant) = tenant else {
        return Ok(CustomerChanged { customer: store.update_customer(id, fields)?, pending: false, microsoft: None });
    };
    let entry = store.atomically(|s| {
        let after = s.update_customer(id, fields)?;
        let edit = ProfileEdit { before: CustomerBefore::of(&before), after: CustomerBefore::of(&after) };
        let change = edit.after.profile();
        if change == edit.before.profile() {
            // Nothing Microsoft's billing profile holds changed.
            return Ok(None);
        }
        let out = NewCustomerOutgoing {
            action: Action::BillingProfile,
            customer_id: id,
            tenant_id: &tenant,
            change,
            before: edit.encode(),
            ms_request_id: new_id(),
            created_at: &clock.now,
        };
        s.enqueue_pc_customer_change(&out).map(Some)
    })?;
    let Some(entry) = entry else {
        return Ok(CustomerChanged { customer: store.customer(id)?, pending: false, microsoft: None });
    };
    let entry = customer_sent(store, clock, to.reach, id, entry)?;
    if entry.state == "refused" {
        return Err(Error::refused(format!(
            "Microsoft refused {} for customer {id} ({}); Seatbook put the customer's name and contact back as they were",
            entry.what,
            refusal(&entry)
        )));
    }
    Ok(CustomerChanged { customer: store.customer(id)?, pending: entry.state == "waiting", microsoft: Some(entry) })
}

/// Send what waits for a customer itself, and the entry `entry` as it now is.
fn customer_sent(store: &mut Store, clock: &Clock, reach: &Reach, id: i64, entry: i64) -> Result<OutboxEntry> {
    deliver_where(store, clock, reach, |e| e.customer_id == id && e.subscription_id.is_none(), true)?;
    store.pc_outbox_entry(entry)
}

/// Microsoft's code and description of a refusal, in words.
fn refusal(e: &OutboxEntry) -> String {
    if e.ms_code.is_empty() {
        e.last_error.clone()
    } else {
        format!("{}: {}", e.ms_code, e.last_error)
    }
}

/// What making a customer at Microsoft needs beyond the book's customer: its tenant's domain
/// (default the customer's) and the billing profile's address.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct CustomerRequest {
    pub domain: Option<String>,
    pub address_line: String,
    pub city: String,
    pub state: Option<String>,
    pub postal_code: String,
}

/// A customer made at Microsoft (or on its way there), and the agreement recorded.
#[derive(Debug, Clone, Serialize)]
pub struct ProvisionedCustomer {
    pub customer: crate::customer::Customer,
    /// Once Microsoft made the customer and the agreement was attested.
    pub agreement: Option<crate::store::PcAgreement>,
    /// It waits to reach Microsoft (offline, throttled), or the agreement does.
    pub pending: bool,
    pub microsoft: OutboxEntry,
}

/// Make a book's customer at Microsoft: its domain checked first (free at Microsoft), then,
/// through the outbox, the customer made with its company and billing profile, its tenant id
/// linked at once, and the Microsoft Customer Agreement attested with the customer's contact
/// and today's date. A customer made earlier whose agreement could not be recorded gets only
/// the agreement; one on its way to Microsoft is sent again, never made twice.
pub fn provision_customer(store: &mut Store, clock: &Clock, reach: &Reach, id: i64, r: &CustomerRequest) -> Result<ProvisionedCustomer> {
    use crate::pc::provision::{first_address, split_name, CustomerBefore, NewCustomer};
    let c = store.customer(id)?;
    if store.pc_agreement(id)?.is_some() {
        return Err(Error::refused(format!("customer {id} was made at Microsoft already (tenant {})", c.tenant_id)).with_field("id"));
    }
    if let Some(open) = store.pc_customer_open_entries(id)?.into_iter().find(|e| e.action == "customer") {
        // Asked before and not finished (offline, or the process stopped): the same request.
        return provisioned(store, clock, reach, id, open.id);
    }
    let domain = super::given(r.domain.as_deref()).unwrap_or(c.domain.as_str()).trim().to_ascii_lowercase();
    if domain.is_empty() || !domain.contains('.') || !domain.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '.' || ch == '-') {
        return Err(Error::invalid("domain", "the customer's Microsoft domain is required, such as contoso.onmicrosoft.com"));
    }
    let (Some(first_name), Some(last_name)) = split_name(&c.contact_person) else {
        return Err(Error::invalid("contact_person", "Microsoft needs the contact's first and last name"));
    };
    let email = first_address(&c.email);
    if email.is_empty() {
        return Err(Error::invalid("email", "Microsoft needs the contact's e-mail address"));
    }
    for (value, field) in [(&r.address_line, "address_line"), (&r.city, "city"), (&r.postal_code, "postal_code")] {
        if value.trim().is_empty() {
            return Err(Error::invalid(field, "Microsoft needs the customer's address"));
        }
    }
    let country = if c.country.trim().len() == 2 { c.country.trim().to_ascii_uppercase() } else { store.company()?.country };
    let new = NewCustomer {
        domain: domain.clone(),
        company_name: c.name.clone(),
        email,
        first_name,
        last_name,
        phone: c.phone.trim().to_string(),
        address_line: r.address_line.trim().to_string(),
        city: r.city.trim().to_string(),
        state: super::given(r.state.as_deref()).unwrap_or_default().to_string(),
        postal_code: r.postal_code.trim().to_string(),
        country,
    };
    let tenant = c.tenant_id.trim().to_ascii_lowercase();
    if tenant.is_empty() {
        // Whether the domain is free is Microsoft's to say, now: asked before anything is kept.
        let mut client = client(store, reach)?;
        let path = format!("/v1/domains/{domain}");
        if runtime()?.block_on(client.exists(&path)).map_err(|f| f.error(&path))? {
            return Err(Error::conflict(
                "domain",
                format!("{domain} is taken at Microsoft: choose another (if it is this customer's tenant, compare the book with Partner Center to link it)"),
            ));
        }
    }
    let out = NewCustomerOutgoing {
        action: Action::Customer,
        customer_id: id,
        tenant_id: &tenant,
        change: Change::Customer { customer: new, date_agreed: clock.today },
        before: crate::pc::provision::ProfileEdit { before: CustomerBefore::of(&c), after: CustomerBefore::of(&c) }.encode(),
        ms_request_id: new_id(),
        created_at: &clock.now,
    };
    let entry = store.atomically(|s| s.enqueue_pc_customer_change(&out))?;
    provisioned(store, clock, reach, id, entry)
}

/// Send a customer's `customer` entry and say what became of it.
fn provisioned(store: &mut Store, clock: &Clock, reach: &Reach, id: i64, entry: i64) -> Result<ProvisionedCustomer> {
    let entry = customer_sent(store, clock, reach, id, entry)?;
    if entry.state == "refused" {
        return Err(Error::refused(format!("Microsoft refused {} ({})", entry.what, refusal(&entry))));
    }
    Ok(ProvisionedCustomer {
        customer: store.customer(id)?,
        agreement: store.pc_agreement(id)?,
        pending: entry.state != "done",
        microsoft: entry,
    })
}
