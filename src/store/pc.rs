//! Partner Center in the book: the connection's settings (never its secret), and the book's
//! customers and subscriptions as the drift compares them with Microsoft's.

use super::Store;
use crate::error::Result;
use crate::pc::{BookCustomer, BookSubscription};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// Who Seatbook signs in to Partner Center as.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PcSettings {
    pub tenant: String,
    pub client_id: String,
    /// `app` (client secret) or `app+user` (refresh token).
    pub sign_in: String,
    pub connected_at: String,
    pub last_sync: Option<String>,
}

impl Store {
    pub fn pc_settings(&self) -> Result<Option<PcSettings>> {
        Ok(self
            .conn
            .query_row("SELECT tenant, client_id, sign_in, connected_at, last_sync FROM pc_settings WHERE id = 1", [], |r| {
                Ok(PcSettings {
                    tenant: r.get(0)?,
                    client_id: r.get(1)?,
                    sign_in: r.get(2)?,
                    connected_at: r.get(3)?,
                    last_sync: r.get(4)?,
                })
            })
            .optional()?)
    }

    pub fn set_pc_settings(&mut self, tenant: &str, client_id: &str, sign_in: &str, at: &str) -> Result<PcSettings> {
        self.write(|s| {
            s.conn.execute(
                "INSERT INTO pc_settings (id, tenant, client_id, sign_in, connected_at) VALUES (1, ?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET tenant = excluded.tenant, client_id = excluded.client_id,
                    sign_in = excluded.sign_in, connected_at = excluded.connected_at, last_sync = NULL",
                params![tenant, client_id, sign_in, at],
            )?;
            Ok(())
        })?;
        Ok(self.pc_settings()?.expect("just written"))
    }

    pub fn record_pc_sync(&mut self, at: &str) -> Result<()> {
        self.write(|s| {
            s.conn.execute("UPDATE pc_settings SET last_sync = ?1 WHERE id = 1", [at])?;
            Ok(())
        })
    }

