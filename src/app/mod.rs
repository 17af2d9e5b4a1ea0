//! The actions: one function per thing a user does, called by both fronts (the `seatbook`
//! command line and the desktop shell). Each takes what the user typed (strings, as a form or a
//! flag holds them) and today's date, parses it into the core's values, asks the rules, has the
//! store load and record, and returns a view that either front prints or shows. A front never
//! runs a workflow of its own, so the two cannot disagree.
//!
//! Errors name fields neutrally (`quantity`, `vat_rate`, `line 4`) and carry hints as data; the
//! command line maps the keys to its flags, the window to its inputs.

pub mod backups;
pub mod billing;
pub mod books;
pub mod catalogue;
pub mod company;
pub mod customers;
/// Files the user names (the core's `files`, here too for the fronts).
pub use crate::files;
pub mod mail;
mod memo;
pub mod pc;
pub mod provision;
mod reach;
pub mod receivables;
pub mod recon;
pub mod reports;
pub mod statements;
pub mod subscriptions;
pub mod usage;

use crate::{Error, Result};
use chrono::NaiveDate;

/// The book, and the views the actions return, as the fronts name them: a front reaches the
/// book only through `app`.
pub use crate::store::{
    resolve_db_path, Account, AgingReport, BillingRun, CreditNoteView, CreditStop, Dashboard, MrrRow, PaymentView, PriceQuote, ReconImport,
    Reminder, RenewalDue, RenewalReport, SentReminder, Statement, Store, SubscriptionView,
};

/// Open the book at `path`: migrated to this version, refused when it is not Seatbook's or was
/// written by a newer one.
pub fn open(path: &std::path::Path) -> Result<Store> {
    Store::open(path)
}

/// Another connection to a book `open` opened, for reading only: reads on it run beside the
/// book's own (a list or a report beside a change), each seeing the book as last committed.
pub fn open_reader(path: &std::path::Path) -> Result<Store> {
    Store::open_read_only(path)
}

/// The two readings of the clock a front takes once per action: the core never reads it.
#[derive(Debug, Clone)]
pub struct Clock {
    /// Today, in the user's time zone.
    pub today: NaiveDate,
    /// The moment, as an RFC 3339 UTC timestamp (`2026-11-24T09:00:00Z`), for "recorded at".
    pub now: String,
}

impl Clock {
    pub fn new(today: NaiveDate, now: impl Into<String>) -> Clock {
        Clock { today, now: now.into() }
    }

    /// The clock as a front reads it from the machine (`local_today`, `utc_now`); with `today`
    /// given (act as if today were that day), the moment is that day at the machine's time of
    /// day, so what is stamped ("recorded", "last compared") agrees with the day acted on.
    pub fn reading(today: Option<NaiveDate>, local_today: NaiveDate, utc_now: chrono::DateTime<chrono::Utc>) -> Clock {
        let now = match today {
            Some(day) => day.and_time(utc_now.time()),
            None => utc_now.naive_utc(),
        };
        Clock { today: today.unwrap_or(local_today), now: now.format("%Y-%m-%dT%H:%M:%SZ").to_string() }
    }
}

/// `None` for a field left empty.
pub fn given(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|v| !v.is_empty())
}

/// A date (`YYYY-MM-DD`), or `default` when left empty.
pub fn date_or(s: Option<&str>, field: &str, default: NaiveDate) -> Result<NaiveDate> {
    match given(s) {
        Some(v) => crate::dates::parse_date(v, field),
        None => Ok(default),
    }
}

/// A date that must be given.
pub fn date(s: Option<&str>, field: &str) -> Result<NaiveDate> {
    match given(s) {
        Some(v) => crate::dates::parse_date(v, field),
        None => Err(Error::invalid(field, "a date is required (YYYY-MM-DD)")),
    }
}

/// A whole number (of seats, days, instalments) that must be given.
pub fn whole(s: &str, field: &str) -> Result<u32> {
    let t = s.trim();
    if t.is_empty() {
        return Err(Error::invalid(field, "a whole number is required"));
    }
    let n = t.parse::<u32>().map_err(|_| Error::bad_value(field, format!("'{t}' is not a whole number")))?;
    if n > WHOLE_LIMIT {
        return Err(Error::bad_value(field, format!("{n} is out of range (at most {WHOLE_LIMIT})")));
    }
    Ok(n)
}

/// Seats, days and counts typed are at most a million.
pub const WHOLE_LIMIT: u32 = 1_000_000;

/// A month as `YYYY-MM`, or a date (`YYYY-MM-DD`) in it; its first day.
pub fn month(s: &str, field: &str) -> Result<NaiveDate> {
    let t = s.trim();
    if t.len() == 10 {
        let d = crate::dates::parse_date(t, field)?;
        return Ok(d.with_day0(0).unwrap_or(d));
    }
    crate::dates::parse_month(t, field)
}

use chrono::Datelike;

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn typed_values() {
        let today = day("2026-11-24");
        assert_eq!(date_or(Some(" "), "on", today).unwrap(), today);
        let e = date_or(Some("24/11/2026"), "on", today).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (crate::ErrorCode::InvalidInput, Some("on")));
        assert_eq!(date(Some(""), "start").unwrap_err().field.as_deref(), Some("start"));
        assert_eq!(whole(" 12 ", "quantity").unwrap(), 12);
        assert_eq!(whole("-1", "quantity").unwrap_err().field.as_deref(), Some("quantity"));
        assert!(whole("1000001", "quantity").unwrap_err().message.contains("out of range"));
        assert_eq!(given(Some("  ")), None);
        assert_eq!(month("2026-03", "from").unwrap(), day("2026-03-01"));
        assert_eq!(month("2026-03-17", "from").unwrap(), day("2026-03-01"));
        assert!(month("2026-3", "from").is_err());
    }

    #[test]
    fn acting_as_if_today_were_another_day_stamps_that_day() {
        let machine = chrono::DateTime::parse_from_rfc3339("2026-12-02T18:45:10Z").unwrap().with_timezone(&chrono::Utc);
        let c = Clock::reading(None, day("2026-12-02"), machine);
        assert_eq!((c.today, c.now.as_str()), (day("2026-12-02"), "2026-12-02T18:45:10Z"));
        let c = Clock::reading(Some(day("2026-03-10")), day("2026-12-02"), machine);
        assert_eq!((c.today, c.now.as_str()), (day("2026-03-10"), "2026-03-10T18:45:10Z"));
    }
}
