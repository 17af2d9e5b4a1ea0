//! Azure usage: Microsoft's daily rated usage imported through the command line, as a reseller's
//! real file comes (../shared/real, read from there: a redacted sample of a real partner's
//! billed month with its exact totals), in every header spelling, as the Graph export's gzip JSON
//! Lines, refused whole when a line is bad, never twice, estimates apart from billed usage.

use crate::helpers::*;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file of the project's shared folder (DOMAIN.md, the samples, the real data), read where it
/// is: `SEATBOOK_SHARED_DIR`, else `../shared` beside the repository, else `/work/shared` (a
/// clean clone elsewhere on the same machine). Never copied into the repository.
fn shared(path: &str) -> PathBuf {
    let candidates = [
        std::env::var_os("SEATBOOK_SHARED_DIR").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")),
        Some(PathBuf::from("/work/shared")),
    ];
    candidates
        .iter()
        .flatten()
        .map(|dir| dir.join(path))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("{path} is in the project's shared folder: set SEATBOOK_SHARED_DIR to it (looked in {candidates:?})"))
}

fn real_sample() -> PathBuf {
    shared("real/derived-dru-sample-phildata-2025-11-redacted.csv")
}

fn book(db: &TestDb) {
    ok(&db.path, &["init", "--name", "Cloud PH Inc", "--country", "ZA", "--currency", "ZAR", "--vat-rate", "15", "--default-markup", "20"]);
}

/// The book and Contoso, whose tenant the short files below name.
fn contoso(db: &TestDb) {
    book(db);
    ok(
        &db.path,
        &[
            "customer",
            "add",
            "--name",
            "Contoso",
            "--domain",
            "contoso.onmicrosoft.com",
            "--tenant-id",
            "11111111-2222-3333-4444-555555555555",
        ],
    );
}

/// The columns the short files of these tests have.
const SHORT_HEADER: &str = "CustomerId,InvoiceNumber,EntitlementId,EntitlementDescription,ChargeStartDate,ChargeEndDate,UsageDate,MeterCategory,UnitPrice,Quantity,EffectiveUnitPrice,BillingPreTaxTotal,BillingCurrency,PricingPreTaxTotal,PricingCurrency,PCToBCExchangeRate,PartnerEarnedCreditPercentage";

fn dec(v: &Value) -> rust_decimal::Decimal {
    v.as_str().unwrap_or_else(|| panic!("{v} is not a decimal string")).parse().unwrap()
}

#[test]
fn a_real_month_imports_to_microsofts_exact_totals_once() {
    let db = TestDb::new();
    book(&db);
    // Two of the partner's customers are in the book: one by tenant id, one by domain.
    ok(
        &db.path,
        &[
            "customer",
            "add",
            "--name",
            "Customer One",
            "--domain",
            "one.onmicrosoft.com",
            "--tenant-id",
            "8C6F2373-D89D-5687-855A-9C0EAC4E7CEF",
        ],
    );
    ok(&db.path, &["customer", "add", "--name", "Customer Two", "--domain", "customer02.example.com"]);
    let file = real_sample();
    let r = json(&db.path, &["usage", "import", file.to_str().unwrap()]);
    assert_eq!(
        (r["lines"].as_u64(), r["duplicate"].as_bool(), r["months"].clone()),
        (Some(145), Some(false), serde_json::json!(["2025-11"]))
    );
    assert_eq!(r["unknown_tenants"].as_array().unwrap().len(), 17, "{r}");
    assert_eq!(r["estimate_lines"], 0);

    let rows = json(&db.path, &["usage", "list", "--month", "2025-11"]);
    let rows = rows.as_array().unwrap();
    // DOMAIN §7 and the sample's own figures: cost Σ BillingPreTaxTotal, retail Σ Quantity × UnitPrice.
    let cost: rust_decimal::Decimal = rows.iter().map(|r| dec(&r["cost"])).sum();
    let retail: rust_decimal::Decimal = rows.iter().map(|r| dec(&r["retail"])).sum();
    let lines: u64 = rows.iter().map(|r| r["lines"].as_u64().unwrap()).sum();
    assert_eq!((cost.to_string(), retail.to_string(), lines), ("169.57893163992".into(), "198.2048934580774".into(), 145));
    let pec: u64 = rows.iter().map(|r| r["pec_lines"].as_u64().unwrap()).sum();
    assert_eq!(pec, 133, "133 lines with Partner Earned Credit Applied, 12 without");
    for r in rows {
        let keys: Vec<&str> = [
            "customer_id",
            "tenant_id",
            "domain",
            "entitlement_id",
            "entitlement",
            "month",
            "lines",
            "retail",
            "cost",
            "pricing_currency",
            "billing_currency",
            "pec_lines",
            "estimate",
        ]
        .into_iter()
        .filter(|k| r.get(*k).is_none())
        .collect();
        assert!(keys.is_empty(), "missing {keys:?} in {r}");
        assert_eq!(
            (r["pricing_currency"].as_str(), r["billing_currency"].as_str(), r["estimate"].as_bool()),
            (Some("USD"), Some("USD"), Some(false))
        );
    }
    // Matched: Customer 01 by tenant id (16 lines, 20.088932755), Customer 02 by domain (28 lines).
    let one = json(&db.path, &["usage", "list", "--customer", "1"]);
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!((one[0]["lines"].as_u64(), dec(&one[0]["cost"]).to_string()), (Some(16), "20.088932755".into()));
    assert_eq!(one[0]["entitlement"], "Azure subscription 01 (redacted)");
    let two = json(&db.path, &["usage", "list", "--customer", "2"]);
    assert_eq!((two[0]["lines"].as_u64(), dec(&two[0]["cost"]).to_string()), (Some(28), "13.44626079552".into()));
    // Tenants nobody has are kept and listed, never dropped.
    let unknown: Vec<&Value> = rows.iter().filter(|r| r["customer_id"].is_null()).collect();
    assert_eq!(unknown.len(), 20);
    assert!(unknown.iter().any(|r| r["domain"] == "customer10.example.com" && dec(&r["cost"]).is_zero()));

    // The same file again adds nothing.
    let again = json(&db.path, &["usage", "import", file.to_str().unwrap()]);
    assert_eq!((again["duplicate"].as_bool(), again["id"].clone()), (Some(true), r["id"].clone()));
    let after = json(&db.path, &["usage", "list"]);
    assert_eq!(after.as_array().unwrap().iter().map(|r| r["lines"].as_u64().unwrap()).sum::<u64>(), 145);
}

