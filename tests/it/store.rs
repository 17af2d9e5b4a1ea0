//! The core over a real database file: migrations, the append-only history, renewals, trials,
//! imports that are all or nothing.

use crate::helpers::*;
use seatbook::catalogue::{BillingPlan, ProductKey, Term};
use seatbook::store::{RenewalOutcome, Store};
use seatbook::subscription::{EventKind, RenewalChanges, Status};
use seatbook::ErrorCode;

const BASIC: (&str, &str) = ("CFQ7TTC0LH18", "0001");
const STANDARD: (&str, &str) = ("CFQ7TTC0LDPB", "0001");

#[test]
fn a_newer_database_is_refused_and_left_untouched() {
    let db = TestDb::new();
    {
        let store = reseller(&db);
        store.execute_raw_for_tests("PRAGMA user_version = 99").unwrap();
    }
    let before = std::fs::read(&db.path).unwrap();
    let err = Store::open(&db.path).err().expect("a newer database must be refused");
    assert_eq!(err.code, ErrorCode::NewerDatabase);
    assert!(err.message.contains("newer Seatbook"), "{}", err.message);
    assert_eq!(std::fs::read(&db.path).unwrap(), before, "the file must not change");
}

#[test]
fn a_file_that_is_not_a_database_is_refused() {
    let db = TestDb::new();
    std::fs::write(&db.path, "ProductId,SkuId\nthis is a csv file, not a database\n").unwrap();
    let err = Store::open(&db.path).err().unwrap();
    assert_eq!(err.code, ErrorCode::Database);
    assert!(err.message.contains("not a Seatbook database"), "{}", err.message);
}

#[test]
fn reopening_keeps_data_and_integrity() {
    let db = TestDb::new();
    {
        let mut store = reseller(&db);
        add_customer(&mut store, "Acme", "acme.onmicrosoft.com", "ZAR");
    }
    let store = db.open();
    assert_eq!(store.customer_count().unwrap(), 1);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn the_history_is_append_only_in_the_database_itself() {
    let db = TestDb::new();
    let mut store = reseller(&db);
    let c = add_customer(&mut store, "Acme", "acme.onmicrosoft.com", "ZAR");
    store.add_subscription(&new_sub(c, BASIC, Term::P1Y, BillingPlan::Monthly, 5, "2026-11-01"), NOW).unwrap();
    let upd = store.execute_raw_for_tests("UPDATE subscription_events SET quantity = 50").unwrap_err();
    assert!(upd.message.contains("append-only"), "{}", upd.message);
    let del = store.execute_raw_for_tests("DELETE FROM subscription_events").unwrap_err();
    assert!(del.message.contains("append-only"), "{}", del.message);
}

#[test]
fn a_refused_change_writes_nothing() {
    let db = TestDb::new();
    let mut store = reseller(&db);
    let c = add_customer(&mut store, "Acme", "acme.onmicrosoft.com", "ZAR");
    let s = store.add_subscription(&new_sub(c, BASIC, Term::P1Y, BillingPlan::Monthly, 5, "2026-01-10"), NOW).unwrap();
    // The term ends 2027-01-09; a decrease dated 2027-01-20 first renews the subscription
    // (which would be written) and is then refused: the renewal must be rolled back too.
    let err = store.change_quantity(s.id, 2, day("2027-01-20"), NOW).unwrap_err();
    assert_eq!(err.code, ErrorCode::Refused);
    assert!(err.message.contains("until 2027-01-16"), "{}", err.message);
    let after = store.subscription(s.id).unwrap();
    assert_eq!((after.term_start, after.quantity), (day("2026-01-10"), 5));
    assert_eq!(store.subscription_events(s.id).unwrap().len(), 1);
    // Within the renewal's window the same decrease goes through, after the renewal.
    let s2 = store.change_quantity(s.id, 2, day("2027-01-16"), NOW).unwrap();
    assert_eq!((s2.term_start, s2.term_end, s2.quantity), (day("2027-01-10"), day("2028-01-09"), 2));
    let kinds: Vec<EventKind> = store.subscription_events(s.id).unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::Purchased, EventKind::Renewed, EventKind::QuantityChanged]);
}

