//! The command line's grammar: `seatbook [--db PATH] [--json] NOUN VERB ...`. These names are a
//! public contract for scripts; change them only by adding.

// Parsed once per process: the size of the argument enums does not matter.
#![allow(clippy::large_enum_variant)]

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "seatbook",
    version,
    about = "Seatbook: the back office of a Microsoft CSP reseller — customers, price lists, subscriptions.",
    long_about = "Seatbook: the back office of a Microsoft CSP reseller — customers, price lists, subscriptions.\n\n\
        Dates are YYYY-MM-DD. Amounts are decimals with a '.' (1234.50). With --json every command prints one JSON \
        value on stdout (dates as YYYY-MM-DD, amounts as decimal strings); errors go to stderr, as \
        {\"code\",\"message\",\"field\"} with --json. Exit status: 0 success, 2 bad input or a refused change, 1 anything else.",
    after_help = "The database is ~/.local/share/seatbook/seatbook.db on Linux, %APPDATA%\\Seatbook\\seatbook.db on Windows, \
        ~/Library/Application Support/Seatbook/seatbook.db on macOS, unless --db or SEATBOOK_DB says otherwise."
)]
pub struct Cli {
    /// The database file (default: the per-user data folder).
    #[arg(long, global = true, env = "SEATBOOK_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Print one JSON value on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Act as if today were DATE (defaults to the computer's date); for scripts and tests.
    #[arg(long, global = true, env = "SEATBOOK_TODAY", value_name = "DATE")]
    pub today: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Set up the reseller's own profile (once).
    Init(CompanyArgs),
    /// Show or change the reseller's profile.
    #[command(subcommand)]
    Company(CompanyCommand),
    /// Customers: add, update, show, list, close, import, contact log.
    #[command(subcommand)]
    Customer(CustomerCommand),
    /// Import Microsoft's new-commerce licence price list.
    #[command(subcommand)]
    Pricelist(PricelistCommand),
    /// Search products and their prices.
    #[command(subcommand)]
    Product(ProductCommand),
    /// Markup rules: how resale prices are made from costs.
    #[command(subcommand)]
    Markup(MarkupCommand),
    /// Exchange rates, each effective from a date.
    #[command(subcommand)]
    Fx(FxCommand),
    /// Subscriptions under Microsoft's new-commerce rules.
    #[command(subcommand)]
    Subscription(SubscriptionCommand),
    /// Renew or expire subscriptions whose term ended; list renewals coming up.
    #[command(subcommand)]
    Renewals(RenewalsCommand),
    /// Bill a month: preview the drafts, or issue numbered invoices.
    Bill {
        /// The month, YYYY-MM. Everything billable on or before its last day and not billed yet.
        #[arg(long)]
        month: String,
        /// Print the drafts without numbers; change nothing.
        #[arg(long, conflicts_with = "issue", required_unless_present = "issue")]
        preview: bool,
        /// Issue the invoices (gapless numbers, one transaction).
        #[arg(long)]
        issue: bool,
        /// Invoice date (default: today).
        #[arg(long)]
        date: Option<String>,
    },
    /// Issued invoices: list, show, PDFs, credit notes.
    #[command(subcommand)]
    Invoice(InvoiceCommand),
    /// One-time charges (deployment, migration).
    #[command(subcommand)]
    Charge(ChargeCommand),
    /// Recurring monthly service fees, flat or per seat of a subscription.
    #[command(subcommand)]
    Service(ServiceCommand),
    /// Instalment plans: a total split into monthly instalments.
    #[command(subcommand)]
    Instalments(InstalmentsCommand),
    /// Backups of the database: create, list, restore.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Payments received: add (allocated oldest first or to chosen invoices), list, reverse.
    #[command(subcommand)]
    Payment(PaymentCommand),
    /// Customer credit: refund it.
    #[command(subcommand)]
    Credit(CreditCommand),
    /// Reports.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Microsoft's monthly invoice reconciled: import its reconciliation file, find the leaks, fix them.
    #[command(subcommand)]
    Recon(ReconCommand),
    /// Azure usage: import Microsoft's daily rated usage, list it per customer, subscription and month.
    #[command(subcommand)]
    Usage(UsageCommand),
    /// Partner Center: connect (as the partner's application, or application and user), compare
    /// the book with Microsoft's customers and subscriptions and take in or push what differs,
    /// and the outbox of changes sent to Microsoft.
    #[command(subcommand)]
    Pc(PcCommand),
    /// Exports for the accountant.
    #[command(subcommand)]
    Export(ExportCommand),
    /// E-mail to customers: the mail server, invoices, statements, renewal notices, the outbox.
    #[command(subcommand)]
    Mail(MailCommand),
    /// A customer's statement of account for a period: text, JSON, or a PDF with --out.
    Statement {
        #[arg(long)]
        customer: i64,
        /// First day of the period (default: the first of the month a year before --to).
        #[arg(long)]
        from: Option<String>,
        /// Last day of the period (default: today).
        #[arg(long)]
        to: Option<String>,
        /// Write the statement as a PDF to FILE.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Overdue reminders: letters at 7 and 30 days and a final notice at 60, each sent once.
    #[command(subcommand)]
    Reminders(RemindersCommand),
}

#[derive(Subcommand, Debug)]
pub enum RemindersCommand {
    /// Record every reminder due and write one letter (PDF) per reminder; or, with --preview,
    /// list the reminders due and record nothing.
    Run {
        /// The day to run for (default: today).
        #[arg(long)]
        as_of: Option<String>,
        /// List the reminders that are due; record and write nothing.
        #[arg(long)]
        preview: bool,
        /// Where to write the letters, named by invoice and level (default: the current directory).
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// The journal: one balanced entry per invoice, credit note, payment, refund, reversal and application.
    Journal {
        /// csv, hledger or beancount.
        #[arg(long, value_parser = ["csv", "hledger", "beancount"])]
        format: String,
        /// Write to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// All data, one CSV file per table (amounts in minor units also as decimals; stored files beside their table).
    All {
        /// The folder to write the files into (made if missing)
        #[arg(long, value_name = "DIR")]
        out_dir: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum PaymentCommand {
    /// Record money received; applied to --invoice(s) first, then the oldest open invoices; the rest is credit.
    Add {
        #[arg(long)]
        customer: i64,
        #[arg(long)]
        amount: String,
        /// Default: today.
        #[arg(long)]
        date: Option<String>,
        /// eft, card, cash or other.
        #[arg(long, default_value = "eft")]
        method: String,
        #[arg(long, default_value = "")]
        reference: String,
        /// Invoice numbers to pay first (repeat the flag or separate with commas).
        #[arg(long = "invoice", value_delimiter = ',')]
        invoices: Vec<String>,
    },
    /// List payments, refunds and reversals.
    List {
        #[arg(long)]
        customer: Option<i64>,
    },
    /// Reverse a payment (bounced, charged back): a new entry; the invoices it paid reopen.
    Reverse {
        id: i64,
        /// Default: today.
        #[arg(long)]
        date: Option<String>,
        #[arg(long, default_value = "")]
        reference: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum CreditCommand {
    /// Pay customer credit back.
    Refund {
        #[arg(long)]
        customer: i64,
        #[arg(long)]
        amount: String,
        #[arg(long)]
        date: Option<String>,
        #[arg(long, default_value = "eft")]
        method: String,
        #[arg(long, default_value = "")]
        reference: String,
    },
}

/// A range of months and where to write CSV.
#[derive(Args, Debug)]
pub struct ReportRange {
    /// First month, YYYY-MM (default: twelve months back).
    #[arg(long)]
    pub from: Option<String>,
    /// Last month, YYYY-MM (default: this month, up to today).
    #[arg(long)]
    pub to: Option<String>,
    /// Also write the report's table as CSV to FILE (the desktop app's "Export CSV").
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// What is open as of a day: current, 1–30, 31–60, 61–90 and over 90 days past due.
    Aging {
        /// Default: today.
        #[arg(long)]
        as_of: Option<String>,
        /// Also write the report's table as CSV to FILE (the desktop app's "Export CSV").
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
    },
    /// Monthly recurring revenue and annual run rate at each month's end (this month: today).
    Mrr(ReportRange),
    /// Revenue by month: invoiced less credited.
    Revenue(ReportRange),
    /// Margin of invoiced licences (resale against locked cost).
    Margin {
        /// customer or product.
        #[arg(long, value_parser = ["customer", "product"], default_value = "customer")]
        by: String,
        #[command(flatten)]
        range: ReportRange,
    },
    /// Renewals due within DAYS (default 30, the dashboard's horizon): the only time seats can be cut.
    Renewals {
        #[arg(long, value_name = "DAYS")]
        within: Option<String>,
        #[arg(long)]
        as_of: Option<String>,
        /// Also write the report's table as CSV to FILE (the desktop app's "Export CSV").
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
    },
    /// For customers with overdue invoices: what is still owed to Microsoft for their committed terms.
    Exposure {
        #[arg(long)]
        as_of: Option<String>,
        /// Also write the report's table as CSV to FILE (the desktop app's "Export CSV").
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
    },
    /// Cancellations and expiries by month.
    Churn(ReportRange),
    /// Azure usage per customer and Azure subscription by usage month: retail, Microsoft's cost,
    /// the price billed (or to bill), the margin, and the PEC watch.
    Azure {
        /// One usage month, YYYY-MM (instead of --from and --to).
        #[arg(long, conflicts_with_all = ["from", "to"])]
        month: Option<String>,
        #[command(flatten)]
        range: ReportRange,
    },
    /// The balance of every account of the journal; it always sums to zero per currency.
    TrialBalance,
    /// A customer's account: invoiced, credited, received, balance, open invoices.
    Account {
        #[arg(long)]
        customer: i64,
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Customers on credit stop (over their credit limit, or an invoice more than 60 days overdue), and why.
    CreditStop {
        /// Default: today.
        #[arg(long)]
        as_of: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum BackupCommand {
    /// Write a consistent, checked copy of the database (default: into the backups folder beside it).
    Create {
        /// Write the backup to FILE instead (its checksum beside it, as FILE.sha256)
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// List the backups in the backups folder beside the database.
    List,
    /// Replace the database by a backup; the file is checked first and the current database is kept aside.
    Restore { file: PathBuf },
}

#[derive(Subcommand, Debug)]
pub enum InvoiceCommand {
    /// List issued invoices.
    List {
        /// YYYY-MM
        #[arg(long)]
        month: Option<String>,
        #[arg(long)]
        customer: Option<i64>,
        /// unpaid, open, partly-paid, paid, overdue or credited (as of today).
        #[arg(long)]
        status: Option<String>,
    },
    /// Show an invoice (or a credit note) by number.
    Show { number: String },
    /// Write PDFs: one document (NUMBER --out FILE), or a month (--month M --out-dir DIR and/or --combined FILE).
    Pdf {
        /// An invoice or credit note number.
        number: Option<String>,
        #[arg(long, requires = "number", value_name = "FILE")]
        out: Option<PathBuf>,
        /// YYYY-MM: every invoice of the month.
        #[arg(long, conflicts_with = "number")]
        month: Option<String>,
        /// One file per invoice, named by number and customer.
        #[arg(long, requires = "month", value_name = "DIR")]
        out_dir: Option<PathBuf>,
        /// One PDF of all of the month's invoices, for printing.
        #[arg(long, requires = "month", value_name = "FILE")]
        combined: Option<PathBuf>,
    },
    /// Issue a credit note: the whole invoice, chosen lines, or an amount, with a reason.
    Credit {
        number: String,
        /// Line positions to credit in full, e.g. 1,3.
        #[arg(long, value_delimiter = ',', conflicts_with = "amount")]
        lines: Option<Vec<u32>>,
        /// A net amount to credit.
        #[arg(long)]
        amount: Option<String>,
        #[arg(long)]
        reason: String,
        /// Credit note date (default: today).
        #[arg(long)]
        date: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ChargeCommand {
    /// Add a one-time charge, billed by the run of its month.
    Add {
        #[arg(long)]
        customer: i64,
        #[arg(long)]
        description: String,
        /// Price per unit (net).
        #[arg(long)]
        amount: String,
        #[arg(long, default_value = "1")]
        quantity: String,
        /// Billable date (default: today).
        #[arg(long)]
        date: Option<String>,
        /// Default: the customer's currency.
        #[arg(long)]
        currency: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ServiceCommand {
    /// Add a monthly service fee, billed in advance from --start.
    Add {
        #[arg(long)]
        customer: i64,
        #[arg(long)]
        description: String,
        /// Per month (per seat and month with --per-seat-of).
        #[arg(long)]
        amount: String,
        /// Charge per seat of this subscription, following its seat count.
        #[arg(long, value_name = "SUBSCRIPTION")]
        per_seat_of: Option<i64>,
        /// First day of service (default: today).
        #[arg(long)]
        start: Option<String>,
        #[arg(long)]
        currency: Option<String>,
    },
    /// End a service: --on is its last day of service.
    End {
        id: i64,
        #[arg(long)]
        on: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum InstalmentsCommand {
    /// Split a total into monthly instalments from --start (the last absorbs the rounding).
    Add {
        #[arg(long)]
        customer: i64,
        #[arg(long)]
        description: String,
        #[arg(long)]
        total: String,
        #[arg(long)]
        count: u32,
        /// First instalment's date (default: today).
        #[arg(long)]
        start: Option<String>,
        #[arg(long)]
        currency: Option<String>,
    },
}

#[derive(Args, Debug, Default, Clone)]
pub struct CompanyArgs {
    /// Legal name (required by init).
    #[arg(long)]
    pub name: Option<String>,
    /// Postal address; use "\n" or several lines in quotes.
    #[arg(long)]
    pub address: Option<String>,
    /// Country, ISO 3166 alpha-2 (required by init), e.g. ZA.
    #[arg(long)]
    pub country: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    /// VAT registration number.
    #[arg(long)]
    pub vat_number: Option<String>,
    /// Company registration number.
    #[arg(long)]
    pub registration_number: Option<String>,
    #[arg(long)]
    pub bank_name: Option<String>,
    #[arg(long)]
    pub bank_account_holder: Option<String>,
    /// Account number or IBAN.
    #[arg(long)]
    pub bank_account_number: Option<String>,
    /// Branch code or sort code.
    #[arg(long)]
    pub bank_branch_code: Option<String>,
    /// SWIFT/BIC.
    #[arg(long)]
    pub bank_swift: Option<String>,
    /// Logo image file (PNG or JPEG) printed on invoices.
    #[arg(long, value_name = "FILE")]
    pub logo: Option<String>,
    /// Default currency, ISO 4217 (required by init), e.g. ZAR.
    #[arg(long)]
    pub currency: Option<String>,
    /// VAT rate in percent (required by init), e.g. 15.
    #[arg(long)]
    pub vat_rate: Option<String>,
    /// Default payment terms in days (default 30).
    #[arg(long)]
    pub payment_terms_days: Option<String>,
    /// Markup in percent when no markup rule applies (default 15).
    #[arg(long)]
    pub default_markup: Option<String>,
    /// Price-list market to import and price from (default: the country).
    #[arg(long)]
    pub market: Option<String>,
    /// Invoice number format, with {year} and {seq} or {seq:05} (default INV-{year}-{seq:05}).
    #[arg(long)]
    pub invoice_format: Option<String>,
    /// Credit note number format (default CN-{year}-{seq:05}).
    #[arg(long)]
    pub credit_note_format: Option<String>,
    /// Paper size for PDFs: a4 (default) or letter.
    #[arg(long)]
    pub paper: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum CompanyCommand {
    /// Show the profile.
    Show,
    /// Change fields of the profile.
    Set(CompanyArgs),
}

#[derive(Args, Debug, Default)]
pub struct CustomerArgs {
    /// Legal name.
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub contact_person: Option<String>,
    /// Billing e-mail addresses, separated by commas: invoices, statements and reminders go to each.
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    /// How documents go to the customer: email (default) or paper.
    #[arg(long)]
    pub delivery: Option<String>,
    /// Billing address.
    #[arg(long)]
    pub address: Option<String>,
    /// ISO 3166 alpha-2 (default: the company's country).
    #[arg(long)]
    pub country: Option<String>,
    /// ISO 4217 (default: the company's currency).
    #[arg(long)]
    pub currency: Option<String>,
    #[arg(long)]
    pub vat_number: Option<String>,
    /// standard, zero-rated or exempt (default standard).
    #[arg(long)]
    pub tax_treatment: Option<String>,
    /// Days to pay (default: the company's).
    #[arg(long)]
    pub payment_terms_days: Option<String>,
    /// Credit limit in the customer's currency ("" removes it).
    #[arg(long)]
    pub credit_limit: Option<String>,
    /// Microsoft tenant domain, unique (e.g. contoso.onmicrosoft.com).
    #[arg(long)]
    pub domain: Option<String>,
    /// Microsoft tenant id (a GUID).
    #[arg(long)]
    pub tenant_id: Option<String>,
    /// microsoft (anniversary cycles, default) or calendar (calendar months).
    #[arg(long)]
    pub billing_alignment: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum CustomerCommand {
    /// Add a customer (--name and --domain are required).
    Add(CustomerArgs),
    /// Link a customer to its Microsoft tenant (Partner Center's customer id).
    Link {
        id: i64,
        #[arg(long = "tenant-id")]
        tenant_id: String,
    },
    /// Make a customer at Microsoft (Partner Center): its domain checked first, the customer
    /// made with its billing profile and linked, and the Microsoft Customer Agreement attested
    /// with its contact person (first and last name, e-mail) and today's date.
    Provision {
        id: i64,
        /// The new tenant's domain, such as contoso.onmicrosoft.com (default: the customer's).
        #[arg(long)]
        domain: Option<String>,
        /// The billing address Microsoft keeps: street, city, postal code, state or province.
        #[arg(long = "address-line")]
        address_line: String,
        #[arg(long)]
        city: String,
        #[arg(long = "postal-code")]
        postal_code: String,
        #[arg(long)]
        state: Option<String>,
    },
    /// Change fields of a customer. A linked customer's name, contact, e-mail and phone go to
    /// its billing profile at Microsoft too (when connected; see --no-provision).
    Update {
        id: i64,
        #[command(flatten)]
        fields: CustomerArgs,
        #[command(flatten)]
        to: ProvisionFlags,
    },
    /// Show a customer with its contact log and subscriptions.
    Show { id: i64 },
    /// List open customers, searching name, domain, email, VAT number and contact.
    List {
        #[arg(long)]
        search: Option<String>,
        /// Include closed customers.
        #[arg(long)]
        all: bool,
        /// Show at most N customers.
        #[arg(long, value_name = "N")]
        limit: Option<u32>,
    },
    /// Close a customer (refused while subscriptions still run).
    Close {
        id: i64,
        /// Default: today.
        #[arg(long)]
        on: Option<String>,
    },
    /// Import customers from CSV: name,domain,email,country,currency,vat_number,payment_terms_days
    /// (+ contact_person, phone, address, tax_treatment, credit_limit, tenant_id, billing_alignment, notes).
    /// All or nothing.
    Import { file: PathBuf },
    /// Add an entry to a customer's contact log.
    Note {
        id: i64,
        /// phone, email, meeting, chat, ticket or other.
        #[arg(long)]
        channel: String,
        #[arg(long)]
        summary: String,
        /// Default: today.
        #[arg(long)]
        on: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum PricelistCommand {
    /// Import a price-list CSV as Microsoft publishes it. Re-importing (next month's file) updates
    /// effective-dated prices without duplicating rows.
    Import {
        file: PathBuf,
        /// Keep rows of this market only (default: the company's market).
        #[arg(long)]
        market: Option<String>,
        /// Keep rows in this currency only (default: all).
        #[arg(long)]
        currency: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReconCommand {
    /// Import Microsoft's invoice reconciliation file: the Partner Center CSV (any release's
    /// header) or the Graph export (gzip-compressed JSON Lines). The same data again adds nothing.
    Import {
        file: PathBuf,
        /// Replace the lines imported earlier for the same invoice (the earlier file is kept).
        #[arg(long)]
        replace: bool,
    },
    /// The invoices imported.
    List,
    /// Reconcile one invoice with what Seatbook billed: findings, totals, margin on actual cost.
    Report {
        /// Microsoft's invoice number, e.g. G012345678.
        invoice: String,
        /// Also write the findings as CSV (the app's Export CSV, byte for byte).
        #[arg(long)]
        csv: Option<PathBuf>,
    },
    /// Put right what a finding says: adopt the subscription, record Microsoft's seat change or
    /// cancellation, or attach Microsoft's subscription id.
    Fix {
        /// The id a finding carries in the report, e.g. G012345678-1a2b3c4d.
        finding: String,
    },
    /// Write Microsoft's file of an imported invoice back out, byte for byte as it came.
    File {
        /// Microsoft's invoice number, e.g. G012345678.
        invoice: String,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum ProductCommand {
    /// List products with the prices in force on a date.
    List {
        /// Text in the product id, title or description.
        #[arg(long)]
        search: Option<String>,
        /// Default: today.
        #[arg(long)]
        on: Option<String>,
    },
    /// The cost and resale price of a product, term and billing plan on a date.
    Price {
        /// PRODUCTID:SKUID
        product: String,
        #[arg(long)]
        term: String,
        #[arg(long)]
        billing: String,
        /// Price for this customer (their markup rules and currency); default: the general price.
        #[arg(long)]
        customer: Option<i64>,
        /// Default: today.
        #[arg(long)]
        on: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum MarkupCommand {
    /// Add a markup rule: for a customer and product, a customer, a product, or by default.
    Set {
        #[arg(long)]
        customer: Option<i64>,
        /// PRODUCTID:SKUID
        #[arg(long)]
        product: Option<String>,
        /// Markup on cost in percent.
        #[arg(long, conflicts_with = "price", required_unless_present = "price")]
        percent: Option<String>,
        /// Fixed resale price per seat per month (needs --product).
        #[arg(long)]
        price: Option<String>,
        /// Currency of --price (default: the customer's, else the company's).
        #[arg(long, requires = "price")]
        currency: Option<String>,
        /// Effective from (default: today).
        #[arg(long)]
        on: Option<String>,
    },
    /// List markup rules.
    List,
}

#[derive(Subcommand, Debug)]
pub enum FxCommand {
    /// Set the rate from one currency to another, effective from a date.
    Set {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// Units of --to for one unit of --from.
        #[arg(long)]
        rate: String,
        #[arg(long)]
        on: String,
    },
    /// List exchange rates.
    List,
}

#[derive(Subcommand, Debug)]
pub enum SubscriptionCommand {
    /// Link a subscription to Microsoft's (its Partner Center subscription id).
    Link {
        id: i64,
        #[arg(long = "ms-subscription-id")]
        ms_subscription_id: String,
    },
    /// Provision a subscription; its cost and price are locked for the term.
    Add {
        #[arg(long)]
        customer: i64,
        /// PRODUCTID:SKUID
        #[arg(long)]
        product: String,
        /// P1M, P1Y or P3Y (a trial converts to it; default P1Y with --trial).
        #[arg(long, required_unless_present = "trial")]
        term: Option<String>,
        /// monthly, annual or triennial (valid pairs: P1M monthly; P1Y monthly|annual; P3Y any).
        #[arg(long, required_unless_present = "trial")]
        billing: Option<String>,
        #[arg(long)]
        quantity: u32,
        /// First day of the term.
        #[arg(long)]
        start: String,
        /// Resale price per seat per month in the customer's currency, instead of the markup rules.
        #[arg(long)]
        price: Option<String>,
        /// Let the term end without renewing.
        #[arg(long)]
        no_auto_renew: bool,
        /// A 30-day free trial that converts to --term/--billing (default P1Y monthly).
        #[arg(long)]
        trial: bool,
        /// Microsoft's subscription id.
        #[arg(long)]
        ms_subscription_id: Option<String>,
        /// Add it even though the customer is on credit stop.
        #[arg(long)]
        confirm: bool,
        #[command(flatten)]
        to: ProvisionFlags,
    },
    /// Change the seat count (decreases only for seats added within 7 days).
    Quantity {
        id: i64,
        #[arg(long)]
        quantity: u32,
        #[arg(long)]
        on: String,
        #[command(flatten)]
        to: ProvisionFlags,
    },
    /// Cancel (only within 7 days of purchase or renewal).
    Cancel {
        id: i64,
        #[arg(long)]
        on: String,
        #[command(flatten)]
        to: ProvisionFlags,
    },
    /// Suspend (still billed; turns auto-renew off).
    Suspend {
        id: i64,
        #[arg(long)]
        on: String,
        #[command(flatten)]
        to: ProvisionFlags,
    },
    /// Reactivate a suspended subscription.
    Reactivate {
        id: i64,
        #[arg(long)]
        on: String,
        #[command(flatten)]
        to: ProvisionFlags,
    },
    /// Turn auto-renew on or off.
    AutoRenew {
        id: i64,
        #[arg(value_parser = ["on", "off"])]
        state: String,
        #[command(flatten)]
        to: ProvisionFlags,
    },
    /// Schedule changes for the next renewal.
    Schedule {
        id: i64,
        #[arg(long)]
        quantity: Option<u32>,
        #[arg(long)]
        term: Option<String>,
        #[arg(long)]
        billing: Option<String>,
        /// PRODUCTID:SKUID
        #[arg(long)]
        product: Option<String>,
        #[command(flatten)]
        to: ProvisionFlags,
    },
    /// Upgrade to another (dearer) product from a date.
    Upgrade {
        id: i64,
        /// PRODUCTID:SKUID
        #[arg(long)]
        product: String,
        #[arg(long)]
        on: String,
        #[command(flatten)]
        to: ProvisionFlags,
    },
    /// Show a subscription: terms, current cycle, seat windows, history.
    Show {
        id: i64,
        /// Default: today.
        #[arg(long)]
        as_of: Option<String>,
    },
    /// List subscriptions.
    List {
        #[arg(long)]
        customer: Option<i64>,
        /// active, suspended, cancelled or expired.
        #[arg(long)]
        status: Option<String>,
    },
    /// Import subscriptions from CSV: customer_domain,product,term,billing,quantity,start,price
    /// (price optional, per seat per month; + auto_renew, ms_subscription_id, bill_from). All or nothing.
    Import { file: PathBuf },
}

/// Whether a change to a subscription or a customer goes to Microsoft as well (default: when it
/// is linked and Seatbook connected to Partner Center).
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct ProvisionFlags {
    /// Send the change to Partner Center (refused if it is not linked).
    #[arg(long, conflicts_with = "no_provision")]
    pub provision: bool,
    /// Change the book only (it is provisioned elsewhere).
    #[arg(long = "no-provision")]
    pub no_provision: bool,
}

impl ProvisionFlags {
    pub fn send(self) -> Option<bool> {
        match (self.provision, self.no_provision) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum RenewalsCommand {
    /// Renew (new term, current price list, scheduled changes) or expire every subscription whose
    /// term ended before DATE.
    Run {
        #[arg(long)]
        through: String,
    },
    /// Subscriptions whose term ends within DAYS of a date (default 30, the dashboard's horizon).
    Due {
        #[arg(long, value_name = "DAYS")]
        within: Option<String>,
        /// Default: today.
        #[arg(long)]
        as_of: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum UsageCommand {
    /// Import Microsoft's daily rated usage: the Partner Center CSV (any release's header) or the
    /// Graph export (gzip-compressed JSON Lines). All or nothing; the same data again adds nothing.
    Import { file: PathBuf },
    /// Usage per customer (or unknown tenant), Azure subscription and month: retail and cost,
    /// exact; billed usage, or this month's estimates.
    List {
        /// The usage month, YYYY-MM.
        #[arg(long)]
        month: Option<String>,
        #[arg(long)]
        customer: Option<i64>,
        /// Only estimates (usage not billed by Microsoft yet).
        #[arg(long)]
        estimates: bool,
    },
    /// How Azure usage is priced from a day on: Microsoft's retail price plus a markup (or minus
    /// a discount: a negative percent), or the partner's cost plus a markup. Without --customer:
    /// the default rule (Seatbook's own default is retail + 0 %).
    Rule {
        #[arg(long)]
        customer: Option<i64>,
        /// retail or cost.
        #[arg(long)]
        basis: String,
        /// Markup in percent; negative for a discount on retail.
        #[arg(long, allow_hyphen_values = true)]
        percent: String,
        /// In force from this day (default today); usage is priced by the rule in force on its
        /// month's last day.
        #[arg(long)]
        on: Option<String>,
    },
    /// A customer's monthly Azure budget in their currency (0 removes it): the dashboard and the
    /// customer's page warn when this month's usage crosses 80 % and 100 % of it.
    Budget {
        #[arg(long)]
        customer: i64,
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum PcCommand {
    /// Connect to Partner Center: as the partner's application (--app-only, by its client secret)
    /// or as application and user (--device-code); the sign-in is tried before anything is saved.
    ///
    /// With --app-only the secret is read from SEATBOOK_PC_CLIENT_SECRET (used, not kept), else
    /// one line of standard input (kept in the system's credential store); it is never written
    /// to the book. With --device-code the user signs in at Microsoft; a refresh token can also
    /// come from SEATBOOK_PC_REFRESH_TOKEN (automation).
    /// Partner Center's and the sign-in's addresses can be changed by SEATBOOK_PARTNER_CENTER_URL
    /// and SEATBOOK_LOGIN_URL (other clouds, tests).
    Connect {
        /// The partner's tenant id (a GUID).
        #[arg(long)]
        tenant: String,
        /// The application (client) id registered in the partner's tenant (a GUID).
        #[arg(long = "client-id")]
        client_id: String,
        /// Sign in as the application only, by its client secret.
        #[arg(long = "app-only")]
        app_only: bool,
        /// Sign in as application and user (Microsoft's Secure Application Model): Seatbook
        /// shows a code to enter at Microsoft's sign-in page, waits, and keeps the user's
        /// refresh token in the system's credential store (a client secret in
        /// SEATBOOK_PC_CLIENT_SECRET is sent too, for a confidential application).
        #[arg(long = "device-code", conflicts_with = "app_only")]
        device_code: bool,
    },
    /// Who is connected, where the secret is, and when the book was last compared.
    Status,
    /// Read Microsoft's customers and subscriptions and list what differs from the book.
    Sync {
        /// Take in what is only at Microsoft: customers matched by domain get their tenant id,
        /// customers are added, subscriptions adopted (priced by the markup rules, billed from
        /// their next charge cycle).
        #[arg(long)]
        apply: bool,
    },
    /// Changes sent to Microsoft: what waits and why, what Microsoft took or refused (the
    /// latest first).
    Outbox {
        /// Send what waits now.
        #[arg(long)]
        retry: bool,
    },
    /// Take Microsoft's seats, status and auto-renew into the book for a subscription that
    /// differs (recorded in its history, billed and credited as any change).
    Take {
        /// The subscription (Seatbook's id).
        id: i64,
        /// The day the book takes them from (default: today).
        #[arg(long)]
        on: Option<String>,
    },
    /// Send the book's seats, status and auto-renew to Microsoft for a subscription that differs.
    Push {
        /// The subscription (Seatbook's id).
        id: i64,
    },
}

#[derive(Subcommand, Debug)]
pub enum MailCommand {
    /// Set up the mail server and the sender. The password goes to the system's credential
    /// store, never the database (without one, give it in SEATBOOK_SMTP_PASSWORD instead).
    Set {
        /// The mail server's host name.
        #[arg(long)]
        host: Option<String>,
        /// Default: 587 for starttls, 465 for tls, 25 for none.
        #[arg(long)]
        port: Option<String>,
        /// starttls (default), tls (implicit, port 465) or none (a local relay only).
        #[arg(long)]
        security: Option<String>,
        /// The user name to sign in with ("" for a server that needs none).
        #[arg(long)]
        user: Option<String>,
        /// Read the password from standard input (one line).
        #[arg(long)]
        password_stdin: bool,
        /// The sender's address.
        #[arg(long, value_name = "ADDRESS")]
        from: Option<String>,
        /// The sender's name, e.g. the company's.
        #[arg(long, value_name = "NAME")]
        from_name: Option<String>,
        #[arg(long, value_name = "ADDRESS")]
        reply_to: Option<String>,
        /// A copy of every message to this address ("" for none).
        #[arg(long, value_name = "ADDRESS")]
        bcc: Option<String>,
        /// Trust the certificates in this PEM file besides the system's (a local relay's own).
        #[arg(long, value_name = "PEM")]
        ca_file: Option<String>,
        /// Renewal notices go this many days before a term ends (default 14).
        #[arg(long, value_name = "DAYS")]
        renewal_days: Option<String>,
        /// yes (default): invoices and credit notes are e-mailed as they are issued; no: only
        /// with `seatbook mail send`.
        #[arg(long, value_name = "yes|no")]
        send_on_issue: Option<String>,
    },
    /// The settings, and where the password is kept.
    Show,
    /// Send a test message now; says exactly what failed (DNS, connection, TLS, sign-in, recipient).
    Test {
        #[arg(long, value_name = "ADDRESS")]
        to: String,
    },
    /// E-mail issued invoices or credit notes (each with its PDF), a month's invoices, or a statement.
    #[command(group = clap::ArgGroup::new("what").required(true).args(["invoices", "month", "statement"]))]
    Send {
        /// Invoice or credit note numbers, separated by commas.
        #[arg(long, value_delimiter = ',', value_name = "NUMBER,...")]
        invoices: Vec<String>,
        /// Every invoice issued for the month (YYYY-MM) not e-mailed yet.
        #[arg(long, value_name = "YYYY-MM")]
        month: Option<String>,
        /// A statement of account (with --customer, --from, --to).
        #[arg(long, requires = "customer")]
        statement: bool,
        #[arg(long, value_name = "ID")]
        customer: Option<i64>,
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Send again what already went to an address.
        #[arg(long)]
        again: bool,
    },
    /// Renewal notices for the terms that end within DAYS (default: the settings' days).
    Renewals {
        #[arg(long, value_name = "DAYS")]
        within: Option<String>,
        /// Show what would go, and to whom; send nothing.
        #[arg(long)]
        preview: bool,
    },
    /// What is not sent yet: waiting, refused, unknown (cut off mid-send).
    Outbox {
        /// Send every waiting message now.
        #[arg(long)]
        retry: bool,
        /// Send this message again (one that is unknown or refused): your decision.
        #[arg(long, value_name = "ID", conflicts_with = "retry")]
        resend: Option<i64>,
    },
    /// The messages sent, newest first.
    Log {
        #[arg(long, value_name = "ID")]
        customer: Option<i64>,
    },
    /// The message templates; change one with --kind and --subject/--text-file/--html-file.
    Template {
        /// invoice, credit_note, statement, reminder or renewal.
        #[arg(long)]
        kind: Option<String>,
        #[arg(long, requires = "kind")]
        subject: Option<String>,
        /// The plain-text body, from a file.
        #[arg(long, value_name = "FILE", requires = "kind")]
        text_file: Option<PathBuf>,
        /// The HTML body, from a file (default: made from the text).
        #[arg(long, value_name = "FILE", requires = "kind")]
        html_file: Option<PathBuf>,
        /// Back to Seatbook's default.
        #[arg(long, requires = "kind", conflicts_with_all = ["subject", "text_file", "html_file"])]
        reset: bool,
        /// Show it filled in with example values.
        #[arg(long, requires = "kind")]
        preview: bool,
    },
}
