//! Microsoft's invoice reconciled: Microsoft's own documented charge examples (DOMAIN §4, §7) as
//! fixture rows, every header spelling, the Graph export's gzip JSON Lines, a malformed file,
//! double imports, each finding set up on purpose and found, and fixes carried through the next
//! billing run.

use crate::helpers::*;
use rust_decimal::Decimal;
use seatbook::app::recon::{self, ImportStatus};
use seatbook::app::Clock;
use seatbook::catalogue::{BillingPlan, Term};
use seatbook::company::CompanyFields;
use seatbook::customer::CustomerFields;
use seatbook::recon::{FindingKind, Reconciliation};
use seatbook::store::Store;
use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

const PRICE_LIST: &str = "\"ProductTitle\",\"ProductId\",\"SkuId\",\"SkuTitle\",\"Publisher\",\"SkuDescription\",\"UnitOfMeasure\",\"TermDuration\",\"BillingPlan\",\"Market\",\"Currency\",\"UnitPrice\",\"PricingTierRangeMin\",\"PricingTierRangeMax\",\"EffectiveStartDate\",\"EffectiveEndDate\",\"Tags\",\"ERP Price\"\r
\"Microsoft 365 Business Standard\",\"CFQ7TTC0LDPB\",\"0001\",\"Microsoft 365 Business Standard\",\"Microsoft Corporation\",\"Apps\",\"\",\"P1M\",\"Monthly\",\"DE\",\"EUR\",\"10.08\",\"\",\"\",\"1/1/2021 12:00:00 AM\",\"12/31/9999 11:59:59 PM\",\"License\",\"12.60\"\r
\"Microsoft 365 Business Standard\",\"CFQ7TTC0LDPB\",\"0001\",\"Microsoft 365 Business Standard\",\"Microsoft Corporation\",\"Apps\",\"\",\"P1Y\",\"Monthly\",\"DE\",\"EUR\",\"120.96\",\"\",\"\",\"1/1/2021 12:00:00 AM\",\"12/31/9999 11:59:59 PM\",\"License\",\"151.20\"\r
\"Microsoft 365 Business Standard\",\"CFQ7TTC0LDPB\",\"0001\",\"Microsoft 365 Business Standard\",\"Microsoft Corporation\",\"Apps\",\"\",\"P1Y\",\"Annual\",\"DE\",\"EUR\",\"120.96\",\"\",\"\",\"1/1/2021 12:00:00 AM\",\"12/31/9999 11:59:59 PM\",\"License\",\"151.20\"\r
";

const BS: (&str, &str) = ("CFQ7TTC0LDPB", "0001");

/// Microsoft's documented header (its field table's spellings: MPNID, ResellerMPNID, ReferenceID).
const DOC_HEADER: &str = "PartnerId,CustomerId,CustomerName,CustomerDomainName,CustomerCountry,InvoiceNumber,MPNID,ResellerMPNID,OrderId,OrderDate,ProductId,SkuId,AvailabilityId,SkuName,ProductName,ChargeType,UnitPrice,Quantity,Subtotal,TaxTotal,Total,Currency,PriceAdjustmentDescription,PublisherName,PublisherId,SubscriptionDescription,SubscriptionId,ChargeStartDate,ChargeEndDate,TermAndBillingCycle,EffectiveUnitPrice,UnitType,AlternateId,BillableQuantity,BillingFrequency,PricingCurrency,PCToBCExchangeRate,PCToBCExchangeRateDate,MeterDescription,ReservationOrderId,CreditReasonCode,SubscriptionStartDate,SubscriptionEndDate,ReferenceID,ProductQualifiers,PromotionID";
/// The PascalCase release with MpnId/Tier2MpnId and ReferenceId, columns in another order.
const PASCAL_HEADER: &str = "PartnerId,CustomerId,CustomerName,CustomerDomainName,CustomerCountry,InvoiceNumber,MpnId,Tier2MpnId,OrderId,OrderDate,ProductId,SkuId,AvailabilityId,SkuName,ProductName,ChargeType,UnitPrice,Quantity,Subtotal,TaxTotal,Total,Currency,PriceAdjustmentDescription,PublisherName,PublisherId,SubscriptionDescription,SubscriptionId,ChargeStartDate,ChargeEndDate,TermAndBillingCycle,EffectiveUnitPrice,UnitType,AlternateId,BillableQuantity,BillingFrequency,PricingCurrency,PCToBCExchangeRate,PCToBCExchangeRateDate,MeterDescription,ReservationOrderId,CreditReasonCode,SubscriptionStartDate,SubscriptionEndDate,ReferenceId,ProductQualifiers,PromotionId";
/// The camelCase release (2023), with totalForCustomer.
const CAMEL_HEADER: &str = "partnerId,customerId,customerName,customerDomainName,customerCountry,invoiceNumber,mpnId,resellerMpnId,orderId,orderDate,productId,skuId,availabilityId,skuName,productName,chargeType,unitPrice,quantity,subtotal,taxTotal,totalForCustomer,currency,priceAdjustmentDescription,publisherName,publisherId,subscriptionDescription,subscriptionId,chargeStartDate,chargeEndDate,termAndBillingCycle,effectiveUnitPrice,unitType,alternateId,billableQuantity,billingFrequency,pricingCurrency,pcToBCExchangeRate,pcToBCExchangeRateDate,meterDescription,reservationOrderId,creditReasonCode,subscriptionStartDate,subscriptionEndDate,referenceId,productQualifiers,promotionId";

/// One of Microsoft's lines: the values that vary, the rest as a real file has them.
#[derive(Clone)]
struct Ms {
    invoice: &'static str,
    tenant: &'static str,
    domain: &'static str,
    name: &'static str,
    sub: &'static str,
    charge: &'static str,
    unit_price: &'static str,
    eup: &'static str,
    qty: &'static str,
    subtotal: &'static str,
    start: &'static str,
    end: &'static str,
    sub_start: &'static str,
    sub_end: &'static str,
    reference: &'static str,
    product: (&'static str, &'static str),
}

