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
