//! The `seatbook` command line as a script or a person uses it: the real binary over a temporary
//! database, checking exit statuses (0, 2 for bad input or a refused change, 1 otherwise), the
//! JSON a script reads (`{"code","message","field"}` on errors) and the text a person reads.
//! Every command gets `--today 2026-11-24` so that nothing depends on the clock.

use crate::helpers::{fails, json, ok, sample_pricelist, seatbook, stderr, stdout, TestDb};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const TODAY: &str = "2026-11-24";
const BASIC: &str = "CFQ7TTC0LH18:0001";
const STANDARD: &str = "CFQ7TTC0LDPB:0001";
const EXCHANGE: &str = "CFQ7TTC0LH16:0001";

/// A temporary Seatbook database driven through the binary, always with `--today TODAY`.
struct Book {
    db: TestDb,
}

fn with_today<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--today", TODAY];
    all.extend_from_slice(args);
    all
}

impl Book {
    /// An empty database: not even `init`.
    fn empty() -> Book {
        Book { db: TestDb::new() }
    }

    /// A South African reseller (ZAR, VAT 15 %, default markup 20 %), without a price list.
    fn reseller() -> Book {
        let book = Book::empty();
        let mut args = vec!["init", "--name", "Cloudwise (Pty) Ltd"];
        args.extend(words("--country ZA --currency ZAR --vat-rate 15 --default-markup 20"));
        book.ok(&args);
        book
    }

    /// The reseller with the sample price list imported.
    fn with_prices() -> Book {
        let book = Book::reseller();
        book.ok(&["pricelist", "import", path(&sample_pricelist())]);
        book
    }

    fn path(&self) -> &Path {
        &self.db.path
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> String {
        ok(self.path(), &with_today(args))
    }

    #[track_caller]
    fn json(&self, args: &[&str]) -> Value {
        json(self.path(), &with_today(args))
    }

    #[track_caller]
    fn fails(&self, args: &[&str], status: i32) -> Value {
        fails(self.path(), &with_today(args), status)
    }

    /// A file in the temporary folder.
    fn file(&self, name: &str, contents: &str) -> PathBuf {
        self.db.file(name, contents)
    }

    /// Add a customer; returns its id.
    #[track_caller]
    fn customer(&self, name: &str, domain: &str, extra: &[&str]) -> i64 {
        let mut args = vec!["customer", "add", "--name", name, "--domain", domain];
        args.extend_from_slice(extra);
        id(&self.json(&args))
    }

    /// `subscription add` for `customer` and `product`; `spec` is "TERM BILLING QUANTITY START".
    #[track_caller]
    fn subscription(&self, customer: i64, product: &str, spec: &str, extra: &[&str]) -> Value {
        let [term, billing, quantity, start] = words(spec)[..] else { panic!("spec is TERM BILLING QUANTITY START") };
        let line = format!(
            "subscription add --customer {customer} --product {product} --term {term} --billing {billing} \
             --quantity {quantity} --start {start}"
        );
        let mut args = words(&line);
        args.extend_from_slice(extra);
        self.json(&args)
    }

    /// `subscription show ID --as-of DATE --json`.
    #[track_caller]
    fn show(&self, sub: i64, as_of: &str) -> Value {
        self.json(&["subscription", "show", &sub.to_string(), "--as-of", as_of])
    }

    /// `subscription show ID --as-of DATE` as a person reads it.
    #[track_caller]
    fn show_text(&self, sub: i64, as_of: &str) -> String {
        self.ok(&["subscription", "show", &sub.to_string(), "--as-of", as_of])
    }

    /// Seat count and history length, to prove a refused change wrote nothing.
    #[track_caller]
    fn seats_and_history(&self, sub: i64) -> (u64, usize) {
        let v = self.show(sub, TODAY);
        (v["subscription"]["quantity"].as_u64().unwrap(), v["history"].as_array().unwrap().len())
    }

    /// Ids of `customer list` with extra arguments.
    #[track_caller]
    fn customer_ids(&self, args: &[&str]) -> Vec<i64> {
        let mut all = vec!["customer", "list"];
        all.extend_from_slice(args);
        self.json(&all).as_array().unwrap().iter().map(id).collect()
    }

    /// Ids of `subscription list` with extra arguments.
    #[track_caller]
    fn subscription_ids(&self, args: &[&str]) -> Vec<i64> {
        let mut all = vec!["subscription", "list"];
        all.extend_from_slice(args);
        self.json(&all).as_array().unwrap().iter().map(id).collect()
    }

    /// Every price row `product list` shows on `on`, as (product, term, plan, currency, price).
    #[track_caller]
    fn prices_on(&self, on: &str) -> Vec<(String, String, String, String, String)> {
        let mut rows = Vec::new();
        for p in self.json(&["product", "list", "--on", on]).as_array().unwrap() {
            for r in p["prices"].as_array().unwrap() {
                rows.push((text(&p["product"]), text(&r["term"]), text(&r["billing_plan"]), text(&r["currency"]), cents(&r["unit_price"])));
            }
        }
        rows
    }
}

/// The words of a command line whose values hold no spaces.
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

#[track_caller]
fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no integer id in {v}"))
}

#[track_caller]
fn text(v: &Value) -> String {
    v.as_str().unwrap_or_else(|| panic!("{v} is not a JSON string")).to_string()
}

/// An amount as a script reads it: it must be a JSON string (never a number), compared to the
/// cent. Seatbook prints locked prices without trailing zeros ("86.4"), so pad to two decimals;
/// more decimals are kept as they are, so "86.405" never passes for "86.40".
#[track_caller]
fn cents(v: &Value) -> String {
    let s = v.as_str().unwrap_or_else(|| panic!("amount {v} is not a decimal string"));
    match s.split_once('.') {
        None => format!("{s}.00"),
        Some((units, frac)) if frac.len() < 2 => format!("{units}.{frac:0<2}"),
        Some(_) => s.to_string(),
    }
}

/// The lines of the sample price list without their line endings (index 0 is the header).
fn sample_lines() -> Vec<String> {
    std::fs::read_to_string(sample_pricelist()).unwrap().lines().map(str::to_string).collect()
}

/// `line` of the sample with `from` replaced by `to` (which must occur).
#[track_caller]
fn edit(line: &str, from: &str, to: &str) -> String {
    assert!(line.contains(from), "{from} not in {line}");
    line.replacen(from, to, 1)
}

// ---------------------------------------------------------------------------------------------
// 1. init and the company profile

#[test]
fn init_requires_the_essentials_and_runs_once() {
    let book = Book::empty();
    let base = ["init", "--name", "Cloudwise (Pty) Ltd", "--country", "ZA", "--currency", "ZAR", "--vat-rate", "15"];
    for (missing, flag, what) in [(3, "--country", "the country"), (5, "--currency", "the currency"), (7, "--vat-rate", "the VAT rate")] {
        let args: Vec<&str> = base.iter().enumerate().filter(|(i, _)| *i != missing && *i != missing + 1).map(|(_, a)| *a).collect();
        let e = book.fails(&args, 2);
        assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some(flag)), "{e}");
        assert_eq!(e["message"], format!("{what} is required"));
    }
    let e = book.fails(&["init", "--country", "ZA", "--currency", "ZAR", "--vat-rate", "15"], 2);
    assert_eq!(e["field"], "--name");
    let e = book.fails(&["init", "--name", "X", "--country", "ZAF", "--currency", "ZAR", "--vat-rate", "15"], 2);
    assert_eq!(e["field"], "--country");
    // Before init a command that needs the profile says how to set up.
    let e = book.fails(&["customer", "add", "--name", "A", "--domain", "a.onmicrosoft.com"], 2);
    assert!(text(&e["message"]).contains("run `seatbook init"), "{e}");

    let out = book.ok(&base);
    assert!(out.starts_with("Seatbook is set up for Cloudwise (Pty) Ltd in "), "{out}");
    assert!(out.contains("  VAT rate               15%\n"), "{out}");
    assert!(out.contains("  Invoice numbers        INV-{year}-{seq:05}\n"), "{out}");

    let e = book.fails(&["init", "--name", "Someone Else", "--country", "GB", "--currency", "GBP", "--vat-rate", "20"], 2);
    assert_eq!(e["code"], "conflict");
    assert!(text(&e["message"]).contains("already set up"), "{e}");
    let c = book.json(&["company", "show"]);
    assert_eq!((text(&c["name"]), text(&c["country"]), text(&c["currency"])), ("Cloudwise (Pty) Ltd".into(), "ZA".into(), "ZAR".into()));
    assert_eq!((text(&c["vat_rate"]), text(&c["market"]), c["payment_terms_days"].as_u64()), ("15".into(), "ZA".into(), Some(30)));
    assert_eq!(text(&c["default_markup"]), "15", "the default markup when init does not give one");
}

