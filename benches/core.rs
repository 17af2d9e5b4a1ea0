//! Benchmarks of the core, run in release mode: `cargo bench --bench core`.
//! Figures go in the README. Goals (issue 2): import of a 50,000-row price list ≤ 2 s; customer
//! search among 10,000 customers ≤ 10 ms; opening and migrating a database ≤ 50 ms.

use seatbook::company::CompanyFields;
use seatbook::store::Store;
use std::fmt::Write;
use std::time::{Duration, Instant};

const HEADER: &str = "ProductTitle,ProductId,SkuId,SkuTitle,Publisher,SkuDescription,UnitOfMeasure,TermDuration,BillingPlan,Market,Currency,UnitPrice,PricingTierRangeMin,PricingTierRangeMax,EffectiveStartDate,EffectiveEndDate,Tags,ERP Price";

/// A price list shaped like Microsoft's: 5 term/plan rows per product, quoted fields with commas.
fn price_list(rows: usize) -> String {
    let plans = [("P1M", "Monthly"), ("P1Y", "Monthly"), ("P1Y", "Annual"), ("P3Y", "Monthly"), ("P3Y", "Triennial")];
    let mut s = String::with_capacity(rows * 260);
    s.push_str(HEADER);
    s.push('\n');
    for i in 0..rows {
        let (term, plan) = plans[i % plans.len()];
        let product = i / plans.len();
        let _ = writeln!(
            s,
            "\"Product {product}, Business edition\",CFQ7TTC{product:05},0001,\"Sku {product}\",Microsoft Corporation,\"Email, files and Teams for {product}\",,{term},{plan},ZA,USD,{}.{:02},,,11/1/2025 12:00:00 AM,12/31/9999 11:59:59 PM,License,{}.00",
            10 + product % 90,
            i % 100,
            12 + product % 90
        );
    }
    s
}

fn company() -> CompanyFields {
    CompanyFields {
        name: Some("Bench Reseller".into()),
        country: Some("ZA".into()),
        currency: Some("ZAR".into()),
        vat_rate: Some("15".into()),
        ..Default::default()
    }
}

fn stats(mut samples: Vec<Duration>) -> (Duration, Duration, Duration) {
    samples.sort();
    let median = samples[samples.len() / 2];
    let p95 = samples[(samples.len() * 95 / 100).min(samples.len() - 1)];
    (samples[0], median, p95)
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();

    // 1. Price-list import: parse + write, into a fresh file database, 3 runs.
    let csv = price_list(50_000);
    let mut runs = Vec::new();
    for run in 0..3 {
        let path = dir.path().join(format!("pricelist-{run}.db"));
        let mut store = Store::open(&path).unwrap();
        store.init_company(&company()).unwrap();
        let t = Instant::now();
        let parsed = seatbook::import::pricelist::parse(csv.as_bytes(), Some("ZA"), None).unwrap();
        let summary = store.import_price_list(&parsed).unwrap();
        runs.push(t.elapsed());
        assert_eq!(summary.added, 50_000);
    }
    let (best, median, _) = stats(runs);
    println!("price list import, 50,000 rows ({} MB): best {}, median {} (goal ≤ 2 s)", csv.len() / 1_000_000, ms(best), ms(median));
    // Re-import of the same file (next month's file, nothing changed): updates in place.
    let path = dir.path().join("pricelist-0.db");
    let mut store = Store::open(&path).unwrap();
    let t = Instant::now();
    let parsed = seatbook::import::pricelist::parse(csv.as_bytes(), Some("ZA"), None).unwrap();
    let summary = store.import_price_list(&parsed).unwrap();
    println!("price list re-import, 50,000 rows unchanged: {} ({} unchanged)", ms(t.elapsed()), summary.unchanged);

    // 2. Customer search among 10,000 customers.
    let path = dir.path().join("customers.db");
    let mut store = Store::open(&path).unwrap();
    store.init_company(&company()).unwrap();
    let mut file = String::from("name,domain,email,country,currency,vat_number,payment_terms_days\n");
    for i in 0..10_000 {
        let _ = writeln!(file, "Customer {i} (Pty) Ltd,customer{i}.onmicrosoft.com,accounts@customer{i}.co.za,ZA,ZAR,4{i:09},30");
    }
    let rows = seatbook::import::customers::parse(file.as_bytes()).unwrap();
    let t = Instant::now();
    store.import_customers(&rows).unwrap();
    println!("customer import, 10,000 rows: {}", ms(t.elapsed()));
    let queries =
        ["customer 4711", "CUSTOMER9999.ONMICROSOFT", "customer 1", "accounts@customer12", "4000000777", "no such customer", "ltd"];
    for q in queries {
        let mut samples = Vec::new();
        let mut hits = 0;
        for _ in 0..50 {
            let t = Instant::now();
            hits = store.list_customers(Some(q), false, Some(100)).unwrap().len();
            samples.push(t.elapsed());
        }
        let (best, median, p95) = stats(samples);
        println!("customer search {q:?} → {hits} shown: best {}, median {}, p95 {} (goal ≤ 10 ms)", ms(best), ms(median), ms(p95));
    }
    let mut samples = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        assert_eq!(store.list_customers(None, false, None).unwrap().len(), 10_000);
        samples.push(t.elapsed());
    }
    let (best, median, p95) = stats(samples);
    println!("customer list, all 10,000 rows: best {}, median {}, p95 {}", ms(best), ms(median), ms(p95));

    // 3. Opening a database: a new file created and migrated, and an existing one reopened.
    let mut create = Vec::new();
    for i in 0..20 {
        let path = dir.path().join(format!("new-{i}.db"));
        let t = Instant::now();
        let store = Store::open(&path).unwrap();
        create.push(t.elapsed());
        drop(store);
    }
    let (best, median, p95) = stats(create);
    println!("create and migrate a new database: best {}, median {}, p95 {} (goal ≤ 50 ms)", ms(best), ms(median), ms(p95));
    let mut reopen = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let store = Store::open(&dir.path().join("customers.db")).unwrap();
        reopen.push(t.elapsed());
        drop(store);
    }
    let (best, median, p95) = stats(reopen);
    println!("open an existing database (10,000 customers): best {}, median {}, p95 {}", ms(best), ms(median), ms(p95));

    // 4. Migrating an existing schema-1 database with 10,000 customers to the current schema,
    // including the copy of the file saved beside it first.
    let mut migrate = Vec::new();
    for i in 0..5 {
        let path = dir.path().join(format!("v1-{i}.db"));
        {
            let mut v1 = Store::open_at_version(&path, 1).unwrap();
            v1.init_company(&company()).unwrap();
            v1.import_customers(&rows).unwrap();
        }
        let t = Instant::now();
        let store = Store::open(&path).unwrap();
        migrate.push(t.elapsed());
        drop(store);
    }
    let (best, median, p95) = stats(migrate);
    println!(
        "open and migrate a schema-1 database with 10,000 customers (copy saved first): best {}, median {}, p95 {} (goal ≤ 50 ms)",
        ms(best),
        ms(median),
        ms(p95)
    );
}
