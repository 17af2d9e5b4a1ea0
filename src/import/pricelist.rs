//! Microsoft's new-commerce licence price list, read exactly as it comes (DOMAIN §2): header
//! names matched case-insensitively through aliases, unknown columns ignored, three date forms,
//! 9999 as open-ended, quoted fields with commas, a UTF-8 byte-order mark.

use super::Table;
use crate::catalogue::{PriceRow, ProductKey};
use crate::dates::parse_pricelist_date;
use crate::error::{Error, LineProblems, Result};
use crate::money::{parse_price, Currency};

const ALIASES: &[(&str, &[&str])] = &[
    ("product_title", &["ProductTitle", "Product Title", "ProductName", "Product Name"]),
    ("product_id", &["ProductId", "Product Id"]),
    ("sku_id", &["SkuId", "Sku Id"]),
    ("sku_title", &["SkuTitle", "Sku Title", "SkuName", "Sku Name"]),
    ("publisher", &["Publisher", "PublisherName"]),
    ("description", &["SkuDescription", "Sku Description", "Description"]),
    ("term", &["TermDuration", "Term Duration", "Term"]),
    ("billing_plan", &["BillingPlan", "Billing Plan", "BillingFrequency", "Billing Frequency"]),
    ("market", &["Market", "Region"]),
    ("currency", &["Currency", "CurrencyCode", "Currency Code"]),
    ("unit_price", &["UnitPrice", "Unit Price", "Cost"]),
    ("tier_min", &["PricingTierRangeMin", "Pricing Tier Range Min", "TierMinimumUnits"]),
    ("tier_max", &["PricingTierRangeMax", "Pricing Tier Range Max", "TierMaximumUnits"]),
    ("effective_start", &["EffectiveStartDate", "Effective Start Date", "StartDate"]),
    ("effective_end", &["EffectiveEndDate", "Effective End Date", "EndDate"]),
    ("tags", &["Tags"]),
    ("erp_price", &["ERP Price", "ERPPrice", "ERP"]),
];

const REQUIRED: &[&str] = &["product_id", "sku_id", "term", "billing_plan", "market", "currency", "unit_price", "effective_start"];

/// Rows kept by the import's filters, plus what was left out.
#[derive(Debug, Default)]
pub struct ParsedPriceList {
    pub rows: Vec<PriceRow>,
    pub read: usize,
    pub other_market: usize,
    pub other_currency: usize,
}

/// Parse and validate a price list. `market` and `currency` select rows (others are counted,
/// not validated beyond what selecting them needs).
pub fn parse(bytes: &[u8], market: Option<&str>, currency: Option<Currency>) -> Result<ParsedPriceList> {
    let table = Table::read(bytes, "price list", ALIASES, REQUIRED)?;
    let mut problems = LineProblems::new("price list");
    let mut out = ParsedPriceList::default();
    for (line, rec) in &table.records {
        out.read += 1;
        let get = |c: &str| table.get(rec, c);
        let row_market = get("market").to_ascii_uppercase();
        if market.is_some_and(|m| !m.eq_ignore_ascii_case(&row_market)) {
            out.other_market += 1;
            continue;
        }
        let row_currency = match Currency::parse(get("currency"), "Currency") {
            Ok(c) => c,
            Err(e) => {
                problems.push(*line, e.field_message());
                continue;
            }
        };
        if currency.is_some_and(|c| c != row_currency) {
            out.other_currency += 1;
            continue;
        }
        let mut bad = |msg: String| problems.push(*line, msg);
        let (product_id, sku_id) = (get("product_id"), get("sku_id"));
        if product_id.is_empty() || sku_id.is_empty() {
            bad("ProductId and SkuId must not be empty".into());
            continue;
        }
        let product = ProductKey::new(product_id, sku_id);
        let (term, plan) = (get("term").to_ascii_uppercase(), get("billing_plan"));
        if term.is_empty() || plan.is_empty() {
            bad("TermDuration and BillingPlan must not be empty".into());
            continue;
        }
        if row_market.is_empty() {
            bad("Market must not be empty".into());
            continue;
        }
        // Only the terms and plans of Microsoft's new commerce, in the pairs it sells.
        let pair = crate::catalogue::Term::parse(&term, "TermDuration").and_then(|t| {
            let p = crate::catalogue::BillingPlan::parse(plan, "BillingPlan")?;
            crate::catalogue::check_pair(t, p).map_err(|e| e.with_field("BillingPlan"))
        });
        if let Err(e) = pair {
            bad(Error { names_value: true, ..e }.field_message());
            continue;
        }
        let unit_price = match parse_price(get("unit_price"), "UnitPrice") {
            Ok(p) => p,
            Err(e) => {
                bad(e.field_message());
                continue;
            }
        };
        let erp_price = match get("erp_price") {
            "" => None,
            s => match parse_price(s, "ERP Price") {
                Ok(p) => Some(p),
                Err(e) => {
                    bad(e.field_message());
                    continue;
                }
            },
        };
        let tier = |c: &str, name: &str| -> std::result::Result<Option<i64>, String> {
            match get(c) {
                "" => Ok(None),
                s => s.parse::<i64>().map(Some).map_err(|_| format!("{name}: '{s}' is not a whole number")),
            }
        };
        let (tier_min, tier_max) = match (tier("tier_min", "PricingTierRangeMin"), tier("tier_max", "PricingTierRangeMax")) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => {
                bad(e);
                continue;
            }
        };
        if tier_min.is_some_and(|t| t < 0) || tier_max.is_some_and(|t| t < 0) || matches!((tier_min, tier_max), (Some(a), Some(b)) if a > b)
        {
            bad("the pricing tier is not a range of seats (PricingTierRangeMin to PricingTierRangeMax, from 0)".into());
            continue;
        }
        let start = match parse_pricelist_date(get("effective_start")) {
            Ok(Some(d)) => d,
            Ok(None) => {
                bad("EffectiveStartDate must be a date".into());
                continue;
            }
            Err(e) => {
                bad(format!("EffectiveStartDate: {e}"));
                continue;
            }
        };
        let end = match parse_pricelist_date(get("effective_end")) {
            Ok(d) => d,
            Err(e) => {
                bad(format!("EffectiveEndDate: {e}"));
                continue;
            }
        };
        if end.is_some_and(|e| e < start) {
            bad(format!("EffectiveEndDate {} is before EffectiveStartDate {start}", end.unwrap()));
            continue;
        }
        out.rows.push(PriceRow {
            product,
            product_title: get("product_title").to_string(),
            sku_title: get("sku_title").to_string(),
            publisher: get("publisher").to_string(),
            description: get("description").to_string(),
            term,
            billing_plan: normalise_plan(plan),
            market: row_market,
            currency: row_currency.code().to_string(),
            unit_price,
            erp_price,
            tier_min,
            tier_max,
            effective_start: start,
            effective_end: end,
            tags: get("tags").to_string(),
        });
    }
    problems.into_result()?;
    Ok(out)
}

