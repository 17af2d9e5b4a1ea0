//! E-mail to customers: the settings of the reseller's mail server, billing addresses, the
//! templates of each kind of message with their placeholders, and the states of the outbox.
//! Pure rules, tested with plain values; `smtp` is the part that talks to the mail server, and
//! the store keeps settings, templates and the outbox.

pub mod smtp;

use crate::customer::plain_text;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// A plain connection upgraded with STARTTLS (port 587), which must succeed.
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or network.
    None,
}

impl Security {
    pub fn parse(s: &str, field: &str) -> Result<Security> {
        match s.trim().to_ascii_lowercase().as_str() {
            "starttls" | "" => Ok(Security::Starttls),
            "tls" | "ssl" | "implicit" => Ok(Security::Tls),
            "none" | "plain" => Ok(Security::None),
            other => Err(Error::bad_value(field, format!("'{other}' is not a kind of connection (use starttls, tls or none)"))),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Security::Starttls => "starttls",
            Security::Tls => "tls",
            Security::None => "none",
        }
    }
}

/// The reseller's mail server and sender. The password is not here: it lives in the system's
/// credential store (`crate::secrets`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// Empty: the server takes mail without signing in (a local relay).
    pub user: String,
    pub from_address: String,
    pub from_name: String,
    pub reply_to: String,
    /// A copy of every message to the reseller (empty: none).
    pub bcc: String,
    /// A PEM file of certificates trusted besides the system's (a local relay's own).
    pub ca_file: String,
    /// Renewal notices go this many days before a term ends.
    pub renewal_days: u32,
    /// Invoices and credit notes go to the outbox as they are issued (else only when asked).
    pub send_on_issue: bool,
}

impl MailSettings {
    /// The name the password is kept under in the credential store.
    pub fn secret_account(&self) -> String {
        secret_account(&self.user, &self.host, self.port)
    }
}

pub fn secret_account(user: &str, host: &str, port: u16) -> String {
    format!("smtp:{user}@{host}:{port}")
}

/// Renewal notices, by default, two weeks before a term ends.
pub const DEFAULT_RENEWAL_DAYS: u32 = 14;

/// The settings as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MailFields {
    pub host: Option<String>,
    pub port: Option<String>,
    pub security: Option<String>,
    pub user: Option<String>,
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub reply_to: Option<String>,
    pub bcc: Option<String>,
    pub ca_file: Option<String>,
    pub renewal_days: Option<String>,
    /// `yes` or `no`.
    pub send_on_issue: Option<String>,
}

