//! Imports: each file read one row at a time (`rows::RowReader`: header aliases, line numbers told
//! from byte offsets, never the whole file in memory), each row validated into domain values as it
//! comes. Problems are collected for the whole file (the first hundred kept, all counted) and
//! reported together; nothing is written unless every line is good.

pub mod customers;
pub mod pricelist;
pub mod recon;
pub mod rows;
pub mod subscriptions;
pub mod usage;
