//! The app's own timing marks for its start and its calls, for finding what a user waits for:
//! with `SEATBOOK_TRACE=1` each mark is written to standard error as the milliseconds since the
//! app started and what happened (a command beginning or ending, a reading ahead). Nothing is
//! written otherwise, and a mark names only what ran, never data of the book.

use std::sync::OnceLock;
use std::time::Instant;

fn clock() -> Option<&'static Instant> {
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    START.get_or_init(|| std::env::var_os("SEATBOOK_TRACE").filter(|v| v != "0").map(|_| Instant::now())).as_ref()
}

/// Start the clock (when the app starts).
pub fn start() {
    mark("start");
}

/// Write a mark, when tracing.
pub fn mark(what: &str) {
    if let Some(start) = clock() {
        eprintln!("seatbook-desktop: {:>7.1} ms {what}", start.elapsed().as_secs_f64() * 1000.0);
    }
}

/// Write a mark of a moment another clock took (milliseconds since 1970), when tracing.
pub fn mark_at(what: &str, epoch_ms: i64) {
    static STARTED: OnceLock<i128> = OnceLock::new();
    if let Some(start) = clock() {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis() as i128;
        // When the clock started, on the system's clock.
        let started = *STARTED.get_or_init(|| now - start.elapsed().as_millis() as i128);
        eprintln!("seatbook-desktop: {:>5} ms {what}", i128::from(epoch_ms) - started);
    }
}

/// The command a closure was written in (`commands::recon::recon_last_leak`), from its type.
pub fn command_name<F>() -> &'static str {
    let name = std::any::type_name::<F>();
    let name = name.split("::{{closure}}").next().unwrap_or(name);
    name.split_once("commands::").map_or(name, |(_, rest)| rest)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_closure_is_named_by_the_command_it_was_written_in() {
        fn named<F: FnOnce()>(_: F) -> &'static str {
            super::command_name::<F>()
        }
        assert!(named(|| ()).ends_with("trace::tests::a_closure_is_named_by_the_command_it_was_written_in"), "{}", named(|| ()));
    }
}
