//! `mail`: the mail server, documents and renewal notices e-mailed through the outbox, the log.

use crate::args::MailCommand;
use crate::{out, read_file, Ctx, Output};
use seatbook::app::mail::{self, Enqueued, OutboxEntry, Pass};
use seatbook::mail::MailFields;
use seatbook::{Error, Result};
use serde_json::json;
use std::fmt::Write;

/// Progress on the terminal (stderr) for a pass of more than a few messages.
fn progress(json: bool) -> impl FnMut(&mail::SendResult, usize, usize) {
    move |r, done, total| {
        if !json && total > 5 {
            eprint!("\r{done}/{total} {}", r.to);
            if done == total {
                eprintln!();
            }
        }
    }
}

fn pass_text(p: &Pass) -> String {
    let mut t = String::new();
    if p.busy {
        t.push_str("Another Seatbook is sending this book's mail right now; what waits goes with it.\n");
        return t;
    }
    for r in &p.results {
        let _ = write!(
            t,
            "  #{} {} {} to {} ({}): {}",
            r.id,
            r.kind.as_str().replace('_', " "),
            r.document,
            r.to,
            r.customer_name,
            r.state.as_str()
        );
        if !r.error.is_empty() {
            let _ = write!(t, " — {}", r.error);
        }
        t.push('\n');
    }
    let _ = writeln!(t, "Sent {}, refused {}, waiting {}.", p.sent, p.refused, p.waiting);
    if p.interrupted > 0 {
        let _ = writeln!(
            t,
            "{} message(s) were cut off mid-send earlier and may or may not have gone: see `seatbook mail outbox`.",
            p.interrupted
        );
    }
    if let Some(why) = &p.stopped {
        let _ = writeln!(t, "Not sent yet: {why}. They wait in the outbox and go on the next try (`seatbook mail outbox --retry`).");
    }
    t
}

fn enqueued_text(e: &Enqueued) -> String {
    let mut t = String::new();
    for s in &e.skipped {
        let why = match s.reason.as_str() {
            "paper" => "takes paper",
            "no_address" => "has no billing e-mail address",
            "already_sent" => "already e-mailed (add --again to send it again)",
            other => other,
        };
        let _ = writeln!(t, "  {} for {} not e-mailed: {} {why}", s.document, s.customer_name, s.customer_name);
    }
    t
}

/// The password in the environment, for machines without a credential store (read here: the
/// core reads no environment).
fn env_password() -> Option<String> {
    std::env::var(seatbook::secrets::SMTP_PASSWORD_ENV).ok().filter(|p| !p.is_empty())
}

/// After a change that wrote messages to the outbox (issuing invoices or a credit note, a
/// reminders run): send them now, adding what went to the output (`"mail"` in a JSON object).
/// The change stands whatever the sending does; what could not go waits in the outbox.
pub fn send_queued(ctx: &mut Ctx, mut output: Output) -> Output {
    match mail::deliver_queued(&mut ctx.store, &ctx.clock, env_password().as_deref(), &mut progress(ctx.json)) {
        Ok(None) => {}
        Ok(Some(pass)) => {
            output.text.push_str("E-mail:\n");
            output.text.push_str(&pass_text(&pass));
            if let (Some(o), Ok(v)) = (output.json.as_object_mut(), serde_json::to_value(&pass)) {
                o.insert("mail".into(), v);
            }
        }
        Err(e) => return not_sent(output, &e),
    }
    output
}

/// After a billing run: its invoices go now when the reseller has them e-mailed as issued
/// (`"mail"` in the JSON: what was not e-mailed and why, and the sending).
pub fn send_issued(ctx: &mut Ctx, month: &str, mut output: Output) -> Output {
    match mail::issued_month(&mut ctx.store, &ctx.clock, month) {
        Ok(None) => output,
        Ok(Some(e)) => match send(ctx, e) {
            Ok(mailed) => {
                output.text.push_str("E-mail:\n");
                output.text.push_str(&mailed.text);
                if let Some(o) = output.json.as_object_mut() {
                    o.insert("mail".into(), mailed.json);
                }
                output
            }
            Err(e) => not_sent(output, &e),
        },
        Err(e) => not_sent(output, &e),
    }
}

fn not_sent(mut output: Output, e: &Error) -> Output {
    let _ = writeln!(output.text, "The e-mail in the outbox was not sent ({}); it goes with `seatbook mail outbox --retry`.", e.message);
    output
}

fn send(ctx: &mut Ctx, e: Enqueued) -> Result<Output> {
    let pass = mail::deliver(&mut ctx.store, &ctx.clock, false, env_password().as_deref(), &mut progress(ctx.json))?;
    let text = format!("{} message(s) written to the outbox.\n{}{}", e.queued.len(), enqueued_text(&e), pass_text(&pass));
    out(&json!({"queued": e.queued, "skipped": e.skipped, "delivery": pass}), text)
}