#[test]
fn company_set_validates_each_field_and_changes_nothing_on_error() {
    let book = Book::reseller();
    for bad in ["101", "--vat-rate=-1", "fifteen"] {
        let args: Vec<&str> = if bad.starts_with("--") { vec!["company", "set", bad] } else { vec!["company", "set", "--vat-rate", bad] };
        let e = book.fails(&args, 2);
        assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some("--vat-rate")), "{bad}: {e}");
    }
    let e = book.fails(&["company", "set", "--vat-rate", "101"], 2);
    assert_eq!(e["message"], "--vat-rate: 101% is out of range (0 to 100)");
    for bad in ["INV-{year}", "INV-{seq}-{seq}", "INV-{month}-{seq}", "INV-{seq"] {
        let e = book.fails(&["company", "set", "--invoice-format", bad, "--vat-rate", "14"], 2);
        assert_eq!(e["field"], "--invoice-format", "{bad}: {e}");
    }
    let e = book.fails(&["company", "set", "--currency", "RAND"], 2);
    assert_eq!(e["field"], "--currency");
    let c = book.json(&["company", "show"]);
    assert_eq!((text(&c["vat_rate"]), text(&c["invoice_number_format"])), ("15".into(), "INV-{year}-{seq:05}".into()));

    let c = book.json(&["company", "set", "--invoice-format", "F{year}/{seq:04}", "--vat-number", "4000111222", "--vat-rate", "15.5"]);
    assert_eq!(text(&c["invoice_number_format"]), "F{year}/{seq:04}");
    let out = book.ok(&["company", "show"]);
    assert!(out.starts_with("Cloudwise (Pty) Ltd\n"), "{out}");
    for line in [
        "  VAT number             4000111222\n",
        "  VAT rate               15.5%\n",
        "  Invoice numbers        F{year}/{seq:04}\n",
        "  Currency               ZAR\n",
    ] {
        assert!(out.contains(line), "{line:?} missing from\n{out}");
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Customers

#[test]
fn customer_add_show_update_in_json_and_text() {
    let book = Book::reseller();
    let mut args = vec![
        "customer",
        "add",
        "--name",
        "Acme Trading (Pty) Ltd",
        "--contact-person",
        "Thandi Nkosi",
        "--address",
        "1 Main Rd\\nCape Town",
    ];
    args.extend(words("--domain ACME.onmicrosoft.com --email accounts@acme.co.za --vat-number za4123456789 --credit-limit 5000"));
    let c = book.json(&args);
    assert!(id(&c) > 0);
    assert_eq!(c["credit_limit"], Value::String("5000.00".into()), "amounts are decimal strings to the cent");
    assert_eq!(text(&c["domain"]), "acme.onmicrosoft.com");
    assert_eq!(text(&c["vat_number"]), "ZA4123456789");
    assert_eq!(text(&c["address"]), "1 Main Rd\nCape Town");
    // Defaults come from the company profile.
    assert_eq!((text(&c["country"]), text(&c["currency"]), c["payment_terms_days"].as_u64()), ("ZA".into(), "ZAR".into(), Some(30)));
    assert_eq!((text(&c["tax_treatment"]), text(&c["billing_alignment"])), ("standard".into(), "microsoft".into()));
    assert!(c["closed_on"].is_null());

    let cid = id(&c).to_string();
    let u =
        book.json(&["customer", "update", &cid, "--credit-limit", "7500.5", "--payment-terms-days", "14", "--tax-treatment", "zero-rated"]);
    assert_eq!(u["credit_limit"], "7500.50");
    assert_eq!((u["payment_terms_days"].as_u64(), text(&u["tax_treatment"])), (Some(14), "zero-rated".into()));
    assert_eq!(text(&u["email"]), "accounts@acme.co.za", "fields not given are kept");

    let out = book.ok(&["customer", "show", &cid]);
    assert!(out.starts_with(&format!("Customer {cid}: Acme Trading (Pty) Ltd\n")), "{out}");
    for line in [
        "  Tenant domain          acme.onmicrosoft.com\n",
        "  Billing address        1 Main Rd\n                         Cape Town\n",
        "  Credit limit           7500.50 ZAR\n",
        "  Payment terms          14 days\n",
        "  Tax treatment          zero-rated\n",
        "No subscriptions.\n",
    ] {
        assert!(out.contains(line), "{line:?} missing from\n{out}");
    }
    let shown = book.json(&["customer", "show", &cid]);
    assert_eq!(shown["customer"]["credit_limit"], "7500.50");
    assert_eq!(shown["subscriptions"], serde_json::json!([]));

    // "" removes the credit limit.
    let u = book.json(&["customer", "update", &cid, "--credit-limit", ""]);
    assert!(u["credit_limit"].is_null(), "{u}");
    let e = book.fails(&["customer", "update", "99", "--phone", "1"], 2);
    assert_eq!(e["code"], "not_found");
}

#[test]
fn customer_search_matches_name_domain_email_and_vat_number_in_any_case() {
    let book = Book::reseller();
    let acme = book.customer("Acme Trading", "acme.onmicrosoft.com", &["--email", "Accounts@Acme.co.za", "--vat-number", "4123456789"]);
    let bongani = book.customer("Bongani Logistics", "bongani.onmicrosoft.com", &["--email", "it@bongani.africa", "--vat-number", "ZA999"]);
    let zulu = book.customer("Zulu Print", "zuluprint.onmicrosoft.com", &["--contact-person", "Nomsa Acmeson"]);
    assert_eq!(book.customer_ids(&[]), [acme, bongani, zulu], "sorted by name");
    for (search, expected) in [
        ("acme trading", vec![acme]),
        ("BONGANI.ONMICROSOFT", vec![bongani]),
        ("accounts@acme", vec![acme]),
        ("IT@Bongani", vec![bongani]),
        ("4123456", vec![acme]),
        ("za999", vec![bongani]),
        ("acme", vec![acme, zulu]),
        ("onmicrosoft.com", vec![acme, bongani, zulu]),
        ("100%", vec![]),
    ] {
        assert_eq!(book.customer_ids(&["--search", search]), expected, "--search {search}");
    }
    let out = book.ok(&["customer", "list", "--search", "nobody"]);
    assert_eq!(out, "No customers.\n");
    let out = book.ok(&["customer", "list", "--search", "ZA999"]);
    assert!(out.contains("Bongani Logistics") && out.contains("bongani.onmicrosoft.com") && out.contains("it@bongani.africa"), "{out}");
    assert!(!out.contains("Acme"), "{out}");
}

/// Regression: `render::customers` pads the currency with `{:<8}`; `Currency`'s `Display` once
/// ignored the width (`write_str`), and the columns after it shifted.
#[test]
fn customer_list_columns_line_up() {
    let book = Book::reseller();
    book.customer("Acme Trading", "acme.onmicrosoft.com", &["--email", "accounts@acme.co.za"]);
    let out = book.ok(&["customer", "list"]);
    let lines: Vec<&str> = out.lines().collect();
    let header_at = lines[0].find("EMAIL").unwrap();
    assert_eq!(lines[1].find("accounts@acme.co.za"), Some(header_at), "the email column must line up with its header:\n{out}");
}

#[test]
fn bad_customer_fields_are_named_by_their_flag_and_nothing_is_added() {
    let book = Book::reseller();
    let base = ["customer", "add", "--name", "Acme", "--domain", "acme.onmicrosoft.com"];
    for (flag, value, message) in [
        ("--email", "accounts.acme.co.za", "--email: 'accounts.acme.co.za' is not an email address"),
        ("--country", "ZZ", "--country: 'ZZ' is not an ISO 3166 country code (e.g. ZA, GB, DE)"),
        ("--country", "ZAF", "--country: use a two-letter ISO 3166 code such as ZA"),
        ("--currency", "RAND", "--currency: 'RAND' is not an ISO 4217 currency code"),
        ("--payment-terms-days", "ninety", "--payment-terms-days: 'ninety' is not a number of days (0 to 365)"),
        (
            "--credit-limit",
            "5,000",
            "--credit-limit: '5,000' is ambiguous: write 5000 or 5000.00 if the comma separates thousands, or 5.000 if it is a decimal comma",
        ),
        ("--credit-limit", "5.000,00", "--credit-limit: '5.000,00' is not a decimal amount (use digits and a '.' like 1234.50)"),
        ("--tenant-id", "1234", "--tenant-id: '1234' is not a GUID such as 6f1b2c3d-0000-4000-8000-1234567890ab"),
        ("--tax-treatment", "free", "--tax-treatment: 'free' is not a tax treatment (use standard, zero-rated or exempt)"),
        ("--billing-alignment", "weekly", "--billing-alignment: 'weekly' is not a billing alignment (use microsoft or calendar)"),
    ] {
        let mut args = base.to_vec();
        args.extend([flag, value]);
        let e = book.fails(&args, 2);
        assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some(flag)), "{flag} {value}: {e}");
        assert_eq!(e["message"], message);
    }
    let e = book.fails(&["customer", "add", "--name", "Acme"], 2);
    assert_eq!(e["field"], "--domain");
    let e = book.fails(&["customer", "add", "--name", "Acme", "--domain", "not a domain"], 2);
    assert_eq!(e["field"], "--domain");
    let e = book.fails(&["customer", "add", "--domain", "acme.onmicrosoft.com"], 2);
    assert_eq!(e["field"], "--name");
    assert_eq!(book.customer_ids(&["--all"]), Vec::<i64>::new());
}

/// Amounts as South Africans type them (and as the app shows them): a decimal comma and
/// thousands grouped by (non-breaking) spaces; also a comma grouping before a point.
#[test]
fn amounts_take_a_decimal_comma_and_grouped_thousands() {
    let book = Book::reseller();
    let acme = book.customer("Acme", "acme.onmicrosoft.com", &["--credit-limit", "25 000,50"]);
    let c = book.json(&["customer", "show", &acme.to_string()]);
    assert_eq!(c["customer"]["credit_limit"], "25000.50");
    let c = book.json(&["customer", "update", &acme.to_string(), "--credit-limit", "1,499.72"]);
    assert_eq!(c["credit_limit"], "1499.72");
    let charge = book.json(&["charge", "add", "--customer", &acme.to_string(), "--description", "Set-up", "--amount", "1\u{a0}499,72"]);
    assert_eq!(charge["unit_price"], "1499.72");
    let e = book.fails(&["charge", "add", "--customer", &acme.to_string(), "--description", "Set-up", "--amount", "1,499"], 2);
    assert_eq!((e["field"].as_str(), text(&e["message"]).contains("ambiguous")), (Some("--amount"), true), "{e}");
}

#[test]
fn a_tenant_domain_belongs_to_one_customer() {
    let book = Book::reseller();
    let acme = book.customer("Acme Trading", "acme.onmicrosoft.com", &[]);
    let e = book.fails(&["customer", "add", "--name", "Acme Again", "--domain", "ACME.onmicrosoft.com"], 2);
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("conflict"), Some("--domain")), "{e}");
    assert_eq!(e["message"], format!("the tenant domain acme.onmicrosoft.com already belongs to customer {acme} (Acme Trading)"));
    let other = book.customer("Other", "other.onmicrosoft.com", &[]);
    let e = book.fails(&["customer", "update", &other.to_string(), "--domain", "acme.onmicrosoft.com"], 2);
    assert_eq!(e["code"], "conflict");
    assert_eq!(book.customer_ids(&[]), [acme, other]);
    assert_eq!(text(&book.json(&["customer", "show", &other.to_string()])["customer"]["domain"]), "other.onmicrosoft.com");
}

#[test]
fn closing_a_customer_is_refused_while_a_subscription_runs() {
    let book = Book::with_prices();
    let acme = book.customer("Acme Trading", "acme.onmicrosoft.com", &[]);
    let cid = acme.to_string();
    let sub = id(&book.subscription(acme, BASIC, "P1M monthly 3 2026-11-20", &[]));
    let e = book.fails(&["customer", "close", &cid, "--on", "2026-11-24"], 2);
    assert_eq!(e["code"], "refused");
    assert!(text(&e["message"]).contains(&format!("still has running subscriptions ({sub})")), "{e}");
    // Nor can the currency change under a locked price.
    let e = book.fails(&["customer", "update", &cid, "--currency", "USD"], 2);
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("refused"), Some("--currency")), "{e}");
    assert!(book.json(&["customer", "show", &cid])["customer"]["closed_on"].is_null());

    book.ok(&["subscription", "cancel", &sub.to_string(), "--on", "2026-11-24"]);
    let out = book.ok(&["customer", "close", &cid, "--on", "2026-11-24"]);
    assert_eq!(out, format!("Customer {acme} (Acme Trading) closed on 2026-11-24.\n"));
    assert_eq!(book.customer_ids(&[]), Vec::<i64>::new(), "closed customers leave the list");
    assert_eq!(book.customer_ids(&["--all"]), [acme]);
    assert!(book.ok(&["customer", "list", "--all"]).contains("(closed 2026-11-24)"));
    let e = book.fails(&["customer", "close", &cid], 2);
    assert_eq!(e["message"], format!("customer {acme} was already closed on 2026-11-24"));
    let e = book.fails(
        &words(&format!("subscription add --customer {cid} --product {BASIC} --term P1M --billing monthly --quantity 1 --start {TODAY}")),
        2,
    );
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("refused"), Some("--customer")), "{e}");
}

#[test]
fn the_contact_log_keeps_notes_in_date_order() {
    let book = Book::reseller();
    let acme = book.customer("Acme Trading", "acme.onmicrosoft.com", &[]).to_string();
    let out = book.ok(&["customer", "note", &acme, "--channel", "Phone", "--summary", "Asked about Teams Phone", "--on", "2026-11-20"]);
    assert_eq!(out, format!("Noted for customer {acme}: 2026-11-20 phone — Asked about Teams Phone\n"));
    let e = book.json(&["customer", "note", &acme, "--channel", "email", "--summary", "Sent the renewal quote"]);
    assert_eq!(text(&e["date"]), TODAY, "the date defaults to today");
    book.ok(&["customer", "note", &acme, "--channel", "ticket", "--summary", "Mailbox full", "--on", "2026-11-02"]);
    let shown = book.json(&["customer", "show", &acme]);
    let log: Vec<(String, String)> =
        shown["contact_log"].as_array().unwrap().iter().map(|e| (text(&e["date"]), text(&e["channel"]))).collect();
    assert_eq!(log, [("2026-11-02".into(), "ticket".into()), ("2026-11-20".into(), "phone".into()), (TODAY.into(), "email".into())]);
    let out = book.ok(&["customer", "show", &acme]);
    assert!(out.contains("Contact log\n  2026-11-02  ticket   Mailbox full\n  2026-11-20  phone    Asked about Teams Phone\n"), "{out}");

    let e = book.fails(&["customer", "note", &acme, "--channel", "fax", "--summary", "x"], 2);
    assert_eq!(e["field"], "--channel");
    let e = book.fails(&["customer", "note", &acme, "--channel", "phone", "--summary", "  "], 2);
    assert_eq!(e["field"], "--summary");
    let e = book.fails(&["customer", "note", "99", "--channel", "phone", "--summary", "x"], 2);
    assert_eq!(e["code"], "not_found");
    assert_eq!(book.json(&["customer", "show", &acme])["contact_log"].as_array().unwrap().len(), 3);
}

const CUSTOMER_HEADER: &str = "name,domain,email,country,currency,vat_number,payment_terms_days";

