//! Microsoft's NCE invoice reconciliation data as it comes (DOMAIN §7.1): the Partner Center CSV
//! in every header spelling (PascalCase with `MpnId`/`Tier2MpnId` or `MPNID`/`ResellerMPNID`,
//! `ReferenceId` or `ReferenceID`, the camelCase release with `totalForCustomer`), and the Graph
//! billed-reconciliation export (gzip-compressed JSON Lines, one or several gzip members).
//!
//! Files run to hundreds of thousands of lines, so rows are read one at a time from the file and
//! never held all at once: `RowReader` yields each row's values by canonical column, `line`
//! turns one into a checked `MsRow` (or the line's problems), and `Subjects` makes it the
//! `MsLine` a reconciliation reads, sharing what lines of one subscription have in common. Values are text read as exact
//! decimals; Excel's re-saves (SkuId `1` for `0001`, `7.10833E-05`, `11/01/2025`) are read too.

use super::rows::{checked_date, Fields};
pub use super::rows::{normalise, number, sku, RawRow, RowReader, Spec};
use crate::money::Currency;
pub use crate::recon::{MsLine, MsSubject};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// The columns Seatbook reads, each with the header spellings that mean it (matched after
/// `normalise`: case, spaces, underscores, dashes and a leading quote do not matter).
pub const COLUMNS: &[(&str, &[&str])] = &[
    ("partner_id", &["PartnerId"]),
    ("customer_tenant", &["CustomerId", "CustomerTenantId"]),
    ("customer_name", &["CustomerName", "CustomerCompanyName"]),
    ("customer_domain", &["CustomerDomainName"]),
    ("customer_country", &["CustomerCountry"]),
    ("invoice", &["InvoiceNumber", "InvoiceId"]),
    ("mpn_id", &["MpnId", "MPNID"]),
    ("reseller_mpn_id", &["ResellerMpnId", "ResellerMPNID", "Tier2MpnId"]),
    ("order_id", &["OrderId"]),
    ("order_date", &["OrderDate"]),
    ("product_id", &["ProductId"]),
    ("sku_id", &["SkuId"]),
    ("availability_id", &["AvailabilityId"]),
    ("sku_name", &["SkuName"]),
    ("product_name", &["ProductName"]),
    ("charge_type", &["ChargeType"]),
    ("unit_price", &["UnitPrice"]),
    ("quantity", &["Quantity"]),
    ("subtotal", &["Subtotal"]),
    ("tax_total", &["TaxTotal"]),
    ("total", &["Total", "TotalForCustomer"]),
    ("currency", &["Currency"]),
    ("publisher_name", &["PublisherName"]),
    ("subscription_description", &["SubscriptionDescription"]),
    ("subscription_id", &["SubscriptionId"]),
    ("charge_start", &["ChargeStartDate"]),
    ("charge_end", &["ChargeEndDate"]),
    ("term_and_billing_cycle", &["TermAndBillingCycle"]),
    ("effective_unit_price", &["EffectiveUnitPrice"]),
    ("unit_type", &["UnitType"]),
    ("billable_quantity", &["BillableQuantity"]),
    ("billing_frequency", &["BillingFrequency"]),
    ("subscription_start", &["SubscriptionStartDate"]),
    ("subscription_end", &["SubscriptionEndDate"]),
    ("reference_id", &["ReferenceId", "ReferenceID"]),
    ("product_qualifiers", &["ProductQualifiers"]),
    ("credit_reason_code", &["CreditReasonCode"]),
];

/// The columns a reconciliation file cannot do without.
const REQUIRED: &[&str] = &[
    "customer_tenant",
    "invoice",
    "product_id",
    "sku_id",
    "charge_type",
    "subscription_id",
    "charge_start",
    "charge_end",
    "effective_unit_price",
    "billable_quantity",
    "subtotal",
    "total",
    "currency",
];

/// How a reconciliation file is read.
pub static SPEC: Spec = Spec {
    what: "reconciliation file",
    question: "is this Microsoft's invoice reconciliation file?",
    columns: COLUMNS,
    required: REQUIRED,
};

fn column(name: &str) -> usize {
    SPEC.column(name)
}

