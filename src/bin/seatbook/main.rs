//! `seatbook`: the command line over Seatbook's core. It parses arguments, reads the clock (the
//! core never does), calls one action of the core's application layer (`seatbook::app`) per
//! command, and prints text or JSON. Errors come from the core with neutral field keys; this
//! front words them with its flags (`wording.rs`).

mod args;
mod commands;
mod render;
mod wording;

use args::*;
use clap::Parser;
use seatbook::app::Clock;
use seatbook::app::{resolve_db_path, Store};
use seatbook::dates::parse_date;
use seatbook::{Error, Result};
use serde::Serialize;
use serde_json::json;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// What a command prints: the same result as JSON or as text.
pub struct Output {
    pub json: serde_json::Value,
    pub text: String,
}

/// Whether this run prints JSON (`--json`): only then is a result's JSON built (for ten
/// thousand invoices it costs more than the text).
static JSON_OUTPUT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn out<T: Serialize>(value: &T, text: String) -> Result<Output> {
    if !JSON_OUTPUT.load(std::sync::atomic::Ordering::Relaxed) {
        return Ok(Output { json: serde_json::Value::Null, text });
    }
    let json = serde_json::to_value(value).map_err(|e| Error::io(format!("cannot encode the result: {e}")))?;
    Ok(Output { json, text: String::new() })
}

/// What every command gets: the database, the clock, and whether JSON was asked for.
pub struct Ctx {
    pub store: Store,
    pub db: std::path::PathBuf,
    pub clock: Clock,
    pub json: bool,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return argument_error(e),
    };
    let json = cli.json;
    match run(cli) {
        Ok(o) => {
            let mut text = if json { serde_json::to_string_pretty(&o.json).expect("JSON values serialize") } else { o.text };
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            // A closed pipe (`seatbook ... | head`) is not an error worth a panic.
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush());
            ExitCode::SUCCESS
        }
        Err(e) => {
            if json {
                eprintln!("{}", json!({"code": e.code.as_str(), "message": wording::message(&e), "field": wording::field(&e)}));
            } else {
                eprintln!("error: {}", wording::message(&e));
            }
            ExitCode::from(if e.code.is_user_error() { 2 } else { 1 })
        }
    }
}

/// An error in the arguments themselves (found by clap): with `--json` it is reported in the
/// same `{code, message, field}` shape as every other error; `--help` and `--version` print as usual.
fn argument_error(e: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let wants_json = std::env::args().skip(1).take_while(|a| a != "--").any(|a| a == "--json");
    if !wants_json {
        let _ = e.print();
        return ExitCode::from(2);
    }
    let field = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => Some(s.split_whitespace().next().unwrap_or(s).to_string()),
        Some(ContextValue::Strings(v)) => v.first().map(|s| s.split_whitespace().next().unwrap_or(s).to_string()),
        _ => None,
    };
    let rendered = e.render().to_string();
    let message = rendered
        .trim()
        .trim_start_matches("error: ")
        .lines()
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    eprintln!("{}", json!({"code": "invalid_input", "message": message, "field": field}));
    ExitCode::from(2)
}

fn run(cli: Cli) -> Result<Output> {
    JSON_OUTPUT.store(cli.json, std::sync::atomic::Ordering::Relaxed);
    let today = cli.today.as_deref().map(|s| parse_date(s, "today")).transpose()?;
    let clock = Clock::reading(today, chrono::Local::now().date_naive(), chrono::Utc::now());
    // clap has read `SEATBOOK_DB` into `--db` already.
    let db = resolve_db_path(cli.db.as_deref(), dirs::data_dir().as_deref())?;
    if let Command::Backup(BackupCommand::Restore { file }) = &cli.command {
        // The database must not be open while it is replaced.
        return commands::books::restore(&db, file, &clock);
    }
    // Only `init` sets up a new book: any other command given a file that holds none (missing,
    // or empty) says so instead of leaving an empty book there.
    let holds_book = std::fs::metadata(&db).map(|m| m.len() > 0).unwrap_or(false);
    if !holds_book && !matches!(cli.command, Command::Init(_)) {
        return Err(Error::not_found(format!(
            "there is no Seatbook book at {}: set one up with `seatbook init`, or give --db the file of an existing book",
            db.display()
        ))
        .with_field("db"));
    }
    if let Command::Init(a) = &cli.command {
        // A refused `init` (a field missing, say) leaves no empty book behind for later commands
        // to take for a set-up one: the fields are checked before the book is made.
        seatbook::app::company::check_new(&commands::customers::company_fields(a.clone()))?;
    }
    dispatch(Ctx { store: seatbook::app::open(&db)?, db, clock, json: cli.json }, cli.command)
}

fn dispatch(mut ctx: Ctx, command: Command) -> Result<Output> {
    // Amounts in text are written as the company's country writes them, as on its screens.
    if let Some(company) = seatbook::app::company::show(&ctx.store)? {
        render::use_country(&company.country);
    }
    match command {
        Command::Init(a) => commands::customers::init(&mut ctx, a),
        Command::Company(cmd) => commands::customers::company(&mut ctx, cmd),
        Command::Customer(cmd) => commands::customers::customer(&mut ctx, cmd),
        Command::Pricelist(cmd) => commands::catalogue::pricelist(&mut ctx, cmd),
        Command::Product(cmd) => commands::catalogue::product(&mut ctx, cmd),
        Command::Markup(cmd) => commands::catalogue::markup(&mut ctx, cmd),
        Command::Fx(cmd) => commands::catalogue::fx(&mut ctx, cmd),
        Command::Subscription(cmd) => commands::subscriptions::subscription(&mut ctx, cmd),
        Command::Renewals(cmd) => commands::subscriptions::renewals(&mut ctx, cmd),
        Command::Bill { month, preview, issue: _, date } => commands::billing::bill(&mut ctx, &month, date.as_deref(), !preview),
        Command::Invoice(cmd) => commands::billing::invoice(&mut ctx, cmd),
        Command::Charge(cmd) => commands::billing::charge(&mut ctx, cmd),
        Command::Service(cmd) => commands::billing::service(&mut ctx, cmd),
        Command::Instalments(cmd) => commands::billing::instalments(&mut ctx, cmd),
        Command::Payment(cmd) => commands::receivables::payment(&mut ctx, cmd),
        Command::Credit(cmd) => commands::receivables::credit(&mut ctx, cmd),
        Command::Statement { customer, from, to, out } => commands::receivables::statement(&mut ctx, customer, from, to, out),
        Command::Reminders(cmd) => commands::receivables::reminders(&mut ctx, cmd),
        Command::Report(cmd) => commands::reports::report(&mut ctx, cmd),
        Command::Recon(cmd) => commands::recon::recon(&mut ctx, cmd),
        Command::Usage(cmd) => commands::usage::usage(&mut ctx, cmd),
        Command::Pc(cmd) => commands::pc::pc(&mut ctx, cmd),
        Command::Backup(cmd) => commands::books::backup(&mut ctx, cmd),
        Command::Export(cmd) => commands::books::export(&mut ctx, cmd),
        Command::Mail(cmd) => commands::mail::mail(&mut ctx, cmd),
    }
}

/// A file the user named (missing: bad input, exit 2).
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    seatbook::app::files::read(path, "file")
}

/// Write a file whole or not at all.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    seatbook::app::files::write(path, bytes)
}
