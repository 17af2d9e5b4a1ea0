//! Calendar arithmetic used by every rule: month arithmetic clamped to the month's length
//! (Microsoft: 31 Jan + 1 month = 28 Feb), and parsing of the date forms users and Microsoft's
//! files use. The core never reads the clock: "today" is always a parameter.

use crate::error::{Error, Result};
use chrono::{Datelike, Months, NaiveDate};

/// `date + months`, clamped to the last day of the resulting month.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months)).expect("date within chrono's range")
}

pub fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    date + chrono::Duration::days(days)
}

/// Days from `from` to `to`, both included.
pub fn days_inclusive(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days() + 1
}

pub fn month_end(date: NaiveDate) -> NaiveDate {
    let first_next = add_months(NaiveDate::from_ymd_opt(date.year(), date.month(), 1).unwrap(), 1);
    first_next.pred_opt().unwrap()
}

/// The years a date in the book may have. Terms, due dates and renewals are computed from the
/// dates typed, so a year near 9999 would poison the book with dates SQLite and the fronts cannot
/// write back; no reseller bills outside these.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2999;

fn in_years(d: NaiveDate, field: &str, t: &str) -> Result<NaiveDate> {
    if YEARS.contains(&d.year()) {
        Ok(d)
    } else {
        Err(Error::bad_value(field, format!("'{t}' is out of range (years {} to {})", YEARS.start(), YEARS.end())))
    }
}

/// A date as users type it: `YYYY-MM-DD`, in `YEARS`.
pub fn parse_date(s: &str, field: &str) -> Result<NaiveDate> {
    let t = s.trim();
    let d = NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .filter(|_| t.len() == 10)
        .ok_or_else(|| Error::bad_value(field, format!("'{t}' is not a date (use YYYY-MM-DD)")))?;
    in_years(d, field, t)
}

/// A month as `YYYY-MM`, returned as its first day.
pub fn parse_month(s: &str, field: &str) -> Result<NaiveDate> {
    let t = s.trim();
    let d = NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| t.len() == 7)
        .ok_or_else(|| Error::bad_value(field, format!("'{t}' is not a month (use YYYY-MM)")))?;
    in_years(d, field, t)
}

/// A date from Microsoft's price list. Three forms occur (DOMAIN §2): `2/1/2019 12:00:00 AM`,
/// `2/1/2023 0:00` (US month/day order) and `2021-10-01T00:00:00.0000000Z`. Only the date part
/// matters. Year 9999 means open-ended and gives `Ok(None)`.
pub fn parse_pricelist_date(s: &str) -> std::result::Result<Option<NaiveDate>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let date_part = t.split([' ', 'T']).next().unwrap_or("");
    let parsed = if date_part.contains('/') {
        let parts: Vec<&str> = date_part.split('/').collect();
        if parts.len() != 3 {
            return Err(format!("'{t}' is not a date"));
        }
        let num = |p: &str| p.parse::<u32>().map_err(|_| format!("'{t}' is not a date"));
        let (m, d, y) = (num(parts[0])?, num(parts[1])?, num(parts[2])? as i32);
        if y == 9999 {
            return Ok(None);
        }
        NaiveDate::from_ymd_opt(y, m, d)
    } else {
        if date_part.starts_with("9999") {
            return Ok(None);
        }
        NaiveDate::parse_from_str(date_part, "%Y-%m-%d").ok()
    };
    let d = parsed.ok_or_else(|| format!("'{t}' is not a date (expected M/D/YYYY or YYYY-MM-DD)"))?;
    if !YEARS.contains(&d.year()) {
        return Err(format!("'{t}' is out of range (years {} to {}, or 9999 for no end)", YEARS.start(), YEARS.end()));
    }
    Ok(Some(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn months_clamp_to_month_length() {
        assert_eq!(add_months(ymd(2021, 1, 31), 1), ymd(2021, 2, 28));
        assert_eq!(add_months(ymd(2024, 1, 31), 1), ymd(2024, 2, 29));
        assert_eq!(add_months(ymd(2021, 1, 31), 3), ymd(2021, 4, 30));
        assert_eq!(add_months(ymd(2024, 2, 29), 12), ymd(2025, 2, 28));
        assert_eq!(month_end(ymd(2024, 2, 10)), ymd(2024, 2, 29));
        assert_eq!(days_inclusive(ymd(2021, 6, 20), ymd(2021, 7, 17)), 28);
    }

    #[test]
    fn pricelist_dates_in_all_three_forms() {
        assert_eq!(parse_pricelist_date("2/1/2019 12:00:00 AM"), Ok(Some(ymd(2019, 2, 1))));
        assert_eq!(parse_pricelist_date("2/1/2023 0:00"), Ok(Some(ymd(2023, 2, 1))));
        assert_eq!(parse_pricelist_date("2021-10-01T00:00:00.0000000Z"), Ok(Some(ymd(2021, 10, 1))));
        assert_eq!(parse_pricelist_date("12/31/9999 11:59:59 PM"), Ok(None));
        assert_eq!(parse_pricelist_date("9999-12-31T23:59:59Z"), Ok(None));
        assert!(parse_pricelist_date("31/12/2023").is_err());
        assert!(parse_pricelist_date("soon").is_err());
    }

    #[test]
    fn user_dates_are_strict() {
        assert_eq!(parse_date("2026-02-28", "on").unwrap(), ymd(2026, 2, 28));
        let e = parse_date("2026-02-30", "on").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("on"));
        assert!(parse_date("28/02/2026", "start").is_err());
        assert_eq!(parse_month("2026-11", "month").unwrap(), ymd(2026, 11, 1));
        for bad in ["9999-12-31", "1899-12-31", "3000-01-01"] {
            let e = parse_date(bad, "date").unwrap_err();
            assert!(e.message.contains("out of range (years 1900 to 2999)") && e.field.as_deref() == Some("date"), "{bad}");
        }
        assert!(parse_month("9999-12", "month").is_err());
        assert!(parse_pricelist_date("12/31/99999").is_err());
        assert!(parse_pricelist_date("12/31/3000").unwrap_err().contains("out of range"));
    }
}
