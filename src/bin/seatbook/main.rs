//! `seatbook`: the command line over Seatbook's core. It parses arguments, reads the clock (the
//! core never does), calls one core function per command, and prints text or JSON.

mod args;
mod render;

use args::*;
use chrono::NaiveDate;
use clap::Parser;
use seatbook::billing::ServiceBasis;
use seatbook::catalogue::{BillingPlan, ProductKey, Term};
use seatbook::company::CompanyFields;
use seatbook::customer::CustomerFields;
use seatbook::dates::parse_date;
use seatbook::money::{parse_amount, parse_percent, parse_price, Currency};
use seatbook::pricing::Markup;
use seatbook::receivables::Method;
use seatbook::report_table::ReportTable;
use seatbook::store::CreditMode;
use seatbook::store::{resolve_db_path, NewSubscription, Store};
use seatbook::subscription::{RenewalChanges, Status};
use seatbook::{Error, Result};
use serde::Serialize;
use serde_json::json;
use std::io::Write;
use std::process::ExitCode;

/// What a command prints: the same result as JSON or as text.
struct Output {
    json: serde_json::Value,
    text: String,
}

fn out<T: Serialize>(value: &T, text: String) -> Result<Output> {
    let json = serde_json::to_value(value).map_err(|e| Error::io(format!("cannot encode the result: {e}")))?;
    Ok(Output { json, text })
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
                eprintln!("{}", json!({"code": e.code.as_str(), "message": e.message, "field": e.field}));
            } else {
                eprintln!("error: {}", e.message);
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

/// The two readings of the clock, taken once per command.
struct Clock {
    today: NaiveDate,
    now: String,
}

fn date_or_today(s: &Option<String>, field: &str, clock: &Clock) -> Result<NaiveDate> {
    s.as_deref().map(|s| parse_date(s, field)).transpose().map(|d| d.unwrap_or(clock.today))
}

fn run(cli: Cli) -> Result<Output> {
    let clock = Clock {
        today: match &cli.today {
            Some(s) => parse_date(s, "--today")?,
            None => chrono::Local::now().date_naive(),
        },
        now: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    };
    let path = resolve_db_path(cli.db.as_deref())?;
    let json = cli.json;
    if let Command::Backup(BackupCommand::Restore { file }) = &cli.command {
        // The database must not be open while it is replaced.
        let stamp = clock.now.replace([':', '-'], "");
        let aside = seatbook::store::restore_backup(&path, file, &stamp)?;
        let text =
            format!("Restored {} from {}.\nThe database as it was is kept in {}.\n", path.display(), file.display(), aside.display());
        return out(
            &json!({"database": path.display().to_string(), "restored_from": file.display().to_string(), "kept_aside": aside.display().to_string()}),
            text,
        );
    }
    let mut store = Store::open(&path)?;
    match cli.command {
        Command::Init(a) => {
            let c = store.init_company(&company_fields(a)?)?;
            out(&c, format!("Seatbook is set up for {} in {}.\n{}", c.name, path.display(), render::company(&c)))
        }
        Command::Company(CompanyCommand::Show) => {
            let c = store.company()?;
            out(&c, render::company(&c))
        }
        Command::Company(CompanyCommand::Set(a)) => {
            let c = store.update_company(&company_fields(a)?)?;
            out(&c, render::company(&c))
        }
        Command::Customer(cmd) => customer(&mut store, cmd, &clock),
        Command::Pricelist(PricelistCommand::Import { file, market, currency }) => {
            let bytes = read_file(&file)?;
            let company = store.company()?;
            let market = match market {
                Some(m) => seatbook::customer::parse_country(&m, "--market")?,
                None => company.market.clone(),
            };
            let currency = currency.map(|c| Currency::parse(&c, "--currency")).transpose()?;
            let parsed = seatbook::import::pricelist::parse(&bytes, Some(&market), currency)?;
            let s = store.import_price_list(&parsed)?;
            let mut text = format!(
                "Price list {}: {} rows read; {} added, {} updated, {} unchanged; {} products.\n",
                file.display(),
                s.read,
                s.added,
                s.updated,
                s.unchanged,
                s.products
            );
            if s.other_market > 0 || s.other_currency > 0 {
                text.push_str(&format!(
                    "Left out: {} rows of other markets than {market}{}.\n",
                    s.other_market,
                    currency.map(|c| format!(", {} rows in other currencies than {c}", s.other_currency)).unwrap_or_default()
                ));
            }
            out(&s, text)
        }
        Command::Product(ProductCommand::List { search, on }) => {
            let on = date_or_today(&on, "--on", &clock)?;
            let products = store.list_products(search.as_deref(), on)?;
            out(&products, render::products(&products, on))
        }
        Command::Product(ProductCommand::Price { product, term, billing, customer, on }) => {
            let on = date_or_today(&on, "--on", &clock)?;
            let product = ProductKey::parse(&product, "PRODUCT")?;
            let term = Term::parse(&term, "--term")?;
            let billing = BillingPlan::parse(&billing, "--billing")?;
            seatbook::catalogue::check_pair(term, billing)?;
            let q = match customer {
                Some(c) => store.quote(c, &product, term, billing, on, None)?,
                None => store.general_quote(&product, term, billing, on)?,
            };
            out(&q, render::quote(&q))
        }
        Command::Markup(MarkupCommand::Set { customer, product, percent, price, currency, on }) => {
            let on = date_or_today(&on, "--on", &clock)?;
            let product = product.map(|p| ProductKey::parse(&p, "--product")).transpose()?;
            let markup = match (percent, price) {
                (Some(p), _) => Markup::Percent { percent: parse_percent(&p, "--percent")? },
                (None, Some(p)) => {
                    let currency = match (currency, customer) {
                        (Some(c), _) => Currency::parse(&c, "--currency")?,
                        (None, Some(id)) => store.customer(id)?.currency,
                        (None, None) => store.company()?.currency,
                    };
                    Markup::Price { amount: parse_price(&p, "--price")?, currency }
                }
                (None, None) => return Err(Error::invalid("--percent", "give --percent or --price")),
            };
            let rule = store.set_markup(customer, product.as_ref(), &markup, on)?;
            out(&rule, format!("Markup rule {}: {}.\n", rule.id, rule.describe()))
        }
        Command::Markup(MarkupCommand::List) => {
            let rules = store.markup_rules()?;
            let company = store.company()?;
            let mut text: String = rules.iter().map(|r| format!("{:>4}  {}\n", r.id, r.describe())).collect();
            text.push_str(&format!("      otherwise the company's default markup of {}%\n", company.default_markup));
            out(&rules, text)
        }
        Command::Fx(FxCommand::Set { from, to, rate, on }) => {
            let from = Currency::parse(&from, "--from")?;
            let to = Currency::parse(&to, "--to")?;
            let rate = parse_price(&rate, "--rate")?;
            let on = parse_date(&on, "--on")?;
            let r = store.set_exchange_rate(from, to, rate, on)?;
            out(&r, format!("1 {} = {} {} from {}\n", r.from, r.rate, r.to, r.effective))
        }
        Command::Fx(FxCommand::List) => {
            let rates = store.exchange_rates()?;
            let text = rates.iter().map(|r| format!("{}  1 {} = {} {}\n", r.effective, r.from, r.rate, r.to)).collect();
            out(&rates, text)
        }
        Command::Subscription(cmd) => subscription(&mut store, cmd, &clock),
        Command::Renewals(RenewalsCommand::Run { through }) => {
            let through = parse_date(&through, "--through")?;
            let report = store.run_renewals(through, &clock.now)?;
            out(&report, render::renewals(&report))
        }
        Command::Bill { month, preview, issue: _, date } => {
            let month = seatbook::dates::parse_month(&month, "--month")?;
            let date = date_or_today(&date, "--date", &clock)?;
            let run = if preview { store.preview_month(month, date, &clock.now)? } else { store.issue_month(month, date, &clock.now)? };
            out(&run, render::billing_run(&run))
        }
        Command::Invoice(cmd) => invoice(&mut store, cmd, &clock),
        Command::Charge(ChargeCommand::Add { customer, description, amount, quantity, date, currency }) => {
            let currency = currency.map(|c| Currency::parse(&c, "--currency")).transpose()?;
            let quantity = parse_price(&quantity, "--quantity")?;
            let c = store.add_charge(
                customer,
                date_or_today(&date, "--date", &clock)?,
                &description,
                quantity,
                parse_amount(&amount, "--amount")?,
                currency,
            )?;
            out(
                &c,
                format!(
                    "Charge {} for customer {}: {} × {} {} on {}.\n",
                    c.id, c.customer_id, c.quantity, c.unit_price, c.currency, c.date
                ),
            )
        }
        Command::Service(ServiceCommand::Add { customer, description, amount, per_seat_of, start, currency }) => {
            let currency = currency.map(|c| Currency::parse(&c, "--currency")).transpose()?;
            let basis = if per_seat_of.is_some() { ServiceBasis::PerSeat } else { ServiceBasis::Flat };
            let start = date_or_today(&start, "--start", &clock)?;
            let s = store.add_service(customer, &description, basis, per_seat_of, parse_price(&amount, "--amount")?, currency, start)?;
            out(
                &s,
                format!(
                    "Service {}: {} {} a month{} from {}.\n",
                    s.id,
                    s.amount,
                    s.currency,
                    if per_seat_of.is_some() { " per seat" } else { "" },
                    s.start
                ),
            )
        }
        Command::Service(ServiceCommand::End { id, on }) => {
            let s = store.end_service(id, parse_date(&on, "--on")?)?;
            out(&s, format!("Service {id} ends after {on}.\n"))
        }
        Command::Instalments(InstalmentsCommand::Add { customer, description, total, count, start, currency }) => {
            let currency = currency.map(|c| Currency::parse(&c, "--currency")).transpose()?;
            let start = date_or_today(&start, "--start", &clock)?;
            let p = store.add_instalments(customer, &description, parse_price(&total, "--total")?, count, start, currency)?;
            let amounts: Vec<String> = p.amounts().iter().map(|a| a.to_string()).collect();
            let text = format!(
                "Instalment plan {}: {} {} in {} monthly instalments from {}: {}.\n",
                p.id,
                p.total,
                p.currency,
                p.count,
                p.start,
                amounts.join(", ")
            );
            out(&json!({"plan": p, "instalments": amounts}), text)
        }
        Command::Backup(BackupCommand::Create { out: file }) => {
            let dest =
                file.unwrap_or_else(|| seatbook::store::backup_dir(&path).join(format!("seatbook-{}.db", clock.now.replace(':', ""))));
            let b = store.backup_to(&dest)?;
            out(&b, format!("Backup written to {} ({} bytes), checked.\n", b.path, b.bytes))
        }
        Command::Backup(BackupCommand::List) => {
            let list = seatbook::store::list_backups(&seatbook::store::backup_dir(&path))?;
            let text = if list.is_empty() {
                "No backups yet.\n".to_string()
            } else {
                list.iter().map(|b| format!("{}  {} bytes\n", b.path, b.bytes)).collect()
            };
            out(&list, text)
        }
        Command::Backup(BackupCommand::Restore { .. }) => unreachable!("handled before the database is opened"),
        Command::Payment(PaymentCommand::Add { customer, amount, date, method, reference, invoices }) => {
            let method = Method::parse(&method, "--method")?;
            let p = store.add_payment(
                customer,
                date_or_today(&date, "--date", &clock)?,
                parse_price(&amount, "--amount")?,
                method,
                &reference,
                &invoices,
                &clock.now,
            )?;
            out(&p, render::payment(&p))
        }
        Command::Payment(PaymentCommand::List { customer }) => {
            let list = store.list_payments(customer)?;
            out(&list, list.iter().map(render::payment).collect::<String>())
        }
        Command::Payment(PaymentCommand::Reverse { id, date, reference }) => {
            let p = store.reverse_payment(id, date_or_today(&date, "--date", &clock)?, &reference, &clock.now)?;
            out(&p, render::payment(&p))
        }
        Command::Credit(CreditCommand::Refund { customer, amount, date, method, reference }) => {
            let method = Method::parse(&method, "--method")?;
            let p = store.refund_credit(
                customer,
                parse_price(&amount, "--amount")?,
                date_or_today(&date, "--date", &clock)?,
                method,
                &reference,
                &clock.now,
            )?;
            out(&p, render::payment(&p))
        }
        Command::Statement { customer, from, to, out: file } => {
            let s = store.statement(customer, parse_date(&from, "--from")?, parse_date(&to, "--to")?)?;
            match file {
                Some(path) => {
                    let bytes = seatbook::pdf::render_statement(&store.statement_document(&s)?)?;
                    write_file(&path, &bytes)?;
                    out(
                        &json!({"file": path.display().to_string(), "customer_id": customer, "closing": s.closing}),
                        format!("Wrote the statement of {} to {}\n", s.customer_name, path.display()),
                    )
                }
                None => out(&s, render::statement(&s)),
            }
        }
        Command::Reminders(RemindersCommand::Run { as_of, preview: true, .. }) => {
            let as_of = date_or_today(&as_of, "--as-of", &clock)?;
            let due = store.due_reminders(as_of)?;
            out(&due, render::reminders(&due, None))
        }
        Command::Reminders(RemindersCommand::Run { as_of, out_dir, preview: false }) => {
            let as_of = date_or_today(&as_of, "--as-of", &clock)?;
            let dir = out_dir.unwrap_or_else(|| std::path::PathBuf::from("."));
            let sent = store.send_reminders(as_of, &clock.now, |r, letter| {
                let path = dir.join(seatbook::pdf::reminder_file_name(&r.invoice, r.level));
                write_file(&path, letter)?;
                Ok(path.display().to_string())
            })?;
            let reminders: Vec<seatbook::store::Reminder> = sent.iter().map(|s| s.reminder.clone()).collect();
            let files: Vec<String> = sent.iter().map(|s| s.file.clone()).collect();
            let rows: Vec<serde_json::Value> = sent.iter().map(|s| json!({"reminder": s.reminder, "file": s.file})).collect();
            out(&rows, render::reminders(&reminders, Some(&files)))
        }
        Command::Export(ExportCommand::All { out_dir }) => {
            let files = store.export_all(&out_dir)?;
            let text = files.iter().map(|(f, n)| format!("{f}  {n} rows\n")).collect();
            out(&files.iter().map(|(f, n)| json!({"file": f, "rows": n})).collect::<Vec<_>>(), text)
        }
        Command::Report(ReportCommand::TrialBalance) => {
            let tb = seatbook::books::trial_balance(&store.journal()?);
            let rows: Vec<serde_json::Value> = tb.iter().map(|((a, c), v)| json!({"account": a, "currency": c, "balance": v})).collect();
            let mut text: String = tb.iter().map(|((a, c), v)| format!("{a:<44} {:>14} {c}\n", v.to_string())).collect();
            let mut sums: std::collections::BTreeMap<String, rust_decimal::Decimal> = Default::default();
            for ((_, c), v) in &tb {
                *sums.entry(c.to_string()).or_default() += v;
            }
            for (c, v) in &sums {
                text.push_str(&format!("{:<44} {:>14} {c}\n", "Total", v.to_string()));
            }
            out(&rows, text)
        }
        Command::Export(ExportCommand::Journal { format, out: file }) => {
            let entries = store.journal()?;
            let body = match format.as_str() {
                "csv" => seatbook::books::to_csv(&entries),
                "hledger" => seatbook::books::to_hledger(&entries),
                _ => seatbook::books::to_beancount(&entries),
            };
            match file {
                Some(path) => {
                    write_file(&path, body.as_bytes())?;
                    out(
                        &json!({"file": path.display().to_string(), "entries": entries.len()}),
                        format!("Wrote {} entries to {}\n", entries.len(), path.display()),
                    )
                }
                None if json => out(&entries, String::new()),
                None => Ok(Output { json: serde_json::Value::Null, text: body }),
            }
        }
        Command::Report(ReportCommand::Aging { as_of, csv }) => {
            let r = store.aging(date_or_today(&as_of, "--as-of", &clock)?)?;
            write_csv(&csv, &ReportTable::aging(&r))?;
            out(&r, render::aging(&r))
        }
        Command::Report(ReportCommand::Mrr(range)) => {
            let (from, to) = months(&range, &clock)?;
            let rows = store.mrr_by_month(from, to)?;
            write_csv(&range.csv, &ReportTable::mrr(from, to, &rows))?;
            let text = rows
                .iter()
                .map(|r| {
                    format!(
                        "{}  MRR {:>14} {}  ARR {:>16}  {} subscriptions, {} seats{}\n",
                        r.month,
                        r.mrr.to_string(),
                        r.currency,
                        r.arr.to_string(),
                        r.subscriptions,
                        r.seats,
                        if r.unconverted > 0 { format!(" ({} without an exchange rate)", r.unconverted) } else { String::new() }
                    )
                })
                .collect();
            out(&rows, text)
        }
        Command::Report(ReportCommand::Revenue(range)) => {
            let (from, to) = months(&range, &clock)?;
            let rows = store.revenue_by_month(from, to)?;
            write_csv(&range.csv, &ReportTable::revenue(from, to, &rows))?;
            let text = rows
                .iter()
                .map(|r| {
                    format!(
                        "{}  {}  invoiced {:>14}  credited {:>14}  net {:>14}\n",
                        r.month,
                        r.currency,
                        r.invoiced.to_string(),
                        r.credited.to_string(),
                        r.net.to_string()
                    )
                })
                .collect();
            out(&rows, text)
        }
        Command::Report(ReportCommand::Margin { by, range }) => {
            let (from, to) = months(&range, &clock)?;
            let (to, by_product) = (seatbook::dates::month_end(to), by == "product");
            let rows = store.margin(from, to, by_product)?;
            write_csv(&range.csv, &ReportTable::margin(from, to, by_product, &rows))?;
            let text = rows
                .iter()
                .map(|r| {
                    format!(
                        "{:<50} {}  revenue {:>12}  cost {:>12}  margin {:>12} ({}%)\n",
                        r.key,
                        r.currency,
                        r.revenue.to_string(),
                        r.cost.to_string(),
                        r.margin.to_string(),
                        r.margin_percent.map(|p| p.to_string()).unwrap_or_else(|| "-".into())
                    )
                })
                .collect();
            out(&rows, text)
        }
        Command::Report(ReportCommand::Renewals { within, as_of, csv }) => {
            let as_of = date_or_today(&as_of, "--as-of", &clock)?;
            let due = store.renewals_ahead(as_of, within)?;
            write_csv(&csv, &ReportTable::renewals(as_of, within, &due))?;
            let rows = render::due_rows(&due);
            let text = render::due(&rows, as_of, within);
            out(&rows, text)
        }
        Command::Report(ReportCommand::Exposure { as_of, csv }) => {
            let as_of = date_or_today(&as_of, "--as-of", &clock)?;
            let rows = store.exposure(as_of)?;
            write_csv(&csv, &ReportTable::exposure(as_of, &rows))?;
            let text = if rows.is_empty() {
                "No customer with overdue invoices has committed terms.\n".to_string()
            } else {
                rows.iter()
                    .map(|r| {
                        format!(
                            "{:<30} sub {:>5}  {:<40} {:>4} seats to {}  still owed to Microsoft {:>12} {}\n",
                            r.customer_name,
                            r.subscription_id,
                            r.product,
                            r.seats,
                            r.term_end,
                            r.remaining_cost.to_string(),
                            r.cost_currency
                        )
                    })
                    .collect()
            };
            out(&rows, text)
        }
        Command::Report(ReportCommand::Churn(range)) => {
            let (from, to) = months(&range, &clock)?;
            let rows = store.churn(from, to)?;
            write_csv(&range.csv, &ReportTable::churn(from, to, &rows))?;
            let text = if rows.is_empty() {
                "No cancellations or expiries.\n".to_string()
            } else {
                rows.iter()
                    .map(|r| {
                        format!("{}  cancelled {:>4}  expired {:>4}  seats lost {:>6}\n", r.month, r.cancelled, r.expired, r.seats_lost)
                    })
                    .collect()
            };
            out(&rows, text)
        }
        Command::Report(ReportCommand::Account { customer, as_of }) => {
            let a = store.account(customer, date_or_today(&as_of, "--as-of", &clock)?)?;
            out(&a, render::account(&a))
        }
        Command::Report(ReportCommand::CreditStop { as_of }) => {
            let stops = store.credit_stops(date_or_today(&as_of, "--as-of", &clock)?)?;
            let text = if stops.is_empty() {
                "No customer is on credit stop.\n".to_string()
            } else {
                stops.iter().map(|s| format!("{:>6}  {}: {}\n", s.customer_id, s.customer_name, s.reason)).collect()
            };
            out(&stops, text)
        }
        Command::Renewals(RenewalsCommand::Due { within, as_of }) => {
            let as_of = date_or_today(&as_of, "--as-of", &clock)?;
            let rows = render::due_rows(&store.renewals_ahead(as_of, within)?);
            let text = render::due(&rows, as_of, within);
            out(&rows, text)
        }
    }
}

/// A file the user named: one that is missing is bad input (exit 2), not a failure.
fn read_file(path: &std::path::Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        let message = format!("cannot read {}: {e}", path.display());
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::invalid("FILE", message)
        } else {
            Error::io(message).with_field("FILE")
        }
    })
}

