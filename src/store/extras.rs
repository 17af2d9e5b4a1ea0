//! The reseller's own billable items in the database: one-off charges, monthly services (flat or
//! per seat) and instalment plans. The billing run bills them with the licences.

use super::{col, Store};
use crate::billing::{Charge, InstalmentPlan, Service, ServiceBasis};
use crate::error::{Error, Result};
use crate::money::Currency;
use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Row};
use rust_decimal::Decimal;

pub(super) fn charge_from_row(r: &Row) -> rusqlite::Result<Charge> {
    Ok(Charge {
        id: r.get("id")?,
        customer_id: r.get("customer_id")?,
        date: col::date(r, "date")?,
        description: r.get("description")?,
        quantity: col::dec(r, "quantity")?,
        unit_price: col::dec(r, "unit_price")?,
        currency: col::currency(r, "currency")?,
    })
}

pub(super) fn service_from_row(r: &Row) -> rusqlite::Result<Service> {
    Ok(Service {
        id: r.get("id")?,
        customer_id: r.get("customer_id")?,
        description: r.get("description")?,
        basis: col::parse_with(r, "basis", |s| match s {
            "flat" => Some(ServiceBasis::Flat),
            "per-seat" => Some(ServiceBasis::PerSeat),
            _ => None,
        })?,
        subscription_id: r.get("subscription_id")?,
        amount: col::dec(r, "amount")?,
        currency: col::currency(r, "currency")?,
        start: col::date(r, "start")?,
        end: col::opt_date(r, "end")?,
    })
}

pub(super) fn plan_from_row(r: &Row) -> rusqlite::Result<InstalmentPlan> {
    Ok(InstalmentPlan {
        id: r.get("id")?,
        customer_id: r.get("customer_id")?,
        description: r.get("description")?,
        total: col::dec(r, "total")?,
        currency: col::currency(r, "currency")?,
        count: r.get("count")?,
        start: col::date(r, "start")?,
    })
}

impl Store {
    pub fn add_charge(
        &mut self,
        customer_id: i64,
        date: NaiveDate,
        description: &str,
        quantity: Decimal,
        unit_price: Decimal,
        currency: Option<Currency>,
    ) -> Result<Charge> {
        let c = self.check_customer_open(customer_id)?;
        let description = crate::customer::plain_text(description, "description", 500, false)?;
        let description = description.as_str();
        if description.is_empty() {
            return Err(Error::invalid("description", "a description is required"));
        }
        if quantity <= Decimal::ZERO {
            return Err(Error::invalid("quantity", "the quantity must be more than zero"));
        }
        // Each is below a trillion; so must their product be, the line an invoice will carry.
        let limit = Decimal::from(crate::money::AMOUNT_LIMIT);
        if quantity.checked_mul(unit_price).is_none_or(|t| t.abs() >= limit) {
            return Err(Error::bad_value(
                "amount",
                format!("{quantity} × {unit_price} is out of range (the charge must come to less than a trillion)"),
            ));
        }
        let currency = currency.unwrap_or(c.currency);
        let id = self.write(|s| {
            s.conn.execute(
                "INSERT INTO charges (customer_id, date, description, quantity, unit_price, currency) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![customer_id, date.to_string(), description, quantity.to_string(), unit_price.to_string(), currency.code()],
            )?;
            Ok(s.conn.last_insert_rowid())
        })?;
        Ok(Charge { id, customer_id, date, description: description.to_string(), quantity, unit_price, currency })
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add_service(
        &mut self,
        customer_id: i64,
        description: &str,
        basis: ServiceBasis,
        subscription_id: Option<i64>,
        amount: Decimal,
        currency: Option<Currency>,
        start: NaiveDate,
    ) -> Result<Service> {
        let c = self.check_customer_open(customer_id)?;
        let description = crate::customer::plain_text(description, "description", 500, false)?;
        let description = description.as_str();
        if description.is_empty() {
            return Err(Error::invalid("description", "a description is required"));
        }
        match (basis, subscription_id) {
            (ServiceBasis::PerSeat, None) => {
                return Err(Error::invalid("per_seat_of", "a per-seat fee needs the subscription whose seats it counts"))
            }
            (ServiceBasis::PerSeat, Some(id)) => {
                let sub = self.subscription(id)?;
                if sub.customer_id != customer_id {
                    return Err(Error::invalid("per_seat_of", format!("subscription {id} belongs to another customer")));
                }
            }
            _ => {}
        }
        let currency = currency.unwrap_or(c.currency);
        let id = self.write(|s| {
            s.conn.execute(
                "INSERT INTO services (customer_id, description, basis, subscription_id, amount, currency, start) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![customer_id, description, basis.as_str(), subscription_id, amount.to_string(), currency.code(), start.to_string()],
            )?;
            Ok(s.conn.last_insert_rowid())
        })?;
        self.service(id)
    }

    pub fn service(&self, id: i64) -> Result<Service> {
        self.conn
            .query_row("SELECT * FROM services WHERE id = ?1", [id], service_from_row)
            .optional()?
            .ok_or_else(|| Error::not_found(format!("there is no service {id}")).with_field("id"))
    }

    /// End a recurring service: `last_day` is its last day of service.
    pub fn end_service(&mut self, id: i64, last_day: NaiveDate) -> Result<Service> {
        let s0 = self.service(id)?;
        if let Some(end) = s0.end {
            return Err(Error::refused(format!("service {id} already ended on {end}")));
        }
        if last_day < s0.start {
            return Err(Error::invalid("on", format!("service {id} starts on {}; it cannot end before that", s0.start)));
        }
        self.write(|s| {
            s.conn.execute("UPDATE services SET end = ?2 WHERE id = ?1", params![id, last_day.to_string()])?;
            Ok(())
        })?;
        self.service(id)
    }

    pub fn add_instalments(
        &mut self,
        customer_id: i64,
        description: &str,
        total: Decimal,
        count: u32,
        start: NaiveDate,
        currency: Option<Currency>,
    ) -> Result<InstalmentPlan> {
        let c = self.check_customer_open(customer_id)?;
        crate::billing::services::check_count(count)?;
        let description = crate::customer::plain_text(description, "description", 500, false)?;
        let description = description.as_str();
        if description.is_empty() {
            return Err(Error::invalid("description", "a description is required"));
        }
        if total <= Decimal::ZERO {
            return Err(Error::invalid("total", "the total must be more than zero"));
        }
        let currency = currency.unwrap_or(c.currency);
        let id = self.write(|s| {
            s.conn.execute(
                "INSERT INTO instalment_plans (customer_id, description, total, currency, count, start) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![customer_id, description, total.to_string(), currency.code(), count, start.to_string()],
            )?;
            Ok(s.conn.last_insert_rowid())
        })?;
        Ok(InstalmentPlan { id, customer_id, description: description.to_string(), total, currency, count, start })
    }
}