#[test]
fn renewal_takes_the_price_list_then_in_force_and_scheduled_changes() {
    let db = TestDb::new();
    let mut store = reseller(&db);
    let c = add_customer(&mut store, "Acme", "acme.onmicrosoft.com", "USD");
    // P1Y annual Business Basic costs 72.00 USD until 30 Nov 2026, 75.60 from 1 Dec 2026.
    let a = store.add_subscription(&new_sub(c, BASIC, Term::P1Y, BillingPlan::Annual, 10, "2025-12-01"), NOW).unwrap();
    assert_eq!(a.price.unit_cost.to_string(), "72.00");
    assert_eq!(a.price.unit_price.to_string(), "86.40");
    store.schedule_renewal_changes(a.id, &RenewalChanges { quantity: Some(8), ..Default::default() }, day("2026-11-20"), NOW).unwrap();
    // A P1M that renews monthly, and one that will expire.
    let m = store.add_subscription(&new_sub(c, BASIC, Term::P1M, BillingPlan::Monthly, 3, "2026-10-15"), NOW).unwrap();
    let e = store.add_subscription(&new_sub(c, STANDARD, Term::P1M, BillingPlan::Monthly, 2, "2026-11-05"), NOW).unwrap();
    store.set_auto_renew(e.id, false, day("2026-11-06"), NOW).unwrap();

    let report = store.run_renewals(day("2026-12-31"), NOW).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let a2 = store.subscription(a.id).unwrap();
    assert_eq!((a2.term_start, a2.term_end, a2.quantity), (day("2026-12-01"), day("2027-11-30"), 8));
    assert_eq!(a2.price.unit_cost.to_string(), "75.60");
    assert_eq!(a2.price.unit_price.to_string(), "90.72");
    assert!(a2.scheduled.is_empty());
    let m2 = store.subscription(m.id).unwrap();
    // 15 Oct → renewed on 15 Nov and 15 Dec: term 15 Dec – 14 Jan.
    assert_eq!((m2.term_start, m2.term_end), (day("2026-12-15"), day("2027-01-14")));
    let e2 = store.subscription(e.id).unwrap();
    assert_eq!((e2.status, e2.ended_on), (Status::Expired, Some(day("2026-12-05"))));
    // Due subscriptions in order of term end, each brought fully up to date.
    let outcomes: Vec<String> = report.done.iter().map(|d| format!("{} {:?} {}", d.subscription_id, d.outcome, d.date)).collect();
    assert_eq!(
        outcomes,
        [
            format!("{} Renewed 2026-11-15", m.id),
            format!("{} Renewed 2026-12-15", m.id),
            format!("{} Renewed 2026-12-01", a.id),
            format!("{} Expired 2026-12-05", e.id),
        ]
    );
    // Running again changes nothing.
    let again = store.run_renewals(day("2026-12-31"), NOW).unwrap();
    assert!(again.done.is_empty() && again.problems.is_empty());
}

#[test]
fn a_trial_converts_to_p1y_monthly_or_expires() {
    let db = TestDb::new();
    let mut store = reseller(&db);
    let c = add_customer(&mut store, "Acme", "acme.onmicrosoft.com", "USD");
    let mut t = new_sub(c, BASIC, Term::P1Y, BillingPlan::Monthly, 25, "2026-11-01");
    t.trial = true;
    let trial = store.add_subscription(&t, NOW).unwrap();
    assert_eq!((trial.trial, trial.term_end), (true, day("2026-11-30")));
    let mut t2 = t.clone();
    t2.auto_renew = false;
    let off = store.add_subscription(&t2, NOW).unwrap();
    let view = store.subscription_view(trial.id, day("2026-11-10")).unwrap();
    assert_eq!(view.current_cycle, None, "a trial has no charge cycle");
    assert_eq!(view.cancellable_until, Some(day("2026-11-30")));

    let report = store.run_renewals(day("2026-12-01"), NOW).unwrap();
    let outcomes: Vec<String> = report.done.iter().map(|d| format!("{} {:?}", d.subscription_id, d.outcome)).collect();
    assert_eq!(outcomes, [format!("{} Converted", trial.id), format!("{} Expired", off.id)]);
    assert!(matches!(report.done[0].outcome, RenewalOutcome::Converted));
    let conv = store.subscription(trial.id).unwrap();
    assert_eq!((conv.trial, conv.term, conv.billing), (false, Term::P1Y, BillingPlan::Monthly));
    assert_eq!((conv.term_start, conv.term_end), (day("2026-12-01"), day("2027-11-30")));
    // P1Y monthly Business Basic costs 75.60 USD per term; default markup 20 %.
    assert_eq!((conv.price.unit_cost.to_string(), conv.price.unit_price.to_string()), ("75.60".into(), "90.72".into()));
    let view = store.subscription_view(trial.id, day("2026-12-03")).unwrap();
    let cycle = view.current_cycle.unwrap();
    assert_eq!((cycle.start, cycle.end, view.price_per_cycle.to_string()), (day("2026-12-01"), day("2026-12-31"), "7.56".into()));
    // After conversion the whole quantity is a new batch with its own 7-day window.
    assert_eq!((view.reducible_seats, view.reducible_until), (25, Some(day("2026-12-07"))));
}

