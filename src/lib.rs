//! Seatbook's core: the domain of a Microsoft CSP reseller (customers, catalogue, subscriptions
//! under Microsoft's rules), the SQLite store, and CSV imports. The command line
//! (`src/bin/seatbook`) and the desktop shell (`src-tauri`) are thin fronts over this crate.
//!
//! Invariants: money is `rust_decimal::Decimal` or integer minor units, never a float; the core
//! never reads the clock (today and "now" are parameters); only `store` touches SQL.

pub mod app;
pub mod azure;
pub mod billing;
pub mod books;
pub mod catalogue;
pub mod company;
pub mod customer;
pub mod dates;
pub mod error;
pub mod files;
pub mod import;
pub mod locale;
pub mod mail;
pub mod money;
pub mod pc;
pub mod pdf;
pub mod pricing;
pub mod receivables;
pub mod recon;
pub mod report_table;
pub mod secrets;
pub mod store;
pub mod subscription;

pub use error::{Error, ErrorCode, Result};
