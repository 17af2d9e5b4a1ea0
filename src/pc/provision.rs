//! What a change made in Seatbook asks of Partner Center (DOMAIN §8), pure: the values to set on
//! Microsoft's whole subscription object (fetched just before, and sent back whole: a partial body
//! silently turns auto-renew off), whether an object Microsoft answers already shows them, what
//! the subscription was before (to undo the change should Microsoft refuse it), and what of
//! Microsoft's answer the book keeps.

use crate::subscription::{RenewalChanges, Status, Subscription};
use crate::{Error, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A change sent to Microsoft, as the values Microsoft's subscription object is to have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "set", rename_all = "snake_case")]
pub enum Change {
    Quantity {
        quantity: u32,
    },
    /// Microsoft's `status`: `active`, `suspended` or `deleted` (cancelled).
    Status {
        status: String,
    },
    AutoRenew {
        enabled: bool,
    },
    /// `scheduledNextTermInstructions`: what the next term is to be.
    Schedule {
        product_id: String,
        sku_id: String,
        availability_id: String,
        quantity: u32,
        term: String,
        billing: String,
    },
    /// An upgrade to another product, through Microsoft's transition eligibilities and a
    /// transition of the whole subscription.
    Upgrade {
        product_id: String,
        sku_id: String,
        quantity: u32,
        term: String,
        billing: String,
    },
    /// A new subscription, bought through a cart: the catalog item is the product's current
    /// availability in the customer's country (fetched when sent, never kept as a key).
    Purchase {
        product_id: String,
        sku_id: String,
        quantity: u32,
        term: String,
        billing: String,
        country: String,
    },
    /// A new customer (`POST /v1/customers`, the entry's request id on every try so that it is
    /// made once), then the Microsoft Customer Agreement attested as accepted on `date_agreed`.
    Customer {
        customer: NewCustomer,
        date_agreed: NaiveDate,
    },
    /// A linked customer's billing profile (`PUT …/profiles/billing`, Microsoft's whole profile
    /// fetched just before, with its etag): the company's name, its contact, e-mail and phone.
    /// The contact's names are kept as Microsoft has them when the book's contact is one word.
    BillingProfile {
        company_name: String,
        email: String,
        first_name: Option<String>,
        last_name: Option<String>,
        phone: String,
    },
}

/// What the book does, as the outbox names it (`pc outbox`'s `action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Purchase,
    Upgrade,
    Seats,
    Suspend,
    Reactivate,
    Cancel,
    AutoRenew,
    Schedule,
    /// A customer made at Microsoft.
    Customer,
    /// A linked customer's name, contact, e-mail or phone changed.
    BillingProfile,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Purchase => "purchase",
            Action::Upgrade => "upgrade",
            Action::Seats => "seats",
            Action::Suspend => "suspend",
            Action::Reactivate => "reactivate",
            Action::Cancel => "cancel",
            Action::AutoRenew => "auto_renew",
            Action::Schedule => "schedule",
            Action::Customer => "customer",
            Action::BillingProfile => "billing_profile",
        }
    }
}

/// The change that makes Microsoft's subscription match `after`, the book's subscription once
/// `action` is done (a renewal's availability is filled in from Microsoft's object when sent).
pub fn change_for(action: Action, after: &Subscription, country: &str) -> Change {
    match action {
        Action::Purchase => Change::Purchase {
            product_id: after.product.product_id.clone(),
            sku_id: after.product.sku_id.clone(),
            quantity: after.quantity,
            term: after.term.as_str().to_string(),
            billing: billing_cycle(after.billing.as_str()),
            country: country.to_ascii_uppercase(),
        },
        Action::Upgrade => Change::Upgrade {
            product_id: after.product.product_id.clone(),
            sku_id: after.product.sku_id.clone(),
            quantity: after.quantity,
            term: after.term.as_str().to_string(),
            billing: billing_cycle(after.billing.as_str()),
        },
        Action::Seats => Change::Quantity { quantity: after.quantity },
        Action::Suspend => Change::Status { status: "suspended".into() },
        Action::Reactivate => Change::Status { status: "active".into() },
        Action::Cancel => Change::Status { status: "deleted".into() },
        Action::AutoRenew | Action::Customer | Action::BillingProfile => Change::AutoRenew { enabled: after.auto_renew },
        Action::Schedule => {
            let s = &after.scheduled;
            let product = s.product.clone().unwrap_or_else(|| after.product.clone());
            Change::Schedule {
                availability_id: String::new(),
                product_id: product.product_id,
                sku_id: product.sku_id,
                quantity: s.quantity.unwrap_or(after.quantity),
                term: s.term.unwrap_or(after.term).as_str().to_string(),
                billing: billing_cycle(s.billing.unwrap_or(after.billing).as_str()),
            }
        }
    }
}

