//! Partner Center from inside Seatbook (DOMAIN §8): connect (the partner's tenant and
//! application; the secret in the system's credential store), the connection's status, and the
//! sync: Microsoft's customers and subscriptions read and compared with the book, and with
//! `apply` what is only at Microsoft taken in (customers linked or added, subscriptions adopted:
//! priced by the markup rules, billed from their next charge cycle).
//!
//! Network work runs on a runtime of its own, on the calling thread: the fronts call these from
//! a worker thread, never the UI's.

pub use super::reach::Reach;
use super::reach::{block_on, connected, credentials, keep_rotated, runtime};
use super::Clock;
use crate::catalogue::ProductKey;
pub use crate::pc::client::DeviceCode;
use crate::pc::client::{Client, Credentials, Patience};
use crate::pc::{Drift, DriftKind, MicrosoftBook};
use crate::recon::Adoption;
use crate::secrets;
use crate::store::Store;
use crate::{Error, Result};
use chrono::NaiveDate;
use serde::Serialize;

pub use crate::pc::{CustomerDrift, FieldDiff, SubscriptionDrift};

/// `pc status`: who is connected and when the book was last compared with Microsoft.
#[derive(Debug, Clone, Serialize)]
pub struct PcStatus {
    pub connected: bool,
    pub tenant: Option<String>,
    pub client_id: Option<String>,
    /// `app` or `app+user`.
    pub sign_in: Option<String>,
    pub last_sync: Option<String>,
    /// Where the secret is: `kept` (credential store), `environment`, `missing`, `no_store`.
    pub secret: &'static str,
}