fn ms(customer: (&'static str, &'static str, &'static str), sub: &'static str, charge: &'static str) -> Ms {
    Ms {
        invoice: "G000000601",
        tenant: customer.0,
        domain: customer.1,
        name: customer.2,
        sub,
        charge,
        unit_price: "10.08",
        eup: "10.08",
        qty: "1",
        subtotal: "10.08",
        start: "2021-06-01",
        end: "2021-06-30",
        sub_start: "2021-06-01",
        sub_end: "2021-06-30",
        reference: "",
        product: BS,
    }
}

impl Ms {
    fn cells(&self) -> Vec<String> {
        let us = |iso: &str| {
            let day = day(iso);
            day.format("%-m/%-d/%Y").to_string()
        };
        let sub_plan = if self.sub_end == "2021-06-30" || day(self.sub_end) < day("2021-08-01") {
            "One-Month commitment for monthly/yearly billing"
        } else {
            "One-Year commitment for monthly/yearly billing"
        };
        let tax = (d(self.subtotal) * d("0.19")).round_dp(2);
        vec![
            "partner-0001".into(),
            self.tenant.into(),
            self.name.into(),
            self.domain.into(),
            "DE".into(),
            self.invoice.into(),
            "1234567".into(),
            "".into(),
            format!("order-{}", self.sub),
            us(self.start),
            self.product.0.into(),
            // Excel drops SkuId's leading zeros.
            self.product.1.trim_start_matches('0').into(),
            "CFQ7TTC0LDPB0001".into(),
            "Microsoft 365 Business Standard".into(),
            "Microsoft 365 Business Standard".into(),
            self.charge.into(),
            self.unit_price.into(),
            self.qty.into(),
            self.subtotal.into(),
            tax.to_string(),
            (d(self.subtotal) + tax).to_string(),
            "EUR".into(),
            "".into(),
            "Microsoft Corporation".into(),
            "".into(),
            "Business Standard".into(),
            self.sub.into(),
            us(self.start),
            us(self.end),
            sub_plan.into(),
            self.eup.into(),
            "Licenses".into(),
            "alt".into(),
            self.qty.into(),
            "Monthly".into(),
            "EUR".into(),
            "1".into(),
            us("2021-06-01"),
            "".into(),
            "".into(),
            "".into(),
            us(self.sub_start),
            us(self.sub_end),
            self.reference.into(),
            "[]".into(),
            "".into(),
        ]
    }
}

fn csv(header: &str, rows: &[Ms]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(header);
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&r.cells().join(","));
        out.push_str("\r\n");
    }
    out
}

/// The same rows as the Graph export writes them: one JSON object per line, numbers as numbers,
/// in two gzip members.
fn jsonl_gz(rows: &[Ms]) -> Vec<u8> {
    let names: Vec<&str> = CAMEL_HEADER.split(',').collect();
    let numeric = [
        "unitPrice",
        "quantity",
        "subtotal",
        "taxTotal",
        "totalForCustomer",
        "effectiveUnitPrice",
        "billableQuantity",
        "pcToBCExchangeRate",
    ];
    let mut bytes = Vec::new();
    for chunk in rows.chunks(rows.len().div_ceil(2).max(1)) {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for r in chunk {
            let mut obj = serde_json::Map::new();
            for (name, cell) in names.iter().zip(r.cells()) {
                let value = if numeric.contains(name) {
                    serde_json::Value::Number(serde_json::Number::from_str(&cell).unwrap())
                } else if name.ends_with("Date") && !cell.is_empty() {
                    let day = chrono::NaiveDate::parse_from_str(&cell, "%m/%d/%Y").unwrap();
                    serde_json::Value::String(format!("{day}T00:00:00Z"))
                } else {
                    serde_json::Value::String(cell)
                };
                obj.insert(name.to_string(), value);
            }
            writeln!(gz, "{}", serde_json::Value::Object(obj)).unwrap();
        }
        bytes.extend(gz.finish().unwrap());
    }
    bytes
}

const A: (&str, &str, &str) = ("aaaaaaaa-0000-4000-8000-00000000000a", "contoso.onmicrosoft.com", "Contoso");
const B: (&str, &str, &str) = ("aaaaaaaa-0000-4000-8000-00000000000b", "fabrikam.onmicrosoft.com", "Fabrikam");
const C: (&str, &str, &str) = ("aaaaaaaa-0000-4000-8000-00000000000c", "northwind.onmicrosoft.com", "Northwind");
const D: (&str, &str, &str) = ("aaaaaaaa-0000-4000-8000-00000000000d", "tailspin.onmicrosoft.com", "Tailspin");
const E: (&str, &str, &str) = ("aaaaaaaa-0000-4000-8000-00000000000e", "wingtip.onmicrosoft.com", "Wingtip Toys");
const F: (&str, &str, &str) = ("aaaaaaaa-0000-4000-8000-00000000000f", "woodgrove.onmicrosoft.com", "Woodgrove");
const G: (&str, &str, &str) = ("aaaaaaaa-0000-4000-8000-000000000001", "litware.onmicrosoft.com", "Litware");
const H: (&str, &str, &str) = ("aaaaaaaa-0000-4000-8000-000000000002", "adatum.onmicrosoft.com", "Adatum");
const Q: (&str, &str, &str) = ("aaaaaaaa-0000-4000-8000-000000000003", "proseware.onmicrosoft.com", "Proseware");