/// Microsoft's billing cycle word for the book's plan.
fn billing_cycle(plan: &str) -> String {
    match plan {
        "monthly" => "Monthly".into(),
        "annual" => "Annual".into(),
        "triennial" => "Triennial".into(),
        other => other.to_string(),
    }
}

impl Change {
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("a change is plain data")
    }

    pub fn decode(s: &str) -> Result<Change> {
        serde_json::from_str(s).map_err(|e| Error::database(format!("a Partner Center outbox entry cannot be read: {e}")))
    }

    /// In words, for the outbox's list and the history.
    pub fn describe(&self) -> String {
        match self {
            Change::Quantity { quantity } => format!("{quantity} seats"),
            Change::Status { status } if status == "deleted" => "the cancellation".into(),
            Change::Status { status } if status == "suspended" => "the suspension".into(),
            Change::Status { status } if status == "active" => "the reactivation".into(),
            Change::Status { status } => status.clone(),
            Change::AutoRenew { enabled: true } => "auto-renew on".into(),
            Change::AutoRenew { enabled: false } => "auto-renew off".into(),
            Change::Schedule { quantity, term, billing, product_id, sku_id, .. } => {
                format!("the changes at renewal ({product_id}:{sku_id}, {quantity} seats, {term} billed {})", billing.to_lowercase())
            }
            Change::Upgrade { product_id, sku_id, .. } => format!("the upgrade to {product_id}:{sku_id}"),
            Change::Purchase { quantity, term, billing, product_id, sku_id, .. } => {
                format!("the purchase of {quantity} seats of {product_id}:{sku_id}, {term} billed {}", billing.to_lowercase())
            }
            Change::Customer { customer, .. } => format!("the new customer {} ({})", customer.company_name, customer.domain),
            Change::BillingProfile { company_name, email, .. } => format!("the billing profile ({company_name}, {email})"),
        }
    }

    /// Set the change on Microsoft's whole subscription object, as fetched: every other field is
    /// sent back as Microsoft gave it.
    pub fn apply(&self, object: &mut Value) {
        let Some(o) = object.as_object_mut() else { return };
        match self {
            Change::Quantity { quantity } => set(o, "quantity", Value::from(*quantity)),
            Change::Status { status } => set(o, "status", Value::from(status.as_str())),
            Change::AutoRenew { enabled } => set(o, "autoRenewEnabled", Value::from(*enabled)),
            Change::Schedule { product_id, sku_id, availability_id, quantity, term, billing } => {
                let mut product = Map::new();
                product.insert("productId".into(), Value::from(product_id.as_str()));
                product.insert("skuId".into(), Value::from(sku_id.as_str()));
                if !availability_id.is_empty() {
                    product.insert("availabilityId".into(), Value::from(availability_id.as_str()));
                }
                product.insert("termDuration".into(), Value::from(term.as_str()));
                product.insert("billingCycle".into(), Value::from(billing.as_str()));
                let mut next = Map::new();
                next.insert("product".into(), Value::Object(product));
                next.insert("quantity".into(), Value::from(*quantity));
                set(o, "scheduledNextTermInstructions", Value::Object(next));
            }
            Change::BillingProfile { company_name, email, first_name, last_name, phone } => {
                set(o, "companyName", Value::from(company_name.as_str()));
                set(o, "email", Value::from(email.as_str()));
                let names = first_name.as_deref().zip(last_name.as_deref());
                if let Some((first, last)) = names {
                    set(o, "firstName", Value::from(first));
                    set(o, "lastName", Value::from(last));
                }
                let address = o.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case("defaultAddress")).map(|(_, v)| v);
                if let Some(Value::Object(a)) = address {
                    if let Some((first, last)) = names {
                        set(a, "firstName", Value::from(first));
                        set(a, "lastName", Value::from(last));
                    }
                    if !phone.is_empty() {
                        set(a, "phoneNumber", Value::from(phone.as_str()));
                    }
                }
            }
            // A purchase is a cart, an upgrade a transition, a customer a new one: not a change
            // to an object.
            Change::Purchase { .. } | Change::Upgrade { .. } | Change::Customer { .. } => {}
        }
    }

    /// The change with what only Microsoft's current object knows: the availability of a
    /// renewal on the same product and SKU (Microsoft's, and it changes over time).
    pub fn completed_by(&self, object: &Value) -> Change {
        match self {
            Change::Schedule { product_id, sku_id, availability_id, quantity, term, billing } if availability_id.is_empty() => {
                let offer = field(object, "offerId").and_then(Value::as_str).unwrap_or_default();
                let mut parts = offer.split(':');
                let same = parts.next() == Some(product_id.as_str()) && parts.next() == Some(sku_id.as_str());
                Change::Schedule {
                    product_id: product_id.clone(),
                    sku_id: sku_id.clone(),
                    availability_id: if same { parts.next().unwrap_or_default().to_string() } else { String::new() },
                    quantity: *quantity,
                    term: term.clone(),
                    billing: billing.clone(),
                }
            }
            other => other.clone(),
        }
    }

    /// Whether Microsoft's object already shows the change (a change Microsoft accepted and
    /// finished later, or one it applied before its answer was lost).
    pub fn shown_by(&self, object: &Value) -> bool {
        match self {
            Change::Quantity { quantity } => field(object, "quantity").and_then(Value::as_u64) == Some(u64::from(*quantity)),
            Change::Status { status } => field(object, "status").and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case(status)),
            Change::AutoRenew { enabled } => field(object, "autoRenewEnabled").and_then(Value::as_bool) == Some(*enabled),
            Change::Schedule { quantity, .. } => field(object, "scheduledNextTermInstructions")
                .and_then(|n| field(n, "quantity"))
                .and_then(Value::as_u64)
                .is_some_and(|q| q == u64::from(*quantity)),
            Change::Purchase { .. } | Change::Customer { .. } => false,
            Change::BillingProfile { company_name, email, .. } => {
                field(object, "companyName").and_then(Value::as_str) == Some(company_name.as_str())
                    && field(object, "email").and_then(Value::as_str).is_some_and(|e| e.eq_ignore_ascii_case(email))
            }
            Change::Upgrade { product_id, sku_id, .. } => field(object, "offerId")
                .and_then(Value::as_str)
                .is_some_and(|o| o.to_ascii_uppercase().starts_with(&format!("{product_id}:{sku_id}:").to_ascii_uppercase())),
        }
    }
}

