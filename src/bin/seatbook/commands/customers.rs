//! `init`, `company` and `customer`.

use crate::args::{CompanyArgs, CompanyCommand, CustomerArgs, CustomerCommand};
use crate::{out, render, Ctx, Output};
use seatbook::app;
use seatbook::company::CompanyFields;
use seatbook::customer::CustomerFields;
use seatbook::Result;

pub fn company_fields(a: CompanyArgs) -> CompanyFields {
    CompanyFields {
        name: a.name,
        address: a.address.map(|s| s.replace("\\n", "\n")),
        country: a.country,
        email: a.email,
        phone: a.phone,
        vat_number: a.vat_number,
        registration_number: a.registration_number,
        bank_name: a.bank_name,
        bank_account_holder: a.bank_account_holder,
        bank_account_number: a.bank_account_number,
        bank_branch_code: a.bank_branch_code,
        bank_swift: a.bank_swift,
        logo_path: a.logo,
        currency: a.currency,
        vat_rate: a.vat_rate,
        payment_terms_days: a.payment_terms_days,
        default_markup: a.default_markup,
        market: a.market,
        invoice_number_format: a.invoice_format,
        credit_note_number_format: a.credit_note_format,
        paper: a.paper,
    }
}

fn customer_fields(a: CustomerArgs) -> CustomerFields {
    CustomerFields {
        name: a.name,
        contact_person: a.contact_person,
        email: a.email,
        phone: a.phone,
        address: a.address.map(|s| s.replace("\\n", "\n")),
        country: a.country,
        currency: a.currency,
        vat_number: a.vat_number,
        tax_treatment: a.tax_treatment,
        payment_terms_days: a.payment_terms_days,
        credit_limit: a.credit_limit,
        domain: a.domain,
        tenant_id: a.tenant_id,
        billing_alignment: a.billing_alignment,
        notes: a.notes,
        delivery: a.delivery,
    }
}

pub fn init(ctx: &mut Ctx, a: CompanyArgs) -> Result<Output> {
    let c = app::company::set_up(&mut ctx.store, &company_fields(a))?;
    out(&c, format!("Seatbook is set up for {} in {}.\n{}", c.name, ctx.db.display(), render::company(&c)))
}

pub fn company(ctx: &mut Ctx, cmd: CompanyCommand) -> Result<Output> {
    let c = match cmd {
        CompanyCommand::Show => ctx.store.company()?,
        CompanyCommand::Set(a) => app::company::update(&mut ctx.store, &company_fields(a))?,
    };
    out(&c, render::company(&c))
}

pub fn customer(ctx: &mut Ctx, cmd: CustomerCommand) -> Result<Output> {
    let store = &mut ctx.store;
    match cmd {
        CustomerCommand::Add(a) => {
            let c = app::customers::add(store, &customer_fields(a))?;
            out(&c, format!("Added customer {}.\n{}", c.id, render::customer(&c)))
        }
        CustomerCommand::Provision { id, domain, address_line, city, postal_code, state } => {
            let request = app::provision::CustomerRequest { domain, address_line, city, state, postal_code };
            let made = app::provision::provision_customer(store, &ctx.clock, &super::pc::reach(), id, &request)?;
            let text = match &made.agreement {
                Some(a) => format!(
                    "Customer {id} is made at Microsoft: tenant {}, domain {}.\nThe Microsoft Customer Agreement is recorded as accepted by {} {} ({}) on {}.\n",
                    made.customer.tenant_id, made.customer.domain, a.first_name, a.last_name, a.email, a.date_agreed
                ),
                None if made.customer.tenant_id.is_empty() => format!(
                    "Pending at Microsoft: {} ({}). It is sent again by `seatbook pc outbox --retry` and before every `seatbook pc sync`, with the same request, so the customer is made once.\n",
                    made.microsoft.what, made.microsoft.last_error
                ),
                None => format!(
                    "Customer {id} is made at Microsoft: tenant {}, domain {}.\nPending at Microsoft: the Microsoft Customer Agreement ({}). It is sent again by `seatbook pc outbox --retry`.\n",
                    made.customer.tenant_id, made.customer.domain, made.microsoft.last_error
                ),
            };
            out(&made, text)
        }
        CustomerCommand::Link { id, tenant_id } => {
            let c = app::pc::link_customer(store, id, &tenant_id)?;
            out(&c, format!("Customer {} is linked to Microsoft's tenant {}.\n", c.id, c.tenant_id))
        }
        CustomerCommand::Update { id, fields, to } => {
            let reach = super::pc::reach();
            let to = app::provision::Provision { reach: &reach, send: to.send() };
            let c = app::provision::update_customer(store, &ctx.clock, to, id, &customer_fields(fields))?;
            let microsoft = match &c.microsoft {
                None => String::new(),
                Some(e) if c.pending => format!(
                    "Pending at Microsoft: {} ({}). It is sent again by `seatbook pc outbox --retry` and before every `seatbook pc sync`.\n",
                    e.what, e.last_error
                ),
                Some(e) => format!("Microsoft's billing profile is changed too ({}).\n", e.what),
            };
            out(&c, format!("{}{microsoft}", render::customer(&c.customer)))
        }
        CustomerCommand::Show { id } => {
            let page = app::customers::page(store, ctx.clock.today, id)?;
            out(&page, render::customer_page(&page))
        }
        CustomerCommand::List { search, all, limit } => {
            let list = app::customers::list(store, search.as_deref(), all, limit)?;
            out(&list, render::customers(&list))
        }
        CustomerCommand::Close { id, on } => {
            let c = app::customers::close(store, ctx.clock.today, id, on.as_deref())?;
            let on = c.closed_on.map(|d| d.to_string()).unwrap_or_default();
            out(&c, format!("Customer {} ({}) closed on {on}.\n", c.id, c.name))
        }
        CustomerCommand::Import { file } => {
            let done = app::customers::import(store, &file)?;
            let text = render::imported("customers", done.imported, &done.customers, render::customers, "seatbook customer list");
            out(&done, text)
        }
        CustomerCommand::Note { id, channel, summary, on } => {
            let e = app::customers::note(store, &ctx.clock, id, on.as_deref(), &channel, &summary)?;
            out(&e, format!("Noted for customer {id}: {} {} — {}\n", e.date, e.channel, e.summary))
        }
    }
}