/// `monthly` → `Monthly`, as Microsoft spells plans.
fn normalise_plan(p: &str) -> String {
    let lower = p.to_ascii_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "ProductTitle,ProductId,SkuId,SkuTitle,Publisher,SkuDescription,UnitOfMeasure,TermDuration,BillingPlan,Market,Currency,UnitPrice,PricingTierRangeMin,PricingTierRangeMax,EffectiveStartDate,EffectiveEndDate,Tags,ERP Price";

    #[test]
    fn reads_microsofts_file_as_it_comes() {
        let file = format!(
            "\u{feff}{HEADER},Segment,ChangeIndicator\n\
             \"Microsoft 365 Business Basic\",CFQ7TTC0LH18,0001,Basic,Microsoft Corporation,\"Email, files, Teams\",,P1Y,Annual,ZA,USD,72.00,,,2/1/2019 12:00:00 AM,12/31/9999 11:59:59 PM,License,90.00,Commercial,Unchanged\n\
             \"Microsoft 365 Business Basic\",CFQ7TTC0LH18,0001,Basic,Microsoft Corporation,x,,P1Y,Monthly,ZA,USD,75.60,,,2/1/2023 0:00,2021-10-01T00:00:00.0000000Z,License,,Commercial,\n"
        );
        let e = parse(file.as_bytes(), None, None).unwrap_err();
        assert!(e.message.contains("line 3: EffectiveEndDate 2021-10-01 is before EffectiveStartDate 2023-02-01"), "{}", e.message);
        let good = file.replace("2021-10-01T00:00:00.0000000Z", "2026-10-01T00:00:00.0000000Z");
        let p = parse(good.as_bytes(), None, None).unwrap();
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].description, "Email, files, Teams");
        assert_eq!(p.rows[0].effective_end, None);
        assert_eq!(p.rows[0].erp_price.map(|d| d.to_string()).as_deref(), Some("90.00"));
        assert_eq!(p.rows[1].effective_start.to_string(), "2023-02-01");
    }

    #[test]
    fn header_names_match_case_insensitively_in_any_order() {
        let file = "currency,UNITPRICE,productid,skuid,termduration,billingplan,market,effectivestartdate\nEUR,10.08,CFQ7TTC0LDPB,0001,P1M,monthly,DE,6/1/2021 12:00:00 AM\n";
        let p = parse(file.as_bytes(), Some("DE"), None).unwrap();
        assert_eq!(p.rows[0].billing_plan, "Monthly");
        assert_eq!(p.rows[0].currency, "EUR");
    }

    #[test]
    fn filters_by_market_and_currency() {
        let file = format!(
            "{HEADER}\nA,P1,0001,,,,,P1M,Monthly,ZA,USD,1,,,1/1/2026,,,\nA,P1,0001,,,,,P1M,Monthly,ZA,ZAR,18,,,1/1/2026,,,\nA,P1,0001,,,,,P1M,Monthly,US,USD,1,,,1/1/2026,,,\n"
        );
        let p = parse(file.as_bytes(), Some("za"), Some(Currency::parse("ZAR", "c").unwrap())).unwrap();
        assert_eq!((p.rows.len(), p.read, p.other_market, p.other_currency), (1, 3, 1, 1));
    }

    #[test]
    fn every_bad_line_is_listed() {
        let file = format!(
            "{HEADER}\nA,P1,0001,,,,,P1M,Monthly,ZA,USD,abc,,,1/1/2026,,,\nA,P1,0001,,,,,P1M,Monthly,ZA,USD,1,,,1/1/2026,,,\nA,P1,0001,,,,,P1M,Monthly,ZA,USD,1,,,31/12/2026,,,\nA,,0001,,,,,P1M,Monthly,ZA,USD,1,,,1/1/2026,,,\n"
        );
        let e = parse(file.as_bytes(), None, None).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("line 2"));
        assert!(e.message.contains("3 bad lines"), "{}", e.message);
        assert!(e.message.contains("line 2: UnitPrice: 'abc' is not a decimal amount"), "{}", e.message);
        assert!(e.message.contains("line 4: EffectiveStartDate: '31/12/2026' is not a date"), "{}", e.message);
        assert!(e.message.contains("line 5: ProductId and SkuId must not be empty"), "{}", e.message);
        let e = parse(b"ProductId,SkuId,UnitPrice\nA,B,1\n", None, None).unwrap_err();
        assert!(e.message.contains("lacks the columns term, billing_plan, market, currency, effective_start"), "{}", e.message);
    }

    #[test]
    fn rows_seatbook_cannot_read_are_bad_lines() {
        let header = "ProductId,SkuId,ProductTitle,SkuTitle,Publisher,SkuDescription,UnitOfMeasure,TermDuration,BillingPlan,Market,Currency,UnitPrice,PricingTierRangeMin,PricingTierRangeMax,EffectiveStartDate,EffectiveEndDate,Tags,ERP Price,Segment";
        let row = |term: &str, plan: &str, min: &str| {
            format!("CFQ7TTC0LH18,0001,Basic,Basic,Microsoft,Basic,1 License,{term},{plan},ZA,USD,72,{min},,11/1/2025 12:00:00 AM,,License,90,Commercial")
        };
        let file = [
            header.to_string(),
            row("P1Y", "Annual", ""),
            row("P7Y", "Annual", ""),
            row("P1Y", "Weekly", ""),
            row("P1Y", "Annual", "-5"),
            row("P1M", "Annual", ""),
        ]
        .join("\n");
        let e = parse(file.as_bytes(), Some("ZA"), None).unwrap_err();
        assert!(e.message.contains("4 bad lines"), "{}", e.message);
        assert!(e.message.contains("line 3: TermDuration: 'P7Y' is not a term"), "{}", e.message);
        assert!(
            e.message.contains("line 4: BillingPlan: 'weekly' is not a billing plan")
                || e.message.contains("line 4: BillingPlan: 'Weekly'"),
            "{}",
            e.message
        );
        assert!(e.message.contains("line 5: the pricing tier is not a range"), "{}", e.message);
        assert!(e.message.contains("line 6: BillingPlan: a P1M term cannot be billed annual"), "{}", e.message);
        // A file cut off in its last row, or with a quote never closed, is refused at that line.
        let cut = format!("{header}\n{}\nCFQ7TTC0LH18,0002,Basic,Ba", row("P1Y", "Annual", ""));
        let e = parse(cut.as_bytes(), Some("ZA"), None).unwrap_err();
        assert!(e.message.contains("line 3: has 4 fields where the header has 19"), "{}", e.message);
        let open_quote = format!("{header}\n{}\nCFQ7TTC0LH18,0002,\"Basic,Basic", row("P1Y", "Annual", ""));
        assert!(parse(open_quote.as_bytes(), Some("ZA"), None).unwrap_err().message.contains("line 3: has"));
        // A row that leaves off optional trailing columns, in a whole file, is a row.
        let short = format!("{header}\n{}\n", row("P1Y", "Annual", "").rsplit_once(",License").unwrap().0);
        assert_eq!(parse(short.as_bytes(), Some("ZA"), None).unwrap().rows.len(), 1);
    }
}