/// The catalog item to buy: among a SKU's availabilities (`GET …/availabilities`), the first
/// sold with the term and billing cycle asked for, else the first.
pub fn catalog_item(availabilities: &Value, term: &str, billing: &str) -> Option<String> {
    let items = field(availabilities, "items")?.as_array()?;
    let sold_with = |a: &Value| {
        field(a, "terms").and_then(Value::as_array).is_some_and(|terms| {
            terms.iter().any(|t| {
                field(t, "duration").and_then(Value::as_str).is_some_and(|d| d.eq_ignore_ascii_case(term))
                    && field(t, "billingCycle").and_then(Value::as_str).is_some_and(|b| b.eq_ignore_ascii_case(billing))
            })
        })
    };
    let id = |a: &Value| field(a, "catalogItemId").and_then(Value::as_str).map(str::to_string);
    items.iter().find(|a| sold_with(a)).and_then(id).or_else(|| items.first().and_then(id))
}

/// Among a subscription's transition eligibilities (`GET …/transitionEligibilities`), the
/// catalog item of `product_id:sku_id`: `Ok` when Microsoft allows the transition, else its
/// reason (code, description).
pub fn eligible_transition(eligibilities: &Value, product_id: &str, sku_id: &str) -> std::result::Result<String, (String, String)> {
    let prefix = format!("{product_id}:{sku_id}:").to_ascii_uppercase();
    let items = field(eligibilities, "items").and_then(Value::as_array).cloned().unwrap_or_default();
    let Some(item) = items
        .iter()
        .find(|i| field(i, "catalogItemId").and_then(Value::as_str).is_some_and(|c| c.to_ascii_uppercase().starts_with(&prefix)))
    else {
        return Err((String::new(), format!("Microsoft offers no transition to {product_id}:{sku_id} from this subscription now")));
    };
    let id = field(item, "catalogItemId").and_then(Value::as_str).unwrap_or_default().to_string();
    let details = field(item, "eligibilities").and_then(Value::as_array).cloned().unwrap_or_default();
    if details.iter().any(|d| field(d, "isEligible").and_then(Value::as_bool) == Some(true)) {
        return Ok(id);
    }
    let error = details.iter().filter_map(|d| field(d, "errors").and_then(Value::as_array)).flatten().next();
    let code = code_of(error.and_then(|e| field(e, "code")));
    let description = error.and_then(|e| field(e, "description")).and_then(Value::as_str).unwrap_or("not eligible").to_string();
    Err((code, description))
}

