//! The one error type of the core. It carries a stable `code` that front ends branch on, a
//! human message, and the field (flag, column or CSV line) it concerns, so a UI can show it
//! beside the input and a script can tell bad input from a failure.

use std::fmt;

/// What kind of failure this is. The string form (`as_str`) is a public contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The input is malformed or out of range: a bad date, amount, code or CSV line.
    InvalidInput,
    /// The input is well-formed but a business rule refuses it (e.g. a 7-day window has passed).
    Refused,
    /// A customer, subscription, product or price that was asked for does not exist.
    NotFound,
    /// The change collides with existing data (e.g. a tenant domain already in use).
    Conflict,
    /// The database was written by a newer Seatbook; it is left untouched.
    NewerDatabase,
    /// The database failed (locked, corrupt, disk full).
    Database,
    /// A file could not be read or written.
    Io,
    /// A service outside Seatbook is not there or did not do what was asked: the mail server,
    /// the system's credential store.
    Unavailable,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Refused => "refused",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::NewerDatabase => "newer_database",
            ErrorCode::Database => "database",
            ErrorCode::Io => "io",
            ErrorCode::Unavailable => "unavailable",
        }
    }

    /// True for errors caused by what the user asked for (exit status 2 on the command line).
    pub fn is_user_error(self) -> bool {
        matches!(self, ErrorCode::InvalidInput | ErrorCode::Refused | ErrorCode::NotFound | ErrorCode::Conflict)
    }
}

/// An error of the core. Its `message` is a neutral sentence (no command-line flag, no command to
/// type, no button to press); `field` is a neutral key (`quantity`, `vat_rate`, `number`, a file's
/// `line 4`); `hint` is what the user can do about it, as data, which each front words its own way
/// (the command line as a command to type, the window as a place to go).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    /// The field the error is about, as a neutral key in snake case (`quantity`, `vat_rate`,
    /// `line 4`); the CLI maps it to its flag, the window to its input.
    pub field: Option<String>,
    pub hint: Option<Hint>,
    /// The message is about the value typed (`'abc' is not a decimal amount`) and says nothing
    /// of where it was typed: a front that does not show it beside its input names the field
    /// first (`--amount: …`, `UnitPrice: …`).
    pub names_value: bool,
}

/// What the user can do next, as data: each front words it (see the CLI's `wording.rs` and the
/// shell's `error.rs`); `describe` is the neutral wording, for a file's line problems.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Hint {
    /// Add an exchange rate `from`→`to` in force on `on`.
    ExchangeRate { from: String, to: String, on: chrono::NaiveDate },
    /// Schedule the change for the subscription's renewal on `renewal` instead.
    ScheduleForRenewal { subscription: i64, renewal: chrono::NaiveDate, quantity: Option<u32>, product: Option<String> },
    /// Turn auto-renew off so the subscription ends at the end of its term.
    TurnAutoRenewOff { subscription: i64 },
    /// Ask again with confirmation (e.g. a customer on credit stop).
    Confirm,
    /// Seatbook is not set up yet: enter the company's profile first.
    SetUp,
    /// The company is set up already: change its profile instead.
    ChangeProfile,
    /// Import Microsoft's price list first.
    ImportPriceList,
    /// Credit chosen lines of the invoice instead of the whole of it or an amount.
    CreditLines,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Hint {
    /// What to do, in words that name no command and no button.
    pub fn describe(&self) -> String {
        match self {
            Hint::ExchangeRate { from, to, on } => format!("add a {from}→{to} exchange rate in force on {on}"),
            Hint::ScheduleForRenewal { renewal, .. } => format!("schedule the change for the renewal on {renewal}"),
            Hint::TurnAutoRenewOff { .. } => "turn auto-renew off".into(),
            Hint::Confirm => "confirm to go ahead anyway".into(),
            Hint::SetUp => "set up the company's profile first".into(),
            Hint::ChangeProfile => "change the company's profile instead".into(),
            Hint::ImportPriceList => "import Microsoft's price list first".into(),
            Hint::CreditLines => "credit chosen lines instead".into(),
        }
    }
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), field: None, hint: None, names_value: false }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error { code: ErrorCode::InvalidInput, message: message.into(), field: Some(field.into()), hint: None, names_value: false }
    }

    /// Bad input whose message is about the value typed, not the field (see `names_value`).
    pub fn bad_value(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error { names_value: true, ..Error::invalid(field, message) }
    }

    pub fn refused(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Refused, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::NotFound, message)
    }

    pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error { code: ErrorCode::Conflict, message: message.into(), field: Some(field.into()), hint: None, names_value: false }
    }

    pub fn database(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Database, message)
    }

    pub fn io(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Io, message)
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Unavailable, message)
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn with_hint(mut self, hint: Hint) -> Self {
        self.hint = Some(hint);
        self
    }

    /// The message, with its field in front when it is about the value typed (`UnitPrice: 'abc'
    /// is not a decimal amount`): how a problem on a file's line names the column it is about.
    pub fn field_message(&self) -> String {
        match &self.field {
            Some(f) if self.names_value => format!("{f}: {}", self.message),
            _ => self.message.clone(),
        }
    }

    /// Prefix the message with where it happened (e.g. "line 7").
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::io(e.to_string())
    }
}

