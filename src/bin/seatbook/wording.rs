//! How the command line words the core's neutral errors: the field key becomes the flag or
//! argument a user typed (one table), and a hint becomes the command to type next.

use seatbook::error::Hint;
use seatbook::Error;

/// Field keys whose flag is not simply `--` and the key in kebab case: positional arguments and
/// renamed flags. Keys of a file's line (`line 4`) and of the command as a whole name no flag.
const FLAGS: &[(&str, &str)] = &[
    ("number", "NUMBER"),
    ("id", "ID"),
    ("file", "FILE"),
    ("product_key", "PRODUCT"),
    ("invoice_format", "--invoice-format"),
    ("credit_note_format", "--credit-note-format"),
    ("logo", "--logo"),
    ("init", ""),
    ("form", ""),
    ("report", "REPORT"),
    ("invoice", "INVOICE"),
    ("finding", "FINDING"),
    ("from_address", "--from"),
    ("mail", ""),
    ("password", "--password-stdin"),
    ("invoices", "--invoices"),
];

/// The flag (or argument) the user typed for a field key: `vat_rate` → `--vat-rate`,
/// `number` → `NUMBER`; `None` for a file's line or the command as a whole.
pub fn flag(field: &str) -> Option<String> {
    let f = field.trim();
    if f.is_empty() || f.starts_with("line ") {
        return None;
    }
    if let Some((_, flag)) = FLAGS.iter().find(|(k, _)| *k == f) {
        return (!flag.is_empty()).then(|| flag.to_string());
    }
    Some(format!("--{}", f.replace('_', "-")))
}

/// The command that would act on a hint.
pub fn hint(h: &Hint) -> String {
    match h {
        Hint::ExchangeRate { from, to, .. } => format!("seatbook fx set --from {from} --to {to} --rate R --on DATE"),
        Hint::ScheduleForRenewal { subscription, quantity: Some(q), .. } => {
            format!("seatbook subscription schedule {subscription} --quantity {q}")
        }
        Hint::ScheduleForRenewal { subscription, product: Some(p), .. } => {
            format!("seatbook subscription schedule {subscription} --product {p}")
        }
        Hint::ScheduleForRenewal { subscription, .. } => format!("seatbook subscription schedule {subscription} ..."),
        Hint::TurnAutoRenewOff { subscription } => format!("seatbook subscription auto-renew {subscription} off"),
        Hint::Confirm => "add --confirm to go ahead anyway".into(),
        Hint::SetUp => "run `seatbook init --name ... --country ... --currency ... --vat-rate ...` first".into(),
        Hint::ChangeProfile => "change the profile with `seatbook company set`".into(),
        Hint::ImportPriceList => "import it with `seatbook pricelist import`".into(),
        Hint::CreditLines => "credit chosen lines with --lines".into(),
    }
}

/// A message followed by its hint, for the terminal: `…; run `seatbook init …` first` or
/// `… (seatbook fx set …)`.
pub fn with_hint(message: &str, h: Option<&Hint>) -> String {
    match h {
        None => message.to_string(),
        Some(h @ (Hint::Confirm | Hint::SetUp | Hint::ChangeProfile | Hint::CreditLines)) => format!("{message}; {}", hint(h)),
        Some(h) => format!("{message} ({})", hint(h)),
    }
}

/// The error as the terminal shows it. A message about the value typed names the flag it was
/// typed after (`--amount: 'abc' is not a decimal amount`); any other is a sentence of its own
/// (`there is no customer 42`), with the flag in the JSON's `field`.
pub fn message(e: &Error) -> String {
    let body = with_hint(&e.message, e.hint.as_ref());
    match e.field.as_deref().and_then(flag) {
        Some(flag) if e.names_value => format!("{flag}: {body}"),
        _ => body,
    }
}

/// The field as the JSON error names it: the flag the user typed (`--quantity`), or the line.
pub fn field(e: &Error) -> Option<String> {
    e.field.as_deref().map(|f| flag(f).unwrap_or_else(|| f.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_become_flags() {
        assert_eq!(flag("quantity").as_deref(), Some("--quantity"));
        assert_eq!(flag("vat_rate").as_deref(), Some("--vat-rate"));
        assert_eq!(flag("number").as_deref(), Some("NUMBER"));
        assert_eq!(flag("line 4"), None);
        assert_eq!(flag("init"), None);
    }

    #[test]
    fn errors_are_worded_for_the_terminal() {
        let e = Error::bad_value("amount", "'abc' is not a decimal amount");
        assert_eq!(message(&e), "--amount: 'abc' is not a decimal amount");
        let e = Error::refused("customer 3 is on credit stop: x").with_field("confirm").with_hint(Hint::Confirm);
        assert_eq!(message(&e), "customer 3 is on credit stop: x; add --confirm to go ahead anyway");
        assert_eq!(field(&e).as_deref(), Some("--confirm"));
        let on = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let e = Error::refused("no USD→ZAR exchange rate").with_hint(Hint::ExchangeRate { from: "USD".into(), to: "ZAR".into(), on });
        assert_eq!(message(&e), "no USD→ZAR exchange rate (seatbook fx set --from USD --to ZAR --rate R --on DATE)");
    }
}