/// A transition of the whole subscription to `catalog_item_id`.
pub fn transition(catalog_item_id: &str, quantity: u32, term: &str, billing: &str) -> Value {
    serde_json::json!({"toCatalogItemId": catalog_item_id, "quantity": quantity, "termDuration": term, "billingCycle": billing,
                       "transitionType": "transition_only"})
}

/// A cart of one line: the catalog item, its seats, term and billing cycle.
pub fn cart(catalog_item_id: &str, quantity: u32, term: &str, billing: &str) -> Value {
    serde_json::json!({"lineItems": [{"id": 0, "catalogItemId": catalog_item_id, "quantity": quantity,
        "termDuration": term, "billingCycle": billing}]})
}

/// What a checkout (`CartCheckoutResult {orders, orderErrors}`) or a later read of the order
/// says: refused (Microsoft's code and description), or the order with the new subscription's
/// id once Microsoft has provisioned it.
#[derive(Debug, Clone, PartialEq)]
pub enum Checkout {
    Refused { code: String, description: String },
    Ordered { order_id: String, ms_subscription_id: Option<String> },
}

pub fn checkout(result: &Value) -> Option<Checkout> {
    if let Some(e) = field(result, "orderErrors").and_then(Value::as_array).and_then(|e| e.first()) {
        let code = code_of(field(e, "code"));
        let description = field(e, "description").and_then(Value::as_str).unwrap_or_default().to_string();
        return Some(Checkout::Refused { code, description });
    }
    let order = field(result, "orders").and_then(Value::as_array).and_then(|o| o.first()).unwrap_or(result);
    order_of(order)
}

/// An order (`GET …/orders/{id}`): its id and its first line's subscription, if provisioned.
pub fn order_of(order: &Value) -> Option<Checkout> {
    let order_id = field(order, "id").and_then(Value::as_str)?.to_string();
    let ms_subscription_id = field(order, "lineItems")
        .and_then(Value::as_array)
        .and_then(|l| l.first())
        .and_then(|l| field(l, "subscriptionId"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase);
    Some(Checkout::Ordered { order_id, ms_subscription_id })
}

/// A customer as the partner makes it at Microsoft (`POST /v1/customers`): its tenant's domain,
/// its company and billing profile with the default address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCustomer {
    pub domain: String,
    pub company_name: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub address_line: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    /// ISO 3166 two letters.
    pub country: String,
}

