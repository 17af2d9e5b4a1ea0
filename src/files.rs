//! Files the user names: read whole, and written so that a crash, a kill or a full disk never
//! leaves a half-written file where the user expects a whole one (a temporary file in the same
//! folder, flushed to disk, then renamed over the destination).

use crate::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file the user named: one that is missing is bad input, not a failure.
pub fn read(path: &Path, field: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        let message = format!("cannot read {}: {e}", path.display());
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::invalid(field, message)
        } else {
            Error::io(message).with_field(field)
        }
    })
}

/// A path's file name as a person reads it ("" for none).
pub fn name_of(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// A file the user named, opened for reading bit by bit (files too large to hold whole).
pub fn open(path: &Path, field: &str) -> Result<std::fs::File> {
    std::fs::File::open(path).map_err(|e| {
        let message = format!("cannot read {}: {e}", path.display());
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::invalid(field, message)
        } else {
            Error::io(message).with_field(field)
        }
    })
}

/// The temporary file beside `dest` that `write` fills before renaming it into place.
/// Its name is the destination's, hidden, with this process's id: it never collides with a file
/// of the user's (`report.tmp`), and one a killed process left is known by its prefix.
pub fn temp_beside(dest: &Path) -> PathBuf {
    let name = name_of(dest);
    dest.with_file_name(format!(".{name}.seatbook-{}.part", std::process::id()))
}

/// Remove what a killed write to `dest` left beside it (`temp_beside` files of any process).
pub fn remove_leftovers(dest: &Path) {
    let name = name_of(dest);
    let prefix = format!(".{name}.seatbook-");
    let dir = dest.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if n.starts_with(&prefix) && n.ends_with(".part") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Write `bytes` to `dest` whole or not at all, creating its folder.
pub fn write(dest: &Path, bytes: &[u8]) -> Result<()> {
    write_with(dest, |w| w.write_all(bytes).map_err(|e| Error::io(format!("cannot write {}: {e}", dest.display()))))
}

/// Write `dest` bit by bit through `fill` (a file too large to build in memory), whole or not
/// at all: if `fill` fails, or the disk does, nothing is left at `dest` or beside it.
pub fn write_with(dest: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("cannot create {}: {e}", dir.display())))?;
    }
    remove_leftovers(dest);
    let temp = temp_beside(dest);
    let failed = |e: std::io::Error| Error::io(format!("cannot write {}: {e}", dest.display()));
    let written = (|| -> Result<()> {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(&temp).map_err(failed)?);
        fill(&mut out)?;
        let f = out.into_inner().map_err(|e| failed(e.into_error()))?;
        f.sync_all().map_err(failed)?;
        drop(f);
        std::fs::rename(&temp, dest).map_err(failed)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// Remove what killed writes left in `dir` (`temp_beside` files of any destination), once before
/// a batch of `write_in_batch`.
pub fn remove_leftovers_in(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if n.starts_with('.') && n.contains(".seatbook-") && n.ends_with(".part") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// One file of a batch that is made again from the book whenever asked (a month's invoice PDFs):
/// written beside `dest` and renamed into place, so a kill or a full disk never leaves half a
/// file, but not flushed to disk one by one (the batch's folder was cleaned once with
/// `remove_leftovers_in`; `sync_folder` flushes its names at the end). Per-file flushing cost a
/// 10,000-invoice month several seconds.
pub fn write_in_batch(dest: &Path, bytes: &[u8]) -> Result<()> {
    let temp = temp_beside(dest);
    let written = (|| -> std::io::Result<()> {
        std::fs::write(&temp, bytes)?;
        std::fs::rename(&temp, dest)
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        Error::io(format!("cannot write {}: {e}", dest.display()))
    })
}

/// Flush a folder's entries (the names of a batch's files) to disk, where the system allows it.
pub fn sync_folder(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Bytes in lower-case hexadecimal, as checksums and digests are written.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes.iter().flat_map(|b| [DIGITS[usize::from(b >> 4)] as char, DIGITS[usize::from(b & 15)] as char]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_written_whole_and_nothing_is_left_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("sub").join("report.csv");
        write(&dest, b"a,b\r\n").unwrap();
        write(&dest, b"c,d\r\n").unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"c,d\r\n");
        let names: Vec<_> = std::fs::read_dir(dest.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("report.csv")]);
        let e = read(&dir.path().join("missing.csv"), "file").unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (crate::ErrorCode::InvalidInput, Some("file")));
    }

    #[test]
    fn a_batch_cleans_what_a_killed_batch_left_once_and_writes_each_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".INV-1_Acme.pdf.seatbook-999.part"), b"half").unwrap();
        std::fs::write(dir.path().join("notes.part"), b"the user's").unwrap();
        remove_leftovers_in(dir.path());
        write_in_batch(&dir.path().join("INV-2_Acme.pdf"), b"%PDF whole").unwrap();
        sync_folder(dir.path());
        let mut names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        assert_eq!(names, ["INV-2_Acme.pdf", "notes.part"]);
        let e = write_in_batch(&dir.path().join("missing").join("x.pdf"), b"x").unwrap_err();
        assert!(e.message.starts_with("cannot write"), "{}", e.message);
    }

    #[test]
    fn a_file_written_bit_by_bit_that_fails_half_way_leaves_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("invoices.csv");
        write(&dest, b"old\n").unwrap();
        let e = write_with(&dest, |w| {
            w.write_all(b"new, half").unwrap();
            Err(Error::io("the database went away"))
        })
        .unwrap_err();
        assert_eq!(e.message, "the database went away");
        assert_eq!(std::fs::read(&dest).unwrap(), b"old\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
        write_with(&dest, |w| w.write_all(b"new\n").map_err(|e| Error::io(e.to_string()))).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"new\n");
    }
}
