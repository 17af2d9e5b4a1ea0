//! The catalogue in the database: products and their effective-dated prices, markup rules and
//! exchange rates.

use super::{col, Store};
use crate::catalogue::{BillingPlan, PriceRow, Product, ProductKey, Term};
use crate::error::{Error, Result};
use crate::import::pricelist::ParsedPriceList;
use crate::money::Currency;
use crate::pricing::{lock_price, ExchangeRate, LockedPrice, Markup, MarkupRule, PriceContext};
use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Row};
use rust_decimal::Decimal;
use serde::Serialize;

/// What a price-list import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    /// Data rows in the file.
    pub read: usize,
    /// Price rows new to the database.
    pub added: usize,
    /// Existing price rows whose price or dates changed.
    pub updated: usize,
    /// Rows identical to what the database had.
    pub unchanged: usize,
    pub other_market: usize,
    pub other_currency: usize,
    pub products: usize,
}

/// A product's price rows of one term and plan.
type PriceKey = (ProductKey, Term, BillingPlan);

/// What pricing reads, read once for the many quotes of a run (renewals): the company, the
/// markup rules, and as they are asked for, each product's price rows for a term and plan and
/// each customer's currency. Nothing a run writes changes them.
pub(crate) struct Prices {
    company: crate::company::Company,
    rules: Vec<MarkupRule>,
    rows: std::cell::RefCell<std::collections::HashMap<PriceKey, std::rc::Rc<Vec<PriceRow>>>>,
    currencies: std::cell::RefCell<std::collections::HashMap<i64, Currency>>,
}

impl Prices {
    pub(crate) fn of(store: &Store) -> Result<Prices> {
        Ok(Prices { company: store.company()?, rules: store.markup_rules()?, rows: Default::default(), currencies: Default::default() })
    }

    fn rows(&self, store: &Store, product: &ProductKey, term: Term, plan: BillingPlan) -> Result<std::rc::Rc<Vec<PriceRow>>> {
        let key = (product.clone(), term, plan);
        if let Some(rows) = self.rows.borrow().get(&key) {
            return Ok(rows.clone());
        }
        let rows = std::rc::Rc::new(store.price_rows(product, Some(term.as_str()), Some(plan.pricelist_name()))?);
        self.rows.borrow_mut().insert(key, rows.clone());
        Ok(rows)
    }

    fn currency_of(&self, store: &Store, customer_id: i64) -> Result<Currency> {
        if let Some(c) = self.currencies.borrow().get(&customer_id) {
            return Ok(*c);
        }
        let c = store.customer(customer_id)?.currency;
        self.currencies.borrow_mut().insert(customer_id, c);
        Ok(c)
    }
}

/// The price of a product, term and plan on a date: the cost row and the resale price a
/// customer would be locked at.
#[derive(Debug, Clone, Serialize)]
pub struct PriceQuote {
    pub product: ProductKey,
    pub product_title: String,
    pub term: Term,
    pub billing: BillingPlan,
    pub on: NaiveDate,
    pub cost_row: PriceRow,
    pub price: LockedPrice,
    /// Resale price per seat per charge cycle.
    pub price_per_cycle: Decimal,
}

fn price_from_row(r: &Row) -> rusqlite::Result<PriceRow> {
    let tier_min: i64 = r.get("tier_min")?;
    Ok(PriceRow {
        product: ProductKey::new(&r.get::<_, String>("product_id")?, &r.get::<_, String>("sku_id")?),
        product_title: r.get("title")?,
        sku_title: r.get("sku_title")?,
        publisher: r.get("publisher")?,
        description: r.get("description")?,
        term: r.get("term")?,
        billing_plan: r.get("billing_plan")?,
        market: r.get("market")?,
        currency: r.get("currency")?,
        unit_price: col::dec(r, "unit_price")?,
        erp_price: col::opt_dec(r, "erp_price")?,
        tier_min: (tier_min != 0).then_some(tier_min),
        tier_max: r.get("tier_max")?,
        effective_start: col::date(r, "effective_start")?,
        effective_end: col::opt_date(r, "effective_end")?,
        tags: r.get("tags")?,
    })
}

