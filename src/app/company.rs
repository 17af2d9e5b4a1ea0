//! The reseller's own profile: first set-up, changes, and the logo printed on its documents.

use crate::company::{Company, CompanyFields};
use crate::store::Store;
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// A logo must be a PNG or JPEG file that exists; it is kept by its full path.
pub fn check_logo(path: &Path) -> Result<PathBuf> {
    let bytes = std::fs::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::invalid("logo", format!("there is no file {}", path.display()))
        } else {
            Error::invalid("logo", format!("cannot read {}: {e}", path.display()))
        }
    })?;
    let is_png = bytes.starts_with(b"\x89PNG\r\n\x1a\n");
    let is_jpeg = bytes.starts_with(&[0xFF, 0xD8, 0xFF]);
    if !(is_png || is_jpeg) {
        return Err(Error::invalid("logo", format!("{} is not a PNG or JPEG image", path.display())));
    }
    Ok(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// The fields with the logo checked and kept by its full path (an empty path removes the logo).
fn with_checked_logo(fields: &CompanyFields) -> Result<CompanyFields> {
    let mut fields = fields.clone();
    if let Some(logo) = fields.logo_path.as_deref().filter(|l| !l.trim().is_empty()) {
        fields.logo_path = Some(check_logo(Path::new(logo.trim()))?.to_string_lossy().into_owned());
    }
    Ok(fields)
}

/// The profile, or `None` before the first set-up.
pub fn show(store: &Store) -> Result<Option<Company>> {
    store.company_opt()
}

/// Check a new profile's fields as `set_up` will, before any book is made for it.
pub fn check_new(fields: &CompanyFields) -> Result<()> {
    with_checked_logo(fields)?.validate_new().map(drop)
}

/// The first set-up: name, country, currency and VAT rate are required.
pub fn set_up(store: &mut Store, fields: &CompanyFields) -> Result<Company> {
    store.init_company(&with_checked_logo(fields)?)
}

/// Change the fields given; the rest stay as they are.
pub fn update(store: &mut Store, fields: &CompanyFields) -> Result<Company> {
    store.update_company(&with_checked_logo(fields)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_logo_must_be_a_png_or_jpeg_that_exists() {
        let dir = tempfile::tempdir().unwrap();
        let missing = check_logo(&dir.path().join("logo.png")).unwrap_err();
        assert_eq!(missing.field.as_deref(), Some("logo"));
        assert!(missing.message.starts_with("there is no file"), "{}", missing.message);
        let text = dir.path().join("logo.png");
        std::fs::write(&text, "not an image").unwrap();
        assert!(check_logo(&text).unwrap_err().message.contains("is not a PNG or JPEG image"));
        let jpeg = dir.path().join("logo.jpg");
        std::fs::write(&jpeg, [0xFF, 0xD8, 0xFF, 0xE0]).unwrap();
        assert!(check_logo(&jpeg).unwrap().is_absolute());
    }
}
