//! The reports, with one set of defaults for both fronts: the months up to today (the last
//! twelve), as of today, renewals within the dashboard's horizon, margin by customer. The
//! command line's `--csv` and the app's Export CSV are the same table, byte for byte.

use super::memo::BookMemo;
use super::{date_or, given, month};
use crate::dates::{add_months, month_end};
use crate::report_table::{check_name, Report, ReportTable};
use crate::store::{AgingReport, AzureRow, ChurnRow, ExposureRow, MarginRow, MrrRow, RenewalDue, RevenueRow, Store, RENEWAL_HORIZON_DAYS};
use crate::{Error, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A report's filters as typed; each report reads the ones it needs, and an empty one takes the
/// default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReportRequest {
    /// The first month, `YYYY-MM` or any day in it (default: eleven months before `to`'s).
    pub from: Option<String>,
    /// The last month, `YYYY-MM` or any day in it (default: this month, up to today). A month
    /// is measured at its end; this month, when it is the last, up to today.
    pub to: Option<String>,
    /// The day of aging, renewals and exposure (default today).
    pub as_of: Option<String>,
    /// Renewals: terms ending within this many days (default the dashboard's horizon).
    pub days: Option<String>,
    /// Margin: `customer` (default) or `product`.
    pub by: Option<String>,
}

/// The last day of a month range: `to`'s month end, or today when `to` is this month or not
/// given (a month still running is measured up to today, as the dashboard does).
fn range(r: &ReportRequest, today: NaiveDate) -> Result<(NaiveDate, NaiveDate)> {
    let to = match given(r.to.as_deref()) {
        Some(t) => {
            let first = month(t, "to")?;
            let end = month_end(first);
            if first <= today && today <= end {
                today
            } else {
                end
            }
        }
        None => today,
    };
    let from = match given(r.from.as_deref()) {
        Some(f) => month(f, "from")?,
        None => {
            let first = month(&to.format("%Y-%m").to_string(), "to")?;
            add_months(first, 1).checked_sub_months(chrono::Months::new(12)).unwrap_or(first)
        }
    };
    if from > to {
        return Err(Error::invalid(
            "from",
            format!("the first month ({}) is after the last ({})", from.format("%Y-%m"), to.format("%Y-%m")),
        ));
    }
    Ok((from, to))
}

/// The report `name` (one of `report_table::REPORTS`) for the filters typed.
pub fn query(name: &str, r: &ReportRequest, today: NaiveDate) -> Result<Report> {
    let name = check_name(name, "report")?;
    let as_of = || date_or(r.as_of.as_deref(), "as_of", today);
    Ok(match name {
        "mrr" | "revenue" | "churn" | "azure" => {
            let (from, to) = range(r, today)?;
            match name {
                "mrr" => Report::Mrr { from, to },
                "revenue" => Report::Revenue { from, to },
                "azure" => Report::Azure { from, to },
                _ => Report::Churn { from, to },
            }
        }
        "margin" => {
            let (from, to) = range(r, today)?;
            let by_product = match given(r.by.as_deref()) {
                None | Some("customer") => false,
                Some("product") => true,
                Some(other) => return Err(Error::invalid("by", format!("'{other}' is not a grouping (customer or product)"))),
            };
            Report::Margin { from, to, by_product }
        }
        "aging" => Report::Aging { as_of: as_of()? },
        "renewals" => {
            let days = match given(r.days.as_deref()) {
                Some(d) => super::whole(d, "days")?,
                None => RENEWAL_HORIZON_DAYS,
            };
            Report::Renewals { as_of: as_of()?, days }
        }
        _ => Report::Exposure { as_of: as_of()? },
    })
}

/// A report's rows as the store reads them.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Rows {
    Mrr(Vec<MrrRow>),
    Revenue(Vec<RevenueRow>),
    Margin(Vec<MarginRow>),
    Aging(AgingReport),
    Renewals(Vec<RenewalDue>),
    Exposure(Vec<ExposureRow>),
    Churn(Vec<ChurnRow>),
    Azure(Vec<AzureRow>),
}