const PRICE_SELECT: &str = "SELECT p.*, pr.title, pr.sku_title, pr.publisher, pr.description
     FROM prices p JOIN products pr ON pr.product_id = p.product_id AND pr.sku_id = p.sku_id";

fn rule_from_row(r: &Row) -> rusqlite::Result<MarkupRule> {
    let product_id: Option<String> = r.get("product_id")?;
    let sku_id: Option<String> = r.get("sku_id")?;
    let markup = match col::opt_dec(r, "percent")? {
        Some(percent) => Markup::Percent { percent },
        None => Markup::Price { amount: col::dec(r, "price")?, currency: col::currency(r, "price_currency")? },
    };
    Ok(MarkupRule {
        id: r.get("id")?,
        customer_id: r.get("customer_id")?,
        product: product_id.zip(sku_id).map(|(p, s)| ProductKey::new(&p, &s)),
        markup,
        effective_from: col::date(r, "effective_from")?,
    })
}

impl Store {
    /// Write a parsed price list: products upserted, prices upserted on their natural key
    /// (product, SKU, term, plan, market, currency, tier, effective start), so next month's file
    /// updates end dates and adds new rows without duplicating. One transaction.
    pub fn import_price_list(&mut self, parsed: &ParsedPriceList) -> Result<ImportSummary> {
        let summary = self.import_price_rows(&mut parsed.rows.iter().cloned().map(Ok))?;
        Ok(ImportSummary { read: parsed.read, other_market: parsed.other_market, other_currency: parsed.other_currency, ..summary })
    }

    /// Import price rows as they are read, all or nothing: each written as it comes, in one
    /// transaction committed only when every line is good. (What the file held of other
    /// markets is the reader's to count.)
    pub fn import_price_rows(
        &mut self,
        rows: &mut dyn Iterator<Item = std::result::Result<PriceRow, (usize, String)>>,
    ) -> Result<ImportSummary> {
        self.unmapped(|s| s.write_price_rows(rows))
    }

