//! Subscriptions under Microsoft's rules: terms and plans, seats, cancellation, suspension, schedules, upgrades.

use super::*;

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
        "  Cost                   R\u{a0}1\u{a0}360,80 per seat per term\n".into(),
        "  Price                  R\u{a0}1\u{a0}632,96 per seat per term; R\u{a0}136,08 per monthly cycle\n".into(),
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