/// One usage line with the header of `header_file`: each column's value by what it means.
fn one_line(header_file: &str, pec_in_credit_type: bool) -> String {
    let header = std::fs::read_to_string(shared(header_file)).unwrap();
    let header = header.lines().next().unwrap().to_string();
    let values: Vec<&str> = header
        .split(',')
        .map(|h| match h.to_ascii_lowercase().as_str() {
            "customerid" => "11111111-2222-3333-4444-555555555555",
            "customerdomainname" => "contoso.onmicrosoft.com",
            "customername" => "Contoso",
            "invoicenumber" => "G000111222",
            "entitlementid" => "AAAAAAAA-0000-0000-0000-000000000001",
            "entitlementdescription" => "Contoso production",
            "usagedate" => "2026-11-05T00:00:00Z",
            "chargestartdate" => "2026-11-01T00:00:00Z",
            "chargeenddate" => "2026-11-30T00:00:00Z",
            "metercategory" => "Virtual Machines",
            "unitprice" => "0.4",
            "quantity" => "24",
            "effectiveunitprice" => "0.34",
            "billingpretaxtotal" | "pricingpretaxtotal" => "8.16",
            "billingcurrency" | "pricingcurrency" => "USD",
            "pctobcexchangerate" => "1",
            "partnerearnedcreditpercentage" => "15",
            "rateofpartnerearnedcredit" => "0.15",
            "credittype" if pec_in_credit_type => "Partner Earned Credit Applied",
            _ => "",
        })
        .collect();
    format!("{header}\r\n{}\r\n", values.join(","))
}

#[test]
fn every_header_spelling_reads_alike() {
    for header in [
        "real/dru-header-phildata-2025-11.csv",
        "samples/recon/derived-dru-header-pcdocs-table-2023.csv",
        "samples/recon/derived-dru-names-announcement-2023-08-old.csv",
        "samples/recon/derived-dru-names-announcement-2023-08-new-camel.csv",
    ] {
        let db = TestDb::new();
        book(&db);
        ok(&db.path, &["customer", "add", "--name", "Contoso", "--domain", "contoso.onmicrosoft.com"]);
        // PEC from its own column only (15, or 0.15 in the camelCase release), not the credit type.
        let file = db.file("usage.csv", &one_line(header, false));
        let r = json(&db.path, &["usage", "import", file.to_str().unwrap()]);
        assert_eq!(r["lines"], 1, "{header}: {r}");
        let rows = json(&db.path, &["usage", "list"]);
        let row = &rows[0];
        assert_eq!(
            (row["customer_id"].as_i64(), row["entitlement_id"].as_str(), row["month"].as_str(), row["pec_lines"].as_u64()),
            (Some(1), Some("aaaaaaaa-0000-0000-0000-000000000001"), Some("2026-11"), Some(1)),
            "{header}: {row}"
        );
        assert_eq!((dec(&row["retail"]).to_string(), dec(&row["cost"]).to_string()), ("9.6".into(), "8.16".into()), "{header}");
    }
}