impl MailFields {
    /// Validate over the stored settings (`None`: first time, so host and sender are required).
    pub fn apply(&self, base: Option<&MailSettings>) -> Result<MailSettings> {
        let text = |v: &Option<String>, key: &str, max: usize| -> Result<Option<String>> {
            v.as_deref().map(|s| plain_text(s, key, max, false)).transpose()
        };
        let host = match text(&self.host, "host", 253)? {
            Some(h) if !h.is_empty() => {
                if h.contains(|c: char| c.is_whitespace() || c == '/' || c == '@') {
                    return Err(Error::bad_value("host", format!("'{h}' is not a host name")));
                }
                h.to_ascii_lowercase()
            }
            Some(_) => return Err(Error::invalid("host", "the mail server's host name is required")),
            None => match base {
                Some(b) => b.host.clone(),
                None => return Err(Error::invalid("host", "the mail server's host name is required")),
            },
        };
        let security = match given(&self.security) {
            Some(s) => Security::parse(s, "security")?,
            None => base.map(|b| b.security).unwrap_or(Security::Starttls),
        };
        let port = match given(&self.port) {
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| Error::bad_value("port", format!("'{p}' is not a port number (1 to 65535)")))?,
            None => match base {
                Some(b) if self.security.is_none() => b.port,
                _ => match security {
                    Security::Starttls => 587,
                    Security::Tls => 465,
                    Security::None => 25,
                },
            },
        };
        let address = |v: &Option<String>, key: &str, old: Option<&str>, required: bool| -> Result<String> {
            match text(v, key, 254)? {
                Some(a) if a.is_empty() && required => Err(Error::invalid(key, "an e-mail address is required")),
                Some(a) if a.is_empty() => Ok(String::new()),
                Some(a) => {
                    if !is_email(&a) {
                        return Err(Error::bad_value(key, format!("'{a}' is not an email address")));
                    }
                    Ok(a)
                }
                None => match old {
                    Some(o) => Ok(o.to_string()),
                    None if required => Err(Error::invalid(key, "an e-mail address is required")),
                    None => Ok(String::new()),
                },
            }
        };
        let from_address = address(&self.from_address, "from_address", base.map(|b| b.from_address.as_str()), true)?;
        let reply_to = address(&self.reply_to, "reply_to", base.map(|b| b.reply_to.as_str()), false)?;
        let bcc = address(&self.bcc, "bcc", base.map(|b| b.bcc.as_str()), false)?;
        let keep = |v: Option<String>, old: Option<&String>| v.unwrap_or_else(|| old.cloned().unwrap_or_default());
        let user = keep(text(&self.user, "user", 254)?, base.map(|b| &b.user));
        let from_name = keep(text(&self.from_name, "from_name", 200)?, base.map(|b| &b.from_name));
        let ca_file = keep(text(&self.ca_file, "ca_file", 4096)?, base.map(|b| &b.ca_file));
        let renewal_days = match given(&self.renewal_days) {
            Some(d) => crate::customer::parse_days(d, "renewal_days")?,
            None => base.map(|b| b.renewal_days).unwrap_or(DEFAULT_RENEWAL_DAYS),
        };
        let send_on_issue = match given(&self.send_on_issue) {
            Some(v) => yes_no(v, "send_on_issue")?,
            None => base.map(|b| b.send_on_issue).unwrap_or(true),
        };
        Ok(MailSettings { host, port, security, user, from_address, from_name, reply_to, bcc, ca_file, renewal_days, send_on_issue })
    }
}

fn yes_no(v: &str, key: &str) -> Result<bool> {
    match v.to_ascii_lowercase().as_str() {
        "yes" | "true" | "on" => Ok(true),
        "no" | "false" | "off" => Ok(false),
        _ => Err(Error::bad_value(key, format!("'{v}' is neither yes nor no"))),
    }
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// An e-mail address as Seatbook accepts one: `local@domain.tld`, no spaces, no display name.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else { return false };
    !local.is_empty()
        && !local.contains('@')
        && !s.contains(|c: char| c.is_whitespace() || c.is_control() || matches!(c, ',' | ';' | '<' | '>' | '"'))
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// A customer's billing addresses as typed: separated by commas (or semicolons), each checked;
/// written back as `a@x.com, b@y.com`.
pub fn parse_addresses(s: &str, field: &str) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split([',', ';']) {
        let a = part.trim();
        if a.is_empty() {
            continue;
        }
        if !is_email(a) {
            return Err(Error::bad_value(field, format!("'{a}' is not an email address")));
        }
        if !out.iter().any(|o| o.eq_ignore_ascii_case(a)) {
            out.push(a.to_string());
        }
    }
    Ok(out)
}

/// The addresses of a stored list (`a@x.com, b@y.com`).
pub fn addresses(list: &str) -> Vec<String> {
    parse_addresses(list, "email").unwrap_or_default()
}

/// How a customer wants their documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    Email,
    Paper,
}

impl Delivery {
    pub fn parse(s: &str, field: &str) -> Result<Delivery> {
        match s.trim().to_ascii_lowercase().as_str() {
            "email" | "e-mail" | "" => Ok(Delivery::Email),
            "paper" | "post" => Ok(Delivery::Paper),
            other => Err(Error::bad_value(field, format!("'{other}' is not a way to deliver documents (use email or paper)"))),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Email => "email",
            Delivery::Paper => "paper",
        }
    }
}