impl NewCustomer {
    /// Microsoft's request body (PascalCase, as in its documented sample).
    pub fn body(&self) -> Value {
        let mut address = serde_json::json!({
            "FirstName": self.first_name, "LastName": self.last_name, "AddressLine1": self.address_line,
            "City": self.city, "PostalCode": self.postal_code, "Country": self.country,
        });
        if !self.state.is_empty() {
            address["State"] = Value::from(self.state.as_str());
        }
        if !self.phone.is_empty() {
            address["PhoneNumber"] = Value::from(self.phone.as_str());
        }
        serde_json::json!({
            "CompanyProfile": {"Domain": self.domain},
            "BillingProfile": {"Culture": "EN-US", "Email": self.email, "Language": "en", "CompanyName": self.company_name,
                               "DefaultAddress": address}
        })
    }

    /// The attestation that the customer accepted the Microsoft Customer Agreement
    /// (`POST /v1/customers/{id}/agreements`): who accepted it, and when.
    pub fn agreement(&self, template_id: &str, date: NaiveDate) -> Value {
        let mut contact = serde_json::json!({"firstName": self.first_name, "lastName": self.last_name, "email": self.email});
        if !self.phone.is_empty() {
            contact["phoneNumber"] = Value::from(self.phone.as_str());
        }
        serde_json::json!({"primaryContact": contact, "templateId": template_id, "dateAgreed": format!("{date}T00:00:00Z"),
                           "type": "MicrosoftCustomerAgreement"})
    }
}

/// A linked customer's name and contact as the book had them before a change sent to Microsoft's
/// billing profile (to put back should Microsoft refuse it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerBefore {
    pub name: String,
    pub contact_person: String,
    pub email: String,
    pub phone: String,
}

impl CustomerBefore {
    pub fn of(c: &crate::customer::Customer) -> CustomerBefore {
        CustomerBefore { name: c.name.clone(), contact_person: c.contact_person.clone(), email: c.email.clone(), phone: c.phone.clone() }
    }

    /// The profile change that makes Microsoft's billing profile match the book's customer.
    pub fn profile(&self) -> Change {
        let (first_name, last_name) = split_name(&self.contact_person);
        Change::BillingProfile {
            company_name: self.name.trim().to_string(),
            email: first_address(&self.email),
            first_name,
            last_name,
            phone: self.phone.trim().to_string(),
        }
    }

    /// The fields to put back: those the book still holds as `sent` them (a later change to a
    /// field is the user's, and stays).
    pub fn restore(&self, now: &CustomerBefore, sent: &CustomerBefore) -> crate::customer::CustomerFields {
        let back = |before: &str, now: &str, sent: &str| (now == sent && before != now).then(|| before.to_string());
        crate::customer::CustomerFields {
            name: back(&self.name, &now.name, &sent.name),
            contact_person: back(&self.contact_person, &now.contact_person, &sent.contact_person),
            email: back(&self.email, &now.email, &sent.email),
            phone: back(&self.phone, &now.phone, &sent.phone),
            ..Default::default()
        }
    }
}

/// A change to a linked customer's billing profile as the outbox keeps it: the customer's
/// fields before and after, so that a refusal puts back what the change changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileEdit {
    pub before: CustomerBefore,
    pub after: CustomerBefore,
}

impl ProfileEdit {
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("a customer's contact is plain data")
    }

    pub fn decode(s: &str) -> Result<ProfileEdit> {
        serde_json::from_str(s).map_err(|e| Error::database(format!("a Partner Center outbox entry cannot be read: {e}")))
    }
}

/// A contact person's first and last name as Microsoft wants them (the last word is the last
/// name); `None` for a single word.
pub fn split_name(contact: &str) -> (Option<String>, Option<String>) {
    match contact.trim().rsplit_once(' ') {
        Some((first, last)) if !first.trim().is_empty() => (Some(first.trim().to_string()), Some(last.to_string())),
        _ => (None, None),
    }
}

/// The first of a customer's billing addresses (the book keeps several, comma-separated).
pub fn first_address(emails: &str) -> String {
    emails.split([',', ';']).map(str::trim).find(|e| !e.is_empty()).unwrap_or_default().to_string()
}

/// The tenant id of a customer Microsoft made (`id`, else `companyProfile.tenantId`).
pub fn tenant_of(customer: &Value) -> Option<String> {
    id_of(customer)
        .or_else(|| field(customer, "companyProfile").and_then(|p| field(p, "tenantId")).and_then(Value::as_str).map(str::to_string))
        .map(|t| t.to_ascii_lowercase())
}