fn company_fields(a: CompanyArgs) -> Result<CompanyFields> {
    if let Some(logo) = &a.logo {
        let p = std::path::Path::new(logo);
        let lower = logo.to_ascii_lowercase();
        if !(logo.is_empty() || lower.ends_with(".png") || lower.ends_with(".jpg") || lower.ends_with(".jpeg")) {
            return Err(Error::invalid("--logo", format!("--logo: '{logo}' is not a PNG or JPEG file")));
        }
        if !logo.is_empty() && !p.is_file() {
            return Err(Error::invalid("--logo", format!("--logo: there is no file {logo}")));
        }
    }
    let logo_path =
        a.logo.map(|l| if l.is_empty() { l } else { std::fs::canonicalize(&l).map(|p| p.to_string_lossy().into_owned()).unwrap_or(l) });
    Ok(CompanyFields {
        name: a.name,
        address: a.address.map(|s| s.replace("\\n", "\n")),
        country: a.country,
        email: a.email,
        phone: a.phone,
        vat_number: a.vat_number,
        registration_number: a.registration_number,
        bank_name: a.bank_name,
        bank_account_holder: a.bank_account_holder,
        bank_account_number: a.bank_account_number,
        bank_branch_code: a.bank_branch_code,
        bank_swift: a.bank_swift,
        logo_path,
        currency: a.currency,
        vat_rate: a.vat_rate,
        payment_terms_days: a.payment_terms_days,
        default_markup: a.default_markup,
        market: a.market,
        invoice_number_format: a.invoice_format,
        credit_note_number_format: a.credit_note_format,
        paper: a.paper,
    })
}