/// What a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Invoice,
    CreditNote,
    Statement,
    Reminder,
    Renewal,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Invoice, Kind::CreditNote, Kind::Statement, Kind::Reminder, Kind::Renewal];

    pub fn parse(s: &str, field: &str) -> Result<Kind> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "invoice" => Ok(Kind::Invoice),
            "credit_note" => Ok(Kind::CreditNote),
            "statement" => Ok(Kind::Statement),
            "reminder" => Ok(Kind::Reminder),
            "renewal" => Ok(Kind::Renewal),
            other => Err(Error::bad_value(
                field,
                format!("'{other}' is not a kind of message (use invoice, credit_note, statement, reminder or renewal)"),
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Invoice => "invoice",
            Kind::CreditNote => "credit_note",
            Kind::Statement => "statement",
            Kind::Reminder => "reminder",
            Kind::Renewal => "renewal",
        }
    }

    /// The placeholders a template of this kind may use.
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            Kind::Invoice => &["customer", "contact", "company", "number", "date", "total", "due_date", "month"],
            Kind::CreditNote => &["customer", "contact", "company", "number", "date", "total", "invoice"],
            Kind::Statement => &["customer", "contact", "company", "from", "to", "balance"],
            Kind::Reminder => &["customer", "contact", "company", "number", "open", "due_date", "days_overdue", "level"],
            Kind::Renewal => &[
                "customer",
                "contact",
                "company",
                "product",
                "quantity",
                "renewal_date",
                "price",
                "term",
                "term_total",
                "new_term_end",
                "last_day_to_change",
            ],
        }
    }

    /// The template Seatbook starts with, in plain English.
    pub fn default_template(self) -> Template {
        let (subject, body) = match self {
            Kind::Invoice => (
                "Invoice {number} from {company}",
                "Dear {contact},\n\nPlease find attached invoice {number} of {date} for {total}, due on {due_date}.\n\nThank you for your business.\n\nKind regards,\n{company}",
            ),
            Kind::CreditNote => (
                "Credit note {number} from {company}",
                "Dear {contact},\n\nPlease find attached credit note {number} of {date} for {total}, which corrects invoice {invoice}.\n\nKind regards,\n{company}",
            ),
            Kind::Statement => (
                "Statement of account from {company}",
                "Dear {contact},\n\nPlease find attached your statement of account from {from} to {to}. The balance at {to} is {balance}.\n\nKind regards,\n{company}",
            ),
            Kind::Reminder => (
                "Reminder: invoice {number} is overdue",
                "Dear {contact},\n\nOur records show that {open} on invoice {number}, due on {due_date}, is {days_overdue} days overdue. The letter attached has the details. If you have paid in the meantime, thank you, and please ignore this message.\n\nKind regards,\n{company}",
            ),
            Kind::Renewal => (
                "{product} renews on {renewal_date}",
                "Dear {contact},\n\nYour subscription to {product} ({quantity} seats) renews on {renewal_date} for {term}, until {new_term_end}, at {price} per seat ({term_total} for the term).\n\nIf you want fewer seats, or want to cancel it, please tell us by {last_day_to_change}. After the renewal, seats can only be reduced, or the subscription cancelled, in the first seven days of the new term (Microsoft charges for the days used); after that, not until the term ends.\n\nKind regards,\n{company}",
            ),
        };
        Template { subject: subject.to_string(), text: body.to_string(), html: html_of_text(body) }
    }
}

