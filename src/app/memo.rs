//! What a front read from a book in a file, kept while the book is unchanged: no connection, of
//! this process or another, committed since (SQLite's `data_version`, read on the memo's own
//! connection, which never writes). The dashboard and the reports' charts are read so: shown
//! again at once when the user comes back, and read ahead while nobody waits.

use super::open_reader;
use crate::store::Store;
use crate::{Error, Result};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// One reading of a book, for the last key asked (the day, a report's range), on a read-only
/// connection of its own.
pub struct BookMemo<K, V> {
    path: std::path::PathBuf,
    /// What is read for a key.
    read: fn(&Store, &K) -> Result<V>,
    /// Whether what was read for the first key shows what the second asks for.
    covers: fn(&K, &K) -> bool,
    memo: Mutex<Memo<K, V>>,
    /// Signalled when a reading ends.
    done: Condvar,
    /// Bumped by `forget`: a reading begun before is not kept.
    generation: AtomicU64,
    reads: AtomicUsize,
}

enum Memo<K, V> {
    /// Nothing kept (and the connection to read with, once opened).
    Empty(Option<Store>),
    /// Being read: wait for it rather than read it twice (unless it is read `behind`, at a
    /// lower priority perhaps, which nobody waits for: a reading the user asks for starts its own).
    Reading {
        behind: bool,
    },
    Kept {
        key: K,
        version: i64,
        value: Box<V>,
        reader: Store,
    },
}

impl<K: PartialEq, V> BookMemo<K, V> {
    /// What `read` reads from the book at `path`, kept.
    pub fn new(path: &std::path::Path, read: fn(&Store, &K) -> Result<V>) -> BookMemo<K, V> {
        BookMemo::covering(path, read, |kept, asked| kept == asked)
    }

    /// `new`, where what was read for one key may show what another asks for (`covers(kept,
    /// asked)`: the first rows of a list read whole, say).
    pub fn covering(path: &std::path::Path, read: fn(&Store, &K) -> Result<V>, covers: fn(&K, &K) -> bool) -> BookMemo<K, V> {
        BookMemo {
            path: path.to_path_buf(),
            read,
            covers,
            memo: Mutex::new(Memo::Empty(None)),
            done: Condvar::new(),
            generation: AtomicU64::new(0),
            reads: AtomicUsize::new(0),
        }
    }

    /// Keep nothing more: the book's file was replaced (a restore), which no version shows.
    pub fn forget(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        let mut memo = self.lock();
        if !matches!(*memo, Memo::Reading { .. }) {
            *memo = Memo::Empty(None);
        }
    }

    /// How many times the book was read.
    pub fn reads(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }

    fn lock(&self) -> MutexGuard<'_, Memo<K, V>> {
        self.memo.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Read again for the key kept when the book changed since (nothing when nothing is kept),
    /// behind what the user does (`get_behind`): what the user asks for next is then shown at
    /// once. Whether it read.
    pub fn refresh(&self) -> Result<bool>
    where
        K: Clone,
    {
        let key = match &*self.lock() {
            Memo::Kept { key, version, reader, .. } if reader.data_version().ok() != Some(*version) => key.clone(),
            _ => return Ok(false),
        };
        self.get_behind(key, |_| true)
    }

    /// `show` of what is read for `key`: of what is kept when it was read for a key that covers it
    /// and the book has not changed since; else read now (once, however many ask at the same time)
    /// and kept. A reading begun `behind` is not waited for: this one reads on its own connection.
    pub fn get<R>(&self, key: K, show: impl FnOnce(&V) -> R) -> Result<R> {
        self.read(key, show, false)
    }

    /// `get`, by a thread nobody waits for (one at a lower priority, say): a `get` that comes
    /// meanwhile reads for itself rather than wait for this reading to end.
    pub fn get_behind<R>(&self, key: K, show: impl FnOnce(&V) -> R) -> Result<R> {
        self.read(key, show, true)
    }