#[test]
fn a_customer_file_with_bad_lines_lists_each_and_imports_nothing() {
    let book = Book::reseller();
    let file = book.file(
        "customers.csv",
        &format!(
            "\u{feff}{CUSTOMER_HEADER}\n\
             \"Smith, Jones & Co\",smithjones.onmicrosoft.com,info@sj.co.za,ZA,ZAR,4111111111,30\n\
             Bad Email Ltd,bademail.onmicrosoft.com,not-an-email,ZA,ZAR,,30\n\
             \"Good, Two\",goodtwo.onmicrosoft.com,a@b.com,GB,GBP,GB123,14\n\
             Bad Country,badcountry.onmicrosoft.com,,XX,ZAR,,30\n\
             Bad Terms,badterms.onmicrosoft.com,,ZA,ZAR,,ninety\n"
        ),
    );
    let e = book.fails(&["customer", "import", path(&file)], 2);
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some("line 3")), "{e}");
    assert_eq!(
        e["message"],
        "customer file rejected, nothing imported: 3 bad lines\n  \
         line 3: email: 'not-an-email' is not an email address\n  \
         line 5: country: 'XX' is not an ISO 3166 country code (e.g. ZA, GB, DE)\n  \
         line 6: payment_terms_days: 'ninety' is not a number of days (0 to 365)"
    );
    assert_eq!(book.customer_ids(&["--all"]), Vec::<i64>::new(), "not even the good lines");
    assert_eq!(book.ok(&["customer", "list"]), "No customers.\n");

    // The same in text: the person sees every line to fix.
    let o = seatbook(book.path(), &["customer", "import", path(&file)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).starts_with("error: customer file rejected, nothing imported: 3 bad lines\n  line 3: email:"), "{}", stderr(&o));
}