pub fn rows(store: &Store, report: &Report) -> Result<Rows> {
    Ok(match *report {
        Report::Mrr { from, to } => Rows::Mrr(store.mrr_by_month(from, to)?),
        Report::Revenue { from, to } => Rows::Revenue(store.revenue_by_month(from, to)?),
        Report::Margin { from, to, by_product } => Rows::Margin(store.margin(from, to, by_product)?),
        Report::Aging { as_of } => Rows::Aging(store.aging(as_of)?),
        Report::Renewals { as_of, days } => Rows::Renewals(store.renewals_ahead(as_of, days)?),
        Report::Exposure { as_of } => Rows::Exposure(store.exposure(as_of)?),
        Report::Churn { from, to } => Rows::Churn(store.churn(from, to)?),
        Report::Azure { from, to } => Rows::Azure(store.azure_report(from, to)?),
    })
}

/// The table of a report's rows (what the app lists and the CSV holds).
pub fn table_of(report: &Report, rows: &Rows) -> ReportTable {
    match (*report, rows) {
        (Report::Mrr { from, to }, Rows::Mrr(r)) => ReportTable::mrr(from, to, r),
        (Report::Revenue { from, to }, Rows::Revenue(r)) => ReportTable::revenue(from, to, r),
        (Report::Margin { from, to, by_product }, Rows::Margin(r)) => ReportTable::margin(from, to, by_product, r),
        (Report::Aging { .. }, Rows::Aging(r)) => ReportTable::aging(r),
        (Report::Renewals { as_of, days }, Rows::Renewals(r)) => ReportTable::renewals(as_of, days, r),
        (Report::Exposure { as_of }, Rows::Exposure(r)) => ReportTable::exposure(as_of, r),
        (Report::Churn { from, to }, Rows::Churn(r)) => ReportTable::churn(from, to, r),
        (Report::Azure { from, to }, Rows::Azure(r)) => ReportTable::azure(from, to, r),
        _ => unreachable!("rows are read for their report"),
    }
}

/// Read a report and make its table.
pub fn make(store: &Store, report: Report) -> Result<ReportTable> {
    Ok(table_of(&report, &rows(store, &report)?))
}

/// A report as a table, from its name and the filters typed.
pub fn table(store: &Store, today: NaiveDate, name: &str, r: &ReportRequest) -> Result<ReportTable> {
    make(store, query(name, r, today)?)
}

/// MRR and ARR by month, for the chart (the same rows as the MRR report).
pub fn mrr(store: &Store, today: NaiveDate, r: &ReportRequest) -> Result<Vec<MrrRow>> {
    let (from, to) = range(r, today)?;
    store.mrr_by_month(from, to)
}

/// What is open by age as of a day (default today), for the chart.
pub fn aging(store: &Store, today: NaiveDate, as_of: Option<&str>) -> Result<AgingReport> {
    store.aging(date_or(as_of, "as_of", today)?)
}

/// How many rows of its long lists the desktop's dashboard shows first (`FIRST` in
/// `ui/js/screens/dashboard.js`): what is read ahead at start and again after a change.
pub const DASHBOARD_FIRST_ROWS: usize = 25;

/// The dashboard's figures as of today; its long lists cut to their first `rows` (all for `None`).
pub fn dashboard(store: &Store, today: NaiveDate, rows: Option<usize>) -> Result<crate::store::Dashboard> {
    store.dashboard(today, rows)
}

/// The dashboard of a book in a file, read on a connection of its own and kept while the book is
/// unchanged and today is the same day (`BookMemo`). A front reads it ahead when it starts, while
/// its window is still being drawn, and shows it again at once when the user comes back to it.
/// What was read with the first rows of its lists shows any fewer; read whole, any number. (The
/// key's last part says whether it is read on both cores.)
pub struct DashboardMemo(BookMemo<(NaiveDate, Option<usize>, bool), crate::store::Dashboard>);

impl DashboardMemo {
    pub fn new(path: &std::path::Path) -> DashboardMemo {
        DashboardMemo(BookMemo::covering(
            path,
            |store, (today, rows, both_cores)| store.dashboard_on(*today, *rows, *both_cores),
            |(kept_day, kept, _), (day, asked, _)| kept_day == day && kept.is_none_or(|kept| asked.is_some_and(|asked| asked <= kept)),
        ))
    }

    /// `dashboard`, read (when it must be) on this thread alone: when the app starts, the other
    /// core starts the window.
    pub fn dashboard_on_one_core(&self, today: NaiveDate, rows: Option<usize>) -> Result<crate::store::Dashboard> {
        self.0.get((today, rows, false), |d| d.copy_first_rows(rows))
    }

    /// Keep nothing more: the book's file was replaced (a restore), which no version shows.
    pub fn forget(&self) {
        self.0.forget()
    }