    fn read<R>(&self, key: K, show: impl FnOnce(&V) -> R, behind: bool) -> Result<R> {
        let mut memo = self.lock();
        // What is being read for the user is waited for; what is read behind, only from behind.
        while matches!(*memo, Memo::Reading { behind: false }) || (behind && matches!(*memo, Memo::Reading { .. })) {
            memo = self.done.wait(memo).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        let reader = match std::mem::replace(&mut *memo, Memo::Reading { behind }) {
            Memo::Kept { key: kept, version, value, reader } => {
                if (self.covers)(&kept, &key) && reader.data_version().ok() == Some(version) {
                    let shown = show(&value);
                    *memo = Memo::Kept { key: kept, version, value, reader };
                    return Ok(shown);
                }
                Some(reader)
            }
            Memo::Empty(reader) => reader,
            // Being read behind: its connection is in use, this reading opens another.
            Memo::Reading { .. } => None,
        };
        drop(memo);
        let generation = self.generation.load(Ordering::SeqCst);
        self.reads.fetch_add(1, Ordering::SeqCst);
        // Read with nothing held: a change may commit meanwhile, which the versions show.
        let outcome = (|| {
            let reader = match reader {
                Some(r) => r,
                None => open_reader(&self.path)?,
            };
            let before = reader.data_version()?;
            let value = (self.read)(&reader, &key);
            let after = reader.data_version()?;
            Ok::<_, Error>((reader, before, value, after))
        })();
        let mut memo = self.lock();
        let current = generation == self.generation.load(Ordering::SeqCst);
        // A reading behind that the user's own overtook leaves the memo to that one.
        let overtaken = behind && !matches!(*memo, Memo::Reading { behind: true });
        let shown = match outcome {
            Ok((reader, before, Ok(value), after)) if before == after && current && !overtaken => {
                let shown = show(&value);
                *memo = Memo::Kept { key, version: after, value: Box::new(value), reader };
                Ok(shown)
            }
            Ok((reader, _, value, _)) => {
                if !overtaken {
                    *memo = Memo::Empty(current.then_some(reader));
                }
                value.map(|v| show(&v))
            }
            Err(e) => {
                if !overtaken {
                    *memo = Memo::Empty(None);
                }
                Err(e)
            }
        };
        self.done.notify_all();
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    /// Held by the test while a reading behind is under way: that reading waits for it.
    static BEHIND: Mutex<()> = Mutex::new(());

    /// The key read, after waiting for `BEHIND` when the key is 1.
    fn read(_: &Store, key: &u32) -> Result<u32> {
        if *key == 1 {
            drop(BEHIND.lock().unwrap_or_else(|p| p.into_inner()));
        }
        Ok(*key * 10)
    }

    #[test]
    fn what_the_user_asks_for_never_waits_for_a_reading_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.db");
        drop(crate::app::open(&path).unwrap());
        let memo = &BookMemo::covering(&path, read, |_, _| true);
        let held = BEHIND.lock().unwrap();
        std::thread::scope(|s| {
            let behind = s.spawn(move || memo.get_behind(1, |v| *v));
            while memo.reads() == 0 {
                std::thread::yield_now();
            }
            // The user's reading, while the one behind cannot end.
            let (sent, answer) = mpsc::channel();
            s.spawn(move || sent.send(memo.get(2, |v| *v)).unwrap());
            let shown = answer.recv_timeout(Duration::from_secs(20));
            drop(held);
            assert_eq!(shown.expect("the user's reading waited for the one behind").unwrap(), 20);
            assert_eq!(behind.join().unwrap().unwrap(), 10, "the reading behind shows what it read");
        });
        // What the user's reading found is what is kept; the one behind, overtaken, is not.
        assert_eq!(memo.get(3, |v| *v).unwrap(), 20);
        assert_eq!(memo.reads(), 2);
        // A reading behind waits for the user's, and is then shown what it read.
        assert_eq!(memo.get_behind(4, |v| *v).unwrap(), 20);
        assert_eq!(memo.reads(), 2);
    }
}
