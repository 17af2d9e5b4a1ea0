//! The one error shape that crosses IPC: `{code, message, field}`. The UI branches on `code` and
//! shows `message` beside the input named `field`.

use seatbook::error::Hint;
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
        IpcError { code: e.code.as_str(), message: message(&e.message, e.hint.as_ref()), field: e.field }
    }
}

/// What the window says the user can do about an error: where to go, not what to type.
pub fn hint(h: &Hint) -> String {
    match h {
        Hint::ExchangeRate { from, to, on } => format!("add a {from}→{to} rate from {on} or earlier under Catalogue → Exchange rates"),
        Hint::ScheduleForRenewal { renewal, .. } => {
            format!("make the change under “At the next renewal” on the subscription's page, for the renewal on {renewal}")
        }
        Hint::TurnAutoRenewOff { .. } => "switch auto-renew off on the subscription's page".into(),
        Hint::Confirm => "confirm to go ahead anyway".into(),
        Hint::SetUp => "enter your company's details first".into(),
        Hint::ChangeProfile => "change the profile under Settings".into(),
        Hint::ImportPriceList => "import Microsoft's price list under Catalogue".into(),
        Hint::CreditLines => "credit chosen lines instead".into(),
    }
}

/// A core message as the window shows it: a capital first letter, and the hint as a sentence.
pub fn message(message: &str, h: Option<&Hint>) -> String {
    let mut m = capitalised(message.trim());
    if let Some(h) = h {
        let end = if m.ends_with(['.', '!', '?']) { " " } else { ". " };
        m.push_str(end);
        m.push_str(&capitalised(&hint(h)));
        m.push('.');
    }
    m
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl IpcError {
    /// A failure of the shell itself (a file it could not write, a viewer it could not start).
    pub fn io(message: impl Into<String>) -> Self {
        IpcError { code: seatbook::ErrorCode::Io.as_str(), message: message.into(), field: None }
    }

    /// Bad input the shell found before calling the core, named like the page's input.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        IpcError { code: seatbook::ErrorCode::InvalidInput.as_str(), message: message.into(), field: Some(field.to_string()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn core_errors_keep_code_and_field_and_read_as_sentences() {
        let e: IpcError = seatbook::Error::refused("seat decrease refused: until 2026-11-30").with_field("quantity").into();
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json, serde_json::json!({"code": "refused", "message": "Seat decrease refused: until 2026-11-30", "field": "quantity"}));
    }

    #[test]
    fn hints_say_where_to_go() {
        let on = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let e: IpcError = seatbook::Error::refused("no USD→ZAR exchange rate on or before 2026-11-30")
            .with_hint(Hint::ExchangeRate { from: "USD".into(), to: "ZAR".into(), on })
            .into();
        assert_eq!(
            e.message,
            "No USD→ZAR exchange rate on or before 2026-11-30. Add a USD→ZAR rate from 2026-11-30 or earlier under Catalogue → Exchange rates."
        );
        let e: IpcError = seatbook::Error::invalid("amount", "'abc' is not a decimal amount").into();
        assert_eq!((e.message.as_str(), e.field.as_deref()), ("'abc' is not a decimal amount", Some("amount")));
        for m in [e.message, message("customer 3 is on credit stop: x", Some(&Hint::Confirm))] {
            assert!(!m.contains("--") && !m.contains("seatbook "), "{m}");
        }
    }
}