#[test]
fn a_good_customer_file_imports_every_row_once() {
    let book = Book::reseller();
    let file = book.file(
        "customers.csv",
        &format!(
            "\u{feff}{CUSTOMER_HEADER},address,credit_limit,Region\n\
             \"Smith, Jones & Co\",SmithJones.onmicrosoft.com,info@sj.co.za,ZA,ZAR,4111111111,30,\"1 Long St\nCape Town\",2500,WC\n\
             \"Good, Two Ltd\",goodtwo.onmicrosoft.com,a@b.com,GB,GBP,GB123,14,,,\n\
             Plain Co,plain.onmicrosoft.com,,,,,,,,\n"
        ),
    );
    let v = book.json(&["customer", "import", path(&file)]);
    assert_eq!(v["imported"], 3);
    let rows: Vec<(String, String, String, String)> = v["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (text(&c["name"]), text(&c["domain"]), text(&c["country"]), text(&c["currency"])))
        .collect();
    assert_eq!(
        rows,
        [
            ("Smith, Jones & Co".into(), "smithjones.onmicrosoft.com".into(), "ZA".into(), "ZAR".into()),
            ("Good, Two Ltd".into(), "goodtwo.onmicrosoft.com".into(), "GB".into(), "GBP".into()),
            ("Plain Co".into(), "plain.onmicrosoft.com".into(), "ZA".into(), "ZAR".into()),
        ]
    );
    let smith = &v["customers"][0];
    assert_eq!((text(&smith["address"]), smith["credit_limit"].clone()), ("1 Long St\nCape Town".into(), Value::String("2500.00".into())));
    assert_eq!(v["customers"][1]["payment_terms_days"], 14);
    assert_eq!(v["customers"][2]["payment_terms_days"], 30, "an empty cell takes the company's default");
    assert_eq!(book.customer_ids(&["--search", "gb123"]), [id(&v["customers"][1])]);

    // Importing the same file again: every line collides, nothing changes.
    let e = book.fails(&["customer", "import", path(&file)], 2);
    let m = text(&e["message"]);
    assert!(m.starts_with("customer file rejected, nothing imported: 3 bad lines"), "{m}");
    assert!(m.contains("line 2: domain smithjones.onmicrosoft.com already belongs to customer"), "{m}");
    assert!(m.contains("line 4: domain goodtwo.onmicrosoft.com already belongs"), "the quoted line break makes this line 4: {m}");
    assert!(m.contains("line 5: domain plain.onmicrosoft.com already belongs"), "{m}");
    assert_eq!(book.customer_ids(&[]).len(), 3);

    let dup = book.file("dup.csv", "name,domain\nA,a.onmicrosoft.com\nB,A.onmicrosoft.com\n");
    let e = book.fails(&["customer", "import", path(&dup)], 2);
    assert!(text(&e["message"]).contains("line 3: domain a.onmicrosoft.com appears again (first on line 2)"), "{e}");
    let no_domain = book.file("nodomain.csv", "name,email\nA,a@b.com\n");
    let e = book.fails(&["customer", "import", path(&no_domain)], 2);
    assert_eq!(e["field"], "line 1");
    assert!(text(&e["message"]).contains("the header lacks the column domain"), "{e}");
    assert_eq!(book.customer_ids(&[]).len(), 3);
}

/// Regression: with CRLF line endings (Windows, Excel, Microsoft's own files) every CSV line
/// number was one too low, because the csv crate counts a CRLF record's end late
/// (BurntSushi/rust-csv#395); `import::Table::read` counts the lines itself.
#[test]
fn a_windows_customer_file_names_the_right_lines() {
    let book = Book::reseller();
    let file = book.file("customers.csv", "name,domain\r\nA Ltd,a.onmicrosoft.com\r\nB Ltd,not a domain\r\nC Ltd,c.onmicrosoft.com\r\n");
    let e = book.fails(&["customer", "import", path(&file)], 2);
    assert_eq!(e["field"], "line 3", "{e}");
    assert!(text(&e["message"]).contains("\n  line 3: domain: 'not a domain' is not a domain name"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// 3. The price list

#[test]
fn importing_the_price_list_twice_adds_nothing_the_second_time() {
    let book = Book::reseller();
    let sample = path(&sample_pricelist()).to_string();
    let s = book.json(&["pricelist", "import", &sample]);
    assert_eq!(
        (&s["read"], &s["added"], &s["updated"], &s["unchanged"], &s["products"], &s["other_market"]),
        (&Value::from(28), &Value::from(28), &Value::from(0), &Value::from(0), &Value::from(5), &Value::from(0))
    );
    let before_nov = book.prices_on("2026-11-24");
    let before_dec = book.prices_on("2026-12-24");
    assert_eq!((before_nov.len(), before_dec.len()), (27, 27), "one row in force per product, term, plan and currency");
    assert!(before_nov.contains(&(BASIC.into(), "P1Y".into(), "Annual".into(), "USD".into(), "72.00".into())));
    assert!(before_dec.contains(&(BASIC.into(), "P1Y".into(), "Annual".into(), "USD".into(), "75.60".into())));

    let out = book.ok(&["pricelist", "import", &sample]);
    assert_eq!(out, format!("Price list {sample}: 28 rows read; 0 added, 0 updated, 28 unchanged; 5 products.\n"));
    let s = book.json(&["pricelist", "import", &sample]);
    assert_eq!((s["added"].as_u64(), s["updated"].as_u64(), s["unchanged"].as_u64()), (Some(0), Some(0), Some(28)));
    assert_eq!(book.prices_on("2026-11-24"), before_nov);
    assert_eq!(book.prices_on("2026-12-24"), before_dec);
    assert_eq!(book.json(&["product", "list"]).as_array().unwrap().len(), 5);
}

#[test]
fn next_months_price_list_updates_an_end_date_and_adds_a_later_row() {
    let book = Book::with_prices();
    let lines = sample_lines();
    // Line 3 of the sample: Business Basic P1Y Monthly USD 75.60, open-ended. Next month it ends
    // on 28 Feb 2027 and a new row at 79.20 starts on 1 Mar 2027 (in the ISO date form). The
    // file also carries a column Seatbook does not know.
    let ended = edit(&lines[2], "\"12/31/9999 11:59:59 PM\"", "\"2/28/2027 11:59:59 PM\"");
    let later = edit(
        &edit(&edit(&lines[2], "\"75.60\"", "\"79.20\""), "\"11/1/2025 12:00:00 AM\"", "\"2027-03-01T00:00:00.0000000Z\""),
        "\"94.50\"",
        "\"99.00\"",
    );
    let file = book.file("next-month.csv", &format!("{},\"Segment\"\n{ended},\"Commercial\"\n{later},\"Commercial\"\n", lines[0]));
    let s = book.json(&["pricelist", "import", path(&file)]);
    assert_eq!(
        (s["read"].as_u64(), s["added"].as_u64(), s["updated"].as_u64(), s["unchanged"].as_u64(), s["products"].as_u64()),
        (Some(2), Some(1), Some(1), Some(0), Some(1))
    );
    let p1y_monthly_usd = |on: &str| {
        book.prices_on(on)
            .into_iter()
            .filter(|r| r.0 == BASIC && r.1 == "P1Y" && r.2 == "Monthly" && r.3 == "USD")
            .map(|r| r.4)
            .collect::<Vec<_>>()
    };
    assert_eq!(p1y_monthly_usd("2027-02-28"), ["75.60"]);
    assert_eq!(p1y_monthly_usd("2027-03-01"), ["79.20"]);
    // The same file again changes nothing.
    let s = book.json(&["pricelist", "import", path(&file)]);
    assert_eq!((s["added"].as_u64(), s["updated"].as_u64(), s["unchanged"].as_u64()), (Some(0), Some(0), Some(2)));
    assert_eq!(book.prices_on("2027-03-01").len(), 27);
}

#[test]
fn a_malformed_price_list_names_its_bad_lines_and_imports_nothing() {
    let book = Book::reseller();
    let lines = sample_lines();
    let file = book.file(
        "bad.csv",
        &[
            lines[0].clone(),
            lines[1].clone(),
            edit(&lines[2], "\"75.60\"", "\"75.6O\""),
            lines[3].clone(),
            edit(&lines[4], "\"11/1/2025 12:00:00 AM\"", "\"13/45/2025 12:00:00 AM\""),
            lines[5].clone(),
        ]
        .join("\n"),
    );
    let e = book.fails(&["pricelist", "import", path(&file)], 2);
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some("line 3")), "{e}");
    assert_eq!(
        e["message"],
        "price list rejected, nothing imported: 2 bad lines\n  \
         line 3: UnitPrice: '75.6O' is not a decimal amount (use digits and a '.' like 1234.50)\n  \
         line 5: EffectiveStartDate: '13/45/2025 12:00:00 AM' is not a date (expected M/D/YYYY or YYYY-MM-DD)"
    );
    assert_eq!(book.json(&["product", "list"]), serde_json::json!([]));
    let e = book.fails(&["pricelist", "import", path(&book.file("nohead.csv", "ProductId,SkuId,UnitPrice\nA,B,1\n"))], 2);
    assert_eq!(e["field"], "line 1");
    let o = seatbook(book.path(), &["pricelist", "import", path(&book.db.dir.path().join("missing.csv"))]);
    assert_eq!(o.status.code(), Some(2), "a file that is not there is bad input");
    assert!(stderr(&o).starts_with("error: cannot read "), "{}", stderr(&o));
}

/// Regression: with CRLF line endings (Windows, Excel, Microsoft's own files) every CSV line
/// number was one too low, because the csv crate counts a CRLF record's end late
/// (BurntSushi/rust-csv#395); `import::Table::read` counts the lines itself.
#[test]
fn a_malformed_windows_price_list_names_the_right_lines() {
    // Microsoft's files, and the sample, end their lines with CRLF.
    let book = Book::reseller();
    let mut lines = sample_lines();
    lines[2] = edit(&lines[2], "\"75.60\"", "\"75.6O\"");
    lines[5] = edit(&lines[5], "\"11/1/2025 12:00:00 AM\"", "\"13/45/2025 12:00:00 AM\"");
    let file = book.file("bad.csv", &(lines.join("\r\n") + "\r\n"));
    let e = book.fails(&["pricelist", "import", path(&file)], 2);
    let m = text(&e["message"]);
    assert!(m.contains("\n  line 3: UnitPrice: '75.6O'"), "the bad price is on line 3: {m}");
    assert!(m.contains("\n  line 6: EffectiveStartDate: '13/45/2025"), "the bad date is on line 6: {m}");
    assert_eq!(e["field"], "line 3");
}

#[test]
fn market_and_currency_select_rows() {
    let book = Book::reseller();
    let sample = path(&sample_pricelist()).to_string();
    let s = book.json(&["pricelist", "import", &sample, "--market", "us"]);
    assert_eq!(
        (s["read"].as_u64(), s["added"].as_u64(), s["other_market"].as_u64(), s["products"].as_u64()),
        (Some(28), Some(0), Some(28), Some(0))
    );
    assert_eq!(book.json(&["product", "list"]), serde_json::json!([]));
    let out = book.ok(&["pricelist", "import", &sample, "--market", "US"]);
    assert!(out.ends_with("Left out: 28 rows of other markets than US.\n"), "{out}");

    let s = book.json(&["pricelist", "import", &sample, "--currency", "zar"]);
    assert_eq!((s["added"].as_u64(), s["other_currency"].as_u64(), s["products"].as_u64()), (Some(2), Some(26), Some(2)));
    let rows = book.prices_on(TODAY);
    assert_eq!(
        rows,
        [
            (BASIC.into(), "P1Y".into(), "Monthly".into(), "ZAR".into(), "1360.80".into()),
            (STANDARD.into(), "P1Y".into(), "Monthly".into(), "ZAR".into(), "2835.00".into()),
        ]
    );
    let e = book.fails(&["pricelist", "import", &sample, "--market", "ZZ"], 2);
    assert_eq!(e["field"], "--market");
    let e = book.fails(&["pricelist", "import", &sample, "--currency", "RAND"], 2);
    assert_eq!(e["field"], "--currency");
}

#[test]
fn the_price_on_a_date_follows_the_overlapping_rows_rule() {
    let book = Book::with_prices();
    let price = |on: &str| book.json(&["product", "price", BASIC, "--term", "P1Y", "--billing", "annual", "--on", on]);
    let nov = price("2026-11-30");
    assert_eq!((text(&nov["price"]["unit_cost"]), text(&nov["price"]["cost_currency"])), ("72.00".into(), "USD".into()));
    assert_eq!(text(&nov["cost_row"]["effective_start"]), "2025-11-01");
    assert_eq!(cents(&nov["price"]["unit_price"]), "86.40", "72.00 × 1.20");
    let dec = price("2026-12-01");
    assert_eq!((text(&dec["price"]["unit_cost"]), text(&dec["cost_row"]["effective_start"])), ("75.60".into(), "2026-12-01".into()));
    assert_eq!(cents(&dec["price"]["unit_price"]), "90.72", "75.60 × 1.20");
    assert_eq!(text(&dec["price"]["rule"]), "default markup 20% (company profile)");

    let out = book.ok(&["product", "price", BASIC, "--term", "P1Y", "--billing", "annual", "--on", "2026-11-30"]);
    assert!(out.starts_with("Microsoft 365 Business Basic (CFQ7TTC0LH18:0001) P1Y billed annual on 2026-11-30\n"), "{out}");
    assert!(out.contains("  Cost                   72.00 USD per seat per term (price-list row from 2025-11-01)\n"), "{out}");
    let out = book.ok(&["product", "price", BASIC, "--term", "P1Y", "--billing", "annual", "--on", "2026-12-01"]);
    assert!(out.contains("  Cost                   75.60 USD per seat per term (price-list row from 2026-12-01)\n"), "{out}");
    assert!(out.contains("  Resale                 90.72 USD per seat per term\n"), "{out}");

    // P3Y billed monthly: per cycle is the term price / 36.
    let p3y = book.json(&["product", "price", BASIC, "--term", "P3Y", "--billing", "monthly", "--on", TODAY]);
    assert_eq!((text(&p3y["price"]["unit_cost"]), cents(&p3y["price"]["unit_price"])), ("226.80".into(), "272.16".into()));
    assert_eq!(text(&p3y["price_per_cycle"]), "7.56");

    let e = book.fails(&["product", "price", BASIC, "--term", "P1M", "--billing", "annual"], 2);
    assert_eq!(e["field"], "--billing");
    let e = book.fails(&["product", "price", BASIC, "--term", "P1Y", "--billing", "annual", "--on", "2025-10-31"], 2);
    assert_eq!(e["code"], "not_found");
    assert!(text(&e["message"]).contains("in force on 2025-10-31"), "{e}");
}

#[test]
fn product_list_searches_titles_and_ids() {
    let book = Book::with_prices();
    let found = |s: &str| -> Vec<String> {
        book.json(&["product", "list", "--search", s, "--on", TODAY]).as_array().unwrap().iter().map(|p| text(&p["product"])).collect()
    };
    assert_eq!(found("exchange"), [EXCHANGE]);
    assert_eq!(found("365 BUSINESS"), [BASIC, "CFQ7TTC0LCHC:0002", STANDARD]);
    assert_eq!(found("business email"), [EXCHANGE], "descriptions are searched too");
    assert_eq!(found("cfq7ttc0lch4"), ["CFQ7TTC0LCH4:0001"]);
    assert_eq!(found("teams"), [BASIC, STANDARD]);
    let out = book.ok(&["product", "list", "--search", "exchange", "--on", TODAY]);
    assert_eq!(
        out,
        "Prices in force on 2026-11-24 (cost per seat for the whole term)\n\
         CFQ7TTC0LH16:0001  Exchange Online (Plan 1)\n    \
         P1M  Monthly    ZA       4.80 USD  (ERP 6.00)\n    \
         P1Y  Annual     ZA      48.00 USD  (ERP 60.00)\n    \
         P1Y  Monthly    ZA      50.40 USD  (ERP 63.00)\n    \
         P3Y  Monthly    ZA     151.20 USD  (ERP 189.00)\n    \
         P3Y  Triennial  ZA     144.00 USD  (ERP 180.00)\n"
    );
    assert_eq!(book.ok(&["product", "list", "--search", "dynamics"]), "No products.\n");
}

// ---------------------------------------------------------------------------------------------
// 4. Markup rules and exchange rates

#[test]
fn markup_rules_apply_most_specific_first_and_are_locked_into_subscriptions() {
    let book = Book::with_prices();
    let a = book.customer("Alpha", "alpha.onmicrosoft.com", &["--currency", "USD"]);
    let b = book.customer("Beta", "beta.onmicrosoft.com", &["--currency", "USD"]);
    let c = book.customer("Gamma", "gamma.onmicrosoft.com", &[]);
    let (sa, sb) = (a.to_string(), b.to_string());
    let r1 = book.json(&["markup", "set", "--customer", &sa, "--product", BASIC, "--price", "9.50", "--on", "2026-01-01"]);
    assert_eq!(r1["markup"], serde_json::json!({"kind": "price", "amount": "9.50", "currency": "USD"}));
    book.json(&["markup", "set", "--customer", &sb, "--percent", "30", "--on", "2026-01-01"]);
    book.json(&["markup", "set", "--product", BASIC, "--percent", "10", "--on", "2026-01-01"]);
    let r4 = book.json(&["markup", "set", "--percent", "25", "--on", "2026-06-01"]);
    assert!(r4["customer_id"].is_null() && r4["product"].is_null());

    let out = book.ok(&["markup", "list"]);
    assert_eq!(
        out,
        format!(
            "   1  fixed price 9.50 USD per seat per month for customer {a} and {BASIC} from 2026-01-01 (rule 1)\n   \
             2  markup 30% for customer {b} from 2026-01-01 (rule 2)\n   \
             3  markup 10% for {BASIC} from 2026-01-01 (rule 3)\n   \
             4  markup 25% by default from 2026-06-01 (rule 4)\n      \
             otherwise the company's default markup of 20%\n"
        )
    );

    let annual = |customer: i64, product: &str, start: &str| {
        book.subscription(customer, product, &format!("P1Y annual 1 {start}"), &[])["price"].clone()
    };
    // Customer and product: a fixed 9.50 a month, 12 months.
    let p = annual(a, BASIC, TODAY);
    assert_eq!(
        (text(&p["unit_cost"]), cents(&p["unit_price"]), text(&p["price_currency"])),
        ("72.00".into(), "114.00".into(), "USD".into())
    );
    assert!(text(&p["rule"]).starts_with(&format!("fixed price 9.50 USD per seat per month for customer {a} and {BASIC}")), "{p}");
    // The same customer, another product: the default rule, 150.00 × 1.25.
    let p = annual(a, STANDARD, TODAY);
    assert_eq!(cents(&p["unit_price"]), "187.50");
    assert_eq!(text(&p["rule"]), "markup 25% by default from 2026-06-01 (rule 4)");
    // A customer markup beats a product markup: 72.00 × 1.30.
    let p = annual(b, BASIC, TODAY);
    assert_eq!(
        (cents(&p["unit_price"]), text(&p["rule"])),
        ("93.60".into(), format!("markup 30% for customer {b} from 2026-01-01 (rule 2)"))
    );
    // A product markup: 72.00 × 1.10.
    assert_eq!(cents(&annual(c, BASIC, TODAY)["unit_price"]), "79.20");
    // Before the default rule starts, the company's default markup: 150.00 × 1.20.
    let p = annual(c, STANDARD, "2026-05-31");
    assert_eq!((cents(&p["unit_price"]), text(&p["rule"])), ("180.00".into(), "default markup 20% (company profile)".into()));
    assert_eq!(cents(&annual(c, STANDARD, "2026-06-01")["unit_price"]), "187.50");
    // An explicit price per seat per month beats every rule, in the customer's currency; Gamma
    // bills in ZAR, so the ZAR row of the price list is its cost.
    let s = book.subscription(c, STANDARD, &format!("P1Y monthly 2 {TODAY}"), &["--price", "250"]);
    let p = &s["price"];
    assert_eq!((text(&p["unit_cost"]), text(&p["cost_currency"])), ("2835.00".into(), "ZAR".into()));
    assert_eq!(
        (cents(&p["unit_price"]), text(&p["price_currency"]), text(&p["rule"])),
        ("3000.00".into(), "ZAR".into(), "price override 250 ZAR per seat per month".into())
    );
    assert_eq!(cents(&s["price_override"]), "250.00");
    let show = book.show(id(&s), TODAY);
    assert_eq!(cents(&show["price_per_cycle"]), "250.00");

    // A later rule does not touch a locked price.
    let locked = book.subscription(b, STANDARD, &format!("P1Y annual 1 {TODAY}"), &[]);
    assert_eq!(cents(&locked["price"]["unit_price"]), "195.00", "150.00 × 1.30");
    book.json(&["markup", "set", "--customer", &sb, "--percent", "50", "--on", TODAY]);
    assert_eq!(cents(&book.show(id(&locked), TODAY)["subscription"]["price"]["unit_price"]), "195.00");
    let q = book.json(&["product", "price", STANDARD, "--term", "P1Y", "--billing", "annual", "--customer", &sb, "--on", TODAY]);
    assert_eq!(cents(&q["price"]["unit_price"]), "225.00", "new purchases get the new rule: 150.00 × 1.50");
}

#[test]
fn bad_markup_rules_are_refused_by_flag() {
    let book = Book::with_prices();
    let e = book.fails(&["markup", "set", "--price", "5", "--on", TODAY], 2);
    assert_eq!(
        (e["field"].as_str(), e["message"].as_str()),
        (Some("--price"), Some("a fixed price needs a product (a price is for one product)"))
    );
    let e = book.fails(&["markup", "set", "--percent", "5000"], 2);
    assert_eq!(e["field"], "--percent");
    let e = book.fails(&["markup", "set", "--percent", "ten"], 2);
    assert_eq!(e["field"], "--percent");
    let e = book.fails(&["markup", "set", "--product", "CFQ7TTC0LH18", "--percent", "10"], 2);
    assert_eq!(e["field"], "--product");
    let e = book.fails(&["markup", "set", "--customer", "99", "--percent", "10"], 2);
    assert_eq!(e["code"], "not_found");
    let e = book.fails(&["markup", "set", "--percent", "10", "--on", "1/12/2026"], 2);
    assert_eq!(e["field"], "--on");
    assert_eq!(book.json(&["markup", "list"]), serde_json::json!([]));
    assert_eq!(book.ok(&["markup", "list"]), "      otherwise the company's default markup of 20%\n");
}

#[test]
fn exchange_rates_are_effective_dated_and_do_not_change_locked_prices() {
    let book = Book::with_prices();
    let out = book.ok(&["fx", "set", "--from", "usd", "--to", "zar", "--rate", "18.45", "--on", "2026-11-01"]);
    assert_eq!(out, "1 USD = 18.45 ZAR from 2026-11-01\n");
    book.json(&["fx", "set", "--from", "USD", "--to", "ZAR", "--rate", "18.25", "--on", "2026-10-01"]);
    // Setting the same date again replaces the rate.
    let r = book.json(&["fx", "set", "--from", "USD", "--to", "ZAR", "--rate", "18.55", "--on", "2026-11-01"]);
    assert_eq!(r, serde_json::json!({"from": "USD", "to": "ZAR", "effective": "2026-11-01", "rate": "18.55"}));
    let rates = book.json(&["fx", "list"]);
    let rows: Vec<(String, String)> = rates.as_array().unwrap().iter().map(|r| (text(&r["effective"]), text(&r["rate"]))).collect();
    assert_eq!(rows, [("2026-10-01".into(), "18.25".into()), ("2026-11-01".into(), "18.55".into())]);
    assert_eq!(book.ok(&["fx", "list"]), "2026-10-01  1 USD = 18.25 ZAR\n2026-11-01  1 USD = 18.55 ZAR\n");

    for (args, field) in [
        (vec!["--from", "USD", "--to", "USD", "--rate", "1", "--on", TODAY], "--to"),
        (vec!["--from", "USD", "--to", "ZAR", "--rate", "0", "--on", TODAY], "--rate"),
        // Three digits after a lone comma are never guessed (18450 or 18.450?).
        (vec!["--from", "USD", "--to", "ZAR", "--rate", "18,450", "--on", TODAY], "--rate"),
        (vec!["--from", "DOLLAR", "--to", "ZAR", "--rate", "18", "--on", TODAY], "--from"),
        (vec!["--from", "USD", "--to", "ZAR", "--rate", "18", "--on", "2026-02-30"], "--on"),
    ] {
        let mut all = vec!["fx", "set"];
        all.extend(args);
        let e = book.fails(&all, 2);
        assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some(field)), "{all:?}: {e}");
    }
    assert_eq!(book.json(&["fx", "list"]).as_array().unwrap().len(), 2);

    // A ZAR customer buying a product priced only in USD is locked in USD: the charge converts
    // at the rate of its billable date (DOMAIN §2), not when the price is locked.
    let zar = book.customer("Rand Co", "rand.onmicrosoft.com", &[]);
    let s = book.subscription(zar, BASIC, &format!("P1Y annual 1 {TODAY}"), &[]);
    assert_eq!((text(&s["price"]["price_currency"]), cents(&s["price"]["unit_price"])), ("USD".into(), "86.40".into()));
}

