//! Microsoft's price list: imports, next month's file, bad files, markets and the price on a date.

use super::*;

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
/// (BurntSushi/rust-csv#395); `import::rows::RowReader` tells lines from byte offsets itself.
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
    assert!(out.contains("  Cost                   USD\u{a0}72,00 per seat per term (price-list row from 2025-11-01)\n"), "{out}");
    let out = book.ok(&["product", "price", BASIC, "--term", "P1Y", "--billing", "annual", "--on", "2026-12-01"]);
    assert!(out.contains("  Cost                   USD\u{a0}75,60 per seat per term (price-list row from 2026-12-01)\n"), "{out}");
    assert!(out.contains("  Resale                 USD\u{a0}90,72 per seat per term\n"), "{out}");

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
         P1M  Monthly    ZA       4,80 USD  (ERP 6,00)\n    \
         P1Y  Annual     ZA      48,00 USD  (ERP 60,00)\n    \
         P1Y  Monthly    ZA      50,40 USD  (ERP 63,00)\n    \
         P3Y  Monthly    ZA     151,20 USD  (ERP 189,00)\n    \
         P3Y  Triennial  ZA     144,00 USD  (ERP 180,00)\n"
    );
    assert_eq!(book.ok(&["product", "list", "--search", "dynamics"]), "No products.\n");
}
