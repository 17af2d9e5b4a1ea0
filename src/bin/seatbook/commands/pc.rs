//! `pc`: Partner Center. The front reads the environment (the core reads none): the secret
//! (SEATBOOK_PC_CLIENT_SECRET) and Partner Center's and the sign-in's addresses
//! (SEATBOOK_PARTNER_CENTER_URL, SEATBOOK_LOGIN_URL).

use crate::args::PcCommand;
use crate::{out, Ctx, Output};
use seatbook::app::pc::{self, PcStatus, SyncResult};
use seatbook::app::provision::{self, OutboxEntry, Reach};
use seatbook::pc::client::Endpoints;
use seatbook::pc::DriftKind;
use seatbook::{secrets, Error, Result};
use std::fmt::Write;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

pub fn endpoints() -> Endpoints {
    Endpoints::with_overrides(env("SEATBOOK_PARTNER_CENTER_URL"), env("SEATBOOK_LOGIN_URL"))
}

fn secret_env() -> Option<String> {
    env(secrets::PC_CLIENT_SECRET_ENV)
}

/// How changes reach Partner Center from this front.
pub fn reach() -> Reach {
    Reach {
        endpoints: endpoints(),
        secret_from_environment: secret_env(),
        refresh_token_from_environment: env(secrets::PC_REFRESH_TOKEN_ENV),
    }
}

pub fn pc(ctx: &mut Ctx, cmd: PcCommand) -> Result<Output> {
    match cmd {
        PcCommand::Connect { tenant, client_id, app_only: _, device_code } => {
            if device_code {
                // Application and user: the user signs in elsewhere with the code Microsoft gives.
                let reach = reach();
                let code = pc::device_code_start(&reach, &tenant, &client_id)?;
                eprintln!(
                    "{}",
                    if code.message.is_empty() {
                        format!("Go to {} and enter the code {}.", code.verification_url, code.user_code)
                    } else {
                        code.message.clone()
                    }
                );
                eprintln!("Waiting for the sign-in…");
                let s = pc::device_code_finish(&mut ctx.store, &ctx.clock, &reach, &tenant, &client_id, &code)?;
                return out(&s, format!("Connected to Partner Center.\n{}", status_text(&s)));
            }
            let typed = match secret_env() {
                Some(_) => None,
                None => {
                    use std::io::IsTerminal;
                    if std::io::stdin().is_terminal() {
                        eprint!("The application's client secret: ");
                    }
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line).map_err(|e| Error::io(format!("cannot read the client secret: {e}")))?;
                    Some(line.trim().to_string())
                }
            };
            let s = pc::connect(&mut ctx.store, &ctx.clock, &reach(), &tenant, &client_id, typed.as_deref())?;
            out(&s, format!("Connected to Partner Center.\n{}", status_text(&s)))
        }
        PcCommand::Status => {
            let s = pc::status(&ctx.store, &reach())?;
            out(&s, status_text(&s))
        }
        PcCommand::Sync { apply } => {
            let json = ctx.json;
            let mut progress = |done: usize, of: usize| {
                if !json && (done == of || done.is_multiple_of(50)) {
                    eprintln!("Read {done} of {of} customers from Partner Center");
                }
            };
            let r = pc::sync(&mut ctx.store, &ctx.clock, &reach(), apply, &mut progress)?;
            out(&r, sync_text(&r, apply))
        }
        PcCommand::Take { id, on } => {
            let a = provision::take(&mut ctx.store, &ctx.clock, &reach(), id, on.as_deref())?;
            let text = if a.differences.is_empty() {
                format!("Subscription {id} agrees with Partner Center.\n")
            } else {
                format!("Subscription {id} now has Partner Center's {}.\n", aligned_fields(&a))
            };
            out(&a, text)
        }
        PcCommand::Push { id } => {
            let a = provision::push(&mut ctx.store, &ctx.clock, &reach(), id)?;
            let text = if a.differences.is_empty() {
                format!("Subscription {id} agrees with Partner Center.\n")
            } else if a.pending {
                format!("The book's {} for subscription {id} waits to reach Microsoft (seatbook pc outbox).\n", aligned_fields(&a))
            } else {
                format!("Partner Center now has the book's {} for subscription {id}.\n", aligned_fields(&a))
            };
            out(&a, text)
        }
        PcCommand::Outbox { retry } => {
            let entries = provision::outbox(&mut ctx.store, &ctx.clock, &reach(), retry)?;
            out(&entries, outbox_text(&entries))
        }
    }
}

/// "seats, status and auto-renew", as they differed.
fn aligned_fields(a: &provision::Aligned) -> String {
    let d = &a.differences;
    let parts: Vec<&str> = [(d.quantity.is_some(), "seats"), (d.status.is_some(), "status"), (d.auto_renew.is_some(), "auto-renew")]
        .into_iter()
        .filter_map(|(differs, name)| differs.then_some(name))
        .collect();
    match parts.as_slice() {
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
        [] => String::new(),
    }
}

