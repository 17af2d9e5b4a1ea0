//! Customers: add, show, update, search, close, the contact log and customer files.

use super::*;

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
        // Amounts as South Africans write them, as the screens do.
        "  Credit limit           R\u{a0}7\u{a0}500,50\n",
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

/// A long file is read as it is written to the book: the answer names how many were imported
/// and shows the first of them; a long file of bad lines lists the first hundred and counts the
/// rest, and a last line cut short is a bad line.
#[test]
fn a_long_customer_file_is_imported_as_it_is_read_and_answered_briefly() {
    let book = Book::reseller();
    let mut csv = String::from("name,domain,email\n");
    for i in 0..3000 {
        csv.push_str(&format!("Customer {i} Ltd,c{i}.onmicrosoft.com,ap@c{i}.example\n"));
    }
    let file = book.file("long.csv", &csv);
    let v = book.json(&["customer", "import", path(&file)]);
    assert_eq!((v["imported"].as_u64(), v["customers"].as_array().unwrap().len()), (Some(3000), 100), "the first hundred shown");
    assert_eq!(v["customers"][99]["domain"], "c99.onmicrosoft.com");
    let count = book.json(&["customer", "list", "--limit", "5000"]).as_array().unwrap().len();
    assert_eq!(count, 3000);

    let mut bad = String::from("name,domain,email\n");
    for i in 0..3000 {
        bad.push_str(&format!("Bad {i},d{i}.onmicrosoft.com,not-an-address-{i}\n"));
    }
    bad.push_str("Cut Ltd,cut.onmicrosoft.com,\"ap@cut.exa");
    let file = book.file("bad.csv", &bad);
    let o = seatbook(book.path(), &["customer", "import", path(&file)]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.starts_with("error: customer file rejected, nothing imported: 3001 bad lines\n  line 2: email:"), "{}", &err[..200]);
    assert_eq!(err.matches("\n  line ").count(), 100);
    assert!(err.contains("line 101: email: 'not-an-address-99'") && !err.contains("line 102:"), "the first hundred lines");
    assert!(err.trim_end().ends_with("… and 2901 more bad lines"), "{}", &err[err.len() - 200..]);
    assert!(err.len() < 10_000, "a short answer: {} bytes", err.len());
    let cut = book.file("cut.csv", "name,domain,email\nA Ltd,a.onmicrosoft.com,a@a.example\nCut Ltd,cut.onmicrosoft.com,\"ap@cut.exa");
    let e = book.fails(&["customer", "import", path(&cut)], 2);
    assert!(
        text(&e["message"]).contains("line 3: has 3 fields where the header has 3: the line is cut short or a quote is not closed"),
        "{e}"
    );
    let count = book.json(&["customer", "list", "--limit", "5000"]).as_array().unwrap().len();
    assert_eq!(count, 3000, "nothing of either file imported");
}

/// Regression: with CRLF line endings (Windows, Excel, Microsoft's own files) every CSV line
/// number was one too low, because the csv crate counts a CRLF record's end late
/// (BurntSushi/rust-csv#395); `import::rows::RowReader` tells lines from byte offsets itself.
#[test]
fn a_windows_customer_file_names_the_right_lines() {
    let book = Book::reseller();
    let file = book.file("customers.csv", "name,domain\r\nA Ltd,a.onmicrosoft.com\r\nB Ltd,not a domain\r\nC Ltd,c.onmicrosoft.com\r\n");
    let e = book.fails(&["customer", "import", path(&file)], 2);
    assert_eq!(e["field"], "line 3", "{e}");
    assert!(text(&e["message"]).contains("\n  line 3: domain: 'not a domain' is not a domain name"), "{e}");
}

/// Names and notes that would break a journal, a CSV or a terminal are refused at their field: a
/// carriage return (it split journal records and failed `hledger check`), an escape sequence, a
/// right-to-left override. A name like a spreadsheet formula is kept, and exported as text.
#[test]
fn control_characters_and_direction_overrides_are_refused_and_formulas_export_as_text() {
    let book = Book::reseller();
    for (flag, value) in [
        ("--name", "Acme\rLtd"),
        ("--name", "Acme\u{1b}[31mLtd"),
        ("--name", "Acme \u{202e}dtL"),
        ("--contact-person", "Thandi\tNkosi"),
        ("--notes", "fine\u{7}"),
        ("--name", "Acme\u{200b}Ltd"),
        ("--email", "ap@acme\u{feff}.example"),
    ] {
        let mut args = vec!["customer", "add", "--domain", "acme.onmicrosoft.com", flag, value];
        if flag != "--name" {
            args.extend(["--name", "Acme"]);
        }
        let e = book.fails(&args, 2);
        assert_eq!(e["field"], flag, "{value:?}: {e}");
        assert!(text(&e["message"]).contains("type it without"), "{e}");
    }
    // A name with a zero-width space looked like one already in the book and was not it.
    let e = book.fails(&["customer", "add", "--domain", "acme.onmicrosoft.com", "--name", "Ac\u{200b}me"], 2);
    assert!(text(&e["message"]).contains("an invisible character (U+200B)"), "{e}");
    // Scripts that join letters keep their joiners.
    book.customer("می\u{200c}خواهم", "persian.onmicrosoft.com", &[]);
    // A line break is fine in an address.
    book.customer("Acme", "acme.onmicrosoft.com", &["--address", "1 Main Rd\\nCape Town"]);
    let formula = "=HYPERLINK(\"http://evil.example\",\"Pay here\")";
    let id = book.customer(formula, "evil.onmicrosoft.com", &[]);
    let dir = book.db.dir.path().join("export");
    book.ok(&["export", "all", "--out-dir", dir.to_str().unwrap()]);
    let customers = std::fs::read_to_string(dir.join("customers.csv")).unwrap();
    assert!(customers.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Pay here\"\")\""), "{customers}");
    assert!(!customers.contains(",=HYPERLINK"), "{customers}");
    assert_eq!(text(&book.json(&["customer", "show", &id.to_string()])["customer"]["name"]), formula, "the name itself is kept");
}