#[test]
fn the_graph_export_in_several_gzip_members_reads_as_the_csv_does() {
    let db = TestDb::new();
    book(&db);
    // Numbers as JSON numbers (never through a float), dates with time and Z, camelCase names.
    let line = |day: u32, qty: &str, total: &str| {
        format!(
            r#"{{"customerId":"11111111-2222-3333-4444-555555555555","customerDomainName":"contoso.onmicrosoft.com","invoiceNumber":"G000111222","entitlementId":"e-1","entitlementDescription":"Contoso production","usageDate":"2026-11-{day:02}T00:00:00Z","chargeStartDate":"2026-11-01T00:00:00Z","meterCategory":"Storage","unitPrice":0.0209496384791679,"quantity":{qty},"billingPreTaxTotal":{total},"billingCurrency":"USD","pricingPreTaxTotal":{total},"pricingCurrency":"USD","pcToBCExchangeRate":1,"rateOfPartnerEarnedCredit":0.15,"tags":{{"env":"prod"}}}}"#
        )
    };
    let mut bytes = Vec::new();
    for part in [vec![line(1, "23.200004", "0.413101")], vec![line(2, "7.10833E-05", "1.26E-06"), line(3, "100", "1.780719")]] {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for l in part {
            writeln!(gz, "{l}").unwrap();
        }
        bytes.extend(gz.finish().unwrap());
    }
    let path = db.dir.path().join("usage.jsonl.gz");
    std::fs::write(&path, &bytes).unwrap();
    let r = json(&db.path, &["usage", "import", path.to_str().unwrap()]);
    assert_eq!((r["lines"].as_u64(), r["format"].as_str()), (Some(3), Some("JSON Lines, gzip-compressed")));
    let rows = json(&db.path, &["usage", "list"]);
    // 0.413101 + 0.00000126 + 1.780719; retail 0.0209496384791679 × (23.200004 + 0.0000710833 + 100).
    assert_eq!(dec(&rows[0]["cost"]).to_string(), "2.19382126");
    assert_eq!(dec(&rows[0]["retail"]).to_string(), "2.58099703360147610290718607");
    assert_eq!(rows[0]["pec_lines"], 3);
}

#[test]
fn a_file_with_bad_lines_is_refused_whole_naming_each() {
    let db = TestDb::new();
    book(&db);
    let text = std::fs::read_to_string(real_sample()).unwrap();
    let mut lines: Vec<String> = text.split("\r\n").map(str::to_string).collect();
    let header: Vec<String> = lines[0].split(',').map(str::to_string).collect();
    let price = header.iter().position(|h| *h == "UnitPrice").unwrap();
    let tenant = header.iter().position(|h| *h == "CustomerId").unwrap();
    // Line 5's unit price and line 9's tenant spoilt (these lines have no quoted commas before them).
    for (n, col, value) in [(4usize, price, "abc"), (8, tenant, "")] {
        let mut f: Vec<String> = lines[n].split(',').map(str::to_string).collect();
        assert!(f.len() >= header.len(), "line {} has quoted commas; pick another", n + 1);
        f[col] = value.to_string();
        lines[n] = f.join(",");
    }
    let file = db.file("bad.csv", &lines.join("\r\n"));
    let e = fails(&db.path, &["usage", "import", file.to_str().unwrap()], 2);
    let m = e["message"].as_str().unwrap();
    assert!(m.starts_with("usage file rejected, nothing imported: 2 bad lines"), "{m}");
    assert!(m.contains("line 5: UnitPrice 'abc' is not a number"), "{m}");
    assert!(m.contains("line 9: CustomerId is empty"), "{m}");
    assert_eq!(json(&db.path, &["usage", "list"]), serde_json::json!([]), "nothing was imported");
    // Not a usage file at all: said at line 1.
    let e = fails(&db.path, &["usage", "import", sample_pricelist().to_str().unwrap()], 2);
    assert!(e["message"].as_str().unwrap().contains("is this Microsoft's daily rated usage file?"), "{e}");
}

