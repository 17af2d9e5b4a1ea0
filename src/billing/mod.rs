//! Monthly billing (DOMAIN §4–5). `engine` is a pure function from a snapshot of the book and a
//! month to invoice drafts; the store loads the snapshot, and issues the drafts in one
//! transaction with gapless numbers. `services` holds the reseller's own charges.

pub mod engine;
pub mod services;

pub use engine::{bill, CustomerBook, Draft, DraftLine, LineKind, Problem, Snapshot, SubscriptionBook};
pub use services::{Charge, InstalmentPlan, Service, ServiceBasis};

#[cfg(test)]
mod tests;