#[test]
fn suspension_keeps_billing_and_stops_renewal() {
    let db = TestDb::new();
    let mut store = reseller(&db);
    let c = add_customer(&mut store, "Acme", "acme.onmicrosoft.com", "ZAR");
    let s = store.add_subscription(&new_sub(c, BASIC, Term::P1M, BillingPlan::Monthly, 4, "2026-11-01"), NOW).unwrap();
    let s = store.suspend_subscription(s.id, day("2026-11-10"), NOW).unwrap();
    assert_eq!((s.status, s.auto_renew), (Status::Suspended, false));
    let err = store.set_auto_renew(s.id, true, day("2026-11-11"), NOW).unwrap_err();
    assert!(err.message.contains("reactivate"), "{}", err.message);
    let err = store.change_quantity(s.id, 6, day("2026-11-11"), NOW).unwrap_err();
    assert!(err.message.contains("suspended"), "{}", err.message);
    let s = store.reactivate_subscription(s.id, day("2026-11-12"), NOW).unwrap();
    assert_eq!((s.status, s.auto_renew), (Status::Active, false));
    let s = store.set_auto_renew(s.id, true, day("2026-11-13"), NOW).unwrap();
    assert!(s.auto_renew);
    let history = store.subscription_events(s.id).unwrap();
    let text: Vec<String> = history.iter().map(|e| format!("{} {}", e.effective, e.kind.as_str())).collect();
    assert_eq!(text, ["2026-11-01 purchased", "2026-11-10 suspended", "2026-11-12 reactivated", "2026-11-13 auto-renew-on"]);
    assert!(history.iter().all(|e| e.recorded_at == NOW));
}

#[test]
fn upgrade_keeps_the_term_and_locks_the_new_price() {
    let db = TestDb::new();
    let mut store = reseller(&db);
    let c = add_customer(&mut store, "Acme", "acme.onmicrosoft.com", "USD");
    let s = store.add_subscription(&new_sub(c, BASIC, Term::P1Y, BillingPlan::Monthly, 10, "2026-11-01"), NOW).unwrap();
    let up = store.upgrade_subscription(s.id, &ProductKey::new(STANDARD.0, STANDARD.1), day("2026-11-20"), NOW).unwrap();
    assert_eq!(up.product_title, "Microsoft 365 Business Standard");
    assert_eq!((up.term_start, up.term_end, up.quantity), (s.term_start, s.term_end, 10));
    assert_eq!((up.price.unit_cost.to_string(), up.price.unit_price.to_string()), ("157.50".into(), "189.00".into()));
    let back = store.upgrade_subscription(s.id, &ProductKey::new(BASIC.0, BASIC.1), day("2026-11-21"), NOW).unwrap_err();
    assert_eq!(back.code, ErrorCode::Refused);
    assert!(back.message.contains("downgrade"), "{}", back.message);
}