#[test]
fn estimates_are_the_latest_of_the_month_so_far_until_microsoft_bills_it() {
    let db = TestDb::new();
    book(&db);
    let header = "CustomerId,CustomerDomainName,InvoiceNumber,EntitlementId,EntitlementDescription,ChargeStartDate,UsageDate,MeterCategory,UnitPrice,Quantity,BillingPreTaxTotal,BillingCurrency,PricingPreTaxTotal,PricingCurrency,PartnerEarnedCreditPercentage";
    let row = |invoice: &str, day: u32, qty: u32| {
        let cost = rust_decimal::Decimal::from(qty) * rust_decimal::Decimal::new(85, 3);
        format!("t-1,contoso.onmicrosoft.com,{invoice},e-1,Prod,12/01/2026,12/{day:02}/2026,Storage,0.1,{qty},{cost},USD,{cost},USD,15")
    };
    let import = |name: &str, rows: &[String]| {
        let f = db.file(name, &format!("{header}\n{}\n", rows.join("\n")));
        json(&db.path, &["usage", "import", f.to_str().unwrap()])
    };
    let first = import("est1.csv", &[row("", 1, 10)]);
    assert_eq!(first["estimate_lines"], 1);
    import("est2.csv", &[row("", 1, 10), row("", 2, 20)]);
    let rows = json(&db.path, &["usage", "list", "--estimates"]);
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(
        (rows[0]["estimate"].as_bool(), rows[0]["lines"].as_u64(), dec(&rows[0]["retail"]).to_string()),
        (Some(true), Some(2), "3".into()),
        "the latest estimate, not both: {rows}"
    );
    // Microsoft's billed file for the month: final; the estimates no longer count.
    import("billed.csv", &[row("G000222333", 1, 10), row("G000222333", 2, 20), row("G000222333", 31, 5)]);
    let rows = json(&db.path, &["usage", "list", "--month", "2026-12"]);
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(
        (rows[0]["estimate"].as_bool(), rows[0]["lines"].as_u64(), dec(&rows[0]["cost"]).to_string()),
        (Some(false), Some(3), "2.975".into())
    );
    assert_eq!(json(&db.path, &["usage", "list", "--estimates"]), serde_json::json!([]));
    let e = fails(&db.path, &["usage", "list", "--month", "2026-13"], 2);
    assert_eq!(e["field"], "--month");
}