/// What a sync did.
#[derive(Debug, Clone, Serialize)]
pub struct SyncResult {
    pub customers: Vec<CustomerDrift>,
    pub subscriptions: Vec<SubscriptionDrift>,
    /// With `apply`: what was taken into the book.
    pub adopted: Vec<Adopted>,
    /// With `apply`: what could not be taken in, and why.
    pub problems: Vec<SyncProblem>,
    /// Requests sent to Microsoft.
    pub requests: u32,
    /// Customers a sync cut off earlier had read already: this one resumed after them.
    pub resumed: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Adopted {
    /// `customer_linked`, `customer_added`, `subscription_added`.
    pub what: &'static str,
    pub customer_id: i64,
    pub subscription_id: Option<i64>,
    pub ms_id: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SyncProblem {
    pub ms_id: String,
    pub message: String,
}

fn guid(value: &str, field: &str) -> Result<String> {
    let v = value.trim().to_ascii_lowercase();
    if !crate::customer::is_guid(&v) {
        return Err(Error::bad_value(field, format!("'{}' is not a GUID such as 6f1b2c3d-0000-4000-8000-1234567890ab", value.trim())));
    }
    Ok(v)
}

/// Connect to Partner Center as the partner's application (app-only sign-in, by client secret):
/// the secret typed is kept in the credential store (one from the environment is used and not
/// kept); Microsoft's sign-in is tried before anything is saved.
pub fn connect(
    store: &mut Store,
    clock: &Clock,
    reach: &Reach,
    tenant: &str,
    client_id: &str,
    typed_secret: Option<&str>,
) -> Result<PcStatus> {
    let tenant = guid(tenant, "tenant")?;
    let client_id = guid(client_id, "client_id")?;
    let typed = typed_secret.map(str::trim).filter(|s| !s.is_empty());
    let secret = match (typed, reach.secret_from_environment.as_deref().filter(|s| !s.is_empty())) {
        (Some(s), _) | (None, Some(s)) => s.to_string(),
        (None, None) => return Err(Error::invalid("secret", "the application's client secret is required")),
    };
    let mut client = Client::new(
        reach.endpoints.clone(),
        Credentials { tenant: tenant.clone(), client_id: client_id.clone(), secret: Some(secret), refresh_token: None },
        Patience::default(),
    )?;
    block_on(client.token())??;
    if let Some(s) = typed {
        secrets::store(&secrets::pc_account(&client_id), s)?;
    }
    store.set_pc_settings(&tenant, &client_id, "app", &clock.now)?;
    status(store, reach)
}

/// Sign in as application and user (Microsoft's Secure Application Model), first step: a device
/// code from Microsoft's sign-in, for the user to enter at its address (`message` says so).
pub fn device_code_start(reach: &Reach, tenant: &str, client_id: &str) -> Result<DeviceCode> {
    let tenant = guid(tenant, "tenant")?;
    let client_id = guid(client_id, "client_id")?;
    // The refresh token must be kept somewhere: without a credential store, say so before the
    // user signs in for nothing.
    secrets::read(&secrets::pc_refresh_account(&client_id), None)?;
    let secret = reach.secret_from_environment.clone();
    let mut client =
        Client::new(reach.endpoints.clone(), Credentials { tenant, client_id, secret, refresh_token: None }, Patience::default())?;
    block_on(client.device_code())?
}

/// Second step: wait for the user to sign in with the code, then keep the user's refresh token
/// in the credential store (never the book) and connect as `app+user`. Where the system has no
/// credential store it says so and keeps nothing (give the token in the environment instead).
pub fn device_code_finish(
    store: &mut Store,
    clock: &Clock,
    reach: &Reach,
    tenant: &str,
    client_id: &str,
    code: &DeviceCode,
) -> Result<PcStatus> {
    let tenant = guid(tenant, "tenant")?;
    let client_id = guid(client_id, "client_id")?;
    let secret = reach.secret_from_environment.clone();
    let credentials = Credentials { tenant: tenant.clone(), client_id: client_id.clone(), secret, refresh_token: None };
    let mut client = Client::new(reach.endpoints.clone(), credentials, Patience::default())?;
    let refresh = block_on(client.redeem(code))??;
    secrets::store(&secrets::pc_refresh_account(&client_id), &refresh)?;
    store.set_pc_settings(&tenant, &client_id, "app+user", &clock.now)?;
    status(store, reach)
}

pub fn status(store: &Store, reach: &Reach) -> Result<PcStatus> {
    let settings = store.pc_settings()?;
    let secret = match &settings {
        None => "missing",
        Some(s) => {
            let (account, env) = if s.sign_in == "app+user" {
                (secrets::pc_refresh_account(&s.client_id), reach.refresh_token_from_environment.as_deref())
            } else {
                (secrets::pc_account(&s.client_id), reach.secret_from_environment.as_deref())
            };
            match secrets::read(&account, env) {
                Ok(Some((_, secrets::Source::CredentialStore))) => "kept",
                Ok(Some((_, secrets::Source::Environment))) => "environment",
                Ok(None) => "missing",
                Err(_) => "no_store",
            }
        }
    };
    Ok(PcStatus {
        connected: settings.is_some(),
        tenant: settings.as_ref().map(|s| s.tenant.clone()),
        client_id: settings.as_ref().map(|s| s.client_id.clone()),
        sign_in: settings.as_ref().map(|s| s.sign_in.clone()),
        last_sync: settings.and_then(|s| s.last_sync),
        secret,
    })
}

/// Read Microsoft's book (every customer and their subscriptions); `progress` hears (done, of).
/// What is read is kept in the book as it comes: a sync cut off (offline, throttled for long)
/// within the last six hours resumes where it stopped, without listing the customers again.
pub fn read_microsoft(store: &mut Store, clock: &Clock, reach: &Reach, progress: &mut dyn FnMut(usize, usize)) -> Result<MicrosoftBook> {
    use crate::pc::{decode_customer, decode_subscriptions, encode_customer, encode_subscriptions};
    let s = connected(store)?;
    let mut client = Client::new(reach.endpoints.clone(), credentials(&s, reach)?, Patience::default())?;
    let refresh = client.refresh_token().map(str::to_string);
    let rt = runtime()?;
    let rows = match store.pc_sync_unfinished()?.filter(|u| within_hours(&u.listed_at, &clock.now, 6)) {
        Some(under_way) => under_way.customers,
        None => {
            let customers = rt.block_on(client.customers())?;
            let listed: Vec<(String, String)> = customers.iter().map(|c| (c.id.clone(), encode_customer(c))).collect();
            store.pc_sync_listed(&listed, &clock.now)?;
            listed.into_iter().map(|(_, c)| (c, None)).collect()
        }
    };
    let total = rows.len();
    let mut out = MicrosoftBook::default();
    for (i, (customer, read)) in rows.into_iter().enumerate() {
        let c = decode_customer(&customer)?;
        let subs = match read {
            Some(subs) => {
                out.resumed += 1;
                decode_subscriptions(&subs)?
            }
            None => {
                let subs = rt.block_on(client.subscriptions(&c.id))?;
                store.pc_sync_read_one(i, &encode_subscriptions(&subs))?;
                subs
            }
        };
        out.customers.push((c, subs));
        progress(i + 1, total);
    }
    out.requests = client.requests;
    keep_rotated(&s, reach, refresh.as_deref(), client.refresh_token());
    Ok(out)
}

/// Whether `then` is less than `hours` before `now` (both RFC 3339).
fn within_hours(then: &str, now: &str, hours: i64) -> bool {
    match (chrono::DateTime::parse_from_rfc3339(then), chrono::DateTime::parse_from_rfc3339(now)) {
        (Ok(a), Ok(b)) => b - a < chrono::Duration::hours(hours) && b >= a,
        _ => false,
    }
}

/// The comparison made when an app starts: `None` when the book is not connected to Partner
/// Center; else what `sync` (without taking anything in) finds.
pub fn compare_if_connected(store: &mut Store, clock: &Clock, reach: &Reach) -> Option<Result<SyncResult>> {
    match store.pc_settings() {
        Ok(Some(_)) => Some(sync(store, clock, reach, false, &mut |_, _| {})),
        Ok(None) => None,
        Err(e) => Some(Err(e)),
    }
}

/// Compare the book with Microsoft's; with `apply`, take in what is only at Microsoft.
pub fn sync(store: &mut Store, clock: &Clock, reach: &Reach, apply: bool, progress: &mut dyn FnMut(usize, usize)) -> Result<SyncResult> {
    let _alone = one_comparison_at_a_time(store)?;
    // What waits in the outbox goes first: the comparison then sees it at Microsoft.
    super::provision::deliver(store, clock, reach, None, false)?;
    let ms = read_microsoft(store, clock, reach, progress)?;
    let (customers, subscriptions) = store.pc_book()?;
    let drift = crate::pc::drift(&customers, &subscriptions, &ms);
    let (mut adopted, mut problems) = (Vec::new(), Vec::new());
    if apply {
        take_in(store, clock, &ms, &drift, &mut adopted, &mut problems)?;
    }
    store.record_pc_sync(&clock.now)?;
    store.pc_sync_clear()?;
    // After taking things in, the drift is what is left.
    let drift = if apply {
        let (customers, subscriptions) = store.pc_book()?;
        crate::pc::drift(&customers, &subscriptions, &ms)
    } else {
        drift
    };
    Ok(SyncResult {
        customers: drift.customers,
        subscriptions: drift.subscriptions,
        adopted,
        problems,
        requests: ms.requests,
        resumed: ms.resumed,
    })
}

/// Hold the book's comparison lock (a file beside the book, locked by the system, so a process
/// that dies lets go of it): two comparisons at once would both take in the same subscriptions
/// and resume each other's reading. A book whose folder cannot be written has no lock to take,
/// and its comparison is refused by the book itself when it records the sync.
fn one_comparison_at_a_time(store: &Store) -> Result<Option<std::fs::File>> {
    let Some(path) = store.path() else { return Ok(None) };
    let mut name = path.as_os_str().to_owned();
    name.push(".pc-sync.lock");
    let file = match std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&name) {
        Ok(f) => f,
        Err(e) if matches!(e.kind(), std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem) => return Ok(None),
        Err(e) => return Err(Error::io(format!("cannot open {}: {e}", std::path::Path::new(&name).display()))),
    };
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::conflict(
            "partner_center",
            "another comparison with Partner Center is running on this book (in another window or command); try again when it has finished",
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(format!("cannot lock {}: {e}", std::path::Path::new(&name).display()))),
    }
}