/// Microsoft's June invoice: each customer's charges, on purpose.
fn june() -> Vec<Ms> {
    vec![
        // A: Microsoft's documented example: 10 seats bought 18 Jun (30-day cycle, 100.80), 2 added
        // on 20 Jun: the old quantity credited −94.08, the new charged +112.89 (28 of 30 days).
        Ms {
            start: "2021-06-18",
            end: "2021-07-17",
            sub_start: "2021-06-18",
            sub_end: "2021-07-17",
            qty: "10",
            subtotal: "100.8",
            ..ms(A, "a1", "new")
        },
        Ms {
            start: "2021-06-20",
            end: "2021-07-17",
            sub_start: "2021-06-18",
            sub_end: "2021-07-17",
            eup: "9.408",
            qty: "12",
            subtotal: "112.89",
            reference: "ref-a",
            ..ms(A, "a1", "addQuantity")
        },
        Ms {
            start: "2021-06-20",
            end: "2021-07-17",
            sub_start: "2021-06-18",
            sub_end: "2021-07-17",
            eup: "-9.408",
            qty: "10",
            subtotal: "-94.08",
            reference: "ref-a",
            ..ms(A, "a1", "addQuantity")
        },
        // B: bought 5 Jun (10 seats); 5 seats added at Microsoft on 10 Jun, never recorded.
        Ms {
            start: "2021-06-05",
            end: "2021-07-04",
            sub_start: "2021-06-05",
            sub_end: "2021-07-04",
            qty: "10",
            subtotal: "100.80",
            ..ms(B, "b1", "new")
        },
        Ms {
            start: "2021-06-10",
            end: "2021-07-04",
            sub_start: "2021-06-05",
            sub_end: "2021-07-04",
            eup: "-8.40",
            qty: "10",
            subtotal: "-84.00",
            reference: "ref-b",
            ..ms(B, "b1", "addQuantity")
        },
        Ms {
            start: "2021-06-10",
            end: "2021-07-04",
            sub_start: "2021-06-05",
            sub_end: "2021-07-04",
            eup: "8.40",
            qty: "15",
            subtotal: "126.00",
            reference: "ref-b",
            ..ms(B, "b1", "addQuantity")
        },
        // C: nothing at Microsoft (cancelled there).
        // D: a subscription of a known customer that Seatbook never heard of.
        Ms {
            start: "2021-06-12",
            end: "2021-07-11",
            sub_start: "2021-06-12",
            sub_end: "2021-07-11",
            qty: "3",
            subtotal: "30.24",
            ..ms(D, "d1", "new")
        },
        // E: a customer and subscription bought in Partner Center only.
        Ms {
            start: "2021-06-15",
            end: "2021-07-14",
            sub_start: "2021-06-15",
            sub_end: "2021-07-14",
            qty: "2",
            subtotal: "20.16",
            ..ms(E, "e1", "new")
        },
        // F: monthly billing at Microsoft, annual in Seatbook.
        Ms { sub_end: "2022-05-31", qty: "4", subtotal: "40.32", ..ms(F, "f1", "cycleCharge") },
        // G: sold below cost.
        Ms { qty: "2", subtotal: "20.16", ..ms(G, "g1", "new") },
        // H: Microsoft's price is not the locked cost.
        Ms { unit_price: "11.00", eup: "11.00", subtotal: "11.00", ..ms(H, "h1", "new") },
        // Q: Microsoft charges 12 seats for the cycle, Seatbook billed 10.
        Ms { qty: "12", subtotal: "120.96", ..ms(Q, "q1", "new") },
    ]
}

struct Book {
    db: TestDb,
    store: Store,
    subs: std::collections::HashMap<&'static str, i64>,
}

fn clock() -> Clock {
    Clock::new(day("2021-07-08"), "2021-07-08T09:00:00Z")
}

fn customer(store: &mut Store, c: (&str, &str, &str)) -> i64 {
    store
        .add_customer(&CustomerFields {
            name: Some(c.2.into()),
            domain: Some(c.1.into()),
            tenant_id: Some(c.0.into()),
            country: Some("DE".into()),
            currency: Some("EUR".into()),
            ..Default::default()
        })
        .unwrap()
        .id
}

/// A German reseller (EUR) with Microsoft's documented price (10.08 a seat a month) and its
/// customers' subscriptions, June billed.
fn book() -> Book {
    let db = TestDb::new();
    let mut store = db.open();
    store
        .init_company(&CompanyFields {
            name: Some("Wolke GmbH".into()),
            country: Some("DE".into()),
            currency: Some("EUR".into()),
            vat_rate: Some("19".into()),
            default_markup: Some("20".into()),
            market: Some("DE".into()),
            ..Default::default()
        })
        .unwrap();
    let parsed = seatbook::import::pricelist::parse(PRICE_LIST.as_bytes(), Some("DE"), None).unwrap();
    store.import_price_list(&parsed).unwrap();
    let mut subs = std::collections::HashMap::new();
    let mut add = |store: &mut Store, who, ms_id: &'static str, qty, start: &str, term, billing, price: Option<&str>| {
        let c = customer(store, who);
        let mut n = new_sub(c, BS, term, billing, qty, start);
        n.ms_subscription_id = ms_id.to_string();
        n.price_override = price.map(d);
        subs.insert(ms_id, store.add_subscription(&n, NOW).unwrap().id);
    };
    add(&mut store, A, "a1", 10, "2021-06-18", Term::P1M, BillingPlan::Monthly, None);
    add(&mut store, B, "b1", 10, "2021-06-05", Term::P1M, BillingPlan::Monthly, None);
    add(&mut store, C, "c1", 5, "2021-06-01", Term::P1M, BillingPlan::Monthly, None);
    customer(&mut store, D);
    add(&mut store, F, "f1", 4, "2021-06-01", Term::P1Y, BillingPlan::Annual, None);
    add(&mut store, G, "g1", 2, "2021-06-01", Term::P1M, BillingPlan::Monthly, Some("9.00"));
    add(&mut store, H, "h1", 1, "2021-06-01", Term::P1M, BillingPlan::Monthly, None);
    add(&mut store, Q, "q1", 10, "2021-06-01", Term::P1M, BillingPlan::Monthly, None);
    store.change_quantity(subs["a1"], 12, day("2021-06-20"), NOW).unwrap();
    Book { db, store, subs }
}