/// The Microsoft Customer Agreement's current template (`GET /v1/agreements`).
pub fn agreement_template(agreements: &Value) -> Option<String> {
    let items = field(agreements, "items")?.as_array()?;
    items
        .iter()
        .find(|a| field(a, "agreementType").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case("MicrosoftCustomerAgreement")))
        .or_else(|| items.first())
        .and_then(|a| field(a, "templateId"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// A field of Microsoft's object, whatever its case (responses are camelCase, Microsoft's own
/// request samples PascalCase).
pub fn field<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    let o = object.as_object()?;
    o.get(name).or_else(|| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

/// Set a field, replacing it in whatever case Microsoft wrote it.
fn set(o: &mut Map<String, Value>, name: &str, value: Value) {
    let key = o.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned().unwrap_or_else(|| name.to_string());
    o.insert(key, value);
}

/// Microsoft's error code as text: it writes some as numbers (`800088`), some as strings.
pub fn code_of(code: Option<&Value>) -> String {
    match code {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// An object's `id` (a cart's, an order's).
pub fn id_of(object: &Value) -> Option<String> {
    field(object, "id").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The subscription's etag (`attributes.etag`), sent back in `If-Match`.
pub fn etag(object: &Value) -> Option<String> {
    field(object, "attributes").and_then(|a| field(a, "etag")).and_then(Value::as_str).map(str::to_string)
}

/// Where the book and Microsoft's subscription differ in what can change during a term: seats,
/// status and auto-renew, each as Microsoft has it (`None`: they agree).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Differences {
    pub quantity: Option<u32>,
    /// Microsoft's status as the book words it (`active`, `suspended`, `cancelled`).
    pub status: Option<Status>,
    pub auto_renew: Option<bool>,
}

impl Differences {
    pub fn between(book: &Subscription, object: &Value) -> Differences {
        let quantity = field(object, "quantity").and_then(Value::as_u64).and_then(|q| u32::try_from(q).ok());
        let status = field(object, "status").and_then(Value::as_str).and_then(|s| match s.to_ascii_lowercase().as_str() {
            "active" => Some(Status::Active),
            "suspended" | "disabled" => Some(Status::Suspended),
            "deleted" | "expired" => Some(Status::Cancelled),
            _ => None,
        });
        let auto_renew = field(object, "autoRenewEnabled").and_then(Value::as_bool);
        Differences {
            quantity: quantity.filter(|q| *q != book.quantity),
            status: status.filter(|s| *s != book.status && !(book.status == Status::Expired && *s == Status::Cancelled)),
            auto_renew: auto_renew.filter(|a| *a != book.auto_renew),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.quantity.is_none() && self.status.is_none() && self.auto_renew.is_none()
    }

    /// The changes that make Microsoft's subscription what `book` is, for the fields that differ.
    pub fn pushed(&self, book: &Subscription) -> Vec<(Action, Change)> {
        let mut out = Vec::new();
        if self.status.is_some() {
            match book.status {
                Status::Active => out.push((Action::Reactivate, Change::Status { status: "active".into() })),
                Status::Suspended => out.push((Action::Suspend, Change::Status { status: "suspended".into() })),
                Status::Cancelled | Status::Expired => out.push((Action::Cancel, Change::Status { status: "deleted".into() })),
            }
        }
        if self.quantity.is_some() {
            out.push((Action::Seats, Change::Quantity { quantity: book.quantity }));
        }
        if self.auto_renew.is_some() {
            out.push((Action::AutoRenew, Change::AutoRenew { enabled: book.auto_renew }));
        }
        out
    }
}

/// The subscription as it was before a change: what undoing it restores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Before {
    pub quantity: u32,
    pub status: String,
    pub auto_renew: bool,
    pub ended_on: Option<NaiveDate>,
    pub scheduled_quantity: Option<u32>,
    pub scheduled_term: Option<String>,
    pub scheduled_billing: Option<String>,
    pub scheduled_product: Option<String>,
    /// The product and its locked price (what an upgrade changes).
    #[serde(default)]
    pub product: Option<String>,
    #[serde(default)]
    pub product_title: Option<String>,
    #[serde(default)]
    pub price: Option<(String, String, String, String, String)>,
    #[serde(default)]
    pub price_override: Option<String>,
}

impl Before {
    pub fn of(s: &Subscription) -> Before {
        Before {
            quantity: s.quantity,
            status: s.status.as_str().to_string(),
            auto_renew: s.auto_renew,
            ended_on: s.ended_on,
            scheduled_quantity: s.scheduled.quantity,
            scheduled_term: s.scheduled.term.map(|t| t.as_str().to_string()),
            scheduled_billing: s.scheduled.billing.map(|b| b.as_str().to_string()),
            scheduled_product: s.scheduled.product.as_ref().map(|p| p.to_string()),
            product: Some(s.product.to_string()),
            product_title: Some(s.product_title.clone()),
            price: Some((
                s.price.unit_cost.to_string(),
                s.price.cost_currency.code().to_string(),
                s.price.unit_price.to_string(),
                s.price.price_currency.code().to_string(),
                s.price.rule.clone(),
            )),
            price_override: s.price_override.map(|p| p.to_string()),
        }
    }

    /// `s` as it was.
    pub fn restore(&self, s: &mut Subscription) -> Result<()> {
        let bad = |e: Error| Error::database(format!("a Partner Center outbox entry cannot be read: {}", e.message));
        if let (Some(product), Some(title), Some((cost, cost_currency, price, price_currency, rule))) =
            (&self.product, &self.product_title, &self.price)
        {
            let number = |v: &str| {
                v.parse::<rust_decimal::Decimal>()
                    .map_err(|e| Error::database(format!("a Partner Center outbox entry cannot be read: {e}")))
            };
            s.product = crate::catalogue::ProductKey::parse(product, "product").map_err(bad)?;
            s.product_title = title.clone();
            s.price = crate::pricing::LockedPrice {
                unit_cost: number(cost)?,
                cost_currency: crate::money::Currency::parse(cost_currency, "currency").map_err(bad)?,
                unit_price: number(price)?,
                price_currency: crate::money::Currency::parse(price_currency, "currency").map_err(bad)?,
                rule: rule.clone(),
            };
            s.price_override = self.price_override.as_deref().map(number).transpose()?;
        }
        s.quantity = self.quantity;
        s.status = Status::parse(&self.status, "status").map_err(bad)?;
        s.auto_renew = self.auto_renew;
        s.ended_on = self.ended_on;
        s.scheduled = RenewalChanges {
            quantity: self.scheduled_quantity,
            term: self.scheduled_term.as_deref().map(|t| crate::catalogue::Term::parse(t, "term")).transpose().map_err(bad)?,
            billing: self
                .scheduled_billing
                .as_deref()
                .map(|b| crate::catalogue::BillingPlan::parse(b, "billing"))
                .transpose()
                .map_err(bad)?,
            product: self
                .scheduled_product
                .as_deref()
                .map(|p| crate::catalogue::ProductKey::parse(p, "product"))
                .transpose()
                .map_err(bad)?,
        };
        Ok(())
    }

    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("a subscription's state is plain data")
    }

    pub fn decode(s: &str) -> Result<Before> {
        serde_json::from_str(s).map_err(|e| Error::database(format!("a Partner Center outbox entry cannot be read: {e}")))
    }
}

/// What the book keeps of Microsoft's answer to a change: Microsoft's word on the subscription.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub quantity: Option<u64>,
    pub status: String,
    pub auto_renew: Option<bool>,
    pub commitment_end_date: String,
    /// Seats Microsoft would still take back (`refundableQuantity.totalQuantity`), and until when.
    pub refundable_quantity: Option<u64>,
    pub refundable_until: String,
    pub cancellation_allowed_until: String,
}

impl Answer {
    pub fn of(object: &Value) -> Answer {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
        let refundable = field(object, "refundableQuantity");
        Answer {
            quantity: field(object, "quantity").and_then(Value::as_u64),
            status: text(field(object, "status")),
            auto_renew: field(object, "autoRenewEnabled").and_then(Value::as_bool),
            commitment_end_date: text(field(object, "commitmentEndDate")),
            refundable_quantity: refundable.and_then(|r| field(r, "totalQuantity")).and_then(Value::as_u64),
            refundable_until: refundable
                .and_then(|r| field(r, "details"))
                .and_then(Value::as_array)
                .and_then(|d| d.iter().filter_map(|x| field(x, "allowedUntilDateTime").and_then(Value::as_str)).max())
                .unwrap_or_default()
                .to_string(),
            cancellation_allowed_until: text(field(object, "cancellationAllowedUntilDate")),
        }
    }

    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("an answer is plain data")
    }

    pub fn decode(s: &str) -> Option<Answer> {
        serde_json::from_str(s).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_change_is_set_on_the_whole_object_and_nothing_else_moves() {
        let mut o = json!({"id": "a4c1", "quantity": 15, "status": "active", "autoRenewEnabled": true,
                           "attributes": {"etag": "E1", "objectType": "Subscription"}});
        let c = Change::Quantity { quantity: 17 };
        assert!(!c.shown_by(&o));
        c.apply(&mut o);
        assert_eq!(o["quantity"], 17);
        assert_eq!(o["autoRenewEnabled"], true, "a whole object keeps auto-renew as Microsoft had it");
        assert!(c.shown_by(&o));
        assert_eq!(etag(&o).as_deref(), Some("E1"));
        // Microsoft's own request samples are PascalCase.
        let mut p = json!({"Quantity": 2, "Status": "active", "Attributes": {"Etag": "E2"}});
        Change::Status { status: "deleted".into() }.apply(&mut p);
        assert_eq!(p["Status"], "deleted");
        assert!(p.get("status").is_none());
        assert_eq!(etag(&p).as_deref(), Some("E2"));
    }

    #[test]
    fn a_purchase_finds_its_catalog_item_and_reads_the_checkout() {
        let a = json!({"totalCount": 2, "items": [
            {"catalogItemId": "P:0001:AAA", "terms": [{"duration": "P1M", "billingCycle": "monthly"}]},
            {"catalogItemId": "P:0001:BBB", "terms": [{"duration": "P1Y", "billingCycle": "annual"}, {"duration": "P1Y", "billingCycle": "monthly"}]}]});
        assert_eq!(catalog_item(&a, "P1Y", "Monthly").as_deref(), Some("P:0001:BBB"));
        assert_eq!(catalog_item(&a, "P3Y", "Triennial").as_deref(), Some("P:0001:AAA"), "else the first");
        let done = json!({"orders": [{"id": "a687", "lineItems": [{"lineItemNumber": 0, "subscriptionId": "0C353B8E-DA9D"}], "status": "completed"}]});
        assert_eq!(checkout(&done), Some(Checkout::Ordered { order_id: "a687".into(), ms_subscription_id: Some("0c353b8e-da9d".into()) }));
        let pending = json!({"orders": [{"id": "a688", "lineItems": [{"lineItemNumber": 0}], "status": "pending"}]});
        assert_eq!(checkout(&pending), Some(Checkout::Ordered { order_id: "a688".into(), ms_subscription_id: None }));
        let refused = json!({"orders": [], "orderErrors": [{"orderGroupId": "0", "code": 800088, "description": "seat limit"}]});
        assert_eq!(checkout(&refused), Some(Checkout::Refused { code: "800088".into(), description: "seat limit".into() }));
    }

    #[test]
    fn microsofts_answer_keeps_its_refundable_seats() {
        let a = Answer::of(&json!({"quantity": 15, "status": "active", "autoRenewEnabled": false,
            "commitmentEndDate": "2022-01-13T00:00:00Z",
            "refundableQuantity": {"totalQuantity": 10, "details": [{"quantity": 10, "allowedUntilDateTime": "2021-01-24T20:39:17Z"}]}}));
        assert_eq!(a.quantity, Some(15));
        assert_eq!(a.refundable_quantity, Some(10));
        assert_eq!(a.refundable_until, "2021-01-24T20:39:17Z");
        assert_eq!(Answer::decode(&a.encode()), Some(a));
    }
}
