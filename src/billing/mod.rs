//! Monthly billing (DOMAIN §4–5). `engine` is a pure function from a snapshot of the book and a
//! month to invoice drafts; the store loads the snapshot, and issues the drafts in one
//! transaction with gapless numbers. `services` holds the reseller's own charges; `documents` the invoices and credit notes as
//! plain values, and `credit` what a credit note may credit.

pub mod credit;
pub mod documents;
pub mod engine;
pub mod services;

pub use credit::{credit_draft, CreditDraft};
pub use documents::{BillingRun, CreditMode, CreditNoteView, InvoiceLineView, InvoiceView};
pub use engine::{bill, CustomerBook, Draft, DraftLine, LineDetail, LineKind, Problem, Snapshot, SubscriptionBook, UsageCharge};
pub use services::{Charge, InstalmentPlan, Service, ServiceBasis};

#[cfg(test)]
mod tests;