impl Book {
    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.db.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
    fn import(&mut self, path: &std::path::Path, replace: bool) -> seatbook::Result<recon::ReconImportOutcome> {
        recon::import(&mut self.store, &clock(), path, replace, &mut |_| {})
    }
    fn report(&self, invoice: &str) -> Reconciliation {
        recon::report(&self.store, invoice).unwrap()
    }
}

fn of_kind(r: &Reconciliation, kind: FindingKind) -> Vec<&seatbook::recon::Finding> {
    r.findings.iter().filter(|f| f.kind == kind).collect()
}

fn one<'a>(r: &'a Reconciliation, kind: FindingKind, ms_sub: &str) -> &'a seatbook::recon::Finding {
    let found: Vec<_> = of_kind(r, kind).into_iter().filter(|f| f.ms_subscription_id.as_deref() == Some(ms_sub)).collect();
    assert_eq!(found.len(), 1, "{kind:?} for {ms_sub}: {:#?}", r.findings);
    found[0]
}

#[test]
fn before_the_run_microsofts_charges_are_pending_and_after_it_each_leak_is_found() {
    let mut b = book();
    let path = b.file("june.csv", csv(DOC_HEADER, &june()).as_bytes());
    let imported = b.import(&path, false).unwrap();
    assert_eq!(imported.invoices.len(), 1);
    assert_eq!((imported.invoices[0].lines, imported.invoices[0].status), (12, ImportStatus::Imported));

    // Seatbook has not billed June yet: what it knows is pending, not leaked.
    let r = b.report("G000000601");
    let pending: Vec<_> = of_kind(&r, FindingKind::Pending);
    let a: Vec<_> =
        pending.iter().filter(|f| f.ms_subscription_id.as_deref() == Some("a1")).map(|f| (f.period_start, f.microsoft_amount)).collect();
    assert_eq!(a, [(day("2021-06-18"), Some(d("100.80"))), (day("2021-06-20"), Some(d("18.81")))]);
    let mut subs: Vec<&str> = pending.iter().filter_map(|f| f.ms_subscription_id.as_deref()).collect();
    subs.sort();
    assert_eq!(subs, ["a1", "a1", "b1", "f1", "g1", "h1", "q1"], "{:#?}", r.findings);
    assert!(r.findings.iter().all(|f| f.kind != FindingKind::Pending || f.difference == f.microsoft_amount.unwrap()));
    assert!(of_kind(&r, FindingKind::BilledNotCharged).is_empty());

    // June billed: now the book's side is there to compare.
    b.store.issue_month(day("2021-06-01"), day("2021-06-30"), NOW).unwrap();
    let r = b.report("G000000601");
    assert_eq!(r.currency.code(), "EUR");
    assert_eq!(r.billing_month, day("2021-06-01"));
    // Microsoft's total: every line's Total (subtotal + 19 % tax).
    let subtotals: Decimal = june().iter().map(|m| d(m.subtotal)).sum();
    let taxes: Decimal = june().iter().map(|m| (d(m.subtotal) * d("0.19")).round_dp(2)).sum();
    assert_eq!(r.microsoft_total, subtotals + taxes);
    assert!(of_kind(&r, FindingKind::Pending).is_empty(), "{:#?}", of_kind(&r, FindingKind::Pending));

    // A matches to the cent (Microsoft's 18.81 for the 2 seats, Seatbook's cost 18.82: within a
    // cent per line), so A has no finding, and its margin is on Microsoft's actual cost.
    assert!(r.findings.iter().all(|f| f.ms_subscription_id.as_deref() != Some("a1")), "{:#?}", r.findings);
    let a = r.margin.iter().find(|m| m.customer_name == "Contoso").unwrap();
    // 10 × 12.096 = 120.96 and 2 × 12.096 × 28/30 = 22.58; Microsoft 100.80 + 18.81.
    assert_eq!((a.revenue, a.microsoft_cost, a.margin), (d("143.54"), d("119.61"), d("23.93")));
    assert_eq!((a.locked_cost, a.locked_margin), (d("119.62"), d("23.92")));

    // B: the 5 seats added at Microsoft on 10 Jun were never billed.
    let f = one(&r, FindingKind::NotBilled, "b1");
    assert_eq!((f.period_start, f.period_end), (day("2021-06-10"), day("2021-07-04")));
    assert_eq!((f.microsoft_quantity, f.seatbook_quantity), (Some(d("15")), Some(d("10"))));
    assert_eq!((f.microsoft_amount, f.difference), (Some(d("42.00")), d("42.00")));
    assert!(f.fixable && f.action.contains("15 seats"), "{}", f.action);

    // C: billed by Seatbook, charged by nobody.
    let f = of_kind(&r, FindingKind::BilledNotCharged);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].customer_name.as_str(), f[0].seatbook_amount, f[0].difference), ("Northwind", Some(d("60.48")), d("-50.40")));
    assert_eq!(r.unmatched_billed, d("50.40"));

    // D and E: Microsoft's subscriptions Seatbook does not know; E's customer neither.
    let f = one(&r, FindingKind::NotInSeatbook, "d1");
    assert_eq!((f.customer_name.as_str(), f.microsoft_quantity, f.difference), ("Tailspin", Some(d("3")), d("30.24")));
    let f = one(&r, FindingKind::NotInSeatbook, "e1");
    // Named as Microsoft names it, with no Seatbook customer.
    assert_eq!((f.customer_id, f.customer_name.as_str(), f.customer_domain.as_str()), (None, "Wingtip Toys", "wingtip.onmicrosoft.com"));
    assert!(f.action.contains("add the customer"), "{}", f.action);

    // F: plan; G: below cost; H: cost; Q: seats.
    let f = one(&r, FindingKind::PlanMismatch, "f1");
    assert!(f.action.contains("P1Y billed monthly") && f.action.contains("P1Y billed annual"), "{}", f.action);
    let f = one(&r, FindingKind::BelowCost, "g1");
    assert_eq!((f.microsoft_amount, f.seatbook_amount), (Some(d("20.16")), Some(d("18.00"))));
    let f = one(&r, FindingKind::CostMismatch, "h1");
    assert_eq!(f.difference, d("0.92"));
    let f = one(&r, FindingKind::QuantityMismatch, "q1");
    assert_eq!((f.microsoft_quantity, f.seatbook_quantity, f.difference), (Some(d("12")), Some(d("10")), d("20.16")));

    // Leaked: B 42.00 + D 30.24 + E 20.16 + Q 20.16.
    assert_eq!(r.leaked, d("112.56"));
    // Matched: what Seatbook billed (A, B's cycle, F, G, H, Q).
    assert_eq!(r.matched, d("100.80") + d("18.81") + d("100.80") + d("40.32") + d("20.16") + d("11.00") + d("120.96"));
    // Finding ids are stable: the same report twice names them alike.
    let again = b.report("G000000601");
    assert_eq!(r.findings.iter().map(|f| &f.id).collect::<Vec<_>>(), again.findings.iter().map(|f| &f.id).collect::<Vec<_>>());
}