fn outbox_text(entries: &[OutboxEntry]) -> String {
    if entries.is_empty() {
        return "Nothing has been sent to Partner Center.\n".into();
    }
    let open = entries.iter().filter(|e| e.state == "waiting" || e.state == "accepted").count();
    let mut t = String::new();
    let _ = writeln!(t, "{open} of {} changes wait for Microsoft.", entries.len());
    for e in entries {
        let state = match e.state.as_str() {
            "waiting" => format!("waiting after {} tries: {}", e.attempts, e.last_error),
            "accepted" => "accepted by Microsoft, not finished yet".to_string(),
            "done" => "done".to_string(),
            _ if e.ms_code.is_empty() => format!("refused by Microsoft ({}); undone in the book", e.last_error),
            _ => format!("refused by Microsoft ({}: {}); undone in the book", e.ms_code, e.last_error),
        };
        let whose = match e.subscription_id {
            Some(sub) => format!("subscription {sub} (customer {}, Microsoft's {})", e.customer_id, e.ms_subscription_id),
            None if e.tenant_id.is_empty() => format!("customer {}", e.customer_id),
            None => format!("customer {} (Microsoft's {})", e.customer_id, e.tenant_id),
        };
        let _ = writeln!(t, "#{} {} — {whose}: {}", e.id, e.what, state.trim_end_matches([':', ' ']));
    }
    t
}

fn status_text(s: &PcStatus) -> String {
    if !s.connected {
        return "Not connected to Partner Center (seatbook pc connect).\n".into();
    }
    let user = s.sign_in.as_deref() == Some("app+user");
    let mut t = String::new();
    let _ = writeln!(
        t,
        "Partner tenant {}, application {} (sign-in: {}).",
        s.tenant.as_deref().unwrap_or_default(),
        s.client_id.as_deref().unwrap_or_default(),
        s.sign_in.as_deref().unwrap_or_default()
    );
    let _ = writeln!(
        t,
        "{}",
        match s.secret {
            "kept" if user => "The user's refresh token is kept in the system's credential store.",
            "environment" if user => "The refresh token comes from SEATBOOK_PC_REFRESH_TOKEN.",
            "no_store" if user => "This system has no credential store: give the refresh token in SEATBOOK_PC_REFRESH_TOKEN.",
            _ if user => "No refresh token is kept: sign in again (--device-code), or give it in SEATBOOK_PC_REFRESH_TOKEN.",
            "kept" => "The client secret is kept in the system's credential store.",
            "environment" => "The client secret comes from SEATBOOK_PC_CLIENT_SECRET.",
            "no_store" => "This system has no credential store: give the client secret in SEATBOOK_PC_CLIENT_SECRET.",
            _ => "No client secret is kept: connect again, or give it in SEATBOOK_PC_CLIENT_SECRET.",
        }
    );
    let _ = writeln!(t, "Last sync: {}.", s.last_sync.as_deref().unwrap_or("never"));
    t
}

fn kind(k: DriftKind) -> &'static str {
    match k {
        DriftKind::OnlyAtMicrosoft => "only at Microsoft",
        DriftKind::OnlyInSeatbook => "only in Seatbook",
        DriftKind::Differs => "differs",
    }
}

fn sync_text(r: &SyncResult, apply: bool) -> String {
    let mut t = String::new();
    if r.resumed > 0 {
        let _ = writeln!(t, "Resumed the sync cut off before: {} customers had been read already.", r.resumed);
    }
    for a in &r.adopted {
        let _ = match a.what {
            "customer_linked" => writeln!(t, "Linked customer {} to Microsoft's tenant {}.", a.customer_id, a.ms_id),
            "customer_added" => writeln!(t, "Added customer {} (Microsoft's tenant {}).", a.customer_id, a.ms_id),
            _ => writeln!(
                t,
                "Added subscription {} for customer {} (Microsoft's subscription {}).",
                a.subscription_id.unwrap_or_default(),
                a.customer_id,
                a.ms_id
            ),
        };
    }
    for p in &r.problems {
        let _ = writeln!(t, "Not taken in: {}: {}", p.ms_id, p.message);
    }
    if r.customers.is_empty() && r.subscriptions.is_empty() {
        let _ = writeln!(t, "The book agrees with Partner Center ({} requests).", r.requests);
        return t;
    }
    for c in &r.customers {
        let who = c.customer_id.map(|id| format!("customer {id}; ")).unwrap_or_default();
        let _ = writeln!(t, "{} ({who}{}, tenant {}): {}", c.name, c.domain, c.tenant_id, kind(c.kind));
        for f in &c.fields {
            let _ = writeln!(t, "  {}: Seatbook {:?}, Microsoft {:?}", f.field, f.seatbook, f.microsoft);
        }
    }
    for s in &r.subscriptions {
        let who = s.subscription_id.map(|id| format!("subscription {id}; ")).unwrap_or_default();
        let _ = writeln!(t, "{} ({who}{}, Microsoft's {}): {}", s.name, s.product, s.ms_subscription_id, kind(s.kind));
        for f in &s.fields {
            let _ = writeln!(t, "  {}: Seatbook {}, Microsoft {}", f.field, f.seatbook, f.microsoft);
        }
    }
    let only_there = r.customers.iter().any(|c| c.kind == DriftKind::OnlyAtMicrosoft)
        || r.subscriptions.iter().any(|s| s.kind == DriftKind::OnlyAtMicrosoft);
    if !apply && only_there {
        let _ = writeln!(t, "Take in what is only at Microsoft with: seatbook pc sync --apply");
    }
    t
}