// ---------------------------------------------------------------------------------------------
// 5. Subscriptions

#[test]
fn every_invalid_term_and_plan_pair_is_refused() {
    let book = Book::with_prices();
    let acme = book.customer("Acme", "acme.onmicrosoft.com", &["--currency", "USD"]);
    let cid = acme.to_string();
    for (term, billing, message) in [
        ("P1M", "annual", "a P1M term cannot be billed annual; P1M is billed monthly"),
        ("P1M", "triennial", "a P1M term cannot be billed triennial; P1M is billed monthly"),
        ("P1Y", "triennial", "a P1Y term cannot be billed triennial; P1Y is billed monthly or annual"),
    ] {
        let e = book.fails(
            &words(&format!(
                "subscription add --customer {cid} --product {BASIC} --term {term} --billing {billing} --quantity 5 --start {TODAY}"
            )),
            2,
        );
        assert_eq!(
            (e["code"].as_str(), e["field"].as_str(), e["message"].as_str()),
            (Some("invalid_input"), Some("--billing"), Some(message)),
            "{term}/{billing}"
        );
    }
    assert_eq!(book.subscription_ids(&[]), Vec::<i64>::new());

    // Every valid pair the sample prices is accepted, with its term dates.
    for (term, billing, start, end) in [
        ("P1M", "monthly", "2026-01-31", "2026-02-27"),
        ("P1Y", "monthly", "2026-01-31", "2027-01-30"),
        ("P1Y", "annual", "2025-12-01", "2026-11-30"),
        ("P3Y", "monthly", "2026-02-28", "2029-02-27"),
        ("P3Y", "triennial", TODAY, "2029-11-23"),
    ] {
        let s = book.subscription(acme, BASIC, &format!("{term} {billing} 5 {start}"), &[]);
        assert_eq!((text(&s["term"]), text(&s["billing"])), (term.to_string(), billing.to_string()));
        assert_eq!((text(&s["term_start"]), text(&s["term_end"])), (start.to_string(), end.to_string()), "{term}/{billing}");
    }
    // P3Y billed annually is a valid pair, but the sample has no such price.
    let e = book.fails(
        &words(&format!("subscription add --customer {cid} --product {BASIC} --term P3Y --billing annual --quantity 5 --start {TODAY}")),
        2,
    );
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("not_found"), Some("--billing")));
    assert_eq!(e["message"], "the price list has no P3Y annual price for CFQ7TTC0LH18:0001");

    for (flag, value, field) in [
        ("--term", "P2Y", "--term"),
        ("--billing", "weekly", "--billing"),
        ("--quantity", "0", "--quantity"),
        ("--start", "2026-11-31", "--start"),
        ("--product", "CFQ7TTC0LH18", "--product"),
    ] {
        let line = format!("subscription add --customer {cid} --product {BASIC} --term P1Y --billing annual --quantity 5 --start {TODAY}");
        let mut args = words(&line);
        let at = args.iter().position(|a| *a == flag).unwrap();
        args[at + 1] = value;
        let e = book.fails(&args, 2);
        assert_eq!(e["field"], field, "{flag} {value}: {e}");
    }
    let e = book.fails(
        &words(&format!("subscription add --customer {cid} --product NOPE:0001 --term P1Y --billing annual --quantity 5 --start {TODAY}")),
        2,
    );
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("not_found"), Some("--product")));
    assert_eq!(book.subscription_ids(&[]).len(), 5);
}

#[test]
fn seats_can_be_reduced_only_within_seven_days_of_being_added() {
    let book = Book::with_prices();
    let acme = book.customer("Acme", "acme.onmicrosoft.com", &[]);
    let sub = id(&book.subscription(acme, BASIC, "P1Y annual 10 2026-11-01", &[]));
    let s = sub.to_string();

    let out = book.ok(&["subscription", "quantity", &s, "--quantity", "13", "--on", "2026-11-10"]);
    assert!(out.starts_with(&format!("Subscription {sub} now has 13 seats.\n")), "{out}");
    let v = book.json(&["subscription", "quantity", &s, "--quantity", "11", "--on", "2026-11-16"]);
    assert_eq!(v["quantity"], 11);
    assert_eq!(book.seats_and_history(sub), (11, 3));

    // Day 8 after the addition: refused, with the last day it would have been allowed.
    let e = book.fails(&["subscription", "quantity", &s, "--quantity", "10", "--on", "2026-11-17"], 2);
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("refused"), Some("--quantity")), "{e}");
    assert_eq!(
        e["message"],
        format!(
            "seat decrease refused: seats can only be removed within 7 days of being added; \
             the most recent seats could be removed until 2026-11-16. \
             Otherwise schedule the decrease for the renewal on 2027-11-01 (seatbook subscription schedule {sub} --quantity 10)"
        )
    );
    assert_eq!(book.seats_and_history(sub), (11, 3), "a refused change changes nothing");
    // More than the seats still in their window.
    let e = book.fails(&["subscription", "quantity", &s, "--quantity", "9", "--on", "2026-11-16"], 2);
    let m = text(&e["message"]);
    assert!(
        m.starts_with(
            "seat decrease refused: only 1 of the 2 seats were added within the last 7 days \
             (reducible until 2026-11-16); the quantity can go down to 10 now."
        ),
        "{m}"
    );
    // A change dated before the last one.
    let e = book.fails(&["subscription", "quantity", &s, "--quantity", "12", "--on", "2026-11-15"], 2);
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("refused"), Some("--on")));
    let e = book.fails(&["subscription", "quantity", &s, "--quantity", "0", "--on", "2026-11-16"], 2);
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some("--quantity")));
    let e = book.fails(&["subscription", "quantity", &s, "--quantity", "11", "--on", "2026-11-16"], 2);
    assert_eq!(e["message"], format!("subscription {sub} already has 11 seats"));
    assert_eq!(book.seats_and_history(sub), (11, 3));

    // The purchase's own window: day 7 allowed, day 8 refused.
    let other = id(&book.subscription(acme, BASIC, "P1Y annual 5 2026-11-01", &[]));
    let o = other.to_string();
    let e = book.fails(&["subscription", "quantity", &o, "--quantity", "3", "--on", "2026-11-08"], 2);
    assert!(text(&e["message"]).contains("could be removed until 2026-11-07"), "{e}");
    assert_eq!(book.json(&["subscription", "quantity", &o, "--quantity", "4", "--on", "2026-11-07"])["quantity"], 4);
}

#[test]
fn a_renewal_opens_a_new_seven_day_window_and_a_refused_change_does_not_renew() {
    let book = Book::with_prices();
    let acme = book.customer("Acme", "acme.onmicrosoft.com", &["--currency", "USD"]);
    let sub = id(&book.subscription(acme, EXCHANGE, "P1M monthly 5 2026-11-01", &[]));
    let s = sub.to_string();
    // 10 Dec is day 10 of the renewed term: refused, and the renewal it needed is rolled back.
    let e = book.fails(&["subscription", "quantity", &s, "--quantity", "3", "--on", "2026-12-10"], 2);
    assert!(text(&e["message"]).contains("could be removed until 2026-12-07"), "{e}");
    let v = book.show(sub, "2026-12-10");
    assert_eq!((text(&v["subscription"]["term_start"]), v["history"].as_array().unwrap().len()), ("2026-11-01".into(), 1));
    // 7 Dec is day 7: the change renews the subscription first, then removes the seats.
    let v = book.json(&["subscription", "quantity", &s, "--quantity", "3", "--on", "2026-12-07"]);
    assert_eq!((v["quantity"].as_u64(), text(&v["term_start"]), text(&v["term_end"])), (Some(3), "2026-12-01".into(), "2026-12-31".into()));
    let kinds: Vec<String> = book.show(sub, "2026-12-07")["history"].as_array().unwrap().iter().map(|e| text(&e["kind"])).collect();
    assert_eq!(kinds, ["purchased", "renewed", "quantity-changed"]);
}