/// A template: a subject and a body in plain text and in HTML, with `{placeholder}`s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Template {
    /// Check every placeholder is one of `kind`'s and every brace is closed; the subject is one
    /// line.
    pub fn check(&self, kind: Kind) -> Result<()> {
        if self.subject.trim().is_empty() {
            return Err(Error::invalid("subject", "the subject must not be empty"));
        }
        plain_text(&self.subject, "subject", 250, false)?;
        plain_text(&self.text, "text", 20_000, true)?;
        plain_text(&self.html, "html", 50_000, true)?;
        for (field, t) in [("subject", &self.subject), ("text", &self.text), ("html", &self.html)] {
            for name in placeholders_in(t, field)? {
                if !kind.placeholders().contains(&name) {
                    return Err(Error::bad_value(
                        field,
                        format!("{{{name}}} is not a placeholder of this kind of message (use {})", braced(kind.placeholders())),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The message for `values`: placeholders replaced (escaped in the HTML part).
    pub fn render(&self, values: &Values) -> Rendered {
        Rendered {
            subject: fill(&self.subject, values, false).replace(['\r', '\n'], " "),
            text: fill(&self.text, values, false),
            html: fill(&self.html, values, true),
        }
    }
}

fn braced(names: &[&str]) -> String {
    names.iter().map(|n| format!("{{{n}}}")).collect::<Vec<_>>().join(", ")
}

/// The placeholders of a template, in order.
fn placeholders_in<'a>(t: &'a str, field: &str) -> Result<Vec<&'a str>> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(Error::bad_value(field, "a '{' is not closed by '}'"));
        };
        let name = &after[..close];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            return Err(Error::bad_value(field, format!("'{{{name}}}' is not a placeholder (a name such as {{customer}})")));
        }
        out.push(name);
        rest = &after[close + 1..];
    }
    Ok(out)
}

/// The values of a message's placeholders, already written as the company writes them.
pub type Values = Vec<(&'static str, String)>;

fn fill(t: &str, values: &Values, html: bool) -> String {
    let mut out = String::with_capacity(t.len() + 64);
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) if html => out.push_str(&escape_html(v)),
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A message's subject and both bodies, filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The HTML part of a plain-text body: a paragraph per blank-line block, line breaks kept. The
/// placeholders stay as they are (filled, and escaped, when a message is made).
pub fn html_of_text(text: &str) -> String {
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lines: Vec<String> = p.lines().map(escape_html).collect();
            format!("<p>{}</p>", lines.join("<br>\n"))
        })
        .collect();
    format!(
        "<!DOCTYPE html>\n<html><body style=\"font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #222;\">\n{}\n</body></html>",
        paragraphs.join("\n")
    )
}

/// Where a message stands in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Not sent yet: offline, or the server said "try later"; sent on the next pass.
    Waiting,
    /// Being handed to the server right now.
    Sending,
    /// The server took it.
    Sent,
    /// The server refused it for good (5xx): never retried.
    Refused,
    /// A send was cut off (the program stopped while handing it over): it may or may not have
    /// gone, so it is never resent by itself; the user decides.
    Unknown,
}