/// Link the customers matched by domain (their tenant id taken in), then adopt every
/// subscription only at Microsoft, adding its customer when the book has none; each in its own
/// transaction, a refusal listed and the rest carried on.
fn take_in(
    store: &mut Store,
    clock: &Clock,
    ms: &MicrosoftBook,
    drift: &Drift,
    adopted: &mut Vec<Adopted>,
    problems: &mut Vec<SyncProblem>,
) -> Result<()> {
    for c in drift.customers.iter().filter(|c| c.kind == DriftKind::Differs && c.fields.iter().any(|f| f.field == "tenant_id")) {
        let Some(id) = c.customer_id else { continue };
        let linked =
            store
                .customer(id)
                .and_then(|current| if current.tenant_id.is_empty() { link_customer_id(store, id, &c.tenant_id) } else { Ok(()) });
        match linked {
            Ok(()) => adopted.push(Adopted { what: "customer_linked", customer_id: id, subscription_id: None, ms_id: c.tenant_id.clone() }),
            Err(e) => problems.push(SyncProblem { ms_id: c.tenant_id.clone(), message: e.message }),
        }
    }
    let mut added: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for d in drift.subscriptions.iter().filter(|s| s.kind == DriftKind::OnlyAtMicrosoft) {
        let Some((mc, sub)) = ms
            .customers
            .iter()
            .find_map(|(c, subs)| subs.iter().find(|s| s.id.eq_ignore_ascii_case(&d.ms_subscription_id)).map(|s| (c, s)))
        else {
            continue;
        };
        let customer_id = d.customer_id.or_else(|| added.get(&d.tenant_id).copied());
        let result = adoption(mc, sub, customer_id, clock.today).and_then(|a| {
            store.adopt_subscription(&a, "Partner Center", &clock.now).map_err(|e| e.context("the subscription cannot be taken in"))
        });
        match result {
            Ok(s) => {
                if customer_id.is_none() {
                    added.insert(d.tenant_id.clone(), s.customer_id);
                    adopted.push(Adopted {
                        what: "customer_added",
                        customer_id: s.customer_id,
                        subscription_id: None,
                        ms_id: d.tenant_id.clone(),
                    });
                }
                adopted.push(Adopted {
                    what: "subscription_added",
                    customer_id: s.customer_id,
                    subscription_id: Some(s.id),
                    ms_id: sub.id.clone(),
                });
            }
            Err(e) => problems.push(SyncProblem { ms_id: sub.id.clone(), message: e.message }),
        }
    }
    // Customers at Microsoft with nothing the book could adopt (no subscription yet).
    for c in drift.customers.iter().filter(|c| c.kind == DriftKind::OnlyAtMicrosoft && !added.contains_key(&c.tenant_id)) {
        let fields = crate::customer::CustomerFields {
            name: Some(if c.name.trim().is_empty() { c.domain.clone() } else { c.name.clone() }),
            domain: Some(c.domain.clone()),
            tenant_id: Some(c.tenant_id.clone()),
            notes: Some("Added from Partner Center.".into()),
            ..Default::default()
        };
        match store.add_customer(&fields) {
            Ok(added) => {
                adopted.push(Adopted { what: "customer_added", customer_id: added.id, subscription_id: None, ms_id: c.tenant_id.clone() })
            }
            Err(e) => problems.push(SyncProblem { ms_id: c.tenant_id.clone(), message: e.message }),
        }
    }
    Ok(())
}