#[test]
fn every_header_spelling_and_the_graph_export_read_as_the_same_invoice() {
    let mut b = book();
    let rows = june();
    let first = b.file("doc.csv", csv(DOC_HEADER, &rows).as_bytes());
    assert_eq!(b.import(&first, false).unwrap().invoices[0].status, ImportStatus::Imported);
    // Columns in another order, another release's spellings: the same data, so nothing added.
    let mut reordered: Vec<Ms> = rows.clone();
    reordered.reverse();
    for (name, bytes) in [
        ("pascal.csv", csv(PASCAL_HEADER, &reordered).into_bytes()),
        ("camel.csv", csv(CAMEL_HEADER, &rows).into_bytes()),
        ("export.jsonl.gz", jsonl_gz(&rows)),
    ] {
        let p = b.file(name, &bytes);
        let got = b.import(&p, false).unwrap_or_else(|e| panic!("{name}: {}", e.message));
        assert_eq!(got.invoices[0].status, ImportStatus::Unchanged, "{name}");
        assert_eq!(got.invoices[0].lines, 12, "{name}");
    }
    // And read into a fresh book, the Graph export gives the same report as the CSV.
    let mut other = book();
    let p = other.file("export.jsonl.gz", &jsonl_gz(&rows));
    assert_eq!(other.import(&p, false).unwrap().format, "JSON Lines, gzip-compressed");
    // Kept as it came, compressed as it was.
    let import = other.store.recon_import("G000000601").unwrap().unwrap();
    assert_eq!(other.store.recon_file(&import).unwrap(), std::fs::read(&p).unwrap());
    let (x, y) = (b.report("G000000601"), other.report("G000000601"));
    assert_eq!(x.microsoft_total, y.microsoft_total);
    assert_eq!(
        x.findings.iter().map(|f| (f.kind, f.microsoft_amount, f.difference)).collect::<Vec<_>>(),
        y.findings.iter().map(|f| (f.kind, f.microsoft_amount, f.difference)).collect::<Vec<_>>()
    );
}

#[test]
fn a_malformed_file_is_refused_whole_with_its_bad_lines() {
    let mut b = book();
    let mut text = csv(DOC_HEADER, &june());
    text = text.replacen(",100.8,", ",1O0.8,", 1).replacen("6/5/2021", "31/31/2021", 1);
    let p = b.file("bad.csv", text.as_bytes());
    let e = b.import(&p, false).unwrap_err();
    assert!(e.message.starts_with("reconciliation file rejected, nothing imported: 2 bad lines"), "{}", e.message);
    assert!(e.message.contains("\n  line 2: Subtotal '1O0.8' is not a number"), "{}", e.message);
    assert!(e.message.contains("\n  line 5: OrderDate '31/31/2021' is not a date"), "{}", e.message);
    assert!(recon::list(&b.store).unwrap().is_empty());
    // Not a reconciliation file at all.
    let p = b.file("prices.csv", PRICE_LIST.as_bytes());
    let e = b.import(&p, false).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("line 1"));
    assert!(e.message.contains("lacks the columns CustomerId"), "{}", e.message);
}

#[test]
fn the_same_invoice_twice_adds_nothing_and_another_file_for_it_is_refused_unless_replacing() {
    let mut b = book();
    let p = b.file("june.csv", csv(DOC_HEADER, &june()).as_bytes());
    b.import(&p, false).unwrap();
    assert_eq!(b.import(&p, false).unwrap().invoices[0].status, ImportStatus::Unchanged);
    let mut changed = june();
    changed.pop();
    let q = b.file("june-corrected.csv", csv(DOC_HEADER, &changed).as_bytes());
    let e = b.import(&q, false).unwrap_err();
    assert_eq!(e.code, seatbook::ErrorCode::Conflict);
    assert!(e.message.contains("G000000601 was imported") && e.message.contains("june.csv"), "{}", e.message);
    assert_eq!(recon::list(&b.store).unwrap()[0].lines, 12);
    let got = b.import(&q, true).unwrap();
    assert_eq!((got.invoices[0].status, got.invoices[0].lines), (ImportStatus::Replaced, 11));
    let list = recon::list(&b.store).unwrap();
    assert_eq!((list.len(), list[0].file.as_str(), list[0].lines), (1, "june-corrected.csv", 11));
    // Microsoft's lines are kept as they came: the replaced file's too, and no line can change.
    let db = rusqlite::Connection::open(&b.db.path).unwrap();
    let kept: i64 = db.query_row("SELECT count(*) FROM recon_lines", [], |r| r.get(0)).unwrap();
    assert_eq!(kept, 23);
    // Each file is kept byte for byte, the replaced one too.
    let current = b.store.recon_import("G000000601").unwrap().unwrap();
    assert_eq!(b.store.recon_file(&current).unwrap(), std::fs::read(&q).unwrap());
    let files: Vec<Vec<u8>> = {
        let mut stmt = db
            .prepare("SELECT CAST(group_concat(data, '' ORDER BY part) AS BLOB) FROM recon_file_parts GROUP BY file_id ORDER BY file_id")
            .unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    // Kept gzip-compressed (a file that came so is kept as it came).
    let unzipped: Vec<Vec<u8>> = files
        .iter()
        .map(|f| {
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(f.as_slice()), &mut out).unwrap();
            out
        })
        .collect();
    assert_eq!(unzipped, [std::fs::read(&p).unwrap(), std::fs::read(&q).unwrap()]);
    for sql in [
        "UPDATE recon_lines SET subtotal = '0'",
        "DELETE FROM recon_lines",
        "REPLACE INTO recon_lines SELECT * FROM recon_lines",
        "UPDATE recon_subjects SET customer_tenant = 'x'",
        "REPLACE INTO recon_subjects SELECT * FROM recon_subjects",
        "UPDATE recon_file_parts SET data = x'00'",
        "REPLACE INTO recon_file_parts SELECT * FROM recon_file_parts",
        "DELETE FROM recon_files",
        "DELETE FROM recon_imports",
        "UPDATE recon_imports SET total = '0'",
        "UPDATE recon_imports SET file_id = NULL",
    ] {
        assert!(db.execute_batch(&format!("PRAGMA recursive_triggers = ON; {sql}")).is_err(), "{sql} was allowed");
    }
}