#[test]
fn migrating_an_existing_book_lands_in_the_current_term() {
    let db = TestDb::new();
    let mut store = reseller(&db);
    add_customer(&mut store, "Acme", "acme.onmicrosoft.com", "ZAR");
    add_customer(&mut store, "Beta", "beta.onmicrosoft.com", "USD");
    let bad = "customer_domain,product,term,billing,quantity,start,price\n\
        acme.onmicrosoft.com,CFQ7TTC0LH18:0001,P1Y,monthly,10,2024-03-15,\n\
        nobody.onmicrosoft.com,CFQ7TTC0LH18:0001,P1Y,monthly,10,2024-03-15,\n\
        beta.onmicrosoft.com,CFQ7TTC0XXXX:0001,P1Y,monthly,10,2024-03-15,\n\
        beta.onmicrosoft.com,CFQ7TTC0LH18:0001,P1M,annual,10,2024-03-15,\n";
    // Problems found while parsing and those found against the database come in one list.
    let rows = seatbook::import::subscriptions::parse(bad.as_bytes()).unwrap();
    let err = store.import_subscriptions(&rows, day("2026-11-24"), NOW).unwrap_err();
    assert!(err.message.contains("3 bad lines"), "{}", err.message);
    assert!(err.message.contains("line 5: a P1M term cannot be billed annual"), "{}", err.message);
    assert!(err.message.contains("line 3: no customer has the domain nobody.onmicrosoft.com"), "{}", err.message);
    assert!(err.message.contains("line 4: CFQ7TTC0XXXX:0001 is not in the price list"), "{}", err.message);
    assert!(store.list_subscriptions(None, None).unwrap().is_empty(), "nothing imported");

    let good = "customer_domain,product,term,billing,quantity,start,price\n\
        acme.onmicrosoft.com,CFQ7TTC0LH18:0001,P1Y,monthly,10,2024-03-15,\n\
        beta.onmicrosoft.com,CFQ7TTC0LH18:0001,P1M,monthly,3,2026-10-24,9.50\n";
    let rows = seatbook::import::subscriptions::parse(good.as_bytes()).unwrap();
    let subs = store.import_subscriptions(&rows, day("2026-11-24"), NOW).unwrap().subscriptions;
    // Bought 15 Mar 2024 on a P1Y: the current term is 15 Mar 2026 – 14 Mar 2027, and the
    // cycle 15 Nov – 14 Dec was billed by the old system: Seatbook bills from 15 Dec.
    assert_eq!((subs[0].purchased_on, subs[0].term_start, subs[0].term_end), (day("2024-03-15"), day("2026-03-15"), day("2027-03-14")));
    assert_eq!(subs[0].bill_from, day("2026-12-15"));
    // P1M from 24 Oct: today starts a new term, so it bills from today, at 9.50 USD a month.
    assert_eq!((subs[1].term_start, subs[1].bill_from), (day("2026-11-24"), day("2026-11-24")));
    assert_eq!((subs[1].price.unit_price.to_string(), subs[1].price.price_currency.code()), ("9.50".into(), "USD"));
    assert_eq!(store.subscription_events(subs[0].id).unwrap()[0].kind, EventKind::Imported);
    let words =
        |store: &Store| -> Vec<String> { subs.iter().map(|s| store.subscription_events(s.id).unwrap()[0].description.clone()).collect() };
    let expected = [
        "imported (line 2): 10 seats since 2024-03-15, current term 2026-03-15 to 2027-03-14, at 1632.96 ZAR per seat per term \
         (default markup 20% (company profile)); billed from 2026-12-15",
        "imported (line 3): 3 seats since 2026-10-24, current term 2026-11-24 to 2026-12-23, at 9.50 USD per seat per term \
         (price override 9.50 USD per seat per month); billed from 2026-11-24",
    ];
    assert_eq!(words(&store), expected);
    // The book keeps only what the row cannot give: the line, the day bought, the first day billed.
    let kept = || -> Vec<String> {
        let conn = rusqlite::Connection::open(&db.path).unwrap();
        let mut stmt = conn.prepare("SELECT description FROM subscription_events WHERE kind = 'imported' ORDER BY id").unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        rows
    };
    assert_eq!(kept(), ["2 2024-03-15 2026-12-15", "3 2026-10-24 2026-11-24"]);
    // A book of schema 23 kept the words whole: migration 24 keeps them as above; words written
    // otherwise (edited by another program) stay as they are.
    let edited = expected[1].replace("3 seats", "three seats");
    let (first, second) = (store.subscription_events(subs[0].id).unwrap()[0].id, store.subscription_events(subs[1].id).unwrap()[0].id);
    for sql in [
        "DROP TRIGGER subscription_events_no_update".to_string(),
        format!("UPDATE subscription_events SET description = '{}', price_rule_id = NULL WHERE id = {first}", expected[0]),
        format!("UPDATE subscription_events SET description = '{edited}', price_rule_id = NULL WHERE id = {second}"),
        "CREATE TRIGGER subscription_events_no_update BEFORE UPDATE ON subscription_events
BEGIN SELECT RAISE(ABORT, 'subscription history is append-only'); END"
            .to_string(),
        // What migrations 25 and 26 added, gone as in a book of schema 23.
        "DROP TRIGGER subscriptions_last_effective".to_string(),
        "ALTER TABLE subscriptions DROP COLUMN last_effective".to_string(),
        "DROP TRIGGER invoices_unsettled_issued".to_string(),
        "DROP TRIGGER invoices_unsettled_paid".to_string(),
        "DROP TRIGGER invoices_unsettled_credited".to_string(),
        "DROP VIEW invoice_money_applied".to_string(),
        "DROP TABLE invoices_unsettled".to_string(),
        "DROP TABLE money_horizon".to_string(),
        "PRAGMA user_version = 23".to_string(),
    ] {
        store.execute_raw_for_tests(&sql).unwrap();
    }
    assert_eq!(words(&store), [expected[0].to_string(), edited.clone()], "read whole before the migration");
    drop(store);
    let store = db.open();
    assert_eq!(words(&store), [expected[0].to_string(), edited.clone()]);
    assert_eq!(kept(), ["2 2024-03-15 2026-12-15".to_string(), edited]);
}