/// A subscription of Microsoft's as the book adopts it: the current term (from its commitment
/// end), billed from the first charge cycle that starts after `today`.
fn adoption(c: &crate::pc::MsCustomer, s: &crate::pc::MsSubscription, customer_id: Option<i64>, today: NaiveDate) -> Result<Adoption> {
    let missing = |what: &str| Error::invalid("subscription", format!("Microsoft's subscription {} has no {what} Seatbook can read", s.id));
    let product: ProductKey = s.product().ok_or_else(|| missing("offer id"))?;
    let term = s.term().ok_or_else(|| missing("term"))?;
    let billing = s.billing().ok_or_else(|| missing("billing cycle"))?;
    let end = crate::pc::date_of(&s.commitment_end_date).ok_or_else(|| missing("commitment end date"))?;
    // The current term: the one that ends on Microsoft's commitment end.
    let next = crate::dates::add_days(end, 1);
    let term_start = next.checked_sub_months(chrono::Months::new(term.months())).ok_or_else(|| missing("term"))?;
    let bill_from = crate::subscription::charge_cycles(term_start, term, billing)
        .into_iter()
        .map(|c| c.start)
        .find(|start| *start > today)
        .unwrap_or_else(|| crate::dates::add_days(end, 1));
    Ok(Adoption {
        customer_id,
        customer_tenant: if c.company_profile.tenant_id.is_empty() { c.id.clone() } else { c.company_profile.tenant_id.clone() },
        customer_name: c.company_profile.company_name.clone(),
        customer_domain: c.company_profile.domain.clone(),
        customer_country: String::new(),
        product_name: if s.friendly_name.is_empty() { s.offer_name.clone() } else { s.friendly_name.clone() },
        product,
        term,
        billing,
        quantity: s.quantity,
        term_start,
        bill_from,
        ms_subscription_id: s.id.to_ascii_lowercase(),
        line: 0,
    })
}

fn link_customer_id(store: &mut Store, id: i64, tenant: &str) -> Result<()> {
    let fields = crate::customer::CustomerFields { tenant_id: Some(tenant.to_string()), ..Default::default() };
    store.update_customer(id, &fields).map(|_| ())
}

/// `customer link`: the customer's Microsoft tenant.
pub fn link_customer(store: &mut Store, id: i64, tenant: &str) -> Result<crate::customer::Customer> {
    let tenant = guid(tenant, "tenant_id")?;
    link_customer_id(store, id, &tenant)?;
    store.customer(id)
}

/// `subscription link`: the subscription's id at Microsoft.
pub fn link_subscription(store: &mut Store, id: i64, ms_subscription_id: &str) -> Result<crate::subscription::Subscription> {
    let ms = guid(ms_subscription_id, "ms_subscription_id")?;
    store.attach_ms_subscription_id(id, &ms)
}
