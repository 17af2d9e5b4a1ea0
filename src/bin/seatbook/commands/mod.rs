//! One file per area of the command line: each matches its subcommands, calls one action of
//! the core's application layer, and prints.

pub mod billing;
pub mod books;
pub mod catalogue;
pub mod customers;
pub mod mail;
pub mod pc;
pub mod receivables;
pub mod recon;
pub mod reports;
pub mod subscriptions;
pub mod usage;