#[test]
fn cancellation_is_allowed_until_day_seven() {
    let book = Book::with_prices();
    let acme = book.customer("Acme", "acme.onmicrosoft.com", &[]);
    let day1 = id(&book.subscription(acme, BASIC, "P1M monthly 2 2026-11-01", &[]));
    let day7 = id(&book.subscription(acme, BASIC, "P1M monthly 2 2026-11-01", &[]));
    let day8 = id(&book.subscription(acme, BASIC, "P1Y annual 2 2026-11-01", &[]));

    let v = book.json(&["subscription", "cancel", &day1.to_string(), "--on", "2026-11-01"]);
    assert_eq!(
        (text(&v["status"]), text(&v["ended_on"]), v["auto_renew"].as_bool()),
        ("cancelled".into(), "2026-11-01".into(), Some(false))
    );
    let out = book.ok(&["subscription", "cancel", &day7.to_string(), "--on", "2026-11-07"]);
    assert!(out.starts_with(&format!("Subscription {day7} cancelled on 2026-11-07.\n")), "{out}");
    let history =
        |sub: i64| book.show(sub, TODAY)["history"].as_array().unwrap().iter().map(|e| text(&e["description"])).collect::<Vec<_>>();
    assert_eq!(history(day1)[1], "cancelled on the first day of the term: full credit");
    assert_eq!(history(day7)[1], "cancelled on day 7 of the term: the unused days are credited");

    let e = book.fails(&["subscription", "cancel", &day8.to_string(), "--on", "2026-11-08"], 2);
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("refused"), Some("--on")));
    assert_eq!(
        e["message"],
        format!(
            "cancellation refused: a subscription can only be cancelled within 7 days of purchase or renewal; \
             this term started on 2026-11-01 so cancellation was allowed until 2026-11-07. \
             The term must be paid until 2027-10-31; turn auto-renew off so it ends then (seatbook subscription auto-renew {day8} off)"
        )
    );
    let v = book.show(day8, TODAY);
    assert_eq!((text(&v["subscription"]["status"]), v["history"].as_array().unwrap().len()), ("active".into(), 1));

    // A cancelled subscription cannot be restored or changed.
    let e = book.fails(&["subscription", "reactivate", &day7.to_string(), "--on", "2026-11-10"], 2);
    assert_eq!(e["code"], "refused");
    assert!(text(&e["message"]).contains("is cancelled since 2026-11-07"), "{e}");
    let e = book.fails(&["subscription", "quantity", &day7.to_string(), "--quantity", "5", "--on", "2026-11-10"], 2);
    assert_eq!(e["code"], "refused");
    assert_eq!(book.subscription_ids(&["--status", "cancelled"]), [day1, day7]);
}

#[test]
fn suspend_reactivate_and_auto_renew() {
    let book = Book::with_prices();
    let acme = book.customer("Acme", "acme.onmicrosoft.com", &[]);
    let sub = id(&book.subscription(acme, BASIC, "P1M monthly 2 2026-11-01", &[]));
    let s = sub.to_string();

    let out = book.ok(&["subscription", "suspend", &s, "--on", "2026-11-10"]);
    assert!(out.starts_with(&format!("Subscription {sub} suspended on 2026-11-10; it is still billed and will not renew.\n")), "{out}");
    let v = book.show(sub, "2026-11-10")["subscription"].clone();
    assert_eq!((text(&v["status"]), v["auto_renew"].as_bool()), ("suspended".into(), Some(false)));
    let e = book.fails(&["subscription", "suspend", &s, "--on", "2026-11-11"], 2);
    assert_eq!(
        (e["code"].as_str(), e["message"].as_str()),
        (Some("refused"), Some(format!("subscription {sub} is already suspended").as_str()))
    );
    let e = book.fails(&["subscription", "quantity", &s, "--quantity", "5", "--on", "2026-11-11"], 2);
    assert!(text(&e["message"]).contains("reactivate it before changing seats"), "{e}");
    let e = book.fails(&["subscription", "auto-renew", &s, "on"], 2);
    assert!(text(&e["message"]).contains("reactivate it before turning auto-renew on"), "{e}");
    let text_view = book.show_text(sub, "2026-11-11");
    assert!(text_view.contains("  Status                 suspended\n"), "{text_view}");
    assert!(text_view.contains("  Ends after             2026-11-30\n"), "{text_view}");

    let v = book.json(&["subscription", "reactivate", &s, "--on", "2026-11-12"]);
    assert_eq!((text(&v["status"]), v["auto_renew"].as_bool()), ("active".into(), Some(false)), "auto-renew stays off");
    let e = book.fails(&["subscription", "reactivate", &s, "--on", "2026-11-12"], 2);
    assert_eq!(e["message"], format!("subscription {sub} is already active"));

    let out = book.ok(&["subscription", "auto-renew", &s, "on"]);
    assert!(out.starts_with(&format!("Auto-renew of subscription {sub} is on.\n")), "{out}");
    let e = book.fails(&["subscription", "auto-renew", &s, "on"], 2);
    assert_eq!(
        (e["code"].as_str(), e["message"].as_str()),
        (Some("invalid_input"), Some(format!("auto-renew of subscription {sub} is already on").as_str()))
    );
    let view = book.show(sub, TODAY);
    assert_eq!((view["subscription"]["auto_renew"].as_bool(), text(&view["renews_on"])), (Some(true), "2026-12-01".into()));
    let v = book.json(&["subscription", "auto-renew", &s, "off"]);
    assert_eq!(v["auto_renew"], false);
    let view = book.show(sub, TODAY);
    assert!(view["renews_on"].is_null());
    let history: Vec<(String, String)> =
        view["history"].as_array().unwrap().iter().map(|e| (text(&e["effective"]), text(&e["kind"]))).collect();
    assert_eq!(
        history,
        [
            ("2026-11-01".into(), "purchased".into()),
            ("2026-11-10".into(), "suspended".into()),
            ("2026-11-12".into(), "reactivated".into()),
            (TODAY.into(), "auto-renew-on".into()),
            (TODAY.into(), "auto-renew-off".into()),
        ]
    );
}

#[test]
fn changes_can_be_scheduled_for_the_renewal() {
    let book = Book::with_prices();
    let acme = book.customer("Acme", "acme.onmicrosoft.com", &[]);
    let sub = id(&book.subscription(acme, BASIC, "P1Y annual 10 2026-11-01", &[]));
    let s = sub.to_string();
    let v = book.json(&["subscription", "schedule", &s, "--quantity", "6"]);
    assert_eq!(v["scheduled"], serde_json::json!({"quantity": 6, "term": null, "billing": null, "product": null}));
    assert_eq!(v["quantity"], 10, "the seats change only at renewal");
    let v = book.json(&["subscription", "schedule", &s, "--term", "P1M", "--billing", "monthly"]);
    assert_eq!(v["scheduled"], serde_json::json!({"quantity": 6, "term": "P1M", "billing": "monthly", "product": null}), "schedules merge");
    let out = book.show_text(sub, TODAY);
    assert!(out.contains("  At renewal             6 seats, term P1M, billed monthly\n"), "{out}");
    assert!(out.contains("at renewal on 2027-11-01: 6 seats"), "{out}");

    let e = book.fails(&["subscription", "schedule", &s, "--billing", "annual"], 2);
    assert_eq!(
        (e["field"].as_str(), e["message"].as_str()),
        (Some("--billing"), Some("a P1M term cannot be billed annual; P1M is billed monthly"))
    );
    let e = book.fails(&["subscription", "schedule", &s], 2);
    assert_eq!(e["message"], "give at least one change: the seats, the term, the billing plan or the product");
    let e = book.fails(&["subscription", "schedule", &s, "--quantity", "0"], 2);
    assert_eq!(e["field"], "--quantity");
    let e = book.fails(&["subscription", "schedule", &s, "--product", "NOPE:0001"], 2);
    assert_eq!(e["field"], "--product");
    assert_eq!(book.show(sub, TODAY)["history"].as_array().unwrap().len(), 3);
}

#[test]
fn upgrades_go_up_and_downgrades_wait_for_renewal() {
    let book = Book::with_prices();
    let acme = book.customer("Acme", "acme.onmicrosoft.com", &[]);
    let sub = id(&book.subscription(acme, BASIC, "P1Y annual 5 2026-11-01", &[]));
    let s = sub.to_string();
    let out = book.ok(&["subscription", "upgrade", &s, "--product", STANDARD, "--on", "2026-11-20"]);
    assert!(out.starts_with(&format!("Subscription {sub} upgraded on 2026-11-20.\n")), "{out}");
    let v = book.show(sub, "2026-11-20");
    let sv = &v["subscription"];
    assert_eq!((text(&sv["product"]), text(&sv["product_title"])), (STANDARD.into(), "Microsoft 365 Business Standard".into()));
    assert_eq!((text(&sv["price"]["unit_cost"]), cents(&sv["price"]["unit_price"])), ("150.00".into(), "180.00".into()), "150.00 × 1.20");
    assert_eq!(
        (text(&sv["term_start"]), text(&sv["term_end"]), sv["quantity"].as_u64()),
        ("2026-11-01".into(), "2027-10-31".into(), Some(5)),
        "the term and seats stay"
    );
    let last = v["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((text(&last["kind"]), text(&last["effective"])), ("upgraded".into(), "2026-11-20".into()));
    assert!(
        text(&last["description"]).starts_with(
            "upgraded from CFQ7TTC0LH18:0001 (Microsoft 365 Business Basic) to CFQ7TTC0LDPB:0001 (Microsoft 365 Business Standard)"
        ),
        "{last}"
    );

    let e = book.fails(&["subscription", "upgrade", &s, "--product", BASIC, "--on", "2026-11-21"], 2);
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("refused"), Some("--product")));
    assert_eq!(
        e["message"],
        format!(
            "CFQ7TTC0LH18:0001 costs less than CFQ7TTC0LDPB:0001 (72.00 against 150.00 USD per seat per term): \
             that is a downgrade, which Microsoft allows only at renewal \
             (seatbook subscription schedule {sub} --product CFQ7TTC0LH18:0001)"
        )
    );
    let e = book.fails(&["subscription", "upgrade", &s, "--product", STANDARD, "--on", "2026-11-21"], 2);
    assert_eq!(e["message"], format!("subscription {sub} is already {STANDARD}"));
    let e = book.fails(&["subscription", "upgrade", &s, "--product", "NOPE:0001", "--on", "2026-11-21"], 2);
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("not_found"), Some("--product")));
    let v = book.show(sub, "2026-11-21");
    assert_eq!((text(&v["subscription"]["product"]), v["history"].as_array().unwrap().len()), (STANDARD.into(), 2));
    // The downgrade can wait for the renewal, which takes the price list then in force.
    let v = book.json(&["subscription", "schedule", &s, "--product", BASIC]);
    assert_eq!(v["scheduled"]["product"], BASIC);
    let report = book.json(&["renewals", "run", "--through", "2027-11-01"]);
    assert_eq!((report["done"][0]["outcome"].as_str(), report["done"][0]["product"].as_str()), (Some("renewed"), Some(BASIC)));
    let sv = book.show(sub, "2027-11-01")["subscription"].clone();
    assert_eq!((text(&sv["product"]), text(&sv["term_start"]), sv["quantity"].as_u64()), (BASIC.into(), "2027-11-01".into(), Some(5)));
    assert_eq!((text(&sv["price"]["unit_cost"]), cents(&sv["price"]["unit_price"])), ("75.60".into(), "90.72".into()));
}

/// Regression: `check_upgrade` once compared costs only when both were in the same currency, so
/// a downgrade to a product priced in another currency passed as an upgrade.
#[test]
fn a_downgrade_is_refused_even_when_the_costs_are_in_different_currencies() {
    let book = Book::with_prices();
    // A ZAR customer's Business Standard P1Y monthly costs 2835.00 ZAR (the ZAR row); Exchange
    // Online (Plan 1) has only a USD row, 50.40: a downgrade by any exchange rate.
    let rand = book.customer("Rand Co", "rand.onmicrosoft.com", &[]);
    book.json(&["fx", "set", "--from", "USD", "--to", "ZAR", "--rate", "18.00", "--on", "2026-01-01"]);
    let sub = book.subscription(rand, STANDARD, "P1Y monthly 5 2026-11-01", &[]);
    assert_eq!((text(&sub["price"]["unit_cost"]), text(&sub["price"]["cost_currency"])), ("2835.00".into(), "ZAR".into()));
    let e = book.fails(&["subscription", "upgrade", &id(&sub).to_string(), "--product", EXCHANGE, "--on", "2026-11-20"], 2);
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("refused"), Some("--product")), "{e}");
    assert_eq!(text(&book.show(id(&sub), "2026-11-20")["subscription"]["product"]), STANDARD);
}