    fn write_price_rows(
        &mut self,
        rows: &mut dyn Iterator<Item = std::result::Result<PriceRow, (usize, String)>>,
    ) -> Result<ImportSummary> {
        let mut summary = ImportSummary::default();
        let mut problems = crate::error::LineProblems::new("price list");
        self.write(|w| {
            let tx = &w.conn;
            {
                let mut product = tx.prepare(
                    "INSERT INTO products (product_id, sku_id, title, sku_title, publisher, description, search)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (product_id, sku_id) DO UPDATE SET title = excluded.title, sku_title = excluded.sku_title,
                    publisher = excluded.publisher, description = excluded.description, search = excluded.search
                 WHERE title <> excluded.title OR sku_title <> excluded.sku_title OR publisher <> excluded.publisher
                    OR description <> excluded.description",
                )?;
                let mut insert = tx.prepare(
                    "INSERT OR IGNORE INTO prices (product_id, sku_id, term, billing_plan, market, currency, tier_min, tier_max,
                    effective_start, effective_end, unit_price, erp_price, tags)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                )?;
                let mut update = tx.prepare(
                    "UPDATE prices SET tier_max = ?8, effective_end = ?10, unit_price = ?11, erp_price = ?12, tags = ?13
                 WHERE product_id = ?1 AND sku_id = ?2 AND term = ?3 AND billing_plan = ?4 AND market = ?5 AND currency = ?6
                   AND tier_min = ?7 AND effective_start = ?9
                   AND (tier_max IS NOT ?8 OR effective_end IS NOT ?10 OR unit_price <> ?11 OR erp_price IS NOT ?12 OR tags <> ?13)",
                )?;
                let mut seen_products = std::collections::HashSet::new();
                for row in rows {
                    let Some(row) = problems.take(row) else { continue };
                    if seen_products.insert(row.product.clone()) {
                        let search = format!("{} {} {} {}", row.product, row.product_title, row.sku_title, row.description).to_lowercase();
                        product.execute(params![
                            row.product.product_id,
                            row.product.sku_id,
                            row.product_title,
                            row.sku_title,
                            row.publisher,
                            row.description,
                            search
                        ])?;
                    }
                    let values = params![
                        row.product.product_id,
                        row.product.sku_id,
                        row.term,
                        row.billing_plan,
                        row.market,
                        row.currency,
                        row.tier_min.unwrap_or(0),
                        row.tier_max,
                        row.effective_start.to_string(),
                        row.effective_end.map(|d| d.to_string()),
                        row.unit_price.to_string(),
                        row.erp_price.map(|d| d.to_string()),
                        row.tags,
                    ];
                    if insert.execute(values)? == 1 {
                        summary.added += 1;
                    } else if update.execute(values)? == 1 {
                        summary.updated += 1;
                    } else {
                        summary.unchanged += 1;
                    }
                }
                summary.products = seen_products.len();
            }
            std::mem::take(&mut problems).into_result()
        })?;
        Ok(summary)
    }

    /// Products whose id, title or description contains `search`, each with its prices in force
    /// on `on`.
    pub fn list_products(&self, search: Option<&str>, on: NaiveDate) -> Result<Vec<Product>> {
        let pattern = search.map(super::like_pattern);
        let mut stmt = self.conn.prepare_cached(
            "SELECT product_id, sku_id, title, sku_title, publisher FROM products
             WHERE ?1 IS NULL OR search LIKE ?1 ESCAPE '\\' ORDER BY title, product_id, sku_id",
        )?;
        let products = stmt
            .query_map(params![pattern], |r| {
                Ok(Product {
                    product: ProductKey::new(&r.get::<_, String>(0)?, &r.get::<_, String>(1)?),
                    title: r.get(2)?,
                    sku_title: r.get(3)?,
                    publisher: r.get(4)?,
                    prices: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = Vec::with_capacity(products.len());
        for mut p in products {
            let rows = self.price_rows(&p.product, None, None)?;
            let mut current: Vec<PriceRow> = Vec::new();
            // One row per (term, plan, market, currency): the one in force on `on`.
            let mut groups: Vec<(String, String, String, String)> =
                rows.iter().map(|r| (r.term.clone(), r.billing_plan.clone(), r.market.clone(), r.currency.clone())).collect();
            groups.dedup();
            groups.sort();
            groups.dedup();
            for g in groups {
                let group: Vec<PriceRow> = rows
                    .iter()
                    .filter(|r| (&r.term, &r.billing_plan, &r.market, &r.currency) == (&g.0, &g.1, &g.2, &g.3))
                    .cloned()
                    .collect();
                if let Some(r) = crate::catalogue::price_on(&group, on) {
                    current.push(r.clone());
                }
            }
            p.prices = current;
            out.push(p);
        }
        Ok(out)
    }

    fn price_rows(&self, product: &ProductKey, term: Option<&str>, plan: Option<&str>) -> Result<Vec<PriceRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{PRICE_SELECT} WHERE p.product_id = ?1 AND p.sku_id = ?2 AND (?3 IS NULL OR p.term = ?3)
               AND (?4 IS NULL OR p.billing_plan = ?4) AND p.tier_min IN (0, 1)
             ORDER BY p.term, p.billing_plan, p.market, p.currency, p.effective_start"
        ))?;
        let rows = stmt.query_map(params![product.product_id, product.sku_id, term, plan], price_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The cost row in force for a product, term and plan on `on`. Among the stored markets and
    /// currencies, the company's market is preferred, then the customer's currency, then the
    /// company's currency.
    pub fn cost_on(
        &self,
        product: &ProductKey,
        term: Term,
        plan: BillingPlan,
        on: NaiveDate,
        customer_currency: Option<Currency>,
    ) -> Result<PriceRow> {
        self.cost_with(&Prices::of(self)?, product, term, plan, on, customer_currency)
    }

    fn cost_with(
        &self,
        prices: &Prices,
        product: &ProductKey,
        term: Term,
        plan: BillingPlan,
        on: NaiveDate,
        customer_currency: Option<Currency>,
    ) -> Result<PriceRow> {
        let company = &prices.company;
        let rows = prices.rows(self, product, term, plan)?;
        if rows.is_empty() {
            let known: bool = self.conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM products WHERE product_id = ?1 AND sku_id = ?2)",
                params![product.product_id, product.sku_id],
                |r| r.get(0),
            )?;
            return Err(if known {
                Error::not_found(format!("the price list has no {term} {plan} price for {product}")).with_field("billing")
            } else {
                Error::not_found(format!("{product} is not in the price list"))
                    .with_field("product")
                    .with_hint(crate::error::Hint::ImportPriceList)
            });
        }
        let rank = |r: &PriceRow| {
            (
                r.market != company.market,
                Some(r.currency.as_str()) != customer_currency.as_ref().map(|c| c.code()),
                r.currency != company.currency.code(),
                r.currency.clone(),
                r.market.clone(),
            )
        };
        let mut candidates: Vec<&PriceRow> = rows.iter().filter(|r| r.covers(on)).collect();
        candidates.sort_by_key(|r| rank(r));
        let best = candidates.first().map(|r| rank(r));
        let group: Vec<PriceRow> = candidates.into_iter().filter(|r| Some(rank(r)) == best).cloned().collect();
        crate::catalogue::price_on(&group, on).cloned().ok_or_else(|| {
            Error::not_found(format!("the price list has no {term} {plan} price for {product} in force on {on}")).with_field("start")
        })
    }

    pub fn markup_rules(&self) -> Result<Vec<MarkupRule>> {
        let mut stmt = self.conn.prepare_cached("SELECT * FROM markup_rules ORDER BY effective_from, id")?;
        let rows = stmt.query_map([], rule_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Add a markup rule (or replace the one of the same scope and date).
    pub fn set_markup(
        &mut self,
        customer_id: Option<i64>,
        product: Option<&ProductKey>,
        markup: &Markup,
        from: NaiveDate,
    ) -> Result<MarkupRule> {
        if let Some(c) = customer_id {
            self.customer(c)?;
        }
        if matches!(markup, Markup::Price { .. }) && product.is_none() {
            return Err(Error::invalid("price", "a fixed price needs a product (a price is for one product)"));
        }
        let (percent, price, currency) = match markup {
            Markup::Percent { percent } => (Some(percent.to_string()), None, None),
            Markup::Price { amount, currency } => (None, Some(amount.to_string()), Some(currency.code().to_string())),
        };
        self.write(|w| {
        let tx = &w.conn;
        let scope = params![
            customer_id.unwrap_or(0),
            product.map(|p| p.product_id.clone()).unwrap_or_default(),
            product.map(|p| p.sku_id.clone()).unwrap_or_default(),
            from.to_string()
        ];
        tx.execute(
            "DELETE FROM markup_rules WHERE IFNULL(customer_id, 0) = ?1 AND IFNULL(product_id, '') = ?2 AND IFNULL(sku_id, '') = ?3 AND effective_from = ?4",
            scope,
        )?;
        tx.execute(
            "INSERT INTO markup_rules (customer_id, product_id, sku_id, percent, price, price_currency, effective_from)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![customer_id, product.map(|p| &p.product_id), product.map(|p| &p.sku_id), percent, price, currency, from.to_string()],
        )?;
        let id = tx.last_insert_rowid();
        Ok(tx.query_row("SELECT * FROM markup_rules WHERE id = ?1", [id], rule_from_row)?)
        })
    }

    pub fn exchange_rates(&self) -> Result<Vec<ExchangeRate>> {
        let mut stmt = self.conn.prepare_cached("SELECT * FROM exchange_rates ORDER BY from_currency, to_currency, effective")?;
        let rows = stmt.query_map([], |r| {
            Ok(ExchangeRate {
                from: col::currency(r, "from_currency")?,
                to: col::currency(r, "to_currency")?,
                effective: col::date(r, "effective")?,
                rate: col::dec(r, "rate")?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn set_exchange_rate(&mut self, from: Currency, to: Currency, rate: Decimal, on: NaiveDate) -> Result<ExchangeRate> {
        if from == to {
            return Err(Error::invalid("to", "the two currencies must be different"));
        }
        if rate <= Decimal::ZERO {
            return Err(Error::invalid("rate", "the rate must be greater than zero"));
        }
        self.write(|w| {
            w.conn.execute(
                "INSERT INTO exchange_rates (from_currency, to_currency, effective, rate) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (from_currency, to_currency, effective) DO UPDATE SET rate = excluded.rate",
                params![from.code(), to.code(), on.to_string(), rate.normalize().to_string()],
            )?;
            Ok(())
        })?;
        Ok(ExchangeRate { from, to, effective: on, rate: rate.normalize() })
    }

    /// The price a customer would be locked at for a product, term and plan on `on`.
    pub fn quote(
        &self,
        customer_id: i64,
        product: &ProductKey,
        term: Term,
        plan: BillingPlan,
        on: NaiveDate,
        override_monthly: Option<Decimal>,
    ) -> Result<PriceQuote> {
        let customer = self.customer(customer_id)?;
        self.quote_for(Some((customer_id, customer.currency)), product, term, plan, on, override_monthly)
    }

    /// The general resale price (no customer's rules), in the company's preferred currency.
    pub fn general_quote(&self, product: &ProductKey, term: Term, plan: BillingPlan, on: NaiveDate) -> Result<PriceQuote> {
        self.quote_for(None, product, term, plan, on, None)
    }

    fn quote_for(
        &self,
        customer: Option<(i64, Currency)>,
        product: &ProductKey,
        term: Term,
        plan: BillingPlan,
        on: NaiveDate,
        override_monthly: Option<Decimal>,
    ) -> Result<PriceQuote> {
        self.quote_with(&Prices::of(self)?, customer, product, term, plan, on, override_monthly)
    }

    /// `quote`, reading through `prices` (what a run of many quotes reads once).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn quote_cached(
        &self,
        prices: &Prices,
        customer_id: i64,
        product: &ProductKey,
        term: Term,
        plan: BillingPlan,
        on: NaiveDate,
        override_monthly: Option<Decimal>,
    ) -> Result<PriceQuote> {
        let currency = prices.currency_of(self, customer_id)?;
        self.quote_with(prices, Some((customer_id, currency)), product, term, plan, on, override_monthly)
    }

    #[allow(clippy::too_many_arguments)]
    fn quote_with(
        &self,
        prices: &Prices,
        customer: Option<(i64, Currency)>,
        product: &ProductKey,
        term: Term,
        plan: BillingPlan,
        on: NaiveDate,
        override_monthly: Option<Decimal>,
    ) -> Result<PriceQuote> {
        crate::catalogue::check_pair(term, plan)?;
        let company = &prices.company;
        let currency = customer.map(|c| c.1).unwrap_or(company.currency);
        let cost = self.cost_with(prices, product, term, plan, on, Some(currency))?;
        let cost_currency = Currency::parse(&cost.currency, "Currency")?;
        // Customer ids start at 1, so 0 matches only the rules that name no customer.
        let ctx = PriceContext {
            customer_id: customer.map(|c| c.0).unwrap_or(0),
            rules: &prices.rules,
            company_default_markup: company.default_markup,
            on,
        };
        let price = lock_price(&cost, cost_currency, term, &ctx, override_monthly.map(|p| (p, currency)));
        let per_cycle = crate::money::tidy(
            price.unit_price / Decimal::from(crate::catalogue::cycles_per_term(term, plan)),
            price.price_currency.minor_units(),
        );
        Ok(PriceQuote {
            product: product.clone(),
            product_title: cost.product_title.clone(),
            term,
            billing: plan,
            on,
            cost_row: cost,
            price,
            price_per_cycle: per_cycle,
        })
    }

    pub fn product_title(&self, product: &ProductKey) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT title FROM products WHERE product_id = ?1 AND sku_id = ?2",
                params![product.product_id, product.sku_id],
                |r| r.get(0),
            )
            .optional()?)
    }
}