/// Check a row into one of Microsoft's lines, or every problem of the line.
pub fn line(row: RawRow) -> std::result::Result<MsRow, Vec<String>> {
    let mut problems = Vec::new();
    let name = |c: &str| COLUMNS[column(c)].1[0];
    let mut num = |c: &str, optional: bool| -> Decimal {
        let v = row.get(c);
        if v.is_empty() && optional {
            return Decimal::ZERO;
        }
        number(v).unwrap_or_else(|e| {
            problems.push(format!("{} {e}", name(c)));
            Decimal::ZERO
        })
    };
    let unit_price = num("unit_price", true);
    let quantity = num("quantity", true);
    let subtotal = num("subtotal", false);
    let tax_total = num("tax_total", true);
    let total = num("total", false);
    let effective_unit_price = num("effective_unit_price", false);
    let billable_quantity = num("billable_quantity", false);
    let mut day = |c: &str, required: bool| checked_date(row.get(c), name(c), required, &mut problems);
    let charge_start = day("charge_start", true);
    let charge_end = day("charge_end", true);
    let order_date = day("order_date", false);
    let subscription_start = day("subscription_start", false);
    let subscription_end = day("subscription_end", false);
    let currency = match Currency::parse(row.get("currency"), "currency") {
        Ok(c) => Some(c),
        Err(e) => {
            problems.push(format!("{} {}", name("currency"), e.message));
            None
        }
    };
    for c in ["invoice", "customer_tenant", "product_id", "sku_id", "charge_type", "subscription_id"] {
        if row.get(c).is_empty() {
            problems.push(format!("{} is empty", name(c)));
        }
    }
    if let (Some(s), Some(e)) = (charge_start, charge_end) {
        if e < s {
            problems.push(format!("ChargeEndDate {e} is before ChargeStartDate {s}"));
        }
    }
    // Text a journal, a CSV or a terminal would take as a command: the row as a whole first (one
    // pass over it), each column only to name the one that has it.
    let csv_clean = match row.fields {
        Fields::Csv(record, _) => crate::customer::check_plain(record.as_slice(), "row", usize::MAX, false).is_ok(),
        Fields::Json(_) => false,
    };
    if !csv_clean {
        for (c, (key, names)) in COLUMNS.iter().enumerate() {
            if let Err(e) = crate::customer::check_plain(row.at(c), key, 4000, false) {
                problems.push(format!("{} {}", names[0], e.message));
            }
        }
    }
    for (c, (_, names)) in COLUMNS.iter().enumerate() {
        let v = row.at(c);
        if v.len() > 4000 && v.chars().count() > 4000 {
            problems.push(format!("{} is longer than 4000 characters", names[0]));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let s = |c: &str| row.get(c).to_string();
    Ok(MsRow {
        line: row.line,
        subject: MsSubject {
            invoice: s("invoice"),
            currency: currency.expect("checked"),
            customer_tenant: s("customer_tenant").to_ascii_lowercase(),
            customer_name: s("customer_name"),
            customer_domain: s("customer_domain").to_ascii_lowercase(),
            customer_country: s("customer_country").to_ascii_uppercase(),
            product_id: s("product_id").to_ascii_uppercase(),
            sku_id: sku(row.get("sku_id")),
            sku_name: s("sku_name"),
            product_name: s("product_name"),
            subscription_description: s("subscription_description"),
            subscription_id: s("subscription_id").to_ascii_lowercase(),
            billing_frequency: s("billing_frequency"),
            subscription_start,
            subscription_end,
        },
        order_id: s("order_id"),
        order_date,
        charge_type: s("charge_type"),
        unit_price,
        quantity,
        subtotal,
        tax_total,
        total,
        publisher_name: s("publisher_name"),
        charge_start: charge_start.expect("checked"),
        charge_end: charge_end.expect("checked"),
        term_and_billing_cycle: s("term_and_billing_cycle"),
        effective_unit_price,
        unit_type: s("unit_type"),
        billable_quantity,
        reference_id: s("reference_id"),
        product_qualifiers: s("product_qualifiers"),
        credit_reason_code: s("credit_reason_code"),
    })
}

/// One of Microsoft's rows, checked: every column Seatbook reads.
#[derive(Debug, Clone, PartialEq)]
pub struct MsRow {
    pub line: usize,
    pub subject: MsSubject,
    pub order_id: String,
    pub order_date: Option<NaiveDate>,
    pub charge_type: String,
    pub unit_price: Decimal,
    pub quantity: Decimal,
    pub subtotal: Decimal,
    pub tax_total: Decimal,
    pub total: Decimal,
    pub publisher_name: String,
    pub charge_start: NaiveDate,
    pub charge_end: NaiveDate,
    pub term_and_billing_cycle: String,
    pub effective_unit_price: Decimal,
    pub unit_type: String,
    pub billable_quantity: Decimal,
    pub reference_id: String,
    pub product_qualifiers: String,
    pub credit_reason_code: String,
}

impl MsRow {
    /// The row's values in a fixed form, for telling whether two files hold the same data
    /// (header spellings, column order, Excel's number and date formats do not matter).
    pub fn canonical_text(&self) -> String {
        let mut out = String::with_capacity(256);
        self.write_canonical(&mut out);
        out
    }

    /// `canonical_text` written into `out` (cleared first): no allocation per row.
    pub fn write_canonical(&self, out: &mut String) {
        use std::fmt::Write;
        out.clear();
        let sep = '\u{1f}';
        let day = |out: &mut String, d: Option<NaiveDate>| {
            if let Some(d) = d {
                let _ = write!(out, "{d}");
            }
            out.push(sep);
        };
        let t = &self.subject;
        for s in [&t.invoice, &t.customer_tenant, &t.customer_domain, &self.order_id] {
            out.push_str(s);
            out.push(sep);
        }
        day(out, self.order_date);
        for s in [&t.product_id, &t.sku_id] {
            out.push_str(s);
            out.push(sep);
        }
        out.extend(self.charge_type.chars().map(|c| c.to_ascii_lowercase()));
        out.push(sep);
        for d in [self.unit_price, self.quantity, self.subtotal, self.tax_total, self.total] {
            let _ = write!(out, "{}{sep}", d.normalize());
        }
        let _ = write!(out, "{}{sep}{}{sep}{}{sep}{}{sep}", t.currency.code(), t.subscription_id, self.charge_start, self.charge_end);
        for d in [self.effective_unit_price, self.billable_quantity] {
            let _ = write!(out, "{}{sep}", d.normalize());
        }
        day(out, t.subscription_start);
        day(out, t.subscription_end);
        out.extend(self.reference_id.chars().map(|c| c.to_ascii_lowercase()));
    }
}

/// FNV-1a, 64 bits: a small, stable hash (the same on every machine and in every version), for
/// telling rows apart and for the sets of what rows share.
#[derive(Clone, Copy)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv64 {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl MsRow {
    /// A digest of the row's values (as `canonical_text` has them, without writing them out):
    /// header spellings, column order, Excel's number and date formats do not change it.
    pub fn digest(&self) -> u64 {
        use std::hash::Hasher;
        let mut h = Fnv64::default();
        let text = |h: &mut Fnv64, s: &str| {
            h.write(s.as_bytes());
            h.write(&[0x1f]);
        };
        let lower = |h: &mut Fnv64, s: &str| {
            for b in s.bytes() {
                h.write(&[b.to_ascii_lowercase()]);
            }
            h.write(&[0x1f]);
        };
        let day = |h: &mut Fnv64, d: Option<NaiveDate>| {
            h.write(&d.map(|d| d.num_days_from_ce()).unwrap_or(i32::MIN).to_le_bytes());
        };
        let number = |h: &mut Fnv64, d: Decimal| h.write(&d.normalize().serialize());
        let t = &self.subject;
        for s in [&t.invoice, &t.customer_tenant, &t.customer_domain, &self.order_id] {
            text(&mut h, s);
        }
        day(&mut h, self.order_date);
        text(&mut h, &t.product_id);
        text(&mut h, &t.sku_id);
        lower(&mut h, &self.charge_type);
        for d in [self.unit_price, self.quantity, self.subtotal, self.tax_total, self.total] {
            number(&mut h, d);
        }
        text(&mut h, t.currency.code());
        text(&mut h, &t.subscription_id);
        day(&mut h, Some(self.charge_start));
        day(&mut h, Some(self.charge_end));
        number(&mut h, self.effective_unit_price);
        number(&mut h, self.billable_quantity);
        day(&mut h, t.subscription_start);
        day(&mut h, t.subscription_end);
        lower(&mut h, &self.reference_id);
        h.finish()
    }
}

/// What lines of a file have in common, kept once: each row becomes a line sharing its subject
/// with the rows before it that have the same (most often the row just before).
#[derive(Default)]
pub struct Subjects {
    all: std::collections::HashSet<std::sync::Arc<MsSubject>, std::hash::BuildHasherDefault<Fnv64>>,
    last: Option<std::sync::Arc<MsSubject>>,
    /// The charge types met so far (a file has a few).
    charge_types: Vec<std::sync::Arc<str>>,
}

impl Subjects {
    pub fn line(&mut self, row: MsRow) -> MsLine {
        let subject = match &self.last {
            Some(last) if **last == row.subject => last.clone(),
            _ => {
                let s = match self.all.get(&row.subject) {
                    Some(s) => s.clone(),
                    None => {
                        let s = std::sync::Arc::new(row.subject);
                        self.all.insert(s.clone());
                        s
                    }
                };
                self.last = Some(s.clone());
                s
            }
        };
        MsLine {
            line: row.line,
            subject,
            charge_type: match self.charge_types.iter().find(|t| ***t == *row.charge_type) {
                Some(t) => t.clone(),
                None => {
                    let t: std::sync::Arc<str> = row.charge_type.into();
                    self.charge_types.push(t.clone());
                    t
                }
            },
            subtotal: row.subtotal,
            total: row.total,
            charge_start: row.charge_start,
            charge_end: row.charge_end,
            effective_unit_price: row.effective_unit_price,
            billable_quantity: row.billable_quantity,
            reference_id: row.reference_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn rows(text: &[u8]) -> Vec<std::result::Result<MsRow, (usize, Vec<String>)>> {
        let mut r = RowReader::new(std::io::Cursor::new(text.to_vec()), &SPEC).unwrap();
        let mut out = Vec::new();
        while let Some(row) = r.next_row() {
            out.push(match row {
                Ok(raw) => {
                    let n = raw.line;
                    line(raw).map_err(|p| (n, p))
                }
                Err((n, p)) => Err((n, vec![p])),
            });
        }
        out
    }

    #[test]
    fn numbers_as_microsoft_and_excel_write_them() {
        assert_eq!(number("10.08").unwrap(), Decimal::from_str("10.08").unwrap());
        assert_eq!(number("-9.408").unwrap(), Decimal::from_str("-9.408").unwrap());
        assert_eq!(number("7.10833E-05").unwrap(), Decimal::from_str("0.0000710833").unwrap());
        assert_eq!(number("0.00E+00").unwrap(), Decimal::ZERO);
        assert!(number("1,234.50").is_err());
        assert!(number("").is_err());
        assert!(number("1e20").unwrap_err().contains("out of range"));
        assert_eq!(sku("1"), "0001");
        assert_eq!(sku("0002"), "0002");
        assert_eq!(sku("DZH318Z0BQ3Q"), "DZH318Z0BQ3Q");
        assert_eq!(normalise("'ReferenceID"), "referenceid");
    }

    #[test]
    fn the_camel_case_release_and_the_documented_header_read_alike() {
        let pascal = "PartnerId,CustomerId,CustomerName,CustomerDomainName,InvoiceNumber,MPNID,ResellerMPNID,ProductId,SkuId,ChargeType,UnitPrice,Quantity,Subtotal,TaxTotal,Total,Currency,SubscriptionId,ChargeStartDate,ChargeEndDate,EffectiveUnitPrice,BillableQuantity,ReferenceID\r\n\
            p,T1,Contoso,contoso.onmicrosoft.com,G000000001,1,2,CFQ7TTC0LDPB,1,addQuantity,10.08,1,112.89,0,112.89,EUR,S1,6/20/2021,7/17/2021,9.408,12,R1\r\n";
        let camel = "referenceId,effectiveUnitPrice,billableQuantity,totalForCustomer,currency,subscriptionId,chargeStartDate,chargeEndDate,customerId,invoiceNumber,productId,skuId,chargeType,subtotal,customerDomainName,unitPrice,quantity\n\
            r1,9.408,12,112.89,EUR,s1,2021-06-20T00:00:00Z,2021-07-17T00:00:00Z,t1,G000000001,CFQ7TTC0LDPB,0001,addQuantity,112.89,Contoso.onmicrosoft.com,10.080,1\n";
        let a = rows(pascal.as_bytes()).remove(0).unwrap();
        let b = rows(camel.as_bytes()).remove(0).unwrap();
        assert_eq!(a.line, 2);
        assert_eq!(a.subject.sku_id, "0001");
        assert_eq!(a.charge_start, NaiveDate::from_ymd_opt(2021, 6, 20).unwrap());
        assert_eq!(a.canonical_text(), b.canonical_text());
        assert_eq!(a.digest(), b.digest());
        let mut c = a.clone();
        c.billable_quantity += Decimal::ONE;
        assert_ne!(a.digest(), c.digest());
    }

    #[test]
    fn json_lines_gzipped_in_several_members() {
        use std::io::Write;
        let obj = |i: u32| {
            format!(
                r#"{{"customerId":"T1","invoiceNumber":"G1","productId":"P","skuId":"0001","chargeType":"new","subscriptionId":"S{i}","chargeStartDate":"2026-11-01T00:00:00Z","chargeEndDate":"2026-11-30T00:00:00Z","effectiveUnitPrice":10.08,"billableQuantity":10,"subtotal":100.80,"totalForCustomer":100.80,"currency":"EUR","productQualifiers":["Trial"],"unknown":{{"a":1}}}}"#
            )
        };
        let mut bytes = Vec::new();
        for i in 0..2 {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            writeln!(gz, "{}", obj(i)).unwrap();
            bytes.extend(gz.finish().unwrap());
        }
        let got = rows(&bytes);
        assert_eq!(got.len(), 2);
        let l = got[1].as_ref().unwrap();
        assert_eq!((l.line, l.subject.subscription_id.as_str(), l.subtotal.to_string()), (2, "s1", "100.8".to_string()));
        assert_eq!(l.product_qualifiers, r#"["Trial"]"#);
    }

    #[test]
    fn every_bad_value_is_named_with_its_column() {
        let text = "CustomerId,InvoiceNumber,ProductId,SkuId,ChargeType,SubscriptionId,ChargeStartDate,ChargeEndDate,EffectiveUnitPrice,BillableQuantity,Subtotal,Total,Currency\n\
            T,G1,P,1,new,S,2026-11-01,2026-10-01,abc,1,1,1,XYZ\n";
        let (n, problems) = rows(text.as_bytes()).remove(0).unwrap_err();
        assert_eq!(n, 2);
        let all = problems.join("; ");
        assert!(all.contains("EffectiveUnitPrice 'abc' is not a number"), "{all}");
        assert!(all.contains("Currency"), "{all}");
        assert!(all.contains("ChargeEndDate 2026-10-01 is before ChargeStartDate 2026-11-01"), "{all}");
        // A control character hidden in a JSON string's escape is found too.
        let json = br#"{"customerId":"T","invoiceNumber":"G1","productId":"P","skuId":"1","chargeType":"new","subscriptionId":"S","chargeStartDate":"2026-11-01","chargeEndDate":"2026-11-30","effectiveUnitPrice":1,"billableQuantity":1,"subtotal":1,"total":1,"currency":"EUR","customerName":"Bell\u0007"}"#;
        let (_, problems) = rows(json).remove(0).unwrap_err();
        assert!(problems.join("; ").contains("CustomerName contains a control character"), "{problems:?}");
        let missing = RowReader::new(std::io::Cursor::new(b"CustomerId,Total\nT,1\n".to_vec()), &SPEC).err().unwrap();
        assert!(missing.message.contains("lacks the columns InvoiceNumber"), "{}", missing.message);
    }
}