impl State {
    pub fn parse(s: &str) -> Option<State> {
        Some(match s {
            "waiting" => State::Waiting,
            "sending" => State::Sending,
            "sent" => State::Sent,
            "refused" => State::Refused,
            "unknown" => State::Unknown,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            State::Waiting => "waiting",
            State::Sending => "sending",
            State::Sent => "sent",
            State::Refused => "refused",
            State::Unknown => "unknown",
        }
    }
}

/// How long a message waits after its `attempts`-th temporary failure before the next automatic
/// try, in minutes: 1, 5, 15, 30, then hourly.
pub fn retry_after_minutes(attempts: u32) -> i64 {
    match attempts {
        0 | 1 => 1,
        2 => 5,
        3 => 15,
        4 => 30,
        _ => 60,
    }
}

/// A message's `Message-ID`: unique for the outbox entry and the book, on the sender's domain.
pub fn message_id(entry_id: i64, created_at: &str, from_address: &str) -> String {
    let domain = from_address.rsplit_once('@').map(|(_, d)| d).unwrap_or("seatbook.invalid");
    let stamp: String = created_at.chars().filter(|c| c.is_ascii_digit()).collect();
    format!("<seatbook.{entry_id}.{stamp}@{domain}>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> MailFields {
        let mut f = MailFields::default();
        for (k, v) in pairs {
            let v = Some(v.to_string());
            match *k {
                "host" => f.host = v,
                "port" => f.port = v,
                "security" => f.security = v,
                "user" => f.user = v,
                "from_address" => f.from_address = v,
                "bcc" => f.bcc = v,
                _ => unreachable!(),
            }
        }
        f
    }

    #[test]
    fn settings_take_defaults_and_name_bad_fields() {
        let s = fields(&[("host", "Smtp.Example.com"), ("from_address", "billing@reseller.co.za")]).apply(None).unwrap();
        assert_eq!((s.host.as_str(), s.port, s.security), ("smtp.example.com", 587, Security::Starttls));
        assert_eq!(s.renewal_days, 14);
        let tls = fields(&[("security", "tls")]).apply(Some(&s)).unwrap();
        assert_eq!((tls.port, tls.host.as_str()), (465, "smtp.example.com"));
        let e = fields(&[("host", "smtp.example.com")]).apply(None).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("from_address"));
        let e = fields(&[("host", "h.example"), ("from_address", "x@y.z"), ("port", "70000")]).apply(None).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("port"));
        let e = fields(&[("bcc", "not an address")]).apply(Some(&s)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("bcc"));
        let e = fields(&[("security", "ssl3")]).apply(Some(&s)).unwrap_err();
        assert!(e.message.contains("starttls, tls or none"), "{}", e.message);
    }

    #[test]
    fn billing_addresses_are_a_list() {
        assert_eq!(
            parse_addresses(" accounts@contoso.com; Jo@Contoso.com ,accounts@CONTOSO.com,", "email").unwrap(),
            vec!["accounts@contoso.com", "Jo@Contoso.com"]
        );
        let e = parse_addresses("a@b.com, jo at contoso", "email").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("email"));
        assert!(e.message.contains("'jo at contoso'"));
        assert!(!is_email("a@b"));
        assert!(!is_email("Jo <jo@b.com>"));
        assert!(is_email("jo.soap+billing@sub.b.co.za"));
    }

    #[test]
    fn templates_fill_placeholders_and_escape_html() {
        let t = Template {
            subject: "Invoice {number}".into(),
            text: "Dear {contact},\n{total} by {due_date}.".into(),
            html: "<p>Dear {contact}, {total}</p>".into(),
        };
        t.check(Kind::Invoice).unwrap();
        let values: Values = vec![("number", "INV-7".into()), ("contact", "Zoë <Ops> & Co".into()), ("total", "R 1 150,00".into())];
        let r = t.render(&values);
        assert_eq!(r.subject, "Invoice INV-7");
        assert_eq!(r.text, "Dear Zoë <Ops> & Co,\nR 1 150,00 by {due_date}.");
        assert_eq!(r.html, "<p>Dear Zoë &lt;Ops&gt; &amp; Co, R 1 150,00</p>");
        let bad = Template { subject: "Renews {renewal_date}".into(), ..t.clone() };
        let e = bad.check(Kind::Invoice).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("subject"));
        assert!(e.message.contains("{renewal_date} is not a placeholder"), "{}", e.message);
        let open = Template { text: "Total {total".into(), ..t };
        assert_eq!(open.check(Kind::Invoice).unwrap_err().field.as_deref(), Some("text"));
    }

    #[test]
    fn every_default_template_uses_only_its_placeholders() {
        for k in Kind::ALL {
            k.default_template().check(k).unwrap();
            assert_eq!(Kind::parse(k.as_str(), "kind").unwrap(), k);
        }
        let html = Kind::Invoice.default_template().html;
        assert!(html.contains("<p>Dear {contact},</p>"), "{html}");
    }

    #[test]
    fn message_ids_and_backoff() {
        assert_eq!(message_id(42, "2026-12-01T09:30:00Z", "billing@reseller.co.za"), "<seatbook.42.20261201093000@reseller.co.za>");
        assert_eq!((retry_after_minutes(1), retry_after_minutes(3), retry_after_minutes(9)), (1, 15, 60));
    }
}