#[test]
fn show_prints_term_dates_the_charge_cycle_the_reduction_window_and_the_history() {
    let book = Book::with_prices();
    let acme = book.customer("Acme Trading", "acme.onmicrosoft.com", &[]);
    // A ZAR customer buying P1Y billed monthly pays from the ZAR row: 1360.80 × 1.20 = 1632.96 a
    // term, 136.08 a cycle. Bought on 31 January, its cycles are clamped to each month's length.
    let sub = id(&book.subscription(acme, BASIC, "P1Y monthly 10 2026-01-31", &["--ms-subscription-id", "a1b2c3"]));
    book.ok(&["subscription", "quantity", &sub.to_string(), "--quantity", "12", "--on", "2026-03-05"]);

    let out = book.show_text(sub, "2026-03-05");
    let expected = [
        format!("Subscription {sub}: Microsoft 365 Business Basic (CFQ7TTC0LH18:0001)\n"),
        format!("  Customer               Acme Trading ({acme})\n"),
        "  Status                 active\n".into(),
        "  Seats                  12\n".into(),
        "  Term                   P1Y billed monthly\n".into(),
        "  Current term           2026-01-31 to 2027-01-30\n".into(),
        "  Purchased              2026-01-31\n".into(),
        "  Microsoft id           a1b2c3\n".into(),
        "  Auto-renew             on\n".into(),
        "  Charge cycle           2026-02-28 to 2026-03-30 (31 days), as of 2026-03-05\n".into(),
        "  Cost                   1360.80 ZAR per seat per term\n".into(),
        "  Price                  1632.96 ZAR per seat per term; 136.08 per monthly cycle\n".into(),
        "  Price rule             default markup 20% (company profile)\n".into(),
        "  Seats can be reduced   2 seats until 2026-03-11\n".into(),
        "  Renews on              2027-01-31\n".into(),
        "History (effective date, recorded at)\n".into(),
        "  2026-01-31  purchased          10 seats bought, P1Y billed monthly, term 2026-01-31 to 2027-01-30, \
         at 1632.96 ZAR per seat per term"
            .into(),
        "  2026-03-05  quantity-changed   +2 seats (10 → 12); the new seats can be removed until 2026-03-11".into(),
    ];
    for line in &expected {
        assert!(out.contains(line.as_str()), "{line:?} missing from\n{out}");
    }
    assert!(!out.contains("Can be cancelled until"), "the cancellation window closed on 2026-02-06:\n{out}");
    assert!(out.find("History").unwrap() < out.find("quantity-changed").unwrap());

    let v = book.show(sub, "2026-03-05");
    assert_eq!(v["current_cycle"], serde_json::json!({"index": 1, "start": "2026-02-28", "end": "2026-03-30"}));
    assert_eq!((v["reducible_seats"].as_u64(), text(&v["reducible_until"])), (Some(2), "2026-03-11".into()));
    assert_eq!(cents(&v["price_per_cycle"]), "136.08");
    assert!(v["cancellable_until"].is_null());
    // In the first week the cancellation window shows; after the seat window, the way out.
    let first_week = book.show_text(sub, "2026-02-02");
    assert!(first_week.contains("  Can be cancelled until 2026-02-06\n"), "{first_week}");
    assert!(first_week.contains("  Charge cycle           2026-01-31 to 2026-02-27 (28 days), as of 2026-02-02\n"), "{first_week}");
    let later = book.show_text(sub, "2026-03-12");
    assert!(later.contains("  Seats can be reduced   not now; schedule a decrease for the renewal on 2027-01-31\n"), "{later}");
    let e = book.fails(&["subscription", "show", "99"], 2);
    assert_eq!(e["code"], "not_found");
}

#[test]
fn subscriptions_list_by_customer_and_status() {
    let book = Book::with_prices();
    let acme = book.customer("Acme", "acme.onmicrosoft.com", &[]);
    let beta = book.customer("Beta", "beta.onmicrosoft.com", &[]);
    let a1 = id(&book.subscription(acme, BASIC, "P1M monthly 2 2026-11-20", &[]));
    let a2 = id(&book.subscription(acme, EXCHANGE, "P1M monthly 2 2026-11-20", &[]));
    let b1 = id(&book.subscription(beta, BASIC, "P1M monthly 2 2026-11-20", &[]));
    book.ok(&["subscription", "cancel", &a2.to_string(), "--on", "2026-11-21"]);
    book.ok(&["subscription", "suspend", &b1.to_string(), "--on", "2026-11-21"]);
    let (ca, cb) = (acme.to_string(), beta.to_string());
    assert_eq!(book.subscription_ids(&[]), [a1, a2, b1]);
    assert_eq!(book.subscription_ids(&["--customer", &ca]), [a1, a2]);
    assert_eq!(book.subscription_ids(&["--customer", &ca, "--status", "active"]), [a1]);
    assert_eq!(book.subscription_ids(&["--status", "canceled"]), [a2]);
    assert_eq!(book.subscription_ids(&["--status", "suspended"]), [b1]);
    assert_eq!(book.subscription_ids(&["--customer", &cb, "--status", "expired"]), Vec::<i64>::new());
    let out = book.ok(&["subscription", "list", "--customer", &ca]);
    assert!(out.starts_with("Subscriptions\n"), "{out}");
    assert!(out.contains("2026-11-20 to 2026-12-19  active\n"), "{out}");
    assert!(out.contains("2026-11-20 to 2026-12-19  cancelled, no auto-renew\n"), "{out}");
    assert_eq!(book.ok(&["subscription", "list", "--status", "expired"]), "No subscriptions.\n");
    let e = book.fails(&["subscription", "list", "--status", "bogus"], 2);
    assert_eq!(e["field"], "--status");
    // A customer's subscriptions also show with the customer.
    let shown = book.json(&["customer", "show", &ca]);
    assert_eq!(shown["subscriptions"].as_array().unwrap().iter().map(id).collect::<Vec<_>>(), [a1, a2]);
}

// ---------------------------------------------------------------------------------------------
// 6. Renewals

#[test]
fn renewals_renew_at_the_new_price_apply_schedules_and_expire() {
    let book = Book::with_prices();
    let acme = book.customer("Acme Trading", "acme.onmicrosoft.com", &[]);
    let monthly = id(&book.subscription(acme, BASIC, "P1M monthly 2 2026-11-01", &[]));
    let annual = id(&book.subscription(acme, BASIC, "P1Y annual 4 2025-12-01", &[]));
    let ending = id(&book.subscription(acme, EXCHANGE, "P1M monthly 3 2026-11-05", &["--no-auto-renew"]));
    let later = id(&book.subscription(acme, BASIC, "P1Y annual 1 2026-06-01", &[]));
    book.json(&["subscription", "schedule", &monthly.to_string(), "--quantity", "5"]);
    assert_eq!(cents(&book.show(annual, TODAY)["subscription"]["price"]["unit_price"]), "86.40", "72.00 × 1.20");

    // What comes up in the next 30 days.
    let due = book.json(&["renewals", "due", "--within", "30", "--as-of", TODAY]);
    let rows: Vec<(i64, String, Value, Value)> = due
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["subscription_id"].as_i64().unwrap(), text(&r["term_end"]), r["renews_on"].clone(), r["cut_after_renewal_until"].clone())
        })
        .collect();
    assert_eq!(
        rows,
        [
            (monthly, "2026-11-30".into(), "2026-12-01".into(), "2026-12-07".into()),
            (annual, "2026-11-30".into(), "2026-12-01".into(), "2026-12-07".into()),
            (ending, "2026-12-04".into(), Value::Null, Value::Null),
        ]
    );
    assert_eq!(due[0]["scheduled"]["quantity"], 5);
    let out = book.ok(&["renewals", "due", "--within", "30", "--as-of", TODAY]);
    assert!(out.starts_with("Terms ending between 2026-11-24 and 2026-12-24\n"), "{out}");
    assert!(out.contains("renews 2026-12-01; cut seats by scheduling, or until 2026-12-07 after renewal; at renewal: 5 seats\n"), "{out}");
    assert!(out.contains("expires (auto-renew off)\n"), "{out}");
    assert_eq!(
        book.ok(&["renewals", "due", "--within", "5", "--as-of", "2026-12-10"]),
        "No terms end between 2026-12-10 and 2026-12-15.\n"
    );

    let report = book.json(&["renewals", "run", "--through", "2026-12-05"]);
    let done: Vec<(i64, String, String, u64, String)> = report["done"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["subscription_id"].as_i64().unwrap(),
                text(&e["outcome"]),
                text(&e["date"]),
                e["quantity"].as_u64().unwrap(),
                cents(&e["unit_price"]),
            )
        })
        .collect();
    assert_eq!(
        done,
        [
            (monthly, "renewed".into(), "2026-12-01".into(), 5, "8.64".into()),
            (annual, "renewed".into(), "2026-12-01".into(), 4, "90.72".into()),
            (ending, "expired".into(), "2026-12-05".into(), 3, "5.76".into()),
        ]
    );
    assert_eq!(report["problems"], serde_json::json!([]));

    // The annual subscription took the price list in force on 1 December: 75.60, not 72.00.
    let v = book.show(annual, "2026-12-02")["subscription"].clone();
    assert_eq!(
        (text(&v["term_start"]), text(&v["term_end"]), text(&v["purchased_on"])),
        ("2026-12-01".into(), "2027-11-30".into(), "2025-12-01".into())
    );
    assert_eq!((text(&v["price"]["unit_cost"]), cents(&v["price"]["unit_price"])), ("75.60".into(), "90.72".into()));
    let out = book.show_text(annual, "2026-12-02");
    assert!(out.contains("  Current term           2026-12-01 to 2027-11-30\n"), "{out}");
    assert!(out.contains("  Cost                   75.60 USD per seat per term\n"), "{out}");
    let renewed = "  2026-12-01  renewed            renewed: 4 seats of CFQ7TTC0LH18:0001, P1Y billed annual, \
                   term 2026-12-01 to 2027-11-30, at 90.72 USD per seat per term";
    assert!(out.contains(renewed), "{out}");
    // The monthly one took its scheduled seats, and the schedule is used up.
    let v = book.show(monthly, "2026-12-02")["subscription"].clone();
    assert_eq!((v["quantity"].as_u64(), text(&v["term_start"]), text(&v["term_end"])), (Some(5), "2026-12-01".into(), "2026-12-31".into()));
    assert!(v["scheduled"]["quantity"].is_null());
    let v = book.show(ending, "2026-12-05")["subscription"].clone();
    assert_eq!((text(&v["status"]), text(&v["ended_on"])), ("expired".into(), "2026-12-05".into()));
    assert_eq!(text(&book.show(later, TODAY)["subscription"]["term_start"]), "2026-06-01", "not due");

    // Running again changes nothing.
    let lengths = |ids: &[i64]| ids.iter().map(|s| book.show(*s, TODAY)["history"].as_array().unwrap().len()).collect::<Vec<_>>();
    let before = lengths(&[monthly, annual, ending, later]);
    let again = book.json(&["renewals", "run", "--through", "2026-12-05"]);
    assert_eq!((again["done"].clone(), again["problems"].clone()), (serde_json::json!([]), serde_json::json!([])));
    assert_eq!(book.ok(&["renewals", "run", "--through", "2026-12-05"]), "Nothing to renew.\n");
    assert_eq!(lengths(&[monthly, annual, ending, later]), before);
    assert_eq!(before, [3, 2, 2, 1]);
}

#[test]
fn a_trial_converts_to_p1y_monthly_unless_auto_renew_is_off() {
    let book = Book::with_prices();
    let acme = book.customer("Acme", "acme.onmicrosoft.com", &["--currency", "USD"]);
    let trial_args =
        ["subscription", "add", "--customer", &acme.to_string(), "--product", BASIC, "--quantity", "3", "--start", "2026-11-01", "--trial"];
    let trial = book.json(&trial_args);
    assert_eq!((text(&trial["term"]), text(&trial["billing"]), trial["trial"].as_bool()), ("P1Y".into(), "monthly".into(), Some(true)));
    assert_eq!(text(&trial["term_end"]), "2026-11-30", "30 days");
    let ended = id(&book.json(&[&trial_args[..], &["--no-auto-renew"]].concat()));
    let out = book.show_text(id(&trial), "2026-11-10");
    assert!(out.contains("  Status                 active (30-day trial)\n"), "{out}");
    assert!(out.contains("  Can be cancelled until 2026-11-30\n"), "{out}");

    let out = book.ok(&["renewals", "run", "--through", "2026-12-01"]);
    assert!(
        out.contains(&format!(
            "Subscription {:>5} (customer {acme}) trial converted on 2026-12-01: 3 seats of {BASIC} at 90.72 USD per seat per term\n",
            id(&trial)
        )),
        "{out}"
    );
    assert!(out.contains(&format!("Subscription {ended:>5} (customer {acme}) expired on 2026-12-01")), "{out}");
    let v = book.show(id(&trial), "2026-12-01")["subscription"].clone();
    assert_eq!(
        (v["trial"].as_bool(), text(&v["term_start"]), text(&v["term_end"])),
        (Some(false), "2026-12-01".into(), "2027-11-30".into())
    );
    assert_eq!(text(&book.show(ended, "2026-12-01")["subscription"]["status"]), "expired");
}

