//! Microsoft's new-commerce licence price list, read exactly as it comes (DOMAIN §2): header
//! names matched case-insensitively through aliases, unknown columns ignored, three date forms,
//! 9999 as open-ended, quoted fields with commas, a UTF-8 byte-order mark.

use super::rows::{RawRow, RowReader, Spec};
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

/// Rows kept by the import's filters, and what was left out.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub read: usize,
    pub other_market: usize,
    pub other_currency: usize,
}

/// How Microsoft's price list is read.
pub static SPEC: Spec =
    Spec { what: "price list", question: "is this Microsoft's new-commerce licence price list?", columns: ALIASES, required: REQUIRED };

/// A price list's rows of the market (and currency) chosen, read one at a time (never the whole
/// file at once) and checked; rows of other markets and currencies are counted, not checked
/// beyond what choosing them needs.
pub struct Rows {
    reader: RowReader,
    market: Option<String>,
    currency: Option<Currency>,
    pub counts: Counts,
}

impl Rows {
    pub fn new(input: impl std::io::Read + 'static, market: Option<&str>, currency: Option<Currency>) -> Result<Rows> {
        Ok(Rows { reader: RowReader::new(input, &SPEC)?, market: market.map(str::to_string), currency, counts: Counts::default() })
    }
}

impl Iterator for Rows {
    type Item = std::result::Result<PriceRow, (usize, String)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let raw = match self.reader.next_row()? {
                Ok(raw) => raw,
                Err(p) => return Some(Err(p)),
            };
            self.counts.read += 1;
            match check(&raw, self.market.as_deref(), self.currency, &mut self.counts) {
                Checked::Skip => continue,
                Checked::Row(row) => return Some(Ok(*row)),
                Checked::Bad(p) => return Some(Err((raw.line, p))),
            }
        }
    }
}

enum Checked {
    Row(Box<PriceRow>),
    /// Another market's or currency's row.
    Skip,
    Bad(String),
}

fn check(r: &RawRow<'_>, market: Option<&str>, currency: Option<Currency>, counts: &mut Counts) -> Checked {
    let get = |c: &str| r.get(c);
    let row_market = get("market").to_ascii_uppercase();
    if market.is_some_and(|m| !m.eq_ignore_ascii_case(&row_market)) {
        counts.other_market += 1;
        return Checked::Skip;
    }
    let row_currency = match Currency::parse(get("currency"), "Currency") {
        Ok(c) => c,
        Err(e) => return Checked::Bad(e.field_message()),
    };
    if currency.is_some_and(|c| c != row_currency) {
        counts.other_currency += 1;
        return Checked::Skip;
    }
    let (product_id, sku_id) = (get("product_id"), get("sku_id"));
    if product_id.is_empty() || sku_id.is_empty() {
        return Checked::Bad("ProductId and SkuId must not be empty".into());
    }
    let product = ProductKey::new(product_id, sku_id);
    let (term, plan) = (get("term").to_ascii_uppercase(), get("billing_plan"));
    if term.is_empty() || plan.is_empty() {
        return Checked::Bad("TermDuration and BillingPlan must not be empty".into());
    }
    if row_market.is_empty() {
        return Checked::Bad("Market must not be empty".into());
    }
    // Only the terms and plans of Microsoft's new commerce, in the pairs it sells.
    let pair = crate::catalogue::Term::parse(&term, "TermDuration").and_then(|t| {
        let p = crate::catalogue::BillingPlan::parse(plan, "BillingPlan")?;
        crate::catalogue::check_pair(t, p).map_err(|e| e.with_field("BillingPlan"))
    });
    if let Err(e) = pair {
        return Checked::Bad(Error { names_value: true, ..e }.field_message());
    }
    let unit_price = match parse_price(get("unit_price"), "UnitPrice") {
        Ok(p) => p,
        Err(e) => {
            return Checked::Bad(e.field_message());
        }
    };
    let erp_price = match get("erp_price") {
        "" => None,
        s => match parse_price(s, "ERP Price") {
            Ok(p) => Some(p),
            Err(e) => {
                return Checked::Bad(e.field_message());
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
            return Checked::Bad(e);
        }
    };
    if tier_min.is_some_and(|t| t < 0) || tier_max.is_some_and(|t| t < 0) || matches!((tier_min, tier_max), (Some(a), Some(b)) if a > b) {
        return Checked::Bad("the pricing tier is not a range of seats (PricingTierRangeMin to PricingTierRangeMax, from 0)".into());
    }
    let start = match parse_pricelist_date(get("effective_start")) {
        Ok(Some(d)) => d,
        Ok(None) => {
            return Checked::Bad("EffectiveStartDate must be a date".into());
        }
        Err(e) => {
            return Checked::Bad(format!("EffectiveStartDate: {e}"));
        }
    };
    let end = match parse_pricelist_date(get("effective_end")) {
        Ok(d) => d,
        Err(e) => {
            return Checked::Bad(format!("EffectiveEndDate: {e}"));
        }
    };
    if end.is_some_and(|e| e < start) {
        return Checked::Bad(format!("EffectiveEndDate {} is before EffectiveStartDate {start}", end.unwrap()));
    }
    Checked::Row(Box::new(PriceRow {
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
    }))
}

/// Parse and validate a whole price list held in memory (tests and benchmarks build books with
/// it). `market` and `currency` select rows.
pub fn parse(bytes: &[u8], market: Option<&str>, currency: Option<Currency>) -> Result<ParsedPriceList> {
    let mut rows = Rows::new(std::io::Cursor::new(bytes.to_vec()), market, currency)?;
    let mut problems = LineProblems::new("price list");
    let mut out = ParsedPriceList::default();
    for r in rows.by_ref() {
        match r {
            Ok(row) => out.rows.push(row),
            Err((line, p)) => problems.push(line, p),
        }
    }
    problems.into_result()?;
    (out.read, out.other_market, out.other_currency) = (rows.counts.read, rows.counts.other_market, rows.counts.other_currency);
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
        assert!(e.message.contains("lacks the columns TermDuration, BillingPlan, Market, Currency, EffectiveStartDate"), "{}", e.message);
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