    /// The book's customers and subscriptions (not the ended ones) as the drift reads them.
    pub fn pc_book(&self) -> Result<(Vec<BookCustomer>, Vec<BookSubscription>)> {
        let mut stmt =
            self.conn.prepare("SELECT id, name, lower(domain), lower(tenant_id) FROM customers WHERE closed_on IS NULL ORDER BY id")?;
        let customers = stmt
            .query_map([], |r| Ok(BookCustomer { id: r.get(0)?, name: r.get(1)?, domain: r.get(2)?, tenant_id: r.get(3)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT id, customer_id, ms_subscription_id, product_id, sku_id, product_title, term, billing, quantity, status, auto_renew, term_end
             FROM subscriptions WHERE status IN ('active', 'suspended') OR ms_subscription_id <> '' ORDER BY id",
        )?;
        let subscriptions = stmt
            .query_map([], |r| {
                Ok(BookSubscription {
                    id: r.get(0)?,
                    customer_id: r.get(1)?,
                    ms_subscription_id: r.get(2)?,
                    product: crate::catalogue::ProductKey::new(&r.get::<_, String>(3)?, &r.get::<_, String>(4)?),
                    product_title: r.get(5)?,
                    term: super::col::parse_with(r, 6, |s| crate::catalogue::Term::parse(s, "").ok())?,
                    billing: super::col::parse_with(r, 7, |s| crate::catalogue::BillingPlan::parse(s, "").ok())?,
                    quantity: r.get(8)?,
                    status: r.get(9)?,
                    auto_renew: r.get(10)?,
                    term_end: super::col::date(r, 11)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((customers, subscriptions))
    }
}

/// One change in the Partner Center outbox (`pc outbox`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PcOutboxEntry {
    pub id: i64,
    pub action: String,
    pub customer_id: i64,
    /// None for a change to the customer itself (made at Microsoft, its billing profile).
    pub subscription_id: Option<i64>,
    pub tenant_id: String,
    pub ms_subscription_id: String,
    /// `waiting` (not yet answered), `accepted` (Microsoft took it and finishes it later),
    /// `done`, `refused` (undone in the book).
    pub state: String,
    pub attempts: i64,
    pub ms_request_id: String,
    pub last_error: String,
    /// Microsoft's code, when it refused.
    pub ms_code: String,
    /// What is asked of Microsoft, in words.
    pub what: String,
    pub created_at: String,
    pub next_attempt_at: String,
    pub finished_at: Option<String>,
    /// What Microsoft answered, once it did.
    pub answer: Option<crate::pc::provision::Answer>,
    /// A purchase: the cart made for it and Microsoft's order.
    pub ms_cart_id: String,
    pub ms_order_id: String,
    #[serde(skip)]
    pub change: String,
    #[serde(skip)]
    pub event_id: Option<i64>,
}

/// A change to send, written with the change itself.
#[derive(Debug, Clone)]
pub struct NewOutgoing<'a> {
    pub action: crate::pc::provision::Action,
    pub before: &'a crate::subscription::Subscription,
    pub change: crate::pc::provision::Change,
    pub tenant_id: String,
    pub ms_request_id: String,
    pub created_at: &'a str,
    /// Sent for the change the book just made (its latest event); `false` for the book's value
    /// pushed as it is (nothing to undo should Microsoft refuse).
    pub for_event: bool,
}

/// A change to a customer to send (made at Microsoft, or its billing profile), written with the
/// change itself.
#[derive(Debug, Clone)]
pub struct NewCustomerOutgoing<'a> {
    pub action: crate::pc::provision::Action,
    pub customer_id: i64,
    /// Empty for a customer still to be made.
    pub tenant_id: &'a str,
    pub change: crate::pc::provision::Change,
    /// For a billing profile, the customer before and after the change (`ProfileEdit`).
    pub before: String,
    pub ms_request_id: String,
    pub created_at: &'a str,
}

/// The entry's columns, from `pc_outbox o LEFT JOIN subscriptions s`: a purchase learns its Microsoft
/// subscription id after it was written, so the subscription's is shown.
const OUTBOX_COLUMNS: &str = "o.id, o.action, o.customer_id, o.subscription_id, o.tenant_id,
    CASE WHEN o.ms_subscription_id <> '' THEN o.ms_subscription_id ELSE coalesce(s.ms_subscription_id, '') END, o.state, o.attempts,
    o.ms_request_id, o.last_error, o.ms_code, o.change, o.created_at, o.next_attempt_at, o.finished_at, o.answer, o.event_id,
    o.ms_cart_id, o.ms_order_id";
const OUTBOX_FROM: &str = "pc_outbox o LEFT JOIN subscriptions s ON s.id = o.subscription_id";

fn outbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PcOutboxEntry> {
    let change: String = r.get(11)?;
    let answer: String = r.get(15)?;
    Ok(PcOutboxEntry {
        id: r.get(0)?,
        action: r.get(1)?,
        customer_id: r.get(2)?,
        subscription_id: r.get(3)?,
        tenant_id: r.get(4)?,
        ms_subscription_id: r.get(5)?,
        state: r.get(6)?,
        attempts: r.get(7)?,
        ms_request_id: r.get(8)?,
        last_error: r.get(9)?,
        ms_code: r.get(10)?,
        what: crate::pc::provision::Change::decode(&change).map(|c| c.describe()).unwrap_or_default(),
        change,
        created_at: r.get(12)?,
        next_attempt_at: r.get(13)?,
        finished_at: r.get(14)?,
        answer: crate::pc::provision::Answer::decode(&answer),
        event_id: r.get(16)?,
        ms_cart_id: r.get(17)?,
        ms_order_id: r.get(18)?,
    })
}

impl Store {
    /// Write a change's outbox entry: call inside the transaction that made the change (its
    /// event is the subscription's latest).
    pub fn enqueue_pc_change(&mut self, out: &NewOutgoing<'_>) -> Result<i64> {
        self.write(|s| {
            let sub = out.before;
            let event_id: Option<i64> = if out.for_event {
                s.conn.query_row("SELECT max(id) FROM subscription_events WHERE subscription_id = ?1", [sub.id], |r| r.get(0))?
            } else {
                None
            };
            s.conn.execute(
                "INSERT INTO pc_outbox (action, customer_id, subscription_id, tenant_id, ms_subscription_id, event_id, change, before,
                    ms_request_id, state, created_at, next_attempt_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'waiting', ?10, ?10)",
                params![
                    out.action.as_str(),
                    sub.customer_id,
                    sub.id,
                    out.tenant_id,
                    sub.ms_subscription_id,
                    event_id,
                    out.change.encode(),
                    crate::pc::provision::Before::of(sub).encode(),
                    out.ms_request_id,
                    out.created_at
                ],
            )?;
            Ok(s.conn.last_insert_rowid())
        })
    }

    /// Write a change to a customer's outbox entry: call inside the transaction that made the
    /// change.
    pub fn enqueue_pc_customer_change(&mut self, out: &NewCustomerOutgoing<'_>) -> Result<i64> {
        self.write(|s| {
            s.conn.execute(
                "INSERT INTO pc_outbox (action, customer_id, subscription_id, tenant_id, ms_subscription_id, change, before,
                    ms_request_id, state, created_at, next_attempt_at)
                 VALUES (?1, ?2, NULL, ?3, '', ?4, ?5, ?6, 'waiting', ?7, ?7)",
                params![
                    out.action.as_str(),
                    out.customer_id,
                    out.tenant_id,
                    out.change.encode(),
                    out.before,
                    out.ms_request_id,
                    out.created_at
                ],
            )?;
            Ok(s.conn.last_insert_rowid())
        })
    }

    /// A customer's own changes Microsoft has not finished (made at Microsoft, billing profile).
    pub fn pc_customer_open_entries(&self, customer_id: i64) -> Result<Vec<PcOutboxEntry>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM {OUTBOX_FROM}
             WHERE o.customer_id = ?1 AND o.subscription_id IS NULL AND o.state IN ('waiting', 'accepted') ORDER BY o.id"
        ))?;
        let rows = stmt.query_map([customer_id], outbox_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Microsoft made the customer of a `customer` entry: the book's customer is linked to the
    /// tenant (and its domain), and, once the agreement is attested too (`agreement`), the entry
    /// is done and the agreement kept; else it stays accepted until the agreement is attested.
    pub fn pc_customer_made(&mut self, id: i64, tenant: &str, domain: &str, agreement: Option<&PcAgreement>, at: &str) -> Result<()> {
        let entry = self.pc_outbox_entry(id)?;
        self.atomically(|s| {
            let c = s.customer(entry.customer_id)?;
            if c.tenant_id.trim().is_empty() {
                let fields = crate::customer::CustomerFields {
                    tenant_id: Some(tenant.to_string()),
                    domain: Some(domain.to_string()),
                    ..Default::default()
                };
                s.update_customer(entry.customer_id, &fields)?;
            }
            if let Some(a) = agreement {
                if s.pc_agreement(entry.customer_id)?.is_none() {
                    s.record_pc_agreement(a)?;
                }
            }
            s.pc_outbox_answered(id, agreement.is_some(), None, at)
        })
    }

    /// The outbox: with `open_only`, what still waits for Microsoft (waiting or accepted), in
    /// the order it is sent; else every entry, the latest first.
    pub fn pc_outbox(&self, open_only: bool) -> Result<Vec<PcOutboxEntry>> {
        let sql = if open_only {
            format!("SELECT {OUTBOX_COLUMNS} FROM {OUTBOX_FROM} WHERE o.state IN ('waiting', 'accepted') ORDER BY o.id")
        } else {
            format!("SELECT {OUTBOX_COLUMNS} FROM {OUTBOX_FROM} ORDER BY o.id DESC")
        };
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], outbox_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// A subscription's changes Microsoft has not finished.
    pub fn pc_open_entries(&self, subscription_id: i64) -> Result<Vec<PcOutboxEntry>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {OUTBOX_COLUMNS} FROM {OUTBOX_FROM} WHERE o.subscription_id = ?1 AND o.state IN ('waiting', 'accepted') ORDER BY o.id"
        ))?;
        let rows = stmt.query_map([subscription_id], outbox_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn pc_outbox_entry(&self, id: i64) -> Result<PcOutboxEntry> {
        self.conn
            .query_row(&format!("SELECT {OUTBOX_COLUMNS} FROM {OUTBOX_FROM} WHERE o.id = ?1"), [id], outbox_row)
            .optional()?
            .ok_or_else(|| crate::Error::not_found(format!("outbox entry {id} does not exist")))
    }

    /// Subscriptions with a change Microsoft has not yet taken (shown as pending).
    pub fn pc_pending_subscriptions(&self) -> Result<std::collections::HashSet<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT subscription_id FROM pc_outbox WHERE state = 'waiting' AND subscription_id IS NOT NULL")?;
        let ids = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// A try that did not reach an answer: counted, with why, and when to try again.
    pub fn pc_outbox_not_sent(&mut self, id: i64, why: &str, next_attempt_at: &str) -> Result<()> {
        self.write(|s| {
            s.conn.execute(
                "UPDATE pc_outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 WHERE id = ?1 AND state IN ('waiting', 'accepted')",
                params![id, why, next_attempt_at],
            )?;
            Ok(())
        })
    }

    /// Microsoft took the change: `done` (with its answer), or `accepted` to finish later.
    pub fn pc_outbox_answered(&mut self, id: i64, done: bool, answer: Option<&crate::pc::provision::Answer>, at: &str) -> Result<()> {
        self.write(|s| {
            s.conn.execute(
                "UPDATE pc_outbox SET state = ?2, attempts = attempts + (state = 'waiting'), last_error = '',
                    answer = coalesce(?3, answer), finished_at = CASE WHEN ?2 = 'done' THEN ?4 END
                 WHERE id = ?1",
                params![id, if done { "done" } else { "accepted" }, answer.map(|a| a.encode()), at],
            )?;
            Ok(())
        })
    }

    /// Microsoft refused the change: the entry says why, and the subscription is put back as it
    /// was before the change, by an event the history shows; one transaction.
    /// Returns the subscription as it now is (none for a change to a customer).
    pub fn pc_outbox_refused(
        &mut self,
        id: i64,
        code: &str,
        description: &str,
        at: &str,
    ) -> Result<Option<crate::subscription::Subscription>> {
        let entry = self.pc_outbox_entry(id)?;
        let before: String = self.conn.query_row("SELECT before FROM pc_outbox WHERE id = ?1", [id], |r| r.get(0))?;
        let Some(subscription_id) = entry.subscription_id else {
            return self.pc_customer_refused(&entry, &before, code, description, at).map(|_| None);
        };
        let before = crate::pc::provision::Before::decode(&before)?;
        let why = if code.is_empty() { description.to_string() } else { format!("{code}: {description}") };
        let Some(event_id) = entry.event_id else {
            // The book's value pushed as it was: nothing in the book to undo.
            self.write(|s| {
                s.conn.execute(
                    "UPDATE pc_outbox SET state = 'refused', attempts = attempts + 1, ms_code = ?2, last_error = ?3, finished_at = ?4
                     WHERE id = ?1",
                    params![id, code, description, at],
                )?;
                Ok(())
            })?;
            return self.subscription(subscription_id).map(Some);
        };
        self.write(|s| {
            let mut sub = s.subscription(subscription_id)?;
            let effective = s.event_effective(event_id)?;
            let what = if entry.action == "purchase" {
                // Not bought: the subscription ends where it began, and nothing of it is billed.
                sub.status = crate::subscription::Status::Cancelled;
                sub.auto_renew = false;
                sub.ended_on = Some(effective);
                sub.scheduled = crate::subscription::RenewalChanges::default();
                format!("Microsoft refused the purchase ({why}); nothing was bought")
            } else {
                before.restore(&mut sub)?;
                format!("Microsoft refused {} ({why}); the subscription is as it was before", entry.what)
            };
            s.record(&sub, crate::subscription::EventKind::RefusedByMicrosoft, effective, at, 0, what)?;
            let undo = s.conn.last_insert_rowid();
            s.conn.execute(
                "UPDATE pc_outbox SET state = 'refused', attempts = attempts + 1, ms_code = ?2, last_error = ?3, finished_at = ?4,
                    undo_event_id = ?5 WHERE id = ?1",
                params![id, code, description, at, undo],
            )?;
            Ok(Some(sub))
        })
    }

    /// Microsoft refused a change to a customer: a new customer stays unmade (the book's
    /// customer is as it was, unlinked); a billing profile's fields are put back in the book
    /// where they still hold what was sent (one transaction).
    fn pc_customer_refused(&mut self, entry: &PcOutboxEntry, before: &str, code: &str, description: &str, at: &str) -> Result<()> {
        use crate::pc::provision::{CustomerBefore, ProfileEdit};
        self.atomically(|s| {
            if entry.action == "billing_profile" {
                let edit = ProfileEdit::decode(before)?;
                let now = CustomerBefore::of(&s.customer(entry.customer_id)?);
                let back = edit.before.restore(&now, &edit.after);
                if back != crate::customer::CustomerFields::default() {
                    s.update_customer(entry.customer_id, &back)?;
                }
            }
            s.write(|t| {
                t.conn.execute(
                    "UPDATE pc_outbox SET state = 'refused', attempts = attempts + 1, ms_code = ?2, last_error = ?3, finished_at = ?4
                     WHERE id = ?1",
                    params![entry.id, code, description, at],
                )?;
                Ok(())
            })
        })
    }

    /// A purchase's cart, made before it is checked out (empty: make a new one).
    pub fn pc_outbox_cart(&mut self, id: i64, cart_id: &str) -> Result<()> {
        self.write(|s| {
            s.conn.execute("UPDATE pc_outbox SET ms_cart_id = ?2 WHERE id = ?1", params![id, cart_id])?;
            Ok(())
        })
    }

    /// Microsoft took a purchase: its order, and once provisioned the new subscription's id,
    /// kept on the book's subscription (done); until then the entry is `accepted`.
    pub fn pc_outbox_ordered(&mut self, id: i64, order_id: &str, ms_subscription_id: Option<&str>, at: &str) -> Result<()> {
        let entry = self.pc_outbox_entry(id)?;
        self.atomically(|s| {
            s.write(|t| {
                t.conn.execute("UPDATE pc_outbox SET ms_order_id = ?2 WHERE id = ?1", params![id, order_id])?;
                Ok(())
            })?;
            if let (Some(ms), Some(sub)) = (ms_subscription_id, entry.subscription_id) {
                if s.subscription(sub)?.ms_subscription_id.is_empty() {
                    s.attach_ms_subscription_id(sub, ms)?;
                }
            }
            s.pc_outbox_answered(id, ms_subscription_id.is_some(), None, at)
        })
    }

    fn event_effective(&self, event_id: i64) -> Result<chrono::NaiveDate> {
        Ok(self.conn.query_row("SELECT effective FROM subscription_events WHERE id = ?1", [event_id], |r| super::col::date(r, 0))?)
    }

    /// Events billing leaves out: changes waiting for Microsoft (with what follows them) and
    /// changes Microsoft refused.
    pub(crate) fn pc_unbillable_events(&self) -> Result<(std::collections::HashSet<i64>, std::collections::HashSet<i64>)> {
        let mut stmt =
            self.conn.prepare("SELECT event_id, state FROM pc_outbox WHERE state IN ('waiting', 'refused') AND event_id IS NOT NULL")?;
        let (mut waiting, mut refused) = (std::collections::HashSet::new(), std::collections::HashSet::new());
        for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
            let (id, state) = row?;
            if state == "waiting" {
                waiting.insert(id);
            } else {
                refused.insert(id);
            }
        }
        Ok((waiting, refused))
    }
}