/// An invoice imported before schema 10 carries the digest Seatbook made then (SHA-256 of each
/// row's canonical text): the same file again still adds nothing, another one is still refused.
#[test]
fn an_invoice_imported_by_the_previous_version_is_still_told_apart() {
    use sha2::{Digest, Sha256};
    let mut b = book();
    let text = csv(DOC_HEADER, &june());
    let p = b.file("june.csv", text.as_bytes());
    b.import(&p, false).unwrap();
    let mut reader =
        seatbook::import::recon::RowReader::new(std::io::Cursor::new(text.into_bytes()), &seatbook::import::recon::SPEC).unwrap();
    let mut rows: Vec<[u8; 16]> = Vec::new();
    while let Some(row) = reader.next_row() {
        let row = seatbook::import::recon::line(row.unwrap()).unwrap();
        rows.push(Sha256::digest(row.canonical_text().as_bytes())[..16].try_into().unwrap());
    }
    rows.sort_unstable();
    let mut h = Sha256::new();
    rows.iter().for_each(|r| h.update(r));
    let legacy: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    {
        let db = rusqlite::Connection::open(&b.db.path).unwrap();
        db.execute_batch("DROP TRIGGER recon_imports_only_replaced").unwrap();
        db.execute("UPDATE recon_imports SET digest = ?1", [&legacy]).unwrap();
    }
    assert_eq!(b.import(&p, false).unwrap().invoices[0].status, ImportStatus::Unchanged);
    let mut changed = june();
    changed.pop();
    let q = b.file("june-corrected.csv", csv(DOC_HEADER, &changed).as_bytes());
    assert_eq!(b.import(&q, false).unwrap_err().code, seatbook::ErrorCode::Conflict);
}

#[test]
fn a_file_with_an_invoice_imported_before_and_a_new_one_adds_only_the_new_one() {
    let mut b = book();
    let p = b.file("june.csv", csv(DOC_HEADER, &june()).as_bytes());
    b.import(&p, false).unwrap();
    let mut both = june();
    both.push(Ms {
        invoice: "G000000701",
        start: "2021-07-05",
        end: "2021-08-04",
        sub_start: "2021-07-05",
        sub_end: "2021-08-04",
        qty: "10",
        subtotal: "100.80",
        ..ms(B, "b1", "renew")
    });
    let q = b.file("both.csv", csv(DOC_HEADER, &both).as_bytes());
    let got = b.import(&q, false).unwrap();
    let statuses: Vec<_> = got.invoices.iter().map(|i| (i.invoice.as_str(), i.status, i.lines)).collect();
    assert_eq!(statuses, [("G000000601", ImportStatus::Unchanged, 12), ("G000000701", ImportStatus::Imported, 1)]);
    let list = recon::list(&b.store).unwrap();
    assert_eq!(list.iter().map(|i| (i.invoice.as_str(), i.lines)).collect::<Vec<_>>(), [("G000000701", 1), ("G000000601", 12)]);
    let db = rusqlite::Connection::open(&b.db.path).unwrap();
    let kept: i64 = db.query_row("SELECT count(*) FROM recon_lines", [], |r| r.get(0)).unwrap();
    assert_eq!(kept, 13);
}