#[test]
fn a_backup_restores_the_same_data_and_a_damaged_file_is_refused() {
    let db = TestDb::new();
    let mut store = reseller(&db);
    let c = add_customer(&mut store, "Acme Łódź", "acme.onmicrosoft.com", "ZAR");
    store.add_subscription(&new_sub(c, BASIC, Term::P1Y, BillingPlan::Monthly, 5, "2026-11-01"), NOW).unwrap();
    let backup = db.dir.path().join("manual.db");
    let info = store.backup_to(&backup).unwrap();
    assert!(info.bytes > 0);
    assert!(!db.dir.path().join("manual.tmp").exists(), "the temporary file is gone");
    // Changes after the backup...
    add_customer(&mut store, "Later", "later.onmicrosoft.com", "ZAR");
    drop(store);
    // ...are undone by the restore; the database as it was is kept aside.
    let aside = seatbook::store::restore_backup(&db.path, &backup, "20261124T090000Z").unwrap();
    let restored = db.open();
    let names: Vec<String> = restored.list_customers(None, true, None).unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["Acme Łódź"]);
    assert_eq!(restored.list_subscriptions(None, None).unwrap().len(), 1);
    assert_eq!(restored.integrity_check().unwrap(), "ok");
    let kept = Store::open(&aside).unwrap();
    assert_eq!(kept.customer_count().unwrap(), 2);
    drop(restored);

    // A damaged file and a foreign one are refused, and nothing changes.
    let mut bytes = std::fs::read(&backup).unwrap();
    let middle = bytes.len() / 2;
    bytes.truncate(middle);
    let damaged = db.file("damaged.db", "");
    std::fs::write(&damaged, &bytes).unwrap();
    let before = std::fs::read(&db.path).unwrap();
    let e = seatbook::store::restore_backup(&db.path, &damaged, "x").unwrap_err();
    assert!(e.message.contains("cannot be restored"), "{}", e.message);
    let foreign = db.file("notes.db", "just some text, not a database at all");
    let e = seatbook::store::restore_backup(&db.path, &foreign, "x").unwrap_err();
    assert!(e.message.contains("not a database"), "{}", e.message);
    assert_eq!(std::fs::read(&db.path).unwrap(), before);
    assert_eq!(db.open().customer_count().unwrap(), 1);
}

#[test]
fn a_backup_taken_while_another_connection_reads_holds_the_last_commit() {
    let db = TestDb::new();
    let mut store = reseller(&db);
    add_customer(&mut store, "First", "first.onmicrosoft.com", "ZAR");
    // A reader in the middle of a transaction keeps the WAL from being emptied, so the backup
    // cannot copy the file as it is and copies SQLite's pages instead.
    let reader = rusqlite::Connection::open(&db.path).unwrap();
    reader.execute_batch("BEGIN; SELECT count(*) FROM customers;").unwrap();
    add_customer(&mut store, "Second", "second.onmicrosoft.com", "ZAR");
    let backup = db.dir.path().join("while-reading.db");
    store.backup_to(&backup).unwrap();
    reader.execute_batch("COMMIT").unwrap();
    // The backup is one file: no WAL beside it holds part of it, and it is not in WAL mode.
    assert!(!db.dir.path().join("while-reading.db-wal").exists());
    assert_eq!(std::fs::read(&backup).unwrap()[18..20], [1, 1]);
    let copy = Store::open(&backup).unwrap();
    let names: Vec<String> = copy.list_customers(None, true, None).unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["First", "Second"]);
}

#[test]
fn a_backup_whose_index_disagrees_with_its_table_is_refused() {
    // The damage only a full integrity check finds: every page is sound (quick_check passes), but
    // an index no longer matches its table.
    let db = TestDb::new();
    let mut store = reseller(&db);
    add_customer(&mut store, "Acme", "acme.onmicrosoft.com", "ZAR");
    add_customer(&mut store, "Zeta", "zeta.onmicrosoft.com", "ZAR");
    let backup = db.dir.path().join("good.db");
    store.backup_to(&backup).unwrap();
    drop(store);
    assert!(seatbook::store::check_backup_file(&backup).is_ok());
    // Without its checksum (a backup made before they were kept), so the integrity check is
    // what finds the damage.
    std::fs::remove_file(seatbook::store::checksum_file(&backup)).unwrap();
    {
        let conn = rusqlite::Connection::open(&backup).unwrap();
        conn.execute_batch(
            "PRAGMA writable_schema = ON;
             UPDATE sqlite_schema SET sql = 'CREATE INDEX customers_name ON customers (domain COLLATE NOCASE)' WHERE name = 'customers_name';",
        )
        .unwrap();
    }
    let quick: String = rusqlite::Connection::open(&backup).unwrap().query_row("PRAGMA quick_check", [], |r| r.get(0)).unwrap();
    assert_eq!(quick, "ok", "the damage is in what the index holds, not in its pages");
    let e = seatbook::store::check_backup_file(&backup).unwrap_err();
    assert!(e.message.contains("cannot be restored: it is damaged") && e.message.contains("customers_name"), "{}", e.message);
    let before = std::fs::read(&db.path).unwrap();
    assert!(seatbook::store::restore_backup(&db.path, &backup, "x").is_err());
    assert_eq!(std::fs::read(&db.path).unwrap(), before);
}