fn entry_line(e: &OutboxEntry) -> String {
    let mut t = format!(
        "#{:<5} {:<8} {:<11} {:<24} {:<30} {} (tries: {})",
        e.id,
        e.state.as_str(),
        e.kind.as_str(),
        e.document,
        e.to,
        e.customer_name,
        e.attempts
    );
    if !e.last_error.is_empty() {
        let _ = write!(t, "\n        {}", e.last_error);
    }
    t.push('\n');
    t
}

pub fn mail(ctx: &mut Ctx, cmd: MailCommand) -> Result<Output> {
    match cmd {
        MailCommand::Set {
            host,
            port,
            security,
            user,
            password_stdin,
            from,
            from_name,
            reply_to,
            bcc,
            ca_file,
            renewal_days,
            send_on_issue,
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line).map_err(|e| Error::io(format!("cannot read the password: {e}")))?;
                Some(line.trim_end_matches(['\r', '\n']).to_string())
            } else {
                None
            };
            let fields = MailFields {
                host,
                port,
                security,
                user,
                from_address: from,
                from_name,
                reply_to,
                bcc,
                ca_file,
                renewal_days,
                send_on_issue,
            };
            let s = mail::set(&mut ctx.store, &fields, password.as_deref())?;
            let view = mail::settings(&ctx.store, env_password().as_deref())?;
            out(
                &view,
                format!(
                    "E-mail goes through {}:{} ({}) from {}.\n{}",
                    s.host,
                    s.port,
                    s.security.as_str(),
                    s.from_address,
                    password_text(&view.password)
                ),
            )
        }
        MailCommand::Show => {
            let view = mail::settings(&ctx.store, env_password().as_deref())?;
            let text = match &view.settings {
                None => "E-mail is not set up yet (seatbook mail set --host H --from ADDRESS ...).\n".to_string(),
                Some(s) => format!(
                    "Server:    {}:{} ({})\nUser:      {}\nFrom:      {} <{}>\nReply-to:  {}\nCopy to:   {}\nCA file:   {}\nRenewal notices {} days before a term ends.\n{}\n{}",
                    s.host,
                    s.port,
                    s.security.as_str(),
                    if s.user.is_empty() { "(none)" } else { &s.user },
                    s.from_name,
                    s.from_address,
                    s.reply_to,
                    s.bcc,
                    s.ca_file,
                    s.renewal_days,
                    if s.send_on_issue {
                        "Invoices and credit notes are e-mailed as they are issued."
                    } else {
                        "Invoices and credit notes are e-mailed only when asked (seatbook mail send)."
                    },
                    password_text(&view.password)
                ),
            };
            out(&view, text)
        }
        MailCommand::Test { to } => {
            let t = mail::test(&ctx.store, &ctx.clock, &to, env_password().as_deref())?;
            out(&t, format!("A test message went to {} through {}.\n", t.to, t.server))
        }
        MailCommand::Send { invoices, month, statement, customer, from, to, again } => {
            let e = if statement {
                let customer = customer.ok_or_else(|| Error::invalid("customer", "name the customer"))?;
                mail::send_statement(&mut ctx.store, &ctx.clock, customer, from.as_deref(), to.as_deref(), again)?
            } else if let Some(m) = month {
                mail::send_month(&mut ctx.store, &ctx.clock, &m)?
            } else {
                mail::send_documents(&mut ctx.store, &ctx.clock, &invoices, again)?
            };
            send(ctx, e)
        }
        MailCommand::Renewals { within, preview } => {
            let (notices, e) = mail::renewals(&mut ctx.store, &ctx.clock, within.as_deref(), preview)?;
            let mut t = String::new();
            for n in &notices {
                let to = if n.skipped.is_empty() { n.to.join(", ") } else { format!("not e-mailed ({})", n.skipped.replace('_', " ")) };
                let _ = writeln!(
                    t,
                    "  {} — {} × {} renews on {} until {}, {} for the term; changes until {}: {}",
                    n.customer_name,
                    n.quantity,
                    n.product,
                    n.renewal_date,
                    n.new_term_end,
                    crate::render::money(n.term_total, n.currency),
                    n.last_day_to_change,
                    to
                );
            }
            if preview {
                let text = format!("{} renewal notice(s) due; nothing was sent (preview).\n{t}", notices.len());
                return out(&json!({"notices": notices, "preview": true}), text);
            }
            let pass = mail::deliver(&mut ctx.store, &ctx.clock, false, env_password().as_deref(), &mut progress(ctx.json))?;
            let text = format!("{} renewal notice(s) written to the outbox.\n{t}{}", e.queued.len(), pass_text(&pass));
            out(&json!({"notices": notices, "queued": e.queued, "delivery": pass}), text)
        }
        MailCommand::Outbox { retry, resend } => {
            if retry || resend.is_some() {
                let pass = match resend {
                    Some(id) => mail::resend(&mut ctx.store, &ctx.clock, id, env_password().as_deref(), &mut progress(ctx.json))?,
                    None => mail::retry(&mut ctx.store, &ctx.clock, env_password().as_deref(), &mut progress(ctx.json))?,
                };
                let list = mail::outbox(&mut ctx.store, &ctx.clock)?;
                let mut text = pass_text(&pass);
                list.iter().for_each(|e| text.push_str(&entry_line(e)));
                return out(&list, text);
            }
            let list = mail::outbox(&mut ctx.store, &ctx.clock)?;
            let text = if list.is_empty() {
                "The outbox is empty: every message has gone.\n".to_string()
            } else {
                list.iter().map(entry_line).collect()
            };
            out(&list, text)
        }
        MailCommand::Log { customer } => {
            let list = mail::log(&ctx.store, customer)?;
            let text: String = if list.is_empty() {
                "No messages yet.\n".to_string()
            } else {
                list.iter()
                    .map(|e| {
                        format!(
                            "{}  {:<8} {:<30} {:<40} {}\n",
                            e.sent_at.as_deref().unwrap_or(&e.created_at),
                            e.state.as_str(),
                            e.to,
                            e.subject,
                            e.documents.join(", ")
                        )
                    })
                    .collect()
            };
            out(&list, text)
        }
        MailCommand::Template { kind, subject, text_file, html_file, reset, preview } => {
            let Some(kind) = kind else {
                let list = mail::templates(&ctx.store)?;
                let text = list
                    .iter()
                    .map(|t| {
                        format!(
                            "{} ({}):\n  Subject: {}\n  Placeholders: {}\n",
                            t.kind.as_str(),
                            if t.custom { "yours" } else { "Seatbook's default" },
                            t.template.subject,
                            t.placeholders.join(" ")
                        )
                    })
                    .collect();
                return out(&list, text);
            };
            if reset {
                let t = mail::reset_template(&mut ctx.store, &kind)?;
                return out(&t, format!("The {} template is Seatbook's default again.\n", t.kind.as_str()));
            }
            let current =
                mail::templates(&ctx.store)?.into_iter().find(|t| t.kind.as_str() == kind.trim().replace('-', "_")).ok_or_else(|| {
                    seatbook::mail::Kind::parse(&kind, "kind").err().unwrap_or_else(|| Error::invalid("kind", "unknown kind"))
                })?;
            let text_of = |p: &Option<std::path::PathBuf>| -> Result<Option<String>> {
                p.as_ref()
                    .map(|p| {
                        String::from_utf8(read_file(p)?).map_err(|_| Error::bad_value("file", format!("{} is not UTF-8 text", p.display())))
                    })
                    .transpose()
            };
            let new_text = text_of(&text_file)?;
            let new_html = text_of(&html_file)?;
            let changed = subject.is_some() || new_text.is_some() || new_html.is_some();
            let subject = subject.unwrap_or(current.template.subject.clone());
            // A new text without a new HTML part makes the HTML from the text.
            let html = match (&new_html, &new_text) {
                (Some(h), _) => Some(h.clone()),
                (None, Some(_)) => None,
                (None, None) => Some(current.template.html.clone()),
            };
            let text = new_text.unwrap_or(current.template.text.clone());
            if preview {
                let r = mail::preview(&ctx.store, &ctx.clock, &kind, &subject, &text, html.as_deref())?;
                return out(&r, format!("Subject: {}\n\n{}\n", r.subject, r.text));
            }
            if !changed {
                let t = current;
                return out(&t, format!("Subject: {}\n\n{}\n", t.template.subject, t.template.text));
            }
            let t = mail::set_template(&mut ctx.store, &kind, &subject, &text, html.as_deref())?;
            out(&t, format!("The {} template is changed.\n", t.kind.as_str()))
        }
    }
}

fn password_text(p: &str) -> &'static str {
    match p {
        "kept" => "The password is kept in the system's credential store.\n",
        "environment" => "The password comes from SEATBOOK_SMTP_PASSWORD.\n",
        "not_needed" => "The server takes mail without signing in.\n",
        "no_store" => "This system has no credential store: give the password in SEATBOOK_SMTP_PASSWORD.\n",
        _ => "No password is kept yet: give it with --password-stdin.\n",
    }
}