fn customer_fields(a: CustomerArgs) -> CustomerFields {
    CustomerFields {
        name: a.name,
        contact_person: a.contact_person,
        email: a.email,
        phone: a.phone,
        address: a.address.map(|s| s.replace("\\n", "\n")),
        country: a.country,
        currency: a.currency,
        vat_number: a.vat_number,
        tax_treatment: a.tax_treatment,
        payment_terms_days: a.payment_terms_days,
        credit_limit: a.credit_limit,
        domain: a.domain,
        tenant_id: a.tenant_id,
        billing_alignment: a.billing_alignment,
        notes: a.notes,
    }
}

fn customer(store: &mut Store, cmd: CustomerCommand, clock: &Clock) -> Result<Output> {
    match cmd {
        CustomerCommand::Add(a) => {
            let c = store.add_customer(&customer_fields(a))?;
            out(&c, format!("Added customer {}.\n{}", c.id, render::customer(&c)))
        }
        CustomerCommand::Update { id, fields } => {
            let c = store.update_customer(id, &customer_fields(fields))?;
            out(&c, render::customer(&c))
        }
        CustomerCommand::Show { id } => {
            let c = store.customer(id)?;
            let log = store.contact_log(id)?;
            let subs = store.list_subscriptions(Some(id), None)?;
            let stop = store.credit_stop(id, clock.today)?;
            let stop_line = stop.as_ref().map(|r| format!("Credit stop:     {r}\n")).unwrap_or_default();
            let text = format!("{}{stop_line}{}{}", render::customer(&c), render::contact_log(&log), render::subscriptions(&subs));
            out(&json!({"customer": c, "credit_stop": stop, "contact_log": log, "subscriptions": subs}), text)
        }
        CustomerCommand::List { search, all, limit } => {
            let list = store.list_customers(search.as_deref(), all, limit)?;
            out(&list, render::customers(&list))
        }
        CustomerCommand::Close { id, on } => {
            let on = date_or_today(&on, "--on", clock)?;
            let c = store.close_customer(id, on)?;
            out(&c, format!("Customer {} ({}) closed on {on}.\n", c.id, c.name))
        }
        CustomerCommand::Import { file } => {
            let rows = seatbook::import::customers::parse(&read_file(&file)?)?;
            let list = store.import_customers(&rows)?;
            out(
                &json!({"imported": list.len(), "customers": list}),
                format!("Imported {} customers.\n{}", list.len(), render::customers(&list)),
            )
        }
        CustomerCommand::Note { id, channel, summary, on } => {
            let on = date_or_today(&on, "--on", clock)?;
            let e = store.add_contact_entry(id, on, &channel, &summary, &clock.now)?;
            out(&e, format!("Noted for customer {id}: {} {} — {}\n", e.date, e.channel, e.summary))
        }
    }
}

