//! The mail server: a message made (MIME: plain text and HTML alternatives, attachments) and
//! handed over SMTP with lettre, with a timeout on every step; a failure told apart by what
//! failed (DNS, connection, TLS, sign-in, a refused recipient) and whether trying later may help.

use super::{MailSettings, Security};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::SmtpTransport;
use lettre::{Address, Message, Transport};
use serde::Serialize;
use std::time::Duration;

/// Every step of a conversation with the server (connect, each command) gives up after this.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A message ready to go: one recipient, its own Message-ID.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
    /// RFC 3339 (`2026-12-01T09:30:00Z`): the `Date` header (the core never reads the clock).
    pub date: String,
    pub attachments: Vec<(String, Vec<u8>)>,
}

/// What went wrong, as a user can act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The settings themselves (an address, the certificate file).
    Settings,
    /// The server's name could not be looked up.
    Dns,
    /// No connection (refused, unreachable, timed out, cut off).
    Connection,
    /// The secure connection failed (certificate, STARTTLS not offered).
    Tls,
    /// The user name or password was not accepted.
    Authentication,
    /// The server refused the recipient or the message.
    Refused,
    /// The server answered "try again later" (4xx).
    Temporary,
    /// The connection broke in the middle of the conversation: the message may or may not have
    /// gone.
    Interrupted,
}

/// A failed send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub kind: FailureKind,
    /// Trying again later may work (no connection, 4xx); otherwise the message is refused.
    pub temporary: bool,
    /// What happened, in a sentence (with the server's own words when it answered).
    pub message: String,
}

impl Failure {
    fn settings(message: String) -> Failure {
        Failure { kind: FailureKind::Settings, temporary: false, message }
    }
}

fn mailbox(name: &str, address: &str, field: &str) -> Result<Mailbox, Failure> {
    let a: Address = address.parse().map_err(|_| Failure::settings(format!("{field} '{address}' is not an e-mail address")))?;
    Ok(Mailbox::new((!name.is_empty()).then(|| name.to_string()), a))
}

/// The message as a mail client will see it: a plain-text body with an HTML alternative, and
/// the attachments (PDFs) after it.
pub fn build(settings: &MailSettings, m: &Outgoing) -> Result<Message, Failure> {
    let mut b = Message::builder()
        .from(mailbox(&settings.from_name, &settings.from_address, "the sender's address")?)
        .to(mailbox("", &m.to, "the recipient's address")?)
        .subject(m.subject.clone())
        .message_id(Some(m.message_id.clone()))
        .user_agent(format!("Seatbook {}", env!("CARGO_PKG_VERSION")));
    if let Ok(date) = chrono::DateTime::parse_from_rfc3339(&m.date) {
        b = b.date(std::time::SystemTime::from(date));
    }
    if !settings.reply_to.is_empty() {
        b = b.reply_to(mailbox("", &settings.reply_to, "the reply-to address")?);
    }
    if !settings.bcc.is_empty() {
        b = b.bcc(mailbox("", &settings.bcc, "the copy's address")?);
    }
    let alternative = MultiPart::alternative_plain_html(m.text.clone(), m.html.clone());
    let body = if m.attachments.is_empty() {
        alternative
    } else {
        let mut mixed = MultiPart::mixed().multipart(alternative);
        for (name, bytes) in &m.attachments {
            let kind = if name.to_ascii_lowercase().ends_with(".pdf") {
                ContentType::parse("application/pdf").expect("a valid content type")
            } else {
                ContentType::parse("application/octet-stream").expect("a valid content type")
            };
            let part: SinglePart = Attachment::new(name.clone()).body(bytes.clone(), kind);
            mixed = mixed.singlepart(part);
        }
        mixed
    };
    b.multipart(body).map_err(|e| Failure::settings(format!("the message cannot be made: {e}")))
}

/// A connection to the reseller's mail server, reused for every message of a pass.
pub struct Server {
    settings: MailSettings,
    transport: SmtpTransport,
}