/// The Microsoft Customer Agreement as the partner attested it for a customer Seatbook made at
/// Microsoft.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PcAgreement {
    pub customer_id: i64,
    pub tenant_id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub date_agreed: String,
    pub template_id: String,
    pub recorded_at: String,
}

impl Store {
    pub fn pc_agreement(&self, customer_id: i64) -> Result<Option<PcAgreement>> {
        Ok(self
            .conn
            .query_row(
                "SELECT customer_id, tenant_id, first_name, last_name, email, phone, date_agreed, template_id, recorded_at
                 FROM pc_agreements WHERE customer_id = ?1",
                [customer_id],
                |r| {
                    Ok(PcAgreement {
                        customer_id: r.get(0)?,
                        tenant_id: r.get(1)?,
                        first_name: r.get(2)?,
                        last_name: r.get(3)?,
                        email: r.get(4)?,
                        phone: r.get(5)?,
                        date_agreed: r.get(6)?,
                        template_id: r.get(7)?,
                        recorded_at: r.get(8)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn record_pc_agreement(&mut self, a: &PcAgreement) -> Result<()> {
        self.write(|s| {
            s.conn.execute(
                "INSERT INTO pc_agreements (customer_id, tenant_id, first_name, last_name, email, phone, date_agreed, template_id, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![a.customer_id, a.tenant_id, a.first_name, a.last_name, a.email, a.phone, a.date_agreed, a.template_id, a.recorded_at],
            )?;
            Ok(())
        })
    }
}

/// A sync under way, as kept: when Microsoft's customers were listed, and each customer (JSON)
/// with its subscriptions (JSON) once read.
pub struct SyncUnderWay {
    pub listed_at: String,
    pub customers: Vec<(String, Option<String>)>,
}

impl Store {
    /// The sync under way, if one was cut off.
    pub fn pc_sync_unfinished(&self) -> Result<Option<SyncUnderWay>> {
        let mut stmt = self.conn.prepare("SELECT listed_at, customer, subscriptions FROM pc_sync_read ORDER BY position")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let Some(listed_at) = rows.first().map(|r| r.0.clone()) else { return Ok(None) };
        Ok(Some(SyncUnderWay { listed_at, customers: rows.into_iter().map(|(_, c, s)| (c, s)).collect() }))
    }

    /// A sync starts: Microsoft's customers as listed (tenant id, JSON), in its order.
    pub fn pc_sync_listed(&mut self, customers: &[(String, String)], at: &str) -> Result<()> {
        self.write(|s| {
            s.conn.execute("DELETE FROM pc_sync_read", [])?;
            let mut stmt = s.conn.prepare("INSERT INTO pc_sync_read (position, tenant_id, customer, listed_at) VALUES (?1, ?2, ?3, ?4)")?;
            for (i, (tenant, json)) in customers.iter().enumerate() {
                stmt.execute(params![i as i64, tenant, json, at])?;
            }
            Ok(())
        })
    }

    /// One customer's subscriptions read (JSON).
    pub fn pc_sync_read_one(&mut self, position: usize, subscriptions: &str) -> Result<()> {
        self.write(|s| {
            s.conn.execute("UPDATE pc_sync_read SET subscriptions = ?2 WHERE position = ?1", params![position as i64, subscriptions])?;
            Ok(())
        })
    }

    /// The sync is done: nothing of it is kept.
    pub fn pc_sync_clear(&mut self) -> Result<()> {
        self.write(|s| {
            s.conn.execute("DELETE FROM pc_sync_read", [])?;
            Ok(())
        })
    }
}
