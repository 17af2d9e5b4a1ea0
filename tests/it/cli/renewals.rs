//! Renewals, trials, and importing an existing book of subscriptions.

use super::*;

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
    assert!(out.contains("  Cost                   USD\u{a0}75,60 per seat per term\n"), "{out}");
    let renewed = "  2026-12-01  renewed            renewed: 4 seats of CFQ7TTC0LH18:0001, P1Y billed annual, \
                   term 2026-12-01 to 2027-11-30, at 90.72 USD per seat per term";
    assert!(out.contains(renewed), "{out}");
    // The book keeps only the renewal's price rule; its words come from the row.
    let kept: (String, Option<String>) = rusqlite::Connection::open(&book.db.path)
        .unwrap()
        .query_row(
            "SELECT e.description, r.text FROM subscription_events e LEFT JOIN price_rules r ON r.id = e.price_rule_id
             WHERE e.subscription_id = ?1 AND e.kind = 'renewed'",
            [annual],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((kept.0.as_str(), kept.1.is_some()), ("", true), "{kept:?}");
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
            "Subscription {:>5} (customer {acme}) trial converted on 2026-12-01: 3 seats of {BASIC} at USD\u{a0}90,72 per seat per term\n",
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

// Subscription import.

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

    // The same file again adds nothing: each row is already in the book.
    let e = book.fails(&["subscription", "import", path(&file)], 2);
    let m = text(&e["message"]);
    assert!(m.contains("2 bad lines") && m.contains(&format!("line 2: already in the book as subscription {}", id(first))), "{m}");
    // Nor does another file with the same Microsoft subscription id, or the id twice in one file.
    let again = book.file(
        "again.csv",
        &format!(
            "{SUBSCRIPTION_HEADER},ms_subscription_id\n\
             acme.onmicrosoft.com,{STANDARD},P1Y,monthly,3,2025-06-01,,MS-1\n\
             acme.onmicrosoft.com,{EXCHANGE},P1Y,monthly,3,2025-06-01,,ms-9\n\
             acme.onmicrosoft.com,{EXCHANGE},P1Y,annual,3,2025-07-01,,ms-9\n"
        ),
    );
    let m = text(&book.fails(&["subscription", "import", path(&again)], 2)["message"]);
    assert!(
        m.contains("line 2: already in the book") && m.contains("line 4: Microsoft subscription ms-9 appears again (first on line 3)"),
        "{m}"
    );
    assert_eq!(book.subscription_ids(&["--customer", &acme.to_string()]).len(), 2, "nothing imported twice");
}