impl Server {
    /// `password` for a server that signs in (`settings.user` not empty). Nothing is sent yet.
    pub fn new(settings: &MailSettings, password: Option<&str>) -> Result<Server, Failure> {
        let mut tls = TlsParameters::builder(settings.host.clone());
        if !settings.ca_file.is_empty() {
            let pem = std::fs::read(&settings.ca_file)
                .map_err(|e| Failure::settings(format!("the certificate file {} cannot be read: {e}", settings.ca_file)))?;
            let cert = Certificate::from_pem(&pem)
                .map_err(|e| Failure::settings(format!("the certificate file {} is not a PEM certificate: {e}", settings.ca_file)))?;
            tls = tls.add_root_certificate(cert);
        }
        let tls = || {
            tls.clone().build().map_err(|e| Failure {
                kind: FailureKind::Tls,
                temporary: false,
                message: format!("TLS cannot be set up: {e}"),
            })
        };
        let mut b = SmtpTransport::builder_dangerous(settings.host.clone()).port(settings.port).timeout(Some(TIMEOUT));
        b = match settings.security {
            Security::Starttls => b.tls(Tls::Required(tls()?)),
            Security::Tls => b.tls(Tls::Wrapper(tls()?)),
            Security::None => b.tls(Tls::None),
        };
        if !settings.user.is_empty() {
            let password = password.ok_or_else(|| Failure {
                kind: FailureKind::Authentication,
                temporary: false,
                message: format!("no password is kept for {} on {}", settings.user, settings.host),
            })?;
            b = b.credentials(Credentials::new(settings.user.clone(), password.to_string()));
        }
        Ok(Server { settings: settings.clone(), transport: b.build() })
    }

    /// Hand one message to the server.
    pub fn send(&self, m: &Outgoing) -> Result<(), Failure> {
        let message = build(&self.settings, m)?;
        self.transport.send(&message).map(|_| ()).map_err(|e| classify(&self.settings, &e))
    }
}

/// Every cause of an error, joined: lettre's own words hide the io error beneath.
fn causes(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let t = s.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        source = s.source();
    }
    out
}

/// What a lettre error means for the user.
pub fn classify(settings: &MailSettings, e: &lettre::transport::smtp::Error) -> Failure {
    let detail = causes(e);
    let server = format!("{}:{}", settings.host, settings.port);
    if let Some(code) = e.status() {
        let code_text = code.to_string();
        let answer = detail.split_once(": ").map(|(_, a)| a.trim().to_string()).unwrap_or_default();
        let said = if answer.is_empty() { code_text.clone() } else { format!("{code_text} {answer}") };
        if matches!(code_text.as_str(), "530" | "534" | "535" | "538") {
            return Failure {
                kind: FailureKind::Authentication,
                temporary: false,
                message: format!("the mail server {server} did not accept the user name or password ({said})"),
            };
        }
        if e.is_transient() {
            return Failure {
                kind: FailureKind::Temporary,
                temporary: true,
                message: format!("the mail server asked to try again later ({said})"),
            };
        }
        return Failure { kind: FailureKind::Refused, temporary: false, message: format!("the mail server refused the message ({said})") };
    }
    let lower = detail.to_ascii_lowercase();
    // lettre words an i/o failure after the connection was made "network error" (one while
    // connecting is a "Connection error"), and an answer cut short a "response error".
    if lower.starts_with("network error") || e.is_response() {
        return Failure {
            kind: FailureKind::Interrupted,
            temporary: false,
            message: format!(
                "the connection to {server} broke while the message was being handed over, so it may or may not have gone ({detail})"
            ),
        };
    }
    if lower.contains("lookup address")
        || lower.contains("name or service not known")
        || lower.contains("no such host")
        || lower.contains("nodename nor servname")
    {
        return Failure {
            kind: FailureKind::Dns,
            temporary: true,
            message: format!("the mail server's name {} could not be found (DNS)", settings.host),
        };
    }
    if e.is_tls() || lower.contains("certificate") || lower.contains("ssl") || lower.contains("tls") {
        return Failure {
            kind: FailureKind::Tls,
            temporary: false,
            message: format!("the secure connection to {server} failed: {detail}"),
        };
    }
    if e.is_timeout() {
        return Failure {
            kind: FailureKind::Connection,
            temporary: true,
            message: format!("the mail server {server} did not answer in time"),
        };
    }
    if lower.contains("refused") {
        return Failure {
            kind: FailureKind::Connection,
            temporary: true,
            message: format!("no connection to the mail server {server} (connection refused)"),
        };
    }
    Failure {
        kind: FailureKind::Connection,
        temporary: true,
        message: format!("the connection to the mail server {server} failed: {detail}"),
    }
}