#[test]
fn a_months_usage_is_billed_the_next_month_priced_by_the_customers_rule_once() {
    let db = TestDb::new();
    contoso(&db);
    // Billed in ZAR by Microsoft at its November rate; retail in USD.
    let header = SHORT_HEADER;
    let rows = [
        // 720 hours × 0.1 = 72 retail; cost 61.2 USD = 1116.90 ZAR.
        "11111111-2222-3333-4444-555555555555,G000333444,e-1,Contoso production,11/01/2026,11/30/2026,11/30/2026,Virtual Machines,0.1,720,0.085,1116.9,ZAR,61.2,USD,18.25,15",
        // Storage without PEC: 3.3333 retail.
        "11111111-2222-3333-4444-555555555555,G000333444,e-1,Contoso production,11/01/2026,11/30/2026,11/15/2026,Storage,0.033333,100,0.033333,60.832725,ZAR,3.3333,USD,18.25,",
        // A tenant nobody has: kept, never billed.
        "99999999-0000-0000-0000-000000000000,G000333444,e-9,Someone else,11/01/2026,11/30/2026,11/15/2026,Storage,1,1,1,18.25,ZAR,1,USD,18.25,",
    ];
    let f = db.file("nov.csv", &format!("{header}\n{}\n", rows.join("\n")));
    json(&db.path, &["usage", "import", f.to_str().unwrap()]);
    // December's estimate so far: shown, never billed.
    let est = "11111111-2222-3333-4444-555555555555,,e-1,Contoso production,12/01/2026,12/31/2026,12/01/2026,Storage,1,5,0.85,77.56,ZAR,4.25,USD,18.25,15";
    let f = db.file("dec.csv", &format!("{header}\n{est}\n"));
    json(&db.path, &["usage", "import", f.to_str().unwrap()]);
    let rules = json(&db.path, &["usage", "rule", "--customer", "1", "--basis", "retail", "--percent", "10", "--on", "2026-11-01"]);
    assert_eq!(rules[0]["basis"], "retail");
    let e = fails(&db.path, &["usage", "rule", "--basis", "cost", "--percent", "-5"], 2);
    assert_eq!(e["field"], "--percent");

    // November's run bills nothing of November's usage (billed in arrears).
    let nov = json(&db.path, &["bill", "--month", "2026-11", "--preview", "--date", "2026-11-30"]);
    assert_eq!(nov["invoices"], serde_json::json!([]), "{nov}");
    // December's: one line for the subscription's month, retail + 10 % at Microsoft's rate.
    let run = json(&db.path, &["bill", "--month", "2026-12", "--issue", "--date", "2026-12-02"]);
    let invoices = run["invoices"].as_array().unwrap();
    assert_eq!(invoices.len(), 1, "{run}");
    let lines = invoices[0]["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{run}");
    let l = &lines[0];
    assert_eq!((l["kind"].as_str(), l["description"].as_str()), (Some("usage"), Some("Azure usage Nov 2026 — Contoso production")));
    // (72 + 3.3333) × 1.10 × 18.25 = 1512.3159975 → R 1 512,32, rounded once.
    assert_eq!((l["fx_rate"].as_str(), l["amount"].as_str()), (Some("18.25"), Some("1512.32")), "{l}");
    assert_eq!((l["period_start"].as_str(), l["period_end"].as_str()), (Some("2026-11-01"), Some("2026-11-30")));
    // By meter category, adding up to the line: 72 × 1.10 × 18.25 = 1445.40 and 3.3333 × 1.10 ×
    // 18.25 = 66.9159975 → 66.92.
    assert_eq!(
        l["details"],
        serde_json::json!([{"label": "Virtual Machines", "amount": "1445.40"}, {"label": "Storage", "amount": "66.92"}]),
        "{l}"
    );
    let number = invoices[0]["number"].as_str().unwrap().to_string();
    // The invoice read back has them as issued.
    let shown = json(&db.path, &["invoice", "show", &number]);
    assert_eq!(shown["lines"][0]["details"], l["details"], "{shown}");
    // Once: the next run has nothing of it; January bills no estimate.
    let again = json(&db.path, &["bill", "--month", "2026-12", "--issue", "--date", "2026-12-02"]);
    assert_eq!(again["invoices"], serde_json::json!([]));
    let jan = json(&db.path, &["bill", "--month", "2027-01", "--preview", "--date", "2027-01-02"]);
    assert_eq!(jan["invoices"], serde_json::json!([]), "December's estimate is never billed: {jan}");
    // The printed invoice shows the line.
    let pdf = db.dir.path().join("inv.pdf");
    ok(&db.path, &["invoice", "pdf", &number, "--out", pdf.to_str().unwrap()]);
    let text = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils, installed by .ci/run)");
    let text = String::from_utf8_lossy(&text.stdout).replace('\u{a0}', " ");
    assert!(text.contains("Azure usage Nov 2026 — Contoso production"), "{text}");
    assert!(text.contains("1 512,32"), "{text}");
    // Under the line, what the customer pays for.
    let row = |label: &str| text.lines().find(|t| t.contains(label)).unwrap_or_else(|| panic!("no {label} in {text}")).to_string();
    assert!(row("Virtual Machines").trim_end().ends_with("1 445,40"), "{text}");
    assert!(row("Storage").trim_end().ends_with("66,92"), "{text}");

    // A later file of Microsoft's for November (one more day of storage) after November was
    // invoiced: the next run bills the difference, once, as a correction.
    let later = "11111111-2222-3333-4444-555555555555,G000333444,e-1,Contoso production,11/01/2026,11/30/2026,11/30/2026,Storage,0.1,10,0.1,18.25,ZAR,1,USD,18.25,";
    let f = db.file("nov-2.csv", &format!("{header}\n{later}\n"));
    json(&db.path, &["usage", "import", f.to_str().unwrap()]);
    let jan = json(&db.path, &["bill", "--month", "2027-01", "--issue", "--date", "2027-01-02"]);
    let lines = jan["invoices"][0]["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{jan}");
    // 1.00 USD × 1.10 × 18.25 = 20.075 → R 20,08.
    assert_eq!(
        (lines[0]["description"].as_str(), lines[0]["amount"].as_str()),
        (Some("Azure usage Nov 2026 — Contoso production (correction)"), Some("20.08"))
    );
    // Only the storage changed.
    assert_eq!(lines[0]["details"], serde_json::json!([{"label": "Storage", "amount": "20.08"}]), "{jan}");
    let again = json(&db.path, &["bill", "--month", "2027-01", "--issue", "--date", "2027-01-02"]);
    assert_eq!(again["invoices"], serde_json::json!([]), "nothing twice");
    let feb = json(&db.path, &["bill", "--month", "2027-02", "--preview", "--date", "2027-02-01"]);
    assert_eq!(feb["invoices"], serde_json::json!([]), "{feb}");

    // Azure is income of its own in the books, and Azure revenue apart in the revenue report.
    let csv = ok(&db.path, &["export", "journal", "--format", "csv"]);
    assert!(csv.contains(&format!("2026-12-02,{number},Invoice {number} to Contoso,Income:Azure,,1512.32,ZAR")), "{csv}");
    assert!(!csv.contains("Income:Sales"), "no licence was sold: {csv}");
    let revenue = json(&db.path, &["report", "revenue", "--from", "2026-12-01", "--to", "2027-01-31"]);
    let azure: Vec<(&str, &str, &str)> = revenue
        .as_array()
        .unwrap_or_else(|| panic!("{revenue}"))
        .iter()
        .map(|r| (r["month"].as_str().unwrap(), r["net"].as_str().unwrap(), r["azure"].as_str().unwrap()))
        .collect();
    assert_eq!(azure, [("2026-12", "1512.32", "1512.32"), ("2027-01", "20.08", "20.08")], "{revenue}");
    // A credit note of the usage line takes it back from Azure's income.
    ok(&db.path, &["invoice", "credit", &number, "--lines", "1", "--reason", "goodwill", "--date", "2027-01-05"]);
    let csv = ok(&db.path, &["export", "journal", "--format", "csv"]);
    let azure_balance: rust_decimal::Decimal = csv
        .lines()
        .filter(|l| l.contains(",Income:Azure,"))
        .map(|l| {
            let f: Vec<&str> = l.rsplitn(4, ',').collect();
            let (credit, debit) = (f[1], f[2]);
            debit.parse::<rust_decimal::Decimal>().unwrap_or_default() - credit.parse::<rust_decimal::Decimal>().unwrap_or_default()
        })
        .sum();
    assert_eq!(azure_balance.to_string(), "-20.08", "{csv}");
    // And the books still balance: every entry, and so the trial balance, sums to zero.
    let total: rust_decimal::Decimal = csv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.rsplitn(4, ',').collect();
            f[2].parse::<rust_decimal::Decimal>().unwrap_or_default() - f[1].parse::<rust_decimal::Decimal>().unwrap_or_default()
        })
        .sum();
    assert!(total.is_zero(), "the journal sums to {total}: {csv}");
    hledger_check(&db);
}