#[test]
fn daily_backups_are_taken_once_a_day_and_the_last_30_kept() {
    let db = TestDb::new();
    let store = reseller(&db);
    let first = day("2026-01-01");
    // A backup made by hand in the same folder (as the app's "Back up now" names them) is
    // neither counted nor pruned.
    let manual = seatbook::store::backup_dir(&db.path).join("seatbook-2025-12-31-093000.db");
    store.backup_to(&manual).unwrap();
    for i in 0..35 {
        assert!(store.daily_backup(first + chrono::Duration::days(i)).unwrap().is_some());
    }
    assert!(store.daily_backup(first + chrono::Duration::days(34)).unwrap().is_none(), "one a day");
    let list = seatbook::store::list_backups(&seatbook::store::backup_dir(&db.path)).unwrap();
    let names: Vec<&str> = list.iter().map(|b| std::path::Path::new(&b.path).file_name().unwrap().to_str().unwrap()).collect();
    assert_eq!(names.len(), 31, "{names:?}");
    assert!(names.contains(&"seatbook-2025-12-31-093000.db"), "the manual backup is kept: {names:?}");
    assert!(names.contains(&"seatbook-2026-01-06.db") && names.contains(&"seatbook-2026-02-04.db"), "{names:?}");
    assert!(!names.contains(&"seatbook-2026-01-05.db"), "the oldest automatic ones are gone: {names:?}");
}

#[test]
fn all_data_exports_as_one_csv_per_table() {
    let db = TestDb::new();
    let mut store = reseller(&db);
    let c = add_customer(&mut store, "Acme, \"Łódź\"", "acme.onmicrosoft.com", "ZAR");
    store.add_subscription(&new_sub(c, BASIC, Term::P1Y, BillingPlan::Monthly, 5, "2026-11-01"), NOW).unwrap();
    let png = [&[0x89u8, b'P', b'N', b'G', b'\r', b'\n'][..], b"logo"].concat();
    let logo = db.dir.path().join("logo.png");
    std::fs::write(&logo, &png).unwrap();
    let fields = seatbook::company::CompanyFields { logo_path: Some(logo.display().to_string()), ..Default::default() };
    store.update_company(&fields).unwrap();
    store.issue_month(day("2026-11-01"), day("2026-11-30"), NOW).unwrap();
    let out = db.dir.path().join("export");
    let files = store.export_all(&out).unwrap();
    // Every table of the book, the mail, reconciliation, usage and Partner Center ones included.
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let mut tables = book_tables(&conn);
    let mut exported: Vec<String> = files.iter().map(|(f, _)| f.rsplit('/').next().unwrap().trim_end_matches(".csv").to_string()).collect();
    tables.sort();
    exported.sort();
    assert_eq!(exported, tables);
    for t in ["mail_outbox", "mail_templates", "recon_imports", "recon_lines", "usage_days", "usage_rules", "pc_outbox", "pc_settings"] {
        assert!(tables.iter().any(|n| n == t), "{t}");
    }
    // A stored file (the logo kept with the invoice) is written beside its table, named in the cell.
    let logos = std::fs::read_to_string(out.join("logos.csv")).unwrap();
    assert!(logos.lines().nth(1).unwrap().ends_with(",logos/1-bytes.png"), "{logos}");
    assert_eq!(std::fs::read(out.join("logos/1-bytes.png")).unwrap(), png);
    let rows = |name: &str| files.iter().find(|(f, _)| f.ends_with(&format!("/{name}.csv"))).map(|(_, n)| *n).unwrap();
    assert_eq!((rows("customers"), rows("subscriptions"), rows("invoices"), rows("prices")), (1, 1, 1, 28));
    let customers = std::fs::read_to_string(out.join("customers.csv")).unwrap();
    assert!(customers.contains("\"Acme, \"\"Łódź\"\"\""), "{customers}");
    let invoices = std::fs::read_to_string(out.join("invoices.csv")).unwrap();
    let header = invoices.lines().next().unwrap();
    assert!(header.starts_with("id,number,") && header.ends_with(",net,vat,total"), "{header}");
    // Business Basic ZAR: 1360.80 × 1.20 / 12 × 5 seats = 680.40, VAT 102.06.
    assert!(invoices.lines().nth(1).unwrap().ends_with(",680.40,102.06,782.46"), "{invoices}");
    // A line's dates are kept as days in the book, and exported as the dates they are.
    let lines = std::fs::read_to_string(out.join("invoice_lines.csv")).unwrap();
    let header: Vec<&str> = lines.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.lines().nth(1).unwrap().split(',').collect();
    let cell = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!((cell("period_start"), cell("period_end"), cell("billable_date")), ("2026-11-01", "2026-11-30", "2026-11-01"), "{lines}");
}

