//! Progress and cancellation of long work (generating, importing, querying), shared between
//! the thread doing the work and whoever watches it: the terminal or the app's status bar.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use duckdb::InterruptHandle;

/// What the work has done so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// 0.0 to 1.0, or None while the total is not known.
    pub fraction: Option<f32>,
    /// What is being done, in English and Chinese.
    pub message: crate::text::Text,
}

type Listener = Arc<dyn Fn(&Snapshot) + Send + Sync>;

#[derive(Default)]
struct Inner {
    snapshot: Mutex<Snapshot>,
    cancelled: AtomicBool,
    interrupt: Mutex<Option<Arc<InterruptHandle>>>,
    listener: Mutex<Option<Listener>>,
}

/// A cheap, clonable handle: the worker reports through it, the watcher reads and cancels.
#[derive(Clone, Default)]
pub struct Progress {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("snapshot", &self.snapshot())
            .finish()
    }
}

/// The work was cancelled by the user.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

impl Progress {
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls `f` on every update (the CLI prints, the app requests a repaint).
    pub fn with_listener(self, f: impl Fn(&Snapshot) + Send + Sync + 'static) -> Self {
        *self.inner.listener.lock().expect("listener lock") = Some(Arc::new(f));
        self
    }

    /// Reports how far the work is and what it does now (said in both languages:
    /// `say!`), for whoever watches.
    pub fn set(&self, fraction: Option<f32>, message: crate::text::Text) {
        let snap = Snapshot {
            fraction: fraction.map(|f| f.clamp(0.0, 1.0)),
            message,
        };
        *self.inner.snapshot.lock().expect("progress lock") = snap.clone();
        let listener = self.inner.listener.lock().expect("listener lock").clone();
        if let Some(l) = listener {
            l(&snap);
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        self.inner.snapshot.lock().expect("progress lock").clone()
    }

    /// Asks the work to stop, interrupting the DuckDB query in flight if there is one.
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::SeqCst);
        if let Some(h) = self.inner.interrupt.lock().expect("interrupt lock").as_ref() {
            h.interrupt();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    /// Err(Cancelled) once cancel was asked for: call between steps.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }

    /// Lets `cancel` interrupt queries on this connection.
    pub fn attach_interrupt(&self, handle: Arc<InterruptHandle>) {
        *self.inner.interrupt.lock().expect("interrupt lock") = Some(handle);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listeners_see_updates_and_cancel_is_sticky() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s2 = seen.clone();
        let p = Progress::new().with_listener(move |s| s2.lock().unwrap().push(s.message.clone()));
        p.set(Some(1.5), crate::say!("a", "甲"));
        assert_eq!(p.snapshot().fraction, Some(1.0));
        assert_eq!(*seen.lock().unwrap(), vec![crate::say!("a", "甲")]);
        assert!(p.check().is_ok());
        p.clone().cancel();
        assert!(p.check().is_err());
    }
}