    /// How many times the book was read for the dashboard.
    pub fn reads(&self) -> usize {
        self.0.reads()
    }

    /// `dashboard` as of `today`, from what is kept when the book has not changed since.
    pub fn dashboard(&self, today: NaiveDate, rows: Option<usize>) -> Result<crate::store::Dashboard> {
        self.0.get((today, rows, true), |d| d.copy_first_rows(rows))
    }

    /// Read the dashboard of `today` again when the book changed since it was read, or the day
    /// did: a front does while nobody waits (on one core, behind what the user asks for), so that
    /// coming back to it takes no reading.
    pub fn refresh(&self, today: NaiveDate) -> Result<()> {
        self.0.get_behind((today, Some(DASHBOARD_FIRST_ROWS), false), |_| ())
    }
}

/// The reports' two charts and the trial balance of a book in a file, each kept while the book
/// is unchanged (`BookMemo`) for the range or day last asked: Reports opens at once when the user
/// comes back to it, or when a front read them ahead while nobody waited.
pub struct ReportsMemo {
    mrr: BookMemo<(NaiveDate, NaiveDate), Vec<MrrRow>>,
    aging: BookMemo<NaiveDate, AgingReport>,
    trial_balance: BookMemo<(), super::books::TrialBalance>,
}

impl ReportsMemo {
    pub fn new(path: &std::path::Path) -> ReportsMemo {
        ReportsMemo {
            mrr: BookMemo::new(path, |store, (from, to)| store.mrr_by_month(*from, *to)),
            aging: BookMemo::new(path, |store, day| store.aging(*day)),
            trial_balance: BookMemo::new(path, |store, ()| super::books::trial_balance(store)),
        }
    }

    /// Keep nothing more: the book's file was replaced (a restore).
    pub fn forget(&self) {
        self.mrr.forget();
        self.aging.forget();
        self.trial_balance.forget();
    }

    /// How many times the book was read for each: MRR, aging, the trial balance.
    pub fn reads(&self) -> (usize, usize, usize) {
        (self.mrr.reads(), self.aging.reads(), self.trial_balance.reads())
    }

    /// Read the two charts again, for the months and the day last asked, when the book changed
    /// since (the trial balance, which reads the whole journal, only when asked).
    pub fn refresh(&self) -> Result<()> {
        self.mrr.refresh()?;
        self.aging.refresh()?;
        Ok(())
    }

    /// Read the two charts as Reports first asks for them (the last 12 months, today), behind
    /// what the user asks for: a front does while nobody waits, so that Reports opens at once.
    pub fn read_ahead(&self, today: NaiveDate) -> Result<()> {
        self.mrr.get_behind(range(&ReportRequest::default(), today)?, |_| ())?;
        self.aging.get_behind(today, |_| ())
    }

    /// `mrr`, from what is kept for the same months when the book has not changed since.
    pub fn mrr(&self, today: NaiveDate, r: &ReportRequest) -> Result<Vec<MrrRow>> {
        let months = range(r, today)?;
        self.mrr.get(months, Vec::clone)
    }

    /// `aging`, from what is kept for the same day when the book has not changed since.
    pub fn aging(&self, today: NaiveDate, as_of: Option<&str>) -> Result<AgingReport> {
        let day = date_or(as_of, "as_of", today)?;
        self.aging.get(day, AgingReport::clone)
    }