/// `hledger check` of the journal export (hledger is installed by .ci/run).
fn hledger_check(db: &TestDb) {
    let file = db.dir.path().join("books.journal");
    ok(&db.path, &["export", "journal", "--format", "hledger", "--out", file.to_str().unwrap()]);
    let o = std::process::Command::new("hledger").args(["-f", file.to_str().unwrap(), "check"]).output().expect("hledger");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn the_azure_report_shows_price_cost_margin_and_where_pec_stopped() {
    let db = TestDb::new();
    book(&db);
    ok(&db.path, &["customer", "add", "--name", "Contoso", "--domain", "contoso.onmicrosoft.com"]);
    let header = "CustomerId,CustomerDomainName,InvoiceNumber,EntitlementId,EntitlementDescription,ChargeStartDate,UsageDate,MeterCategory,UnitPrice,Quantity,BillingPreTaxTotal,BillingCurrency,PricingPreTaxTotal,PricingCurrency,PartnerEarnedCreditPercentage";
    let mut rows = Vec::new();
    // VMs earn PEC to 10 November (8.50 a day after PEC), then the access is gone (10.00 a day).
    for day in 1..=30 {
        let (cost, pec) = if day <= 10 { ("8.5", "15") } else { ("10", "") };
        rows.push(format!(
            "t-1,contoso.onmicrosoft.com,G000444555,e-1,Prod,11/01/2026,11/{day:02}/2026,Virtual Machines,1,10,{cost},USD,{cost},USD,{pec}"
        ));
    }
    // A tenant nobody has.
    rows.push("t-9,nobody.example.com,G000444555,e-9,Other,11/01/2026,11/05/2026,Storage,1,1,1,USD,1,USD,".to_string());
    let f = db.file("nov.csv", &format!("{header}\n{}\n", rows.join("\n")));
    json(&db.path, &["usage", "import", f.to_str().unwrap()]);
    // Not billed yet: as the next run would bill it (retail 300 USD at R 18,50, no markup).
    json(&db.path, &["fx", "set", "--from", "USD", "--to", "ZAR", "--rate", "18.50", "--on", "2026-10-01"]);
    let report = json(&db.path, &["report", "azure", "--month", "2026-11"]);
    let rows = report.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{report}");
    let contoso = rows.iter().find(|r| r["entitlement_id"] == "e-1").unwrap();
    // Cost: 10 × 8.50 + 20 × 10 = 285 USD → R 5 272,50; price 300 USD → R 5 550,00.
    assert_eq!(
        (contoso["state"].as_str(), contoso["price"].as_str(), contoso["cost_in_currency"].as_str(), contoso["margin"].as_str()),
        (Some("to_bill"), Some("5550.00"), Some("5272.50"), Some("277.50")),
        "{contoso}"
    );
    // The PEC watch: stopped on 11 November; 15 % of the 200 USD paid at full price since.
    assert_eq!(contoso["pec_stopped"]["since"], "2026-11-11");
    assert_eq!(dec(&contoso["pec_stopped"]["lost"]).to_string(), "30");
    let other = rows.iter().find(|r| r["entitlement_id"] == "e-9").unwrap();
    assert_eq!((other["state"].as_str(), other["price"].is_null()), (Some("no_customer"), true));
    // Once billed, the report shows what was invoiced.
    json(&db.path, &["bill", "--month", "2026-12", "--issue", "--date", "2026-12-02"]);
    let report = json(&db.path, &["report", "azure", "--month", "2026-11"]);
    let contoso = report.as_array().unwrap().iter().find(|r| r["entitlement_id"] == "e-1").unwrap().clone();
    assert_eq!(
        (contoso["state"].as_str(), contoso["price"].as_str(), contoso["margin"].as_str()),
        (Some("billed"), Some("5550.00"), Some("277.50"))
    );
    // The CSV is the report's table.
    let csv = db.dir.path().join("azure.csv");
    ok(&db.path, &["report", "azure", "--month", "2026-11", "--csv", csv.to_str().unwrap()]);
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("month,customer,subscription,entitlement_id,lines,pricing_currency,retail,billing_currency,microsoft_cost,currency,price,cost,margin,pec_lines,pec_stopped_on,pec_lost,state")
    );
    assert!(text.contains("2026-11,Contoso,Prod,e-1,30,USD,300,USD,285,ZAR,5550.00,5272.50,277.50,10,2026-11-11,30,billed"), "{text}");
}

