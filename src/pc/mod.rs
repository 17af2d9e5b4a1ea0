//! Microsoft's Partner Center (DOMAIN §8): its customers and subscriptions as its REST API
//! answers them, and the drift between them and the book. Pure: Microsoft's JSON and the book's
//! rows in, the differences out. `client` is the one place that talks to Microsoft.

pub mod client;
pub mod provision;

use crate::catalogue::{BillingPlan, ProductKey, Term};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The resource a Partner Center token is asked for.
pub const RESOURCE: &str = "https://api.partnercenter.microsoft.com";
/// Microsoft's public cloud.
pub const DEFAULT_PARTNER_CENTER_URL: &str = "https://api.partnercenter.microsoft.com";
pub const DEFAULT_LOGIN_URL: &str = "https://login.microsoftonline.com";

/// A customer as `GET /v1/customers` lists it (camelCase, unknown fields ignored).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MsCustomer {
    /// The customer's tenant id.
    pub id: String,
    #[serde(default)]
    pub company_profile: CompanyProfile,
    #[serde(default)]
    pub relationship_to_partner: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyProfile {
    #[serde(default)]
    pub tenant_id: String,
    #[serde(default)]
    pub domain: String,
    #[serde(default)]
    pub company_name: String,
}

/// A subscription as `GET /v1/customers/{id}/subscriptions` answers it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MsSubscription {
    pub id: String,
    /// `ProductId:SkuId:AvailabilityId` for new commerce.
    #[serde(default)]
    pub offer_id: String,
    #[serde(default)]
    pub offer_name: String,
    #[serde(default)]
    pub friendly_name: String,
    #[serde(default)]
    pub quantity: u32,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub auto_renew_enabled: bool,
    #[serde(default)]
    pub is_trial: bool,
    #[serde(default)]
    pub billing_cycle: String,
    #[serde(default)]
    pub term_duration: String,
    #[serde(default)]
    pub effective_start_date: String,
    #[serde(default)]
    pub commitment_end_date: String,
}