    /// `books::trial_balance`, from what is kept when the book has not changed since.
    pub fn trial_balance(&self) -> Result<super::books::TrialBalance> {
        self.trial_balance.get((), Clone::clone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A book in a file (`book.db` in the folder returned) with a company and nothing else.
    fn company_book() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut book = crate::app::open(&dir.path().join("book.db")).unwrap();
        book.init_company(&crate::company::CompanyFields {
            name: Some("Cloudwise".into()),
            country: Some("ZA".into()),
            currency: Some("ZAR".into()),
            vat_rate: Some("15".into()),
            ..Default::default()
        })
        .unwrap();
        (dir, book)
    }

    /// A customer (a change to the book, as any other).
    fn add(book: &mut Store, name: &str) {
        let fields = crate::customer::CustomerFields {
            name: Some(name.into()),
            domain: Some(format!("{name}.onmicrosoft.com")),
            ..Default::default()
        };
        book.add_customer(&fields).unwrap();
    }

    #[test]
    fn the_dashboard_is_read_again_only_when_the_book_or_the_day_changed() {
        let (dir, mut book) = company_book();
        let path = dir.path().join("book.db");
        add(&mut book, "alpha");
        let memo = DashboardMemo::new(&path);
        let today = day("2026-11-24");
        let first = Some(DASHBOARD_FIRST_ROWS);
        assert_eq!(memo.dashboard(today, first).unwrap().customers, 1);
        assert_eq!(memo.dashboard(today, Some(1)).unwrap(), dashboard(&book, today, Some(1)).unwrap());
        assert_eq!(memo.reads(), 1, "nothing changed: the first rows kept show fewer");
        assert_eq!(memo.dashboard(today, None).unwrap(), dashboard(&book, today, None).unwrap());
        assert_eq!(memo.reads(), 2, "every row is asked for: read whole");
        assert_eq!(memo.dashboard(today, Some(0)).unwrap(), dashboard(&book, today, Some(0)).unwrap());
        assert_eq!(memo.dashboard(today, first).unwrap(), dashboard(&book, today, first).unwrap());
        assert_eq!(memo.reads(), 2, "read whole: any number of rows is shown");
        // A change by another connection (here the book's own; another process's alike).
        add(&mut book, "bravo");
        assert_eq!(memo.dashboard(today, first).unwrap().customers, 2);
        assert_eq!(memo.reads(), 3);
        let tomorrow = day("2026-11-25");
        assert_eq!(memo.dashboard(tomorrow, first).unwrap().as_of, tomorrow);
        assert_eq!(memo.reads(), 4);
        memo.refresh(tomorrow).unwrap();
        assert_eq!(memo.reads(), 4, "nothing changed: nothing read");
        memo.forget();
        memo.dashboard(tomorrow, first).unwrap();
        assert_eq!(memo.reads(), 5, "a replaced file is read again");
        // Readers at once wait for one reading.
        add(&mut book, "charlie");
        std::thread::scope(|s| {
            let a = s.spawn(|| memo.dashboard(tomorrow, Some(1)).unwrap().customers);
            let b = s.spawn(|| memo.dashboard(tomorrow, Some(1)).unwrap().customers);
            assert_eq!((a.join().unwrap(), b.join().unwrap()), (3, 3));
        });
        assert_eq!(memo.reads(), 6);
        // Read again while nobody waits, after a change or on a new day; then shown at once.
        add(&mut book, "delta");
        memo.refresh(tomorrow).unwrap();
        assert_eq!(memo.reads(), 7);
        assert_eq!(memo.dashboard(tomorrow, first).unwrap().customers, 4);
        memo.refresh(day("2026-11-26")).unwrap();
        assert_eq!(memo.dashboard(day("2026-11-26"), first).unwrap().as_of, day("2026-11-26"));
        assert_eq!(memo.reads(), 8);
    }

    #[test]
    fn the_reports_are_read_again_only_when_the_book_or_what_is_asked_changed() {
        let (dir, mut book) = company_book();
        let path = dir.path().join("book.db");
        let memo = ReportsMemo::new(&path);
        let today = day("2026-11-24");
        let year = ReportRequest::default();
        let mrr = |memo: &ReportsMemo, r: &ReportRequest| memo.mrr(today, r).unwrap().iter().map(|m| m.month.clone()).collect::<Vec<_>>();
        let months = mrr(&memo, &year);
        assert_eq!((months.len(), months[0].as_str(), months[11].as_str()), (12, "2025-12", "2026-11"));
        assert_eq!(mrr(&memo, &year), months);
        assert_eq!(memo.aging(today, None).unwrap().as_of, today);
        assert_eq!(memo.aging(today, Some("")).unwrap().as_of, today);
        assert_eq!(memo.trial_balance().unwrap().rows.len(), trial_balance_of(&book).rows.len());
        memo.trial_balance().unwrap();
        assert_eq!(memo.reads(), (1, 1, 1), "nothing changed: what was read is shown");
        // Other months, or another day: read again.
        let spring = ReportRequest { from: Some("2026-03".into()), to: Some("2026-05".into()), ..Default::default() };
        assert_eq!(mrr(&memo, &spring), ["2026-03", "2026-04", "2026-05"]);
        assert_eq!(memo.aging(today, Some("2026-10-31")).unwrap().as_of, day("2026-10-31"));
        assert_eq!(memo.reads(), (2, 2, 1));
        // Bad input is refused before anything is read.
        assert_eq!(memo.aging(today, Some("31/10/2026")).unwrap_err().field.as_deref(), Some("as_of"));
        assert_eq!(memo.reads(), (2, 2, 1));
        // A change to the book: each is read again once.
        add(&mut book, "alpha");
        assert_eq!(mrr(&memo, &spring), ["2026-03", "2026-04", "2026-05"]);
        mrr(&memo, &spring);
        memo.trial_balance().unwrap();
        memo.trial_balance().unwrap();
        assert_eq!(memo.reads(), (3, 2, 2));
        // Read again while nobody waits: only what changed, for what was asked last.
        memo.refresh().unwrap();
        assert_eq!(memo.reads(), (3, 3, 2), "aging, kept from before the change, is read again");
        memo.refresh().unwrap();
        assert_eq!(memo.reads(), (3, 3, 2), "nothing changed since: nothing read");
        add(&mut book, "bravo");
        memo.refresh().unwrap();
        assert_eq!(memo.reads(), (4, 4, 2), "the charts are read again, not the trial balance");
        assert_eq!(mrr(&memo, &spring), ["2026-03", "2026-04", "2026-05"]);
        assert_eq!(memo.aging(today, Some("2026-10-31")).unwrap().as_of, day("2026-10-31"));
        assert_eq!(memo.reads(), (4, 4, 2), "then shown without reading");
        memo.forget();
        memo.refresh().unwrap();
        assert_eq!(memo.reads(), (4, 4, 2), "nothing kept: nothing to read again");
        mrr(&memo, &spring);
        assert_eq!(memo.reads(), (5, 4, 2), "a replaced file is read again");
    }

    fn trial_balance_of(book: &Store) -> crate::app::books::TrialBalance {
        crate::app::books::trial_balance(book).unwrap()
    }

    #[test]
    fn both_fronts_get_the_same_defaults() {
        let today = day("2026-11-24");
        let none = ReportRequest::default();
        // The 12 months up to today, as of today, renewals within the dashboard's 30 days.
        assert_eq!(query("mrr", &none, today).unwrap(), Report::Mrr { from: day("2025-12-01"), to: today });
        assert_eq!(query(" churn ", &none, today).unwrap(), Report::Churn { from: day("2025-12-01"), to: today });
        assert_eq!(query("margin", &none, today).unwrap(), Report::Margin { from: day("2025-12-01"), to: today, by_product: false });
        assert_eq!(query("renewals", &none, today).unwrap(), Report::Renewals { as_of: today, days: 30 });
        assert_eq!(query("aging", &none, today).unwrap(), Report::Aging { as_of: today });
        // Months as the command line types them, or days in them as the app's date fields do.
        for (from, to) in [("2026-03", "2026-06"), ("2026-03-01", "2026-06-30"), ("2026-03-15", "2026-06-02")] {
            let p = ReportRequest { from: Some(from.into()), to: Some(to.into()), by: Some("product".into()), ..Default::default() };
            assert_eq!(
                query("margin", &p, today).unwrap(),
                Report::Margin { from: day("2026-03-01"), to: day("2026-06-30"), by_product: true }
            );
        }
        let p = ReportRequest { to: Some("2026-06".into()), ..Default::default() };
        assert_eq!(query("revenue", &p, today).unwrap(), Report::Revenue { from: day("2025-07-01"), to: day("2026-06-30") });
        let p = ReportRequest { as_of: Some("2027-01-15".into()), days: Some("90".into()), ..Default::default() };
        assert_eq!(query("renewals", &p, today).unwrap(), Report::Renewals { as_of: day("2027-01-15"), days: 90 });
        assert_eq!(query("exposure", &p, today).unwrap(), Report::Exposure { as_of: day("2027-01-15") });

        for (report, p, field) in [
            ("profit", ReportRequest::default(), "report"),
            ("margin", ReportRequest { by: Some("month".into()), ..Default::default() }, "by"),
            ("renewals", ReportRequest { days: Some("soon".into()), ..Default::default() }, "days"),
            ("revenue", ReportRequest { from: Some("2026-12".into()), to: Some("2026-11".into()), ..Default::default() }, "from"),
            ("aging", ReportRequest { as_of: Some("15/01/2027".into()), ..Default::default() }, "as_of"),
        ] {
            assert_eq!(query(report, &p, today).unwrap_err().field.as_deref(), Some(field), "{report}");
        }
    }
}
