//! E-mail in the database: the mail server's settings, the templates, and the outbox. A message
//! is written in the same transaction as what it is about; it then moves `waiting` → `sending`
//! (committed before a byte goes out) → `sent`, `refused` or back to `waiting`. A message found
//! `sending` by the next sender was cut off mid-send and becomes `unknown`: never resent by itself.

use super::{col, Store, Tx};
use crate::error::{Error, Result};
use crate::mail::{Kind, MailSettings, Security, State, Template};
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

/// A message to be written to the outbox.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub kind: Kind,
    pub document: String,
    /// An issued invoice or credit note whose PDF goes with it (made when it is sent).
    pub attach_document: Option<String>,
    pub customer_id: i64,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Other attachments, kept as they were made (a statement, a reminder letter).
    pub attachments: Vec<(String, Vec<u8>)>,
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub kind: Kind,
    pub document: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub to: String,
    pub state: State,
    pub attempts: u32,
    pub last_error: String,
    pub subject: String,
    pub message_id: String,
    pub created_at: String,
    pub sent_at: Option<String>,
    /// The documents it carries: the invoice or credit note number, the files kept with it.
    pub documents: Vec<String>,
    #[serde(skip)]
    pub attach_document: String,
    #[serde(skip)]
    pub text: String,
    #[serde(skip)]
    pub html: String,
    #[serde(skip)]
    pub next_attempt_at: String,
}

fn settings_from_row(r: &Row) -> rusqlite::Result<MailSettings> {
    Ok(MailSettings {
        host: r.get("host")?,
        port: r.get("port")?,
        security: col::parse_with(r, "security", |s| Security::parse(s, "").ok())?,
        user: r.get("user")?,
        from_address: r.get("from_address")?,
        from_name: r.get("from_name")?,
        reply_to: r.get("reply_to")?,
        bcc: r.get("bcc")?,
        ca_file: r.get("ca_file")?,
        renewal_days: r.get("renewal_days")?,
        send_on_issue: r.get("send_on_issue")?,
    })
}

const ENTRY_COLUMNS: &str = "o.id, o.kind, o.document, o.attach_document, o.customer_id, c.name AS customer_name, o.to_address,
    o.state, o.attempts, o.last_error, o.subject, o.message_id, o.created_at, o.sent_at, o.text_body, o.html_body,
    o.next_attempt_at,
    (SELECT group_concat(name, char(10)) FROM (SELECT name FROM mail_attachments a WHERE a.outbox_id = o.id ORDER BY position)) AS files";

fn entry_from_row(r: &Row) -> rusqlite::Result<OutboxEntry> {
    let attach: String = r.get("attach_document")?;
    let files: Option<String> = r.get("files")?;
    let mut documents: Vec<String> = Vec::new();
    if !attach.is_empty() {
        documents.push(attach.clone());
    }
    documents.extend(files.unwrap_or_default().lines().map(str::to_string));
    Ok(OutboxEntry {
        id: r.get("id")?,
        kind: col::parse_with(r, "kind", |s| Kind::parse(s, "").ok())?,
        document: r.get("document")?,
        customer_id: r.get("customer_id")?,
        customer_name: r.get("customer_name")?,
        to: r.get("to_address")?,
        state: col::parse_with(r, "state", State::parse)?,
        attempts: r.get("attempts")?,
        last_error: r.get("last_error")?,
        subject: r.get("subject")?,
        message_id: r.get("message_id")?,
        created_at: r.get("created_at")?,
        sent_at: r.get("sent_at")?,
        documents,
        attach_document: attach,
        text: r.get("text_body")?,
        html: r.get("html_body")?,
        next_attempt_at: r.get("next_attempt_at")?,
    })
}

/// What goes to the outbox as documents are issued: given the book (inside the issuing
/// transaction) and the new documents' numbers, the messages and the sender's address, or `None`.
pub type Mailing<'a> = &'a dyn Fn(&Store, &[String]) -> Result<Option<(Vec<NewMessage>, String)>>;

/// Which messages a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxFilter {
    /// What is not sent: waiting, being sent, refused, unknown.
    Unsent,
    /// Everything, newest first.
    All,
}

impl Store {
    /// Where a message about `document` to `to` stands: the latest one that went or waits to go
    /// (refused ones do not count), or `None`.
    pub fn mail_state(&self, kind: Kind, document: &str, to: &str) -> Result<Option<State>> {
        Ok(self
            .conn
            .query_row(
                "SELECT state FROM mail_outbox WHERE kind = ?1 AND document = ?2 AND to_address = ?3 COLLATE NOCASE AND state <> 'refused'
                 ORDER BY id DESC LIMIT 1",
                params![kind.as_str(), document, to],
                |r| col::parse_with(r, "state", State::parse),
            )
            .optional()?)
    }