/// One page of a collection: its items, and the continuation token of the next page, if any.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    #[serde(default)]
    pub links: Links,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Links {
    #[serde(default)]
    pub next: Option<Link>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Link {
    #[serde(default)]
    pub uri: String,
    #[serde(default)]
    pub headers: Vec<Header>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Header {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub value: String,
}

impl<T> Page<T> {
    /// The next page's continuation token (`MS-ContinuationToken` in `links.next.headers`).
    pub fn continuation(&self) -> Option<&str> {
        let next = self.links.next.as_ref()?;
        next.headers.iter().find(|h| h.key.eq_ignore_ascii_case("MS-ContinuationToken")).map(|h| h.value.as_str()).filter(|v| !v.is_empty())
    }
}

/// The date part of Microsoft's timestamps (`2021-01-14T16:57:14.498252Z`).
pub fn date_of(timestamp: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(timestamp.get(..10)?, "%Y-%m-%d").ok()
}

impl MsSubscription {
    /// The product and SKU of a new-commerce offer id (`CFQ7TTC0LH18:0001:CFQ7TTC0K971`).
    pub fn product(&self) -> Option<ProductKey> {
        let mut parts = self.offer_id.split(':');
        let (product, sku) = (parts.next()?, parts.next()?);
        (!product.is_empty() && !sku.is_empty()).then(|| ProductKey::new(product, sku))
    }

    pub fn term(&self) -> Option<Term> {
        Term::parse(&self.term_duration, "termDuration").ok()
    }

    pub fn billing(&self) -> Option<BillingPlan> {
        BillingPlan::parse(&self.billing_cycle, "billingCycle").ok()
    }

    /// Running at Microsoft: active or suspended (not deleted, expired, disabled).
    pub fn live(&self) -> bool {
        matches!(self.status.to_ascii_lowercase().as_str(), "active" | "suspended" | "pending")
    }
}

/// What Microsoft has: every customer, with their subscriptions.
#[derive(Debug, Clone, Default)]
pub struct MicrosoftBook {
    pub customers: Vec<(MsCustomer, Vec<MsSubscription>)>,
    /// Requests made to read it.
    pub requests: u32,
    /// Customers whose subscriptions a sync cut off earlier had read already (resumed).
    pub resumed: usize,
}

/// What a sync read, kept in the book while it runs (so that one cut off resumes): a customer
/// and its subscriptions as JSON.
pub fn encode_customer(c: &MsCustomer) -> String {
    serde_json::to_string(c).expect("a customer is plain data")
}

pub fn decode_customer(s: &str) -> crate::Result<MsCustomer> {
    serde_json::from_str(s).map_err(|e| crate::Error::database(format!("a sync under way cannot be read back: {e}")))
}

pub fn encode_subscriptions(subs: &[MsSubscription]) -> String {
    serde_json::to_string(subs).expect("subscriptions are plain data")
}

pub fn decode_subscriptions(s: &str) -> crate::Result<Vec<MsSubscription>> {
    serde_json::from_str(s).map_err(|e| crate::Error::database(format!("a sync under way cannot be read back: {e}")))
}

/// A customer as the book has it, for the drift (as reconciliation has it too).
pub use crate::recon::BookCustomer;

/// A subscription as the book has it, for the drift.
#[derive(Debug, Clone)]
pub struct BookSubscription {
    pub id: i64,
    pub customer_id: i64,
    pub ms_subscription_id: String,
    pub product: ProductKey,
    pub product_title: String,
    pub term: Term,
    pub billing: BillingPlan,
    pub quantity: u32,
    /// `active`, `suspended`, `cancelled`, `expired`.
    pub status: String,
    pub auto_renew: bool,
    pub term_end: NaiveDate,
}

/// Where an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftKind {
    OnlyAtMicrosoft,
    OnlyInSeatbook,
    Differs,
}

/// A field that differs, with both values as text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDiff {
    pub field: &'static str,
    pub seatbook: String,
    pub microsoft: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerDrift {
    pub kind: DriftKind,
    pub customer_id: Option<i64>,
    pub tenant_id: String,
    pub name: String,
    pub domain: String,
    pub fields: Vec<FieldDiff>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubscriptionDrift {
    pub kind: DriftKind,
    pub customer_id: Option<i64>,
    pub tenant_id: String,
    pub subscription_id: Option<i64>,
    pub ms_subscription_id: String,
    pub product: String,
    pub name: String,
    pub fields: Vec<FieldDiff>,
}

/// Everything that differs between the book and Microsoft.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Drift {
    pub customers: Vec<CustomerDrift>,
    pub subscriptions: Vec<SubscriptionDrift>,
}

/// The book's status as Microsoft words it.
fn ms_status(book_status: &str) -> &str {
    match book_status {
        "cancelled" => "deleted",
        other => other,
    }
}

/// Match the book against Microsoft: customers by tenant id, then domain; subscriptions by
/// Microsoft's subscription id. A customer or subscription of the book that was never linked
/// and is not at Microsoft is left out (the reseller sells it elsewhere); one that is linked and
/// missing there is `only_in_seatbook`. Microsoft's ended subscriptions the book does not have
/// are left out too.
pub fn drift(customers: &[BookCustomer], subscriptions: &[BookSubscription], ms: &MicrosoftBook) -> Drift {
    let mut out = Drift::default();
    let lower = |s: &str| s.trim().to_ascii_lowercase();
    let mut matched_customers = std::collections::HashSet::new();
    let mut seen_ms_subs = std::collections::HashSet::new();
    for (mc, subs) in &ms.customers {
        let tenant = lower(if mc.company_profile.tenant_id.is_empty() { &mc.id } else { &mc.company_profile.tenant_id });
        let domain = lower(&mc.company_profile.domain);
        let book = customers
            .iter()
            .find(|c| !c.tenant_id.is_empty() && lower(&c.tenant_id) == tenant)
            .or_else(|| customers.iter().find(|c| !domain.is_empty() && lower(&c.domain) == domain));
        match book {
            None => out.customers.push(CustomerDrift {
                kind: DriftKind::OnlyAtMicrosoft,
                customer_id: None,
                tenant_id: tenant.clone(),
                name: mc.company_profile.company_name.clone(),
                domain: domain.clone(),
                fields: Vec::new(),
            }),
            Some(c) => {
                matched_customers.insert(c.id);
                if lower(&c.tenant_id) != tenant {
                    out.customers.push(CustomerDrift {
                        kind: DriftKind::Differs,
                        customer_id: Some(c.id),
                        tenant_id: tenant.clone(),
                        name: c.name.clone(),
                        domain: c.domain.clone(),
                        fields: vec![FieldDiff { field: "tenant_id", seatbook: c.tenant_id.clone(), microsoft: tenant.clone() }],
                    });
                }
            }
        }
        for ms in subs {
            let id = lower(&ms.id);
            seen_ms_subs.insert(id.clone());
            let mine = subscriptions.iter().find(|s| !s.ms_subscription_id.is_empty() && lower(&s.ms_subscription_id) == id);
            let product = ms.product().map(|p| format!("{}:{}", p.product_id, p.sku_id)).unwrap_or_else(|| ms.offer_id.clone());
            let name = if ms.friendly_name.is_empty() { ms.offer_name.clone() } else { ms.friendly_name.clone() };
            match mine {
                None => {
                    if ms.live() {
                        out.subscriptions.push(SubscriptionDrift {
                            kind: DriftKind::OnlyAtMicrosoft,
                            customer_id: book.map(|c| c.id),
                            tenant_id: tenant.clone(),
                            subscription_id: None,
                            ms_subscription_id: id,
                            product,
                            name,
                            fields: Vec::new(),
                        });
                    }
                }
                Some(s) => {
                    let fields = subscription_fields(s, ms);
                    if !fields.is_empty() {
                        out.subscriptions.push(SubscriptionDrift {
                            kind: DriftKind::Differs,
                            customer_id: Some(s.customer_id),
                            tenant_id: tenant.clone(),
                            subscription_id: Some(s.id),
                            ms_subscription_id: id,
                            product,
                            name,
                            fields,
                        });
                    }
                }
            }
        }
    }
    for c in customers.iter().filter(|c| !c.tenant_id.is_empty() && !matched_customers.contains(&c.id)) {
        out.customers.push(CustomerDrift {
            kind: DriftKind::OnlyInSeatbook,
            customer_id: Some(c.id),
            tenant_id: lower(&c.tenant_id),
            name: c.name.clone(),
            domain: c.domain.clone(),
            fields: Vec::new(),
        });
    }
    for s in subscriptions
        .iter()
        .filter(|s| !s.ms_subscription_id.is_empty() && !seen_ms_subs.contains(&lower(&s.ms_subscription_id)))
        .filter(|s| matches!(s.status.as_str(), "active" | "suspended"))
    {
        let tenant = customers.iter().find(|c| c.id == s.customer_id).map(|c| lower(&c.tenant_id)).unwrap_or_default();
        out.subscriptions.push(SubscriptionDrift {
            kind: DriftKind::OnlyInSeatbook,
            customer_id: Some(s.customer_id),
            tenant_id: tenant,
            subscription_id: Some(s.id),
            ms_subscription_id: lower(&s.ms_subscription_id),
            product: format!("{}:{}", s.product.product_id, s.product.sku_id),
            name: s.product_title.clone(),
            fields: Vec::new(),
        });
    }
    out
}

/// The fields of a linked subscription that differ from Microsoft's.
fn subscription_fields(s: &BookSubscription, ms: &MsSubscription) -> Vec<FieldDiff> {
    let mut out = Vec::new();
    let mut diff = |field: &'static str, seatbook: String, microsoft: String| {
        if !seatbook.eq_ignore_ascii_case(&microsoft) {
            out.push(FieldDiff { field, seatbook, microsoft });
        }
    };
    diff("quantity", s.quantity.to_string(), ms.quantity.to_string());
    diff("status", ms_status(&s.status).to_string(), ms.status.to_ascii_lowercase());
    if ms.live() {
        diff("auto_renew", s.auto_renew.to_string(), ms.auto_renew_enabled.to_string());
        diff("term", s.term.as_str().to_string(), ms.term_duration.clone());
        diff("billing", s.billing.as_str().to_string(), ms.billing_cycle.to_ascii_lowercase());
        if let Some(end) = date_of(&ms.commitment_end_date) {
            diff("term_end", s.term_end.to_string(), end.to_string());
        }
        if let Some(p) = ms.product() {
            diff("product", format!("{}:{}", s.product.product_id, s.product.sku_id), format!("{}:{}", p.product_id, p.sku_id));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> MsSubscription {
        // Microsoft's documented subscription (DOMAIN §8; shared/samples/partner-center).
        serde_json::from_str(
            r#"{"id": "a4c1340d-6911-4758-bba3-0c4c6007d161", "offerId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971",
                "offerName": "Microsoft 365 Business Basic", "friendlyName": "Microsoft 365 Business Basic",
                "quantity": 15, "unitType": "Licenses", "creationDate": "2021-01-14T16:57:15.0966728Z",
                "effectiveStartDate": "2021-01-14T16:57:14.498252Z", "commitmentEndDate": "2022-01-13T00:00:00Z",
                "status": "active", "autoRenewEnabled": true, "isTrial": false, "billingType": "license",
                "billingCycle": "monthly", "termDuration": "P1Y", "refundableQuantity": {"totalQuantity": 10}}"#,
        )
        .unwrap()
    }

    fn book_sub(quantity: u32, auto_renew: bool) -> BookSubscription {
        BookSubscription {
            id: 7,
            customer_id: 1,
            ms_subscription_id: "A4C1340D-6911-4758-BBA3-0C4C6007D161".into(),
            product: ProductKey::new("CFQ7TTC0LH18", "0001"),
            product_title: "Microsoft 365 Business Basic".into(),
            term: Term::P1Y,
            billing: BillingPlan::Monthly,
            quantity,
            status: "active".into(),
            auto_renew,
            term_end: NaiveDate::from_ymd_opt(2022, 1, 13).unwrap(),
        }
    }

    fn customer(tenant: &str, domain: &str, subs: Vec<MsSubscription>) -> (MsCustomer, Vec<MsSubscription>) {
        let c = MsCustomer {
            id: tenant.into(),
            company_profile: CompanyProfile { tenant_id: tenant.into(), domain: domain.into(), company_name: "Contoso".into() },
            relationship_to_partner: "reseller".into(),
        };
        (c, subs)
    }

    #[test]
    fn microsofts_documented_subscription_reads_as_the_book_keeps_it() {
        let s = sample();
        assert_eq!(s.product(), Some(ProductKey::new("CFQ7TTC0LH18", "0001")));
        assert_eq!((s.term(), s.billing(), s.quantity), (Some(Term::P1Y), Some(BillingPlan::Monthly), 15));
        assert_eq!(date_of(&s.commitment_end_date), NaiveDate::from_ymd_opt(2022, 1, 13));
    }

    #[test]
    fn the_drift_names_what_is_only_on_one_side_and_what_differs() {
        let book = [
            BookCustomer { id: 1, name: "Contoso".into(), domain: "contoso.onmicrosoft.com".into(), tenant_id: String::new() },
            BookCustomer { id: 2, name: "Gone".into(), domain: "gone.onmicrosoft.com".into(), tenant_id: "t-gone".into() },
            BookCustomer { id: 3, name: "Elsewhere".into(), domain: "elsewhere.example".into(), tenant_id: String::new() },
        ];
        let mut other = sample();
        other.id = "b-2".into();
        let ms = MicrosoftBook {
            customers: vec![
                customer("t-contoso", "Contoso.onmicrosoft.com", vec![sample(), other]),
                customer("t-new", "new.onmicrosoft.com", vec![]),
            ],
            requests: 3,
            resumed: 0,
        };
        let d = drift(&book, &[book_sub(10, true)], &ms);
        let customers: Vec<(DriftKind, Option<i64>, &str)> =
            d.customers.iter().map(|c| (c.kind, c.customer_id, c.tenant_id.as_str())).collect();
        // Contoso matched by domain (its tenant id to be taken in); the new one only at
        // Microsoft; the linked one gone from Microsoft; the unlinked one sold elsewhere: left out.
        assert_eq!(
            customers,
            [
                (DriftKind::Differs, Some(1), "t-contoso"),
                (DriftKind::OnlyAtMicrosoft, None, "t-new"),
                (DriftKind::OnlyInSeatbook, Some(2), "t-gone")
            ]
        );
        let subs: Vec<(DriftKind, &str, Vec<&str>)> =
            d.subscriptions.iter().map(|s| (s.kind, s.ms_subscription_id.as_str(), s.fields.iter().map(|f| f.field).collect())).collect();
        assert_eq!(
            subs,
            [(DriftKind::Differs, "a4c1340d-6911-4758-bba3-0c4c6007d161", vec!["quantity"]), (DriftKind::OnlyAtMicrosoft, "b-2", vec![])]
        );
        assert_eq!((d.subscriptions[0].fields[0].seatbook.as_str(), d.subscriptions[0].fields[0].microsoft.as_str()), ("10", "15"));
    }
}
