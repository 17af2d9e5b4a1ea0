//! The one error shape that crosses IPC: `{code, message, field}`. The UI branches on `code` and
//! shows `message` beside the input named `field`.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpcError {
    /// `invalid_input`, `refused`, `not_found`, `conflict`, `newer_database`, `database` or `io`.
    pub code: &'static str,
    pub message: String,
    /// The form field the error concerns, named like the page's inputs (`quantity`, `vat_rate`),
    /// or a file's line (`line 4`); `None` for the form as a whole.
    pub field: Option<String>,
}

impl From<seatbook::Error> for IpcError {
    fn from(e: seatbook::Error) -> Self {
        IpcError { code: e.code.as_str(), message: for_the_window(&e.message), field: e.field.as_deref().map(field_name) }
    }
}

/// The core words its messages for the command line (`--amount: 'abc' is not a decimal amount`,
/// `… (seatbook fx set --from USD …)`). In the window the message sits beside the input it is
/// about, so: the leading `--flag: ` goes, a hint that is a command to type goes (a parenthesis
/// starting `seatbook `, or a `; …` clause naming a flag), the remaining flags become words
/// (`--vat-rate` → `vat rate`), and the sentence starts with a capital.
pub fn for_the_window(message: &str) -> String {
    let flag_end = |s: &str| s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).unwrap_or(s.len());
    let mut m = message.trim();
    if let Some(rest) = m.strip_prefix("--") {
        if let Some(after) = rest[flag_end(rest)..].strip_prefix(": ") {
            m = after;
        }
    }
    let mut m = m.to_string();
    while let Some(start) = m.find(" (seatbook ") {
        match m[start..].find(')') {
            Some(end) => m.replace_range(start..start + end + 1, ""),
            None => break,
        }
    }
    let mut out = String::with_capacity(m.len());
    for (i, clause) in m.split("; ").enumerate() {
        if i > 0 && clause.contains(" --") {
            continue;
        }
        if i > 0 {
            out.push_str("; ");
        }
        out.push_str(clause);
    }
    let mut words = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(i) = rest.find("--") {
        let after = &rest[i + 2..];
        let n = flag_end(after);
        let starts_word = i == 0 || !rest[..i].ends_with(|c: char| c.is_ascii_alphanumeric());
        words.push_str(&rest[..i]);
        if starts_word && n > 0 {
            words.push_str(&after[..n].replace('-', " "));
        } else {
            words.push_str("--");
            words.push_str(&after[..n]);
        }
        rest = &after[n..];
    }
    words.push_str(rest);
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

impl IpcError {
    /// A failure of the shell itself (a file it could not write, a viewer it could not start).
    pub fn io(message: impl Into<String>) -> Self {
        IpcError { code: seatbook::ErrorCode::Io.as_str(), message: message.into(), field: None }
    }

    /// Bad input the shell found before calling the core, named like the page's input.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        IpcError { code: seatbook::ErrorCode::InvalidInput.as_str(), message: message.into(), field: Some(field_name(field)) }
    }
}

/// The core names fields as the command line does (`--vat-rate`, `PRODUCT`); the page names
/// its inputs in snake case (`vat_rate`, `product`). A file's line (`line 4`) stays as it is.
pub fn field_name(field: &str) -> String {
    let f = field.trim();
    if f.starts_with("line ") {
        return f.to_string();
    }
    f.trim_start_matches("--").to_ascii_lowercase().replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_become_input_names() {
        assert_eq!(field_name("--quantity"), "quantity");
        assert_eq!(field_name("--vat-rate"), "vat_rate");
        assert_eq!(field_name("--bank-account-number"), "bank_account_number");
        assert_eq!(field_name("PRODUCT"), "product");
        assert_eq!(field_name("line 4"), "line 4");
        assert_eq!(field_name("customer"), "customer");
    }

    #[test]
    fn core_errors_keep_code_and_message() {
        let e: IpcError = seatbook::Error::refused("seat decrease refused: until 2026-11-30").with_field("--quantity").into();
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json, serde_json::json!({"code": "refused", "message": "Seat decrease refused: until 2026-11-30", "field": "quantity"}));
    }

    #[test]
    fn command_line_wording_is_reworded_for_the_window() {
        let cases = [
            ("--amount: 'abc' is not a decimal amount (use digits and a '.' like 1234.50)", "'abc' is not a decimal amount (use digits and a '.' like 1234.50)"),
            ("--amount must be more than zero", "Amount must be more than zero"),
            ("--vat-rate: 120% is out of range (0 to 100)", "120% is out of range (0 to 100)"),
            ("--from must not be after --to", "From must not be after to"),
            (
                "no USD→ZAR exchange rate on or before 2026-11-30 (seatbook fx set --from USD --to ZAR --rate R --on DATE)",
                "No USD→ZAR exchange rate on or before 2026-11-30",
            ),
            (
                "customer 3 is on credit stop: invoice INV-2026-00001 is 75 days overdue (more than 60); add --confirm to add the subscription anyway",
                "Customer 3 is on credit stop: invoice INV-2026-00001 is 75 days overdue (more than 60)",
            ),
            (
                "--quantity must be at least 1; to end the subscription at term end, turn auto-renew off",
                "Quantity must be at least 1; to end the subscription at term end, turn auto-renew off",
            ),
            ("the invoice has lines at several VAT rates; credit chosen lines with --lines", "The invoice has lines at several VAT rates"),
            (
                "seat decrease refused: seats can only be removed within 7 days of being added; the most recent seats could be removed until 2026-11-07. Otherwise schedule the decrease for the renewal on 2027-11-01 (seatbook subscription schedule 4 --quantity 8)",
                "Seat decrease refused: seats can only be removed within 7 days of being added; the most recent seats could be removed until 2026-11-07. Otherwise schedule the decrease for the renewal on 2027-11-01",
            ),
            ("INV-2026-00001 was already billed (natural key sub:1:licence:2026-11-01--2026-11-30)", "INV-2026-00001 was already billed (natural key sub:1:licence:2026-11-01--2026-11-30)"),
        ];
        for (core, window) in cases {
            assert_eq!(for_the_window(core), window, "{core}");
        }
    }
}