#[test]
fn a_budget_warns_when_this_months_estimate_crosses_80_and_100_percent() {
    let db = TestDb::new();
    book(&db);
    ok(&db.path, &["customer", "add", "--name", "Contoso", "--domain", "contoso.onmicrosoft.com"]);
    json(&db.path, &["fx", "set", "--from", "USD", "--to", "ZAR", "--rate", "18.50", "--on", "2026-10-01"]);
    let header = "CustomerId,CustomerDomainName,InvoiceNumber,EntitlementId,EntitlementDescription,ChargeStartDate,UsageDate,MeterCategory,UnitPrice,Quantity,BillingPreTaxTotal,BillingCurrency,PricingPreTaxTotal,PricingCurrency";
    let estimate =
        |qty: u32| format!("{header}\nt-1,contoso.onmicrosoft.com,,e-1,Prod,12/01/2026,12/10/2026,Storage,1,{qty},{qty},USD,{qty},USD\n");
    // December so far: 90 USD of retail = R 1 665,00 against a budget of R 2 000,00.
    let f = db.file("dec-1.csv", &estimate(90));
    json(&db.path, &["usage", "import", f.to_str().unwrap()]);
    let b = json(&db.path, &["--today", "2026-12-15", "usage", "budget", "--customer", "1", "--amount", "2000"]);
    assert_eq!((b["spent"].as_str(), b["percent"].as_u64(), b["warning"].as_u64()), (Some("1665.00"), Some(83), Some(80)), "{b}");
    // A later estimate of the month: 120 USD = R 2 220,00, over budget.
    let f = db.file("dec-2.csv", &estimate(120));
    json(&db.path, &["usage", "import", f.to_str().unwrap()]);
    let b = json(&db.path, &["--today", "2026-12-20", "usage", "budget", "--customer", "1", "--amount", "2000"]);
    assert_eq!((b["spent"].as_str(), b["percent"].as_u64(), b["warning"].as_u64()), (Some("2220.00"), Some(111), Some(100)), "{b}");
    let e = fails(&db.path, &["usage", "budget", "--customer", "1", "--amount", "-5"], 2);
    assert_eq!(e["field"], "--amount");
    // 0 removes it.
    let b = json(&db.path, &["usage", "budget", "--customer", "1", "--amount", "0"]);
    assert!(b.is_null(), "{b}");
}