fn subscription(store: &mut Store, cmd: SubscriptionCommand, clock: &Clock) -> Result<Output> {
    let now = clock.now.as_str();
    let changed = |s: seatbook::subscription::Subscription, what: String| out(&s, format!("{what}\n{}", render::subscription_line(&s)));
    match cmd {
        SubscriptionCommand::Add {
            customer,
            product,
            term,
            billing,
            quantity,
            start,
            price,
            no_auto_renew,
            trial,
            ms_subscription_id,
            confirm,
        } => {
            if !confirm {
                if let Some(reason) = store.credit_stop(customer, clock.today).map_err(|e| e.with_field("--customer"))? {
                    return Err(Error::refused(format!(
                        "customer {customer} is on credit stop: {reason}; add --confirm to add the subscription anyway"
                    ))
                    .with_field("--confirm"));
                }
            }
            let new = NewSubscription {
                customer_id: customer,
                product: ProductKey::parse(&product, "--product")?,
                term: term.map(|t| Term::parse(&t, "--term")).transpose()?.unwrap_or(Term::P1Y),
                billing: billing.map(|b| BillingPlan::parse(&b, "--billing")).transpose()?.unwrap_or(BillingPlan::Monthly),
                quantity,
                start: parse_date(&start, "--start")?,
                auto_renew: !no_auto_renew,
                trial,
                ms_subscription_id: ms_subscription_id.unwrap_or_default(),
                price_override: price.map(|p| parse_price(&p, "--price")).transpose()?,
            };
            let s = store.add_subscription(&new, now)?;
            let view = store.subscription_view(s.id, s.term_start)?;
            out(&s, format!("Added subscription {}.\n{}", s.id, render::subscription_view(&view)))
        }
        SubscriptionCommand::Quantity { id, quantity, on } => {
            let s = store.change_quantity(id, quantity, parse_date(&on, "--on")?, now)?;
            changed(s, format!("Subscription {id} now has {quantity} seats."))
        }
        SubscriptionCommand::Cancel { id, on } => {
            let s = store.cancel_subscription(id, parse_date(&on, "--on")?, now)?;
            changed(s, format!("Subscription {id} cancelled on {on}."))
        }
        SubscriptionCommand::Suspend { id, on } => {
            let s = store.suspend_subscription(id, parse_date(&on, "--on")?, now)?;
            changed(s, format!("Subscription {id} suspended on {on}; it is still billed and will not renew."))
        }
        SubscriptionCommand::Reactivate { id, on } => {
            let s = store.reactivate_subscription(id, parse_date(&on, "--on")?, now)?;
            changed(s, format!("Subscription {id} reactivated on {on}."))
        }
        SubscriptionCommand::AutoRenew { id, state } => {
            let s = store.set_auto_renew(id, state == "on", clock.today, now)?;
            changed(s, format!("Auto-renew of subscription {id} is {state}."))
        }
        SubscriptionCommand::Schedule { id, quantity, term, billing, product } => {
            let changes = RenewalChanges {
                quantity,
                term: term.map(|t| Term::parse(&t, "--term")).transpose()?,
                billing: billing.map(|b| BillingPlan::parse(&b, "--billing")).transpose()?,
                product: product.map(|p| ProductKey::parse(&p, "--product")).transpose()?,
            };
            let s = store.schedule_renewal_changes(id, &changes, clock.today, now)?;
            changed(s, format!("Scheduled for the renewal of subscription {id}."))
        }
        SubscriptionCommand::Upgrade { id, product, on } => {
            let s = store.upgrade_subscription(id, &ProductKey::parse(&product, "--product")?, parse_date(&on, "--on")?, now)?;
            changed(s, format!("Subscription {id} upgraded on {on}."))
        }
        SubscriptionCommand::Show { id, as_of } => {
            let view = store.subscription_view(id, date_or_today(&as_of, "--as-of", clock)?)?;
            out(&view, render::subscription_view(&view))
        }
        SubscriptionCommand::List { customer, status } => {
            let status = status.map(|s| Status::parse(&s, "--status")).transpose()?;
            let list = store.list_subscriptions(customer, status)?;
            out(&list, render::subscriptions(&list))
        }
        SubscriptionCommand::Import { file } => {
            let parsed = seatbook::import::subscriptions::parse(&read_file(&file)?)?;
            let list = store.import_subscriptions(&parsed, clock.today, now)?;
            out(
                &json!({"imported": list.len(), "subscriptions": list}),
                format!("Imported {} subscriptions.\n{}", list.len(), render::subscriptions(&list)),
            )
        }
    }
}

fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("cannot create {}: {e}", dir.display())))?;
    }
    std::fs::write(path, bytes).map_err(|e| Error::io(format!("cannot write {}: {e}", path.display())))
}

/// A reminder letter's file name: the invoice number and the level.
fn invoice(store: &mut Store, cmd: InvoiceCommand, clock: &Clock) -> Result<Output> {
    match cmd {
        InvoiceCommand::List { month, customer } => {
            if let Some(m) = &month {
                seatbook::dates::parse_month(m, "--month")?;
            }
            let list = store.list_invoices(month.as_deref(), customer)?;
            out(&list, render::invoices(&list))
        }
        InvoiceCommand::Show { number } => match store.invoice(&number) {
            Ok(inv) => out(&inv, render::invoice(&inv)),
            Err(e) if e.code == seatbook::ErrorCode::NotFound => {
                let cn = store.credit_note(&number).map_err(|_| e)?;
                out(&cn, render::credit_note(&cn))
            }
            Err(e) => Err(e),
        },
        InvoiceCommand::Pdf { number, out: out_file, month, out_dir, combined } => {
            if let Some(number) = number {
                let doc = store.document(&number)?;
                let bytes = seatbook::pdf::render(&doc)?;
                let path = out_file.unwrap_or_else(|| std::path::PathBuf::from(seatbook::pdf::file_name(&doc.number, &doc.customer.name)));
                write_file(&path, &bytes)?;
                return out(&json!({"files": [path.display().to_string()]}), format!("Wrote {}\n", path.display()));
            }
            let Some(month) = month else {
                return Err(Error::invalid("NUMBER", "give an invoice NUMBER, or --month YYYY-MM with --out-dir and/or --combined"));
            };
            seatbook::dates::parse_month(&month, "--month")?;
            if out_dir.is_none() && combined.is_none() {
                return Err(Error::invalid("--out-dir", "give --out-dir DIR and/or --combined FILE"));
            }
            let numbers = store.invoice_numbers(&month)?;
            if numbers.is_empty() {
                return Err(Error::not_found(format!("no invoices were issued for {month}")).with_field("--month"));
            }
            let docs = numbers.iter().map(|n| store.document(n)).collect::<Result<Vec<_>>>()?;
            let mut files = Vec::new();
            if let Some(dir) = &out_dir {
                let rendered = seatbook::pdf::render_many(&docs)?;
                for (doc, bytes) in docs.iter().zip(rendered) {
                    let path = dir.join(seatbook::pdf::file_name(&doc.number, &doc.customer.name));
                    write_file(&path, &bytes)?;
                    files.push(path.display().to_string());
                }
            }
            if let Some(path) = &combined {
                write_file(path, &seatbook::pdf::render_combined(&docs)?)?;
                files.push(path.display().to_string());
            }
            let text = format!(
                "Wrote {} PDF file{} for {month}{}\n",
                files.len(),
                if files.len() == 1 { "" } else { "s" },
                out_dir.map(|d| format!(" in {}", d.display())).unwrap_or_default()
            );
            out(&json!({"files": files}), text)
        }
        InvoiceCommand::Credit { number, lines, amount, reason, date } => {
            let mode = match (lines, amount) {
                (Some(l), _) => CreditMode::Lines(l),
                (None, Some(a)) => CreditMode::Amount(parse_price(&a, "--amount")?),
                (None, None) => CreditMode::Whole,
            };
            let date = date_or_today(&date, "--date", clock)?;
            let cn = store.credit_invoice(&number, &mode, &reason, date, &clock.now)?;
            out(&cn, render::credit_note(&cn))
        }
    }
}

/// The months of a report: `--from` and `--to` (YYYY-MM), by default the last twelve.
fn months(range: &ReportRange, clock: &Clock) -> Result<(chrono::NaiveDate, chrono::NaiveDate)> {
    let this = seatbook::dates::parse_month(&clock.today.format("%Y-%m").to_string(), "--to")?;
    let to = range.to.as_deref().map(|m| seatbook::dates::parse_month(m, "--to")).transpose()?.unwrap_or(this);
    let from = range
        .from
        .as_deref()
        .map(|m| seatbook::dates::parse_month(m, "--from"))
        .transpose()?
        .unwrap_or_else(|| to.checked_sub_months(chrono::Months::new(11)).unwrap());
    if from > to {
        return Err(Error::invalid("--from", "--from must not be after --to"));
    }
    Ok((from, to))
}

/// Write a report's table as CSV, if a file was asked for: the core's CSV, byte for byte the
/// desktop app's "Export CSV" of the same report.
fn write_csv(file: &Option<std::path::PathBuf>, table: &ReportTable) -> Result<()> {
    match file {
        Some(path) => write_file(path, table.to_csv().as_bytes()),
        None => Ok(()),
    }
}