    pub fn mail_settings(&self) -> Result<Option<MailSettings>> {
        Ok(self.conn.query_row("SELECT * FROM mail_settings WHERE id = 1", [], settings_from_row).optional()?)
    }

    pub fn set_mail_settings(&mut self, s: &MailSettings) -> Result<()> {
        self.write(|tx| {
            tx.conn.execute(
                "INSERT INTO mail_settings (id, host, port, security, user, from_address, from_name, reply_to, bcc, ca_file, renewal_days, send_on_issue)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (id) DO UPDATE SET host = excluded.host, port = excluded.port, security = excluded.security,
                    user = excluded.user, from_address = excluded.from_address, from_name = excluded.from_name,
                    reply_to = excluded.reply_to, bcc = excluded.bcc, ca_file = excluded.ca_file, renewal_days = excluded.renewal_days,
                    send_on_issue = excluded.send_on_issue",
                params![
                    s.host,
                    s.port,
                    s.security.as_str(),
                    s.user,
                    s.from_address,
                    s.from_name,
                    s.reply_to,
                    s.bcc,
                    s.ca_file,
                    s.renewal_days,
                    s.send_on_issue
                ],
            )?;
            Ok(())
        })
    }

    /// The template of `kind` and whether the reseller changed it (else Seatbook's default).
    pub fn mail_template(&self, kind: Kind) -> Result<(Template, bool)> {
        let stored = self
            .conn
            .query_row("SELECT subject, text_body, html_body FROM mail_templates WHERE kind = ?1", [kind.as_str()], |r| {
                Ok(Template { subject: r.get(0)?, text: r.get(1)?, html: r.get(2)? })
            })
            .optional()?;
        Ok(match stored {
            Some(t) => (t, true),
            None => (kind.default_template(), false),
        })
    }

    /// Keep the reseller's template of `kind` (`None`: back to Seatbook's default).
    pub fn set_mail_template(&mut self, kind: Kind, t: Option<&Template>) -> Result<()> {
        self.write(|tx| {
            match t {
                Some(t) => tx.conn.execute(
                    "INSERT INTO mail_templates (kind, subject, text_body, html_body) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (kind) DO UPDATE SET subject = excluded.subject, text_body = excluded.text_body, html_body = excluded.html_body",
                    params![kind.as_str(), t.subject, t.text, t.html],
                )?,
                None => tx.conn.execute("DELETE FROM mail_templates WHERE kind = ?1", [kind.as_str()])?,
            };
            Ok(())
        })
    }

    /// Write messages to the outbox, all or none.
    pub fn enqueue_mail(&mut self, messages: &[NewMessage], from_address: &str, at: &str) -> Result<Vec<i64>> {
        self.write(|tx| messages.iter().map(|m| tx.enqueue_mail(m, from_address, at)).collect())
    }