#[test]
fn the_dashboard_names_the_subscriptions_that_stopped_earning_pec() {
    let db = TestDb::new();
    book(&db);
    ok(&db.path, &["customer", "add", "--name", "Contoso", "--domain", "contoso.onmicrosoft.com"]);
    let header = "CustomerId,CustomerDomainName,InvoiceNumber,EntitlementId,EntitlementDescription,ChargeStartDate,UsageDate,MeterCategory,UnitPrice,Quantity,BillingPreTaxTotal,BillingCurrency,PricingPreTaxTotal,PricingCurrency,PartnerEarnedCreditPercentage";
    // December's estimate: PEC on the 1st and 2nd, none from the 3rd (40 USD at full price since).
    let rows = [
        "t-1,contoso.onmicrosoft.com,,e-1,Prod,12/01/2026,12/01/2026,Virtual Machines,1,10,8.5,USD,8.5,USD,15",
        "t-1,contoso.onmicrosoft.com,,e-1,Prod,12/01/2026,12/02/2026,Virtual Machines,1,10,8.5,USD,8.5,USD,15",
        "t-1,contoso.onmicrosoft.com,,e-1,Prod,12/01/2026,12/03/2026,Virtual Machines,1,20,20,USD,20,USD,",
        "t-1,contoso.onmicrosoft.com,,e-1,Prod,12/01/2026,12/04/2026,Virtual Machines,1,20,20,USD,20,USD,",
        // Another subscription still earns it.
        "t-1,contoso.onmicrosoft.com,,e-2,Test,12/01/2026,12/04/2026,Virtual Machines,1,10,8.5,USD,8.5,USD,15",
    ];
    let f = db.file("dec.csv", &format!("{header}\n{}\n", rows.join("\n")));
    json(&db.path, &["usage", "import", f.to_str().unwrap()]);
    let store = db.open();
    let d = seatbook::app::reports::dashboard(&store, day("2026-12-05"), None).unwrap();
    assert_eq!(d.pec_alerts.len(), 1, "{:?}", d.pec_alerts);
    let a = &d.pec_alerts[0];
    assert_eq!(
        (a.customer_id, a.entitlement.as_str(), a.since, a.lost.to_string(), a.currency.code()),
        (Some(1), "Prod", day("2026-12-03"), "6".to_string(), "USD")
    );
    // In January the alert of December still shows; in March it is gone.
    assert_eq!(seatbook::app::reports::dashboard(&store, day("2027-01-10"), None).unwrap().pec_alerts.len(), 1);
    assert!(seatbook::app::reports::dashboard(&store, day("2027-03-01"), None).unwrap().pec_alerts.is_empty());
}

/// A tiered meter comes as one line per tier (DOMAIN §7), the first often a free allowance:
/// EffectiveUnitPrice 0 with a UnitPrice. Microsoft charges nothing for it, and neither does the
/// reseller on a retail rule; Microsoft's retail figure still counts it.
#[test]
fn a_free_tier_is_not_charged_to_the_customer() {
    let db = TestDb::new();
    contoso(&db);
    let header = SHORT_HEADER;
    let rows = [
        // Data transfer out: the first 100 GB free, then 0.087 a GB (PEC: 0.07395).
        "11111111-2222-3333-4444-555555555555,G000555666,e-1,Contoso production,11/01/2026,11/30/2026,11/30/2026,Bandwidth,0.087,100,0.00E+00,0.00E+00,ZAR,0,USD,18.25,15",
        "11111111-2222-3333-4444-555555555555,G000555666,e-1,Contoso production,11/01/2026,11/30/2026,11/30/2026,Bandwidth,0.087,50,0.07395,67.479375,ZAR,3.6975,USD,18.25,15",
    ];
    let f = db.file("nov.csv", &format!("{header}\n{}\n", rows.join("\n")));
    json(&db.path, &["usage", "import", f.to_str().unwrap()]);
    let list = json(&db.path, &["usage", "list", "--month", "2026-11"]);
    assert_eq!((list[0]["retail"].as_str(), list[0]["free"].as_str()), (Some("13.05"), Some("8.7")), "{list}");
    let run = json(&db.path, &["bill", "--month", "2026-12", "--issue", "--date", "2026-12-02"]);
    let l = &run["invoices"][0]["lines"][0];
    // (13.05 − 8.70) × 18.25 = 79.3875 → R 79,39 at retail + 0 %.
    assert_eq!(l["amount"], "79.39", "{l}");
}
