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
        }
    }

    /// True for errors caused by what the user asked for (exit status 2 on the command line).
    pub fn is_user_error(self) -> bool {
        matches!(self, ErrorCode::InvalidInput | ErrorCode::Refused | ErrorCode::NotFound | ErrorCode::Conflict)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    /// The flag, column or field the error is about, in the user's terms (`quantity`, `line 4`).
    pub field: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), field: None }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error { code: ErrorCode::InvalidInput, message: message.into(), field: Some(field.into()) }
    }

    pub fn refused(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Refused, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::NotFound, message)
    }

    pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error { code: ErrorCode::Conflict, message: message.into(), field: Some(field.into()) }
    }

    pub fn database(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Database, message)
    }

    pub fn io(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Io, message)
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
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

/// Problems found in a file, each tied to its line. Imports collect all of them before
/// refusing the file, so the user can fix every line in one go.
#[derive(Debug, Default)]
pub struct LineProblems {
    what: String,
    problems: Vec<(usize, String)>,
}

impl LineProblems {
    pub fn new(what: impl Into<String>) -> Self {
        LineProblems { what: what.into(), problems: Vec::new() }
    }

    pub fn push(&mut self, line: usize, problem: impl Into<String>) {
        self.problems.push((line, problem.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// `Ok(())` when no line had a problem, else one error listing every bad line.
    pub fn into_result(mut self) -> Result<()> {
        if self.problems.is_empty() {
            return Ok(());
        }
        self.problems.sort_by_key(|(line, _)| *line);
        let n = self.problems.len();
        let mut message = format!("{} rejected, nothing imported: {n} bad line{}", self.what, if n == 1 { "" } else { "s" });
        for (line, problem) in &self.problems {
            message.push_str(&format!("\n  line {line}: {problem}"));
        }
        let first = self.problems[0].0;
        Err(Error::invalid(format!("line {first}"), message))
    }
}
