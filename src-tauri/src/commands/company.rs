//! The reseller's profile: first set-up, changes, and the logo (chosen in a dialog, never sent
//! as a path by the page).

use super::blocking;
use crate::error::IpcError;
use crate::files;
use crate::state::AppState;
use seatbook::company::{Company, CompanyFields};
use serde::Deserialize;
use std::path::Path;
use tauri::{AppHandle, Runtime, State};

/// The profile form, field by field (the names of the page's inputs). `None` leaves a field as
/// it is; an empty text clears it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CompanyInput {
    pub name: Option<String>,
    pub address: Option<String>,
    pub country: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub vat_number: Option<String>,
    pub registration_number: Option<String>,
    pub bank_name: Option<String>,
    pub bank_account_holder: Option<String>,
    pub bank_account_number: Option<String>,
    pub bank_branch_code: Option<String>,
    pub bank_swift: Option<String>,
    pub currency: Option<String>,
    pub vat_rate: Option<String>,
    pub payment_terms_days: Option<String>,
    pub default_markup: Option<String>,
    pub market: Option<String>,
    pub invoice_format: Option<String>,
    pub credit_note_format: Option<String>,
    pub paper: Option<String>,
}

/// `None` for a field left empty: an empty select keeps the profile's value.
fn given(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty())
}

impl CompanyInput {
    fn into_fields(self, logo: Option<&Path>) -> CompanyFields {
        CompanyFields {
            name: self.name,
            address: self.address,
            country: self.country,
            email: self.email,
            phone: self.phone,
            vat_number: self.vat_number,
            registration_number: self.registration_number,
            bank_name: self.bank_name,
            bank_account_holder: self.bank_account_holder,
            bank_account_number: self.bank_account_number,
            bank_branch_code: self.bank_branch_code,
            bank_swift: self.bank_swift.map(|s| s.to_uppercase()),
            logo_path: logo.map(|p| p.to_string_lossy().into_owned()),
            // Codes and numbers left empty keep their value (or take the default on set-up).
            currency: given(self.currency),
            vat_rate: given(self.vat_rate),
            payment_terms_days: given(self.payment_terms_days),
            default_markup: given(self.default_markup),
            market: given(self.market),
            invoice_number_format: given(self.invoice_format),
            credit_note_number_format: given(self.credit_note_format),
            paper: given(self.paper),
        }
    }
}

/// The profile, or `null` before the first set-up.
#[tauri::command(rename_all = "snake_case")]
pub async fn company_get(state: State<'_, AppState>) -> Result<Option<Company>, IpcError> {
    state.with_store(|s| seatbook::app::company::show(s))
}

/// The first set-up (name, country, currency and VAT rate are required), with the logo chosen
/// beforehand, if any.
#[tauri::command(rename_all = "snake_case")]
pub async fn company_init(state: State<'_, AppState>, fields: CompanyInput) -> Result<Company, IpcError> {
    let logo = state.take_pending_logo();
    let result = state.with_store(|s| seatbook::app::company::set_up(s, &fields.into_fields(logo.as_deref())));
    if result.is_err() {
        // Nothing the user chose is lost on an error.
        state.set_pending_logo(logo);
    }
    result
}

/// Change the profile (and apply a newly chosen logo).
#[tauri::command(rename_all = "snake_case")]
pub async fn company_update(state: State<'_, AppState>, fields: CompanyInput) -> Result<Company, IpcError> {
    let logo = state.take_pending_logo();
    let result = state.with_store(|s| seatbook::app::company::update(s, &fields.into_fields(logo.as_deref())));
    if result.is_err() {
        state.set_pending_logo(logo);
    }
    result
}

/// Choose a logo (PNG or JPEG) in a dialog. It is kept until the profile is next saved; the page
/// gets only the file's name to show. `null` when the dialog was cancelled.
#[tauri::command(rename_all = "snake_case")]
pub async fn company_pick_logo<R: Runtime>(app: AppHandle<R>) -> Result<Option<String>, IpcError> {
    blocking(app, |app, state| {
        let Some(path) = files::pick_file(app, "Choose your logo", &files::IMAGE)? else {
            return Ok(None);
        };
        let path = seatbook::app::company::check_logo(&path)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        state.set_pending_logo(Some(path));
        Ok(Some(name))
    })
    .await
}

/// Remove the logo from the profile (and forget one chosen but not saved).
#[tauri::command(rename_all = "snake_case")]
pub async fn company_clear_logo(state: State<'_, AppState>) -> Result<Company, IpcError> {
    state.set_pending_logo(None);
    state.with_store(|s| seatbook::app::company::update(s, &CompanyFields { logo_path: Some(String::new()), ..Default::default() }))
}