    pub fn outbox(&self, filter: OutboxFilter, customer: Option<i64>) -> Result<Vec<OutboxEntry>> {
        let states = match filter {
            OutboxFilter::Unsent => "o.state <> 'sent'",
            OutboxFilter::All => "1",
        };
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM mail_outbox o JOIN customers c ON c.id = o.customer_id
             WHERE {states} AND (?1 IS NULL OR o.customer_id = ?1) ORDER BY o.id DESC"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([customer], entry_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn outbox_entry(&self, id: i64) -> Result<OutboxEntry> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM mail_outbox o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?1");
        self.conn
            .query_row(&sql, [id], entry_from_row)
            .optional()?
            .ok_or_else(|| Error::not_found(format!("there is no message {id} in the outbox")).with_field("id"))
    }

    /// How many messages are not sent yet, and how many need the user (refused, unknown).
    pub fn outbox_counts(&self) -> Result<(u32, u32)> {
        Ok(self.conn.query_row(
            "SELECT count(*) FILTER (WHERE state IN ('waiting', 'sending')), count(*) FILTER (WHERE state IN ('refused', 'unknown'))
             FROM mail_outbox WHERE state <> 'sent'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// The next message to send: waiting, and due by `due_by` (any waiting one if `None`).
    pub fn next_mail(&self, due_by: Option<&str>, after: i64) -> Result<Option<OutboxEntry>> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM mail_outbox o JOIN customers c ON c.id = o.customer_id
             WHERE o.state = 'waiting' AND (?1 IS NULL OR o.next_attempt_at <= ?1) AND o.id > ?2 ORDER BY o.id LIMIT 1"
        );
        Ok(self.conn.query_row(&sql, params![due_by, after], entry_from_row).optional()?)
    }

    /// The files kept with a message.
    pub fn mail_attachments(&self, id: i64) -> Result<Vec<(String, Vec<u8>)>> {
        let mut stmt = self.conn.prepare("SELECT name, bytes FROM mail_attachments WHERE outbox_id = ?1 ORDER BY position")?;
        let rows = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Messages a sender left `sending` (it stopped mid-send) become `unknown`. Only the one
    /// sender at a time may call this (`app::mail` holds the book's mail lock).
    pub fn settle_interrupted_mail(&mut self, at: &str) -> Result<usize> {
        self.write(|tx| {
            Ok(tx.conn.execute(
                "UPDATE mail_outbox SET state = 'unknown',
                    last_error = 'the program stopped while this message was being sent (at ' || ?1 || '); it may or may not have gone'
                 WHERE state = 'sending'",
                [at],
            )?)
        })
    }

    /// Take a waiting message for sending: recorded (and committed) before it goes out.
    pub fn claim_mail(&mut self, id: i64) -> Result<bool> {
        self.write(|tx| {
            Ok(tx
                .conn
                .execute("UPDATE mail_outbox SET state = 'sending', attempts = attempts + 1 WHERE id = ?1 AND state = 'waiting'", [id])?
                == 1)
        })
    }

    /// What came of sending a claimed message.
    pub fn record_mail(&mut self, id: i64, state: State, error: &str, at: &str, next_attempt_at: &str) -> Result<()> {
        self.write(|tx| {
            let sent_at = (state == State::Sent).then_some(at);
            let n = tx.conn.execute(
                "UPDATE mail_outbox SET state = ?2, last_error = ?3, sent_at = ?4, next_attempt_at = ?5 WHERE id = ?1 AND state = 'sending'",
                params![id, state.as_str(), error, sent_at, next_attempt_at],
            )?;
            if n != 1 {
                return Err(Error::database(format!("message {id} was not being sent")));
            }
            Ok(())
        })
    }

    /// Put a claimed message back as it was, not counted as a try (nothing was handed over:
    /// the server could not even be reached for the one before it).
    pub fn release_mail(&mut self, id: i64, error: &str) -> Result<()> {
        self.write(|tx| {
            tx.conn.execute(
                "UPDATE mail_outbox SET state = 'waiting', attempts = attempts - 1, last_error = ?2 WHERE id = ?1 AND state = 'sending'",
                params![id, error],
            )?;
            Ok(())
        })
    }

    /// The user's decision: send a message again (one that is `unknown` or `refused`), or every
    /// waiting one now.
    pub fn requeue_mail(&mut self, id: Option<i64>, at: &str) -> Result<usize> {
        self.write(|tx| match id {
            Some(id) => {
                let e = tx.store.outbox_entry(id)?;
                if !matches!(e.state, State::Unknown | State::Refused | State::Waiting) {
                    return Err(Error::refused(format!(
                        "message {id} is {}; only a waiting, refused or unknown one is sent again",
                        e.state.as_str()
                    ))
                    .with_field("id"));
                }
                Ok(tx.conn.execute("UPDATE mail_outbox SET state = 'waiting', next_attempt_at = ?2 WHERE id = ?1", params![id, at])?)
            }
            None => Ok(tx.conn.execute("UPDATE mail_outbox SET next_attempt_at = ?1 WHERE state = 'waiting'", [at])?),
        })
    }
}

impl Tx<'_> {
    /// Write one message to the outbox, inside the caller's transaction.
    /// The messages `mailing` writes about the documents just issued, to the outbox.
    pub(crate) fn enqueue_mailing(&self, mailing: Mailing, numbers: &[String], at: &str) -> Result<()> {
        if numbers.is_empty() {
            return Ok(());
        }
        if let Some((messages, from)) = mailing(self.store, numbers)? {
            for m in &messages {
                self.enqueue_mail(m, &from, at)?;
            }
        }
        Ok(())
    }

    pub(crate) fn enqueue_mail(&self, m: &NewMessage, from_address: &str, at: &str) -> Result<i64> {
        let id: i64 = self.conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM mail_outbox", [], |r| r.get(0))?;
        let message_id = crate::mail::message_id(id, at, from_address);
        self.conn.execute(
            "INSERT INTO mail_outbox (id, kind, document, attach_document, customer_id, to_address, subject, text_body, html_body,
                message_id, state, created_at, next_attempt_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'waiting', ?11, ?11)",
            params![
                id,
                m.kind.as_str(),
                m.document,
                m.attach_document.as_deref().unwrap_or(""),
                m.customer_id,
                m.to,
                m.subject,
                m.text,
                m.html,
                message_id,
                at
            ],
        )?;
        for (i, (name, bytes)) in m.attachments.iter().enumerate() {
            self.conn.execute(
                "INSERT INTO mail_attachments (outbox_id, position, name, bytes) VALUES (?1, ?2, ?3, ?4)",
                params![id, i as i64, name, bytes],
            )?;
        }
        Ok(id)
    }
}