// ---------------------------------------------------------------------------------------------
// 7. Subscription import

const SUBSCRIPTION_HEADER: &str = "customer_domain,product,term,billing,quantity,start,price";

#[test]
fn a_subscription_file_with_bad_lines_lists_each_and_imports_nothing() {
    let book = Book::with_prices();
    book.customer("Acme", "acme.onmicrosoft.com", &[]);
    let file = book.file(
        "subs.csv",
        &format!(
            "{SUBSCRIPTION_HEADER}\n\
             acme.onmicrosoft.com,{BASIC},P1Y,monthly,5,2026-03-15,\n\
             nobody.onmicrosoft.com,{BASIC},P1Y,monthly,5,2026-03-15,\n\
             acme.onmicrosoft.com,XXXX:0001,P1Y,monthly,5,2026-03-15,\n\
             acme.onmicrosoft.com,{BASIC},P1M,monthly,1,2026-12-01,\n"
        ),
    );
    let e = book.fails(&["subscription", "import", path(&file)], 2);
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some("line 3")), "{e}");
    assert_eq!(
        e["message"],
        "subscription file rejected, nothing imported: 3 bad lines\n  \
         line 3: no customer has the domain nobody.onmicrosoft.com\n  \
         line 4: XXXX:0001 is not in the price list (import Microsoft's price list first)\n  \
         line 5: start 2026-12-01 is after today (2026-11-24); add a subscription that starts later on its own"
    );
    assert_eq!(book.subscription_ids(&[]), Vec::<i64>::new());

    let pairs = book.file(
        "pairs.csv",
        &format!(
            "{SUBSCRIPTION_HEADER}\n\
             acme.onmicrosoft.com,{BASIC},P1M,annual,1,2026-03-15,\n\
             acme.onmicrosoft.com,{BASIC},P1Y,monthly,none,2026-03-15,\n"
        ),
    );
    let e = book.fails(&["subscription", "import", path(&pairs)], 2);
    assert_eq!(
        e["message"],
        "subscription file rejected, nothing imported: 2 bad lines\n  \
         line 2: a P1M term cannot be billed annual; P1M is billed monthly\n  \
         line 3: quantity: 'none' is not a whole number of seats (1 or more)"
    );
    assert_eq!(book.subscription_ids(&[]), Vec::<i64>::new());
}

/// Regression: the subscription import once refused a file on its own checks (term/plan pair,
/// quantity) before looking up customers and products, so those lines went unlisted and a user
/// fixed the file twice. Every bad line is listed in one answer.
#[test]
fn a_subscription_file_lists_bad_values_and_unknown_customers_together() {
    let book = Book::with_prices();
    book.customer("Acme", "acme.onmicrosoft.com", &[]);
    let file = book.file(
        "subs.csv",
        &format!(
            "{SUBSCRIPTION_HEADER}\n\
             acme.onmicrosoft.com,{BASIC},P1Y,monthly,5,2026-03-15,\n\
             nobody.onmicrosoft.com,{BASIC},P1Y,monthly,5,2026-03-15,\n\
             acme.onmicrosoft.com,XXXX:0001,P1Y,monthly,5,2026-03-15,\n\
             acme.onmicrosoft.com,{BASIC},P1M,annual,5,2026-03-15,\n"
        ),
    );
    let e = book.fails(&["subscription", "import", path(&file)], 2);
    let m = text(&e["message"]);
    assert!(m.contains("3 bad lines"), "every bad line is listed: {m}");
    assert!(m.contains("line 3: no customer has the domain nobody.onmicrosoft.com"), "{m}");
    assert!(m.contains("line 4: XXXX:0001 is not in the price list"), "{m}");
    assert!(m.contains("line 5: a P1M term cannot be billed annual"), "{m}");
}

#[test]
fn a_good_subscription_file_lands_each_row_in_its_current_term() {
    let book = Book::with_prices();
    let acme = book.customer("Acme", "acme.onmicrosoft.com", &[]);
    let file = book.file(
        "subs.csv",
        &format!(
            "\u{feff}{SUBSCRIPTION_HEADER},auto_renew,ms_subscription_id\n\
             acme.onmicrosoft.com,{BASIC},P1Y,monthly,5,2025-03-15,,yes,\"ms-1\"\n\
             ACME.onmicrosoft.com,{STANDARD},P1M,Monthly,2,2026-11-10,12.50,no,\n"
        ),
    );
    let v = book.json(&["subscription", "import", path(&file)]);
    assert_eq!(v["imported"], 2);
    let (first, second) = (&v["subscriptions"][0], &v["subscriptions"][1]);
    assert_eq!(first["customer_id"].as_i64(), Some(acme));
    // Bought on 15 March 2025: today it is in its second term, billed from the next cycle.
    assert_eq!(
        (text(&first["purchased_on"]), text(&first["term_start"]), text(&first["term_end"]), text(&first["bill_from"])),
        ("2025-03-15".into(), "2026-03-15".into(), "2027-03-14".into(), "2026-12-15".into())
    );
    assert_eq!(
        (text(&first["price"]["unit_cost"]), cents(&first["price"]["unit_price"]), text(&first["price"]["price_currency"])),
        ("1360.80".into(), "1632.96".into(), "ZAR".into())
    );
    assert_eq!((text(&first["ms_subscription_id"]), first["auto_renew"].as_bool()), ("ms-1".into(), Some(true)));
    assert_eq!(
        (text(&second["term_start"]), text(&second["term_end"]), second["auto_renew"].as_bool()),
        ("2026-11-10".into(), "2026-12-09".into(), Some(false))
    );
    assert_eq!(
        (cents(&second["price"]["unit_price"]), text(&second["price"]["rule"])),
        ("12.50".into(), "price override 12.50 ZAR per seat per month".into())
    );
    let history = book.show(id(first), TODAY)["history"].clone();
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(text(&history[0]["kind"]), "imported");
    assert!(
        text(&history[0]["description"]).starts_with("imported (line 2): 5 seats since 2025-03-15, current term 2026-03-15 to 2027-03-14"),
        "{history}"
    );
    assert_eq!(book.subscription_ids(&["--customer", &acme.to_string()]), [id(first), id(second)]);
}

// ---------------------------------------------------------------------------------------------
// 8. The command line as a whole

#[test]
fn the_database_comes_from_db_or_seatbook_db() {
    let book = Book::reseller();
    let other = TestDb::new();
    let run = |args: &[&str], env_db: &Path| {
        Command::new(env!("CARGO_BIN_EXE_seatbook"))
            .args(args)
            .env("SEATBOOK_DB", env_db)
            // Should the variable be ignored, the default folder is a temporary one.
            .env("HOME", other.dir.path())
            .env("XDG_DATA_HOME", other.dir.path())
            .env("APPDATA", other.dir.path())
            .env_remove("SEATBOOK_TODAY")
            .output()
            .unwrap()
    };
    // SEATBOOK_DB alone.
    let o = run(&["--json", "company", "show"], book.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(serde_json::from_str::<Value>(&stdout(&o)).unwrap()["name"], "Cloudwise (Pty) Ltd");
    let o = run(&["--json", "customer", "add", "--name", "Via Env", "--domain", "env.onmicrosoft.com"], book.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(book.customer_ids(&[]).len(), 1, "written to the SEATBOOK_DB file");
    // --db wins over SEATBOOK_DB.
    let o = run(&["--db", path(&other.path), "--json", "company", "show"], book.path());
    assert_eq!(o.status.code(), Some(2), "the --db file is new and not set up: {}", stderr(&o));
    assert!(other.path.exists());
    assert!(!other.dir.path().join("seatbook").exists(), "the default folder was not used");
}

#[test]
fn help_names_every_noun_and_the_exit_statuses() {
    let book = Book::empty();
    let out = ok(book.path(), &["--help"]);
    let commands = &out[out.find("Commands:").expect("a command list")..];
    for noun in ["init", "company", "customer", "pricelist", "product", "markup", "fx", "subscription", "renewals"] {
        assert!(commands.lines().any(|l| l.trim_start().starts_with(&format!("{noun} "))), "{noun} missing from\n{out}");
    }
    let words = out.split_whitespace().collect::<Vec<_>>().join(" ");
    for phrase in ["--db", "--json", "--today", "SEATBOOK_DB", "Exit status: 0 success, 2 bad input or a refused change, 1 anything else."]
    {
        assert!(words.contains(phrase), "{phrase} missing from\n{out}");
    }
    let out = ok(book.path(), &["subscription", "--help"]);
    for verb in ["add", "quantity", "cancel", "suspend", "reactivate", "auto-renew", "schedule", "upgrade", "show", "list", "import"] {
        assert!(out.lines().any(|l| l.trim_start().starts_with(&format!("{verb} "))), "{verb} missing from\n{out}");
    }
    assert!(!book.path().exists(), "help opens no database");
}

#[test]
fn bad_input_exits_2_with_a_plain_message_or_json() {
    let book = Book::with_prices();
    let e = fails(book.path(), &["--today", "2026-13-01", "customer", "list"], 2);
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some("--today")));
    let e = book.fails(&["customer", "show", "42"], 2);
    assert_eq!((e["code"].as_str(), e["message"].as_str()), (Some("not_found"), Some("there is no customer 42")));
    // Every error object has exactly the three keys.
    let mut keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["code", "field", "message"]);
    // Without --json: the message on stderr, nothing on stdout.
    let o = seatbook(book.path(), &["--today", TODAY, "subscription", "show", "7"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!((stdout(&o), stderr(&o)), (String::new(), "error: there is no subscription 7\n".to_string()));
}

/// Regression: with `--json`, errors that clap finds (a missing or malformed flag) once printed
/// clap's text instead of `{"code","message","field"}`; the exit status is 2.
#[test]
fn argument_errors_are_json_too() {
    let book = Book::with_prices();
    let e = book.fails(&["subscription", "quantity", "1", "--on", TODAY], 2);
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_input"), Some("--quantity")), "{e}");
    let e = book.fails(&["subscription", "quantity", "1", "--quantity", "abc", "--on", TODAY], 2);
    assert_eq!(e["field"], "--quantity", "{e}");
}

#[test]
fn a_file_that_is_not_a_database_exits_1_and_is_left_alone() {
    let book = Book::empty();
    let contents = "ProductId,SkuId\nthis is a price list, not a database\n".repeat(50);
    std::fs::write(book.path(), &contents).unwrap();
    let e = book.fails(&["company", "show"], 1);
    assert_eq!(
        (e["code"].as_str(), e["message"].as_str()),
        (Some("database"), Some("the file is not a Seatbook database (or it is damaged)"))
    );
    let o = seatbook(book.path(), &["customer", "list"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "error: the file is not a Seatbook database (or it is damaged)\n");
    assert_eq!(std::fs::read_to_string(book.path()).unwrap(), contents);
}

#[test]
fn a_database_from_a_newer_seatbook_exits_1_and_is_left_alone() {
    let book = Book::reseller();
    book.db.open().execute_raw_for_tests("PRAGMA user_version = 99").unwrap();
    let before = std::fs::read(book.path()).unwrap();
    let e = book.fails(&["customer", "list"], 1);
    assert_eq!(e["code"], "newer_database");
    assert!(text(&e["message"]).contains("written by a newer Seatbook (schema version 99"), "{e}");
    assert_eq!(std::fs::read(book.path()).unwrap(), before);
}
