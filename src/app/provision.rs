//! Changes made in Seatbook, provisioned at Microsoft (DOMAIN §8) through an outbox. A change to
//! a linked subscription is written together with its outbox entry, in one transaction; then
//! the outbox is sent: each entry as a `PATCH` of Microsoft's whole subscription object fetched
//! just before, with its etag (fetched again and sent again when Microsoft says the etag is
//! stale), and with the entry's own `MS-RequestId` on every try, so that Microsoft never applies
//! it twice. Offline, throttled or failing at Microsoft, an entry waits and is tried again with
//! back-off, in order per subscription. Microsoft's answer is the truth: what it answers is
//! kept; a refusal undoes the change in the book by a visible history event.

pub use super::reach::Reach;
use super::reach::{block_on, connected, secret};
use super::Clock;
use crate::pc::client::{Client, Credentials, Failure, Patched, Patience};
use crate::pc::provision::{Action, Answer, Change};
use crate::store::{NewOutgoing, Store};
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
    let Some(tenant) = destination(store, to, &before)? else {
        return Ok(Changed { subscription: f(store)?, pending: false, microsoft: None });
    };
    let entry = store.atomically(|s| {
        let after = f(s)?;
        let out = NewOutgoing {
            action,
            before: &before,
            change: crate::pc::provision::change_for(action, &after),
            tenant_id: tenant,
            ms_request_id: uuid::Uuid::new_v4().to_string(),
            created_at: &clock.now,
        };
        s.enqueue_pc_change(&out)
    })?;
    deliver(store, clock, to.reach, Some(id), true)?;
    let entry = store.pc_outbox_entry(entry)?;
    if entry.state == "refused" {
        let why = if entry.ms_code.is_empty() { entry.last_error.clone() } else { format!("{}: {}", entry.ms_code, entry.last_error) };
        return Err(Error::refused(format!(
            "Microsoft refused {} for subscription {id} ({why}); Seatbook put the subscription back as it was",
            entry.what
        )));
    }
    Ok(Changed { subscription: store.subscription(id)?, pending: entry.state == "waiting", microsoft: Some(entry) })
}

/// The customer's tenant when the change goes to Microsoft; `None` when it stays in the book.
fn destination(store: &Store, to: Provision<'_>, s: &Subscription) -> Result<Option<String>> {
    if to.send == Some(false) {
        return Ok(None);
    }
    let tenant = store.customer(s.customer_id)?.tenant_id.trim().to_ascii_lowercase();
    let connected = store.pc_settings()?.is_some();
    let linked = !s.ms_subscription_id.is_empty() && !tenant.is_empty();
    match (to.send, connected, linked) {
        (_, true, true) => Ok(Some(tenant)),
        (Some(true), false, _) => {
            Err(Error::refused("Seatbook is not connected to Partner Center: connect it first").with_field("provision"))
        }
        (Some(true), true, false) => Err(Error::refused(format!(
            "subscription {} is not linked to Microsoft (its own Microsoft subscription id and its customer's tenant id are needed)",
            s.id
        ))
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

/// What waits for Microsoft (the app's badge).
pub fn waiting(store: &Store) -> Result<Vec<OutboxEntry>> {
    store.pc_outbox(true)
}

/// Send what waits: every open entry (or `only` one subscription's), in order, one subscription's
/// entries stopping at the first that cannot be sent. Without `force` an entry waits out its
/// back-off. Returns the entries tried, as they now are.
pub fn deliver(store: &mut Store, clock: &Clock, reach: &Reach, only: Option<i64>, force: bool) -> Result<Vec<OutboxEntry>> {
    let open: Vec<OutboxEntry> = store.pc_outbox(true)?.into_iter().filter(|e| only.is_none_or(|id| e.subscription_id == id)).collect();
    if open.is_empty() {
        return Ok(Vec::new());
    }
    let client = connected(store).and_then(|s| {
        let secret = secret(&s.client_id, reach.secret_from_environment.as_deref())?;
        Client::new(reach.endpoints.clone(), Credentials { tenant: s.tenant, client_id: s.client_id, secret }, patience())
    });
    let mut client = match client {
        Ok(c) => c,
        Err(e) => {
            for entry in &open {
                store.pc_outbox_not_sent(entry.id, &e.message, &later(&clock.now, entry.attempts, None))?;
            }
            return ids_now(store, &open);
        }
    };
    let mut blocked: HashSet<i64> = HashSet::new();
    let mut offline = false;
    let mut tried = Vec::new();
    for entry in open {
        if offline || blocked.contains(&entry.subscription_id) || (!force && entry.next_attempt_at.as_str() > clock.now.as_str()) {
            blocked.insert(entry.subscription_id);
            continue;
        }
        let change = Change::decode(&entry.change)?;
        let outcome = block_on(send(&mut client, &entry, &change))?;
        match outcome {
            Outcome::Done(answer) => store.pc_outbox_answered(entry.id, true, Some(&answer), &clock.now)?,
            Outcome::Accepted => store.pc_outbox_answered(entry.id, false, None, &clock.now)?,
            Outcome::StillAccepted => {}
            Outcome::Refused { code, description } => {
                store.pc_outbox_refused(entry.id, &code, &description, &clock.now)?;
            }
            Outcome::NotSent { why, wait, unreachable } => {
                store.pc_outbox_not_sent(entry.id, &why, &later(&clock.now, entry.attempts, wait))?;
                blocked.insert(entry.subscription_id);
                offline |= unreachable;
            }
        }
        tried.push(entry);
    }
    ids_now(store, &tried)
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
    Accepted,
    StillAccepted,
    Refused { code: String, description: String },
    NotSent { why: String, wait: Option<Duration>, unreachable: bool },
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
            Err(Failure::Refused { status, code, description })
                if status == 401 || (status == 403 && code.is_empty()) || TRY_LATER.contains(&code.as_str()) =>
            {
                return not_sent(Failure::Refused { status, code, description })
            }
            Err(Failure::Refused { code, description, .. }) => return Outcome::Refused { code, description },
            Err(f) => return not_sent(f),
        }
    }
    Outcome::NotSent {
        why: "Microsoft's subscription kept changing while Seatbook sent the change (etag no longer valid)".into(),
        wait: None,
        unreachable: false,
    }
}