/// How many of a file's bad lines an error lists (the count says how many there are in all).
pub const SHOWN_PROBLEMS: usize = 100;

/// Problems found in a file, each tied to its line. Imports collect all of them before
/// refusing the file, so the user can fix every line in one go. Only the first lines' problems
/// are kept (those the message lists), and how many there are in all: a file of a million bad
/// lines costs no more than one of a hundred.
#[derive(Debug, Default)]
pub struct LineProblems {
    what: String,
    problems: Vec<(usize, String)>,
    count: usize,
}

impl LineProblems {
    pub fn new(what: impl Into<String>) -> Self {
        LineProblems { what: what.into(), problems: Vec::new(), count: 0 }
    }

    pub fn push(&mut self, line: usize, problem: impl Into<String>) {
        self.count += 1;
        if self.problems.len() == SHOWN_PROBLEMS && self.problems.last().is_some_and(|(l, _)| *l <= line) {
            // Sorted and full: a later line is only counted.
            return;
        }
        self.problems.push((line, problem.into()));
        if self.problems.len() > SHOWN_PROBLEMS {
            self.problems.sort_by_key(|(line, _)| *line);
            self.problems.truncate(SHOWN_PROBLEMS);
        }
    }

    /// A line whose value the core refused: the column and the message, and what would fix it
    /// (in neutral words: a file's lines are one message).
    pub fn push_error(&mut self, line: usize, e: &Error) {
        match &e.hint {
            Some(h) => self.push(line, format!("{} ({})", e.field_message(), h.describe())),
            None => self.push(line, e.field_message()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// A row as read, or `None` with its line's problem noted (a line the reader could not read).
    pub fn take<T>(&mut self, row: std::result::Result<T, (usize, String)>) -> Option<T> {
        match row {
            Ok(row) => Some(row),
            Err((line, problem)) => {
                self.push(line, problem);
                None
            }
        }
    }

    /// `Ok(())` when no line had a problem, else one error listing every bad line.
    pub fn into_result(mut self) -> Result<()> {
        if self.problems.is_empty() {
            return Ok(());
        }
        self.problems.sort_by_key(|(line, _)| *line);
        let n = self.count;
        let mut message = format!("{} rejected, nothing imported: {n} bad line{}", self.what, if n == 1 { "" } else { "s" });
        for (line, problem) in self.problems.iter().take(SHOWN_PROBLEMS) {
            message.push_str(&format!("\n  line {line}: {problem}"));
        }
        if n > SHOWN_PROBLEMS {
            message.push_str(&format!("\n  … and {} more bad lines", n - SHOWN_PROBLEMS));
        }
        let first = self.problems[0].0;
        Err(Error::invalid(format!("line {first}"), message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_with_many_bad_lines_lists_the_first_hundred_and_counts_them_all() {
        let mut p = LineProblems::new("customer file");
        for line in (2..=100_001).rev() {
            p.push(line, "bad");
        }
        let e = p.into_result().unwrap_err();
        assert!(e.message.starts_with("customer file rejected, nothing imported: 100000 bad lines\n  line 2: bad"), "{}", &e.message[..80]);
        assert_eq!(e.message.matches("\n  line ").count(), 100);
        assert!(e.message.ends_with("\n  … and 99900 more bad lines"));
        assert_eq!(e.field.as_deref(), Some("line 2"));
    }
}
