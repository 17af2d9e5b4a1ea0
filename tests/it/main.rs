//! Integration tests: one test binary, shared helpers. `store` drives the core over a temporary
//! database; `cli` drives the real `seatbook` binary as a script would.

mod architecture;
mod billing;
mod books;
mod cli;
mod cli_billing;
mod crash;
mod helpers;
mod mail;
mod pc;
mod receivables;
mod recon;
mod report_csv;
mod reports;
mod statements;
mod store;
mod usage;
