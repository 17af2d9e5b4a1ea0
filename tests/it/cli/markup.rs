//! Markup rules and exchange rates.

use super::*;

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