/// The names of the book's own tables.
fn book_tables(conn: &rusqlite::Connection) -> Vec<String> {
    conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// No index of the book repeats another: none is the first columns of another index of its
/// table (a lookup by those columns uses the longer one), except where it keeps them unique or
/// covers only some rows.
#[test]
fn the_book_has_no_redundant_index() {
    let db = TestDb::new();
    drop(reseller(&db));
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let tables = book_tables(&conn);
    let mut redundant = Vec::new();
    for table in &tables {
        // (name, unique, partial, columns; an expression is named by its index and position)
        let indexes: Vec<(String, bool, bool, Vec<String>)> = conn
            .prepare("SELECT name, \"unique\", partial FROM pragma_index_list(?1)")
            .unwrap()
            .query_map([table], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?, r.get::<_, bool>(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .map(|(name, unique, partial)| {
                let columns = conn
                    .prepare("SELECT seqno, name FROM pragma_index_info(?1) ORDER BY seqno")
                    .unwrap()
                    .query_map([&name], |r| Ok(r.get::<_, Option<String>>(1)?.unwrap_or(format!("{name}#{}", r.get::<_, i64>(0)?))))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                (name, unique, partial, columns)
            })
            .collect();
        for (name, unique, partial, columns) in &indexes {
            if *unique || *partial {
                continue;
            }
            for (other, _, other_partial, other_columns) in &indexes {
                if other != name && !other_partial && other_columns.len() >= columns.len() && other_columns.starts_with(columns) {
                    redundant.push(format!("{table}: {name} {columns:?} is the start of {other} {other_columns:?}"));
                }
            }
        }
    }
    assert!(redundant.is_empty(), "{redundant:#?}");
}

/// A backup is restored only as it was made, and only if it is a Seatbook book: an issued
/// invoice's customer edited in it (its checksum), a file with Seatbook's table names and version
/// but not its rules, a book with a gap in its numbers: each is refused and nothing changes.
#[test]
fn an_edited_or_counterfeit_backup_is_refused_before_anything_changes() {
    let db = TestDb::new();
    let mut store = reseller(&db);
    let a = add_customer(&mut store, "Acme", "acme.onmicrosoft.com", "ZAR");
    store.add_subscription(&new_sub(a, ("CFQ7TTC0LH18", "0001"), Term::P1Y, BillingPlan::Monthly, 2, "2026-11-01"), NOW).unwrap();
    store.issue_month(day("2026-11-01"), day("2026-11-01"), NOW).unwrap();
    let backup = db.dir.path().join("backup.db");
    store.backup_to(&backup).unwrap();
    let sum = std::fs::read_to_string(seatbook::store::checksum_file(&backup)).unwrap();
    assert!(sum.ends_with("  backup.db\n") && sum.len() == 64 + 2 + 9 + 1, "sha256sum's format: {sum:?}");
    drop(store);
    let before = std::fs::read(&db.path).unwrap();
    let refused = |file: &std::path::Path, why: &str| {
        let e = seatbook::store::restore_backup(&db.path, file, "x").unwrap_err();
        assert!(e.message.contains(why), "{}", e.message);
        assert_eq!(std::fs::read(&db.path).unwrap(), before, "nothing changed");
    };
    // Its bytes edited: an issued invoice's parties renamed (the triggers bypassed by hand).
    let edited = db.dir.path().join("edited.db");
    std::fs::copy(&backup, &edited).unwrap();
    std::fs::copy(seatbook::store::checksum_file(&backup), seatbook::store::checksum_file(&edited)).unwrap();
    {
        let conn = rusqlite::Connection::open(&edited).unwrap();
        conn.execute_batch("DROP TRIGGER parties_kept; UPDATE parties SET name = name || ' (edited)';").unwrap();
    }
    refused(&edited, "its checksum does not match");
    // Without a checksum, Seatbook's own checks find the missing rule.
    std::fs::remove_file(seatbook::store::checksum_file(&edited)).unwrap();
    refused(&edited, "not a Seatbook book as this version makes them");
    // A file that merely has the right table names and version.
    let fake = db.dir.path().join("fake.db");
    {
        let conn = rusqlite::Connection::open(&fake).unwrap();
        conn.execute_batch(&format!(
            "CREATE TABLE company (id INTEGER); CREATE TABLE customers (id INTEGER); CREATE TABLE subscriptions (id INTEGER);
             PRAGMA user_version = {};",
            seatbook::store::schema_version()
        ))
        .unwrap();
    }
    refused(&fake, "cannot be restored");
    // The good one restores.
    seatbook::store::restore_backup(&db.path, &backup, "y").unwrap();
    assert_eq!(Store::open(&db.path).unwrap().list_invoices(None, None).unwrap().len(), 1);
}

/// A restore while another connection has the book open (the desktop app, a script) is refused
/// and changes nothing: the book is never replaced under an open connection, which would go on
/// writing into the replaced file. Once it is closed, the restore goes ahead, and every write it
/// acknowledged is in the copy kept aside.
#[test]
fn a_restore_never_replaces_a_book_another_connection_has_open() {
    let db = TestDb::new();
    let store = reseller(&db);
    let backup = db.dir.path().join("backup.db");
    store.backup_to(&backup).unwrap();
    drop(store);
    let mut app = Store::open(&db.path).unwrap();
    let mut acknowledged = Vec::new();
    for n in 0..5 {
        let domain = format!("c{n}.onmicrosoft.com");
        let fields = seatbook::customer::CustomerFields { name: Some(format!("C{n}")), domain: Some(domain.clone()), ..Default::default() };
        app.add_customer(&fields).unwrap();
        acknowledged.push(domain);
    }
    let e = seatbook::store::restore_backup(&db.path, &backup, "busy").unwrap_err();
    assert_eq!(e.code, ErrorCode::Refused);
    assert!(e.message.contains("is open in another program") && e.message.contains("close it, then restore"), "{}", e.message);
    assert_eq!(app.list_customers(None, true, None).unwrap().len(), 5, "the open book is as it was");
    assert!(!db.dir.path().join("seatbook.before-restore-busy.db").exists());
    drop(app);
    let aside = seatbook::store::restore_backup(&db.path, &backup, "free").unwrap();
    let kept: Vec<String> = Store::open(&aside).unwrap().list_customers(None, true, None).unwrap().into_iter().map(|c| c.domain).collect();
    for d in &acknowledged {
        assert!(kept.contains(d), "{d} was acknowledged and is kept aside");
    }
    let restored = Store::open(&db.path).unwrap();
    assert!(restored.list_customers(None, true, None).unwrap().is_empty(), "the backup's book");
    assert_eq!(restored.integrity_check().unwrap(), "ok");
}

/// A book in a folder the user cannot write (a read-only share, a backup disk): it can still be
/// read, as it is on disk, and every change says the folder is read-only and leaves it as it
/// was. Run as an unprivileged user (root is not stopped by permissions).
#[test]
#[cfg(unix)]
fn a_book_in_a_read_only_folder_can_be_read_and_every_change_says_why() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let mode = |p: &std::path::Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    mode(root.path(), 0o755);
    // The binary where an unprivileged user can run it.
    let bin = root.path().join("seatbook");
    std::fs::copy(env!("CARGO_BIN_EXE_seatbook"), &bin).unwrap();
    mode(&bin, 0o755);
    let dir = root.path().join("share");
    std::fs::create_dir(&dir).unwrap();
    let path = dir.join("book.db");
    ok(&path, &["init", "--name", "Acme", "--country", "ZA", "--currency", "ZAR", "--vat-rate", "15"]);
    ok(&path, &["customer", "add", "--name", "Read Only Ltd", "--domain", "ro.onmicrosoft.com"]);
    let as_user = |args: &[&str]| {
        let mut cmd = if running_as_root() {
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(&bin);
            c
        } else {
            std::process::Command::new(&bin)
        };
        cmd.arg("--db").arg(&path).args(args).env_remove("SEATBOOK_DB").env_remove("SEATBOOK_TODAY").output().unwrap()
    };
    for file_mode in [0o644, 0o444] {
        mode(&path, file_mode);
        mode(&dir, 0o555);
        let list = as_user(&["customer", "list"]);
        assert!(list.status.success(), "file {file_mode:o}: {}", stderr(&list));
        assert!(stdout(&list).contains("Read Only Ltd"), "{}", stdout(&list));
        let add = as_user(&["customer", "add", "--name", "New Ltd", "--domain", "new.onmicrosoft.com"]);
        assert_eq!(add.status.code(), Some(1), "file {file_mode:o}");
        let e = stderr(&add);
        assert!(e.contains(&format!("the folder {} is read-only", dir.display())) && e.contains("nothing was changed"), "{e}");
        mode(&dir, 0o755);
        mode(&path, 0o644);
        assert!(!stdout(&seatbook(&path, &["customer", "list"])).contains("New Ltd"), "nothing was added");
    }
}

/// Whether the tests run as root (CI's container), by the owner of a file just made.
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    let f = tempfile::NamedTempFile::new().unwrap();
    f.as_file().metadata().unwrap().uid() == 0
}
