//! The phone server never writes the project itself: the app (or `mams serve`) stays its only
//! writer. Pairing a device, an on-site record and the log of requests are sent as jobs to
//! whoever owns the project: the app's worker, between its own jobs, or for `mams serve` a
//! thread that owns it.

use std::sync::Arc;

use crate::store::Project;

/// A write: given the project (None when the owner has closed it or opened another).
pub type WriteJob = Box<dyn FnOnce(Option<&Project>) + Send>;

/// Where writes go.
#[derive(Clone)]
pub struct Writer(Arc<dyn Fn(WriteJob) -> bool + Send + Sync>);

impl Writer {
    /// Writes sent through `send`, which returns false when its owner is gone.
    pub fn new(send: impl Fn(WriteJob) -> bool + Send + Sync + 'static) -> Writer {
        Writer(Arc::new(send))
    }

    /// A thread that owns `project` and runs the writes in turn; it ends when every copy of
    /// the writer is dropped, and gives the project back.
    pub fn thread(project: Project) -> (Writer, std::thread::JoinHandle<Project>) {
        let (tx, rx) = std::sync::mpsc::channel::<WriteJob>();
        let handle = std::thread::Builder::new()
            .name("mams-phone-writer".into())
            .spawn(move || {
                for job in rx {
                    job(Some(&project));
                }
                project
            })
            .expect("spawn the writer thread");
        let tx = std::sync::Mutex::new(tx);
        (
            Writer::new(move |job| tx.lock().map(|t| t.send(job).is_ok()).unwrap_or(false)),
            handle,
        )
    }

    /// Runs `f` on the project and waits for its answer (off the async threads: the caller
    /// awaits). None when the project is not open any more.
    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce(&Project) -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let sent = (self.0)(Box::new(move |p| {
            if let Some(p) = p {
                let _ = tx.send(f(p));
            }
        }));
        if !sent {
            return None;
        }
        rx.await.ok()
    }

    /// Queues `f` without waiting for it.
    pub fn queue(&self, f: impl FnOnce(&Project) + Send + 'static) -> bool {
        (self.0)(Box::new(move |p| {
            if let Some(p) = p {
                f(p)
            }
        }))
    }
}