#[test]
fn fixes_go_through_the_rules_and_the_next_billing_run_bills_them() {
    let mut b = book();
    b.store.issue_month(day("2021-06-01"), day("2021-06-30"), NOW).unwrap();
    let p = b.file("june.csv", csv(DOC_HEADER, &june()).as_bytes());
    b.import(&p, false).unwrap();
    let r = b.report("G000000601");
    let id = |kind, sub: &str| one(&r, kind, sub).id.clone();

    // Findings with no fix say so and change nothing.
    let e = recon::fix(&mut b.store, &clock(), &id(FindingKind::CostMismatch, "h1")).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (seatbook::ErrorCode::Refused, Some("finding")));
    let e = recon::fix(&mut b.store, &clock(), "G000000601-00000000").unwrap_err();
    assert_eq!(e.code, seatbook::ErrorCode::NotFound);

    let done = recon::fix(&mut b.store, &clock(), &id(FindingKind::NotBilled, "b1")).unwrap();
    assert_eq!(done.subscription.quantity, 15);
    let done = recon::fix(&mut b.store, &clock(), &id(FindingKind::QuantityMismatch, "q1")).unwrap();
    assert_eq!(done.subscription.quantity, 12);
    let d1 = recon::fix(&mut b.store, &clock(), &id(FindingKind::NotInSeatbook, "d1")).unwrap().subscription;
    assert_eq!((d1.quantity, d1.term_start, d1.bill_from, d1.ms_subscription_id.as_str()), (3, day("2021-06-12"), day("2021-06-12"), "d1"));
    let e1 = recon::fix(&mut b.store, &clock(), &id(FindingKind::NotInSeatbook, "e1")).unwrap().subscription;
    let wingtip = b.store.customer(e1.customer_id).unwrap();
    assert_eq!((wingtip.name.as_str(), wingtip.domain.as_str()), ("Wingtip Toys", "wingtip.onmicrosoft.com"));
    assert_eq!(wingtip.tenant_id, E.0);
    // A fix done is gone from the report; fixing it again says so.
    let e = recon::fix(&mut b.store, &clock(), &id(FindingKind::NotInSeatbook, "d1")).unwrap_err();
    assert_eq!(e.code, seatbook::ErrorCode::NotFound);
    let after = b.report("G000000601");
    assert!(of_kind(&after, FindingKind::NotInSeatbook).is_empty(), "{:#?}", after.findings);
    // What Seatbook will bill now waits for the run, and nothing leaks but what was not fixable.
    assert_eq!(after.leaked, Decimal::ZERO, "{:#?}", after.findings);

    // July's run bills what Microsoft charged: the prorations dated as Microsoft dated them.
    let run = b.store.issue_month(day("2021-07-01"), day("2021-07-31"), NOW).unwrap();
    let line = |sub: i64, start: &str| {
        run.invoices
            .iter()
            .flat_map(|i| &i.lines)
            .find(|l| l.subscription_id == Some(sub) && l.period_start == Some(day(start)))
            .unwrap_or_else(|| panic!("no line of {sub} from {start}"))
            .clone()
    };
    // B: +5 seats for 25 of 30 days at 12.096: 50.40.
    let l = line(b.subs["b1"], "2021-06-10");
    assert_eq!((l.quantity, l.amount), (d("5"), d("50.40")));
    // Q: +2 seats from the cycle's first day: 24.19.
    let l = line(b.subs["q1"], "2021-06-01");
    assert_eq!((l.quantity, l.amount), (d("2"), d("24.19")));
    // D: billed from Microsoft's charge period: 3 × 12.096 = 36.29.
    let l = line(d1.id, "2021-06-12");
    assert_eq!((l.quantity, l.amount), (d("3"), d("36.29")));
    assert_eq!(line(e1.id, "2021-06-15").amount, d("24.19"));
    // The June report now finds what is left: C, F (its plan, and the cost of 30 days of an
    // annual charge), G, H; nothing of B, D, E or Q.
    let last = b.report("G000000601");
    let mut kinds: Vec<(&str, &str)> =
        last.findings.iter().map(|f| (f.kind.as_str(), f.ms_subscription_id.as_deref().unwrap_or_default())).collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [("below_cost", "g1"), ("billed_not_charged", "c1"), ("cost_mismatch", "f1"), ("cost_mismatch", "h1"), ("plan_mismatch", "f1")],
        "{:#?}",
        last.findings
    );
}

#[test]
fn microsofts_cancellation_example_is_recorded_and_credited() {
    let mut b = book();
    let c = customer(&mut b.store, ("aaaaaaaa-0000-4000-8000-000000000004", "cancelled.onmicrosoft.com", "Cancelled Ltd"));
    let mut n = new_sub(c, BS, Term::P1M, BillingPlan::Monthly, 10, "2021-07-15");
    n.ms_subscription_id = "i1".into();
    let sub = b.store.add_subscription(&n, NOW).unwrap().id;
    // Microsoft's example: 10 seats bought 15 Jul (31-day cycle, 100.80), cancelled 17 Jul: −94.20.
    let who = ("aaaaaaaa-0000-4000-8000-000000000004", "cancelled.onmicrosoft.com", "Cancelled Ltd");
    let rows = vec![
        Ms {
            invoice: "G000000701",
            start: "2021-07-15",
            end: "2021-08-14",
            sub_start: "2021-07-15",
            sub_end: "2021-08-14",
            qty: "10",
            subtotal: "100.8",
            ..ms(who, "i1", "new")
        },
        Ms {
            invoice: "G000000701",
            start: "2021-07-17",
            end: "2021-08-14",
            sub_start: "2021-07-15",
            sub_end: "2021-08-14",
            eup: "-9.42",
            qty: "10",
            subtotal: "-94.2",
            ..ms(who, "i1", "cancelImmediate")
        },
    ];
    let p = b.file("july.csv", csv(DOC_HEADER, &rows).as_bytes());
    b.import(&p, false).unwrap();
    let r = b.report("G000000701");
    one(&r, FindingKind::Pending, "i1");
    let f = one(&r, FindingKind::NotBilled, "i1");
    assert_eq!((f.microsoft_amount, f.microsoft_quantity), (Some(d("-94.20")), Some(d("0"))));
    assert!(f.action.contains("cancellation") && f.action.contains("2021-07-17"), "{}", f.action);
    let done = recon::fix(&mut b.store, &clock(), &f.id.clone()).unwrap();
    assert_eq!((done.subscription.status.as_str(), done.subscription.ended_on), ("cancelled", Some(day("2021-07-17"))));
    // The July run bills the cycle and credits the unused days: 12.096 × 10 × 29/31 = 113.16.
    let run = b.store.issue_month(day("2021-07-01"), day("2021-07-31"), NOW).unwrap();
    let lines: Vec<_> = run.invoices.iter().flat_map(|i| &i.lines).filter(|l| l.subscription_id == Some(sub)).collect();
    assert_eq!(lines.iter().map(|l| l.amount).collect::<Vec<_>>(), [d("120.96"), d("-113.16")]);
    // What Seatbook billed the other customers in July is not on this (one-customer) invoice.
    let left = b.report("G000000701");
    assert!(left.findings.iter().all(|f| f.subscription_id != Some(sub)), "{:#?}", left.findings);
    assert!(left.findings.iter().all(|f| f.kind == FindingKind::BilledNotCharged));
}

