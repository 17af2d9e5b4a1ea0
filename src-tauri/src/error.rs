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
        IpcError { code: e.code.as_str(), message: e.message, field: e.field.as_deref().map(field_name) }
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
        assert_eq!(json, serde_json::json!({"code": "refused", "message": "seat decrease refused: until 2026-11-30", "field": "quantity"}));
    }
}