#[test]
fn a_subscription_matched_by_product_gets_microsofts_id_attached() {
    let mut b = book();
    let c = customer(&mut b.store, ("aaaaaaaa-0000-4000-8000-000000000005", "noid.onmicrosoft.com", "No Id"));
    let sub = b.store.add_subscription(&new_sub(c, BS, Term::P1M, BillingPlan::Monthly, 1, "2021-06-01"), NOW).unwrap().id;
    b.store.issue_month(day("2021-06-01"), day("2021-06-30"), NOW).unwrap();
    let who = ("aaaaaaaa-0000-4000-8000-000000000005", "noid.onmicrosoft.com", "No Id");
    let p = b.file("june.csv", csv(DOC_HEADER, &[ms(who, "n1", "new")]).as_bytes());
    b.import(&p, false).unwrap();
    let r = b.report("G000000601");
    let f = one(&r, FindingKind::NotInSeatbook, "n1");
    assert_eq!((f.subscription_id, f.difference), (Some(sub), Decimal::ZERO));
    assert!(f.action.contains("attach"), "{}", f.action);
    // Matched by product, its charge is compared: nothing billed without a charge.
    assert!(of_kind(&r, FindingKind::BilledNotCharged).iter().all(|f| f.subscription_id != Some(sub)));
    let done = recon::fix(&mut b.store, &clock(), &f.id.clone()).unwrap();
    assert_eq!(done.subscription.ms_subscription_id, "n1");
    assert!(b.report("G000000601").findings.iter().all(|f| f.subscription_id != Some(sub)));
}

#[test]
fn the_command_line_imports_reports_and_fixes() {
    let mut b = book();
    b.store.issue_month(day("2021-06-01"), day("2021-06-30"), NOW).unwrap();
    let p = b.file("june.csv", csv(DOC_HEADER, &june()).as_bytes());
    let db = b.db.path.clone();
    drop(b.store);
    let got = json(&db, &["recon", "import", p.to_str().unwrap()]);
    assert_eq!(got["invoices"][0]["status"], "imported");
    let again = json(&db, &["recon", "import", p.to_str().unwrap()]);
    assert_eq!(again["invoices"][0]["status"], "unchanged");
    let mut changed = june();
    changed.pop();
    let q = b.db.file("other.csv", &csv(DOC_HEADER, &changed));
    let e = fails(&db, &["recon", "import", q.to_str().unwrap()], 2);
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("conflict"), Some("--replace")), "{e}");
    let list = json(&db, &["recon", "list"]);
    assert_eq!(list[0]["invoice"], "G000000601");
    assert_eq!(list[0]["lines"], 12);
    assert_eq!(list[0]["file"], "june.csv");
    let csv_path = b.db.dir.path().join("findings.csv");
    let r = json(&db, &["recon", "report", "G000000601", "--csv", csv_path.to_str().unwrap()]);
    for key in ["invoice", "currency", "microsoft_total", "matched", "leaked", "unmatched_billed", "findings", "margin"] {
        assert!(r.get(key).is_some(), "{key} missing: {r}");
    }
    assert_eq!(r["leaked"], "112.56");
    let q1 = r["findings"].as_array().unwrap().iter().find(|f| f["kind"] == "quantity_mismatch").unwrap();
    for key in [
        "id",
        "kind",
        "customer_id",
        "customer_domain",
        "subscription_id",
        "ms_subscription_id",
        "product",
        "period_start",
        "period_end",
        "microsoft_quantity",
        "seatbook_quantity",
        "microsoft_amount",
        "seatbook_amount",
        "difference",
        "action",
    ] {
        assert!(q1.get(key).is_some(), "{key} missing: {q1}");
    }
    assert_eq!((q1["microsoft_amount"].as_str(), q1["difference"].as_str()), (Some("120.96"), Some("20.16")));
    let e1 = r["findings"].as_array().unwrap().iter().find(|f| f["ms_subscription_id"] == "e1").unwrap();
    assert!(e1["customer_id"].is_null() && e1["subscription_id"].is_null(), "{e1}");
    let exported = std::fs::read_to_string(&csv_path).unwrap();
    assert!(exported.starts_with("id,kind,customer_id,customer_name,customer_domain,subscription_id,"), "{exported}");
    assert_eq!(exported.lines().count(), 1 + r["findings"].as_array().unwrap().len());
    let text = ok(&db, &["recon", "report", "G000000601"]);
    assert!(text.contains("Leaked") && text.contains("quantity_mismatch (1)"), "{text}");
    let fixed = json(&db, &["recon", "fix", q1["id"].as_str().unwrap()]);
    assert_eq!(fixed["subscription"]["quantity"], 12);
    let e = fails(&db, &["recon", "fix", "nonsense"], 2);
    assert_eq!(e["field"], "FINDING", "{e}");
    // Microsoft's file comes back out byte for byte (the one in force: the other was refused).
    let back = b.db.dir.path().join("back.csv");
    let written = json(&db, &["recon", "file", "g000000601", "--out", back.to_str().unwrap()]);
    assert_eq!((written["invoice"].as_str(), written["file"].as_str()), (Some("G000000601"), Some("june.csv")), "{written}");
    assert_eq!(std::fs::read(&back).unwrap(), std::fs::read(&p).unwrap());
    let e = fails(&db, &["recon", "file", "G999", "--out", back.to_str().unwrap()], 2);
    assert_eq!(e["field"], "INVOICE", "{e}");
    let help = ok(&db, &["recon", "--help"]);
    assert!(help.contains("import") && help.contains("report") && help.contains("fix") && help.contains("file"), "{help}");
}
