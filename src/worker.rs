//! The background worker: one thread that owns the open project (and so every DuckDB
//! connection of the app) and runs jobs one after another. The UI sends jobs and polls
//! results each frame; it never waits on DuckDB. Headless: the app passes a wake-up
//! callback (its repaint request), tests pass nothing.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use crate::progress::Progress;
use crate::store::Project;

/// What jobs run against: the project, when one is open.
#[derive(Default)]
pub struct WorkerState {
    pub project: Option<Project>,
}

type JobFn<R> = Box<dyn FnOnce(&mut WorkerState, &Progress) -> R + Send>;

/// What the worker runs: the UI's jobs, and writes from another thread (the phone server),
/// which answer through their own channel and are not shown in the status bar.
enum Queued<R> {
    Job(Job<R>),
    Write(Box<dyn FnOnce(&mut WorkerState) + Send>),
}

/// The sender of queued work, shared with the writers handed out; the worker's drop empties
/// it, so a writer still held elsewhere does not keep the thread alive.
type SharedSender<R> = Arc<Mutex<Option<Sender<Queued<R>>>>>;

struct Job<R> {
    id: u64,
    f: JobFn<R>,
    progress: Progress,
}

/// A job the UI can show in its status bar.
#[derive(Clone, Debug)]
pub struct JobInfo {
    pub id: u64,
    pub name: String,
    pub progress: Progress,
    pub started: bool,
}

type Wake = Arc<dyn Fn() + Send + Sync>;

pub struct Worker<R: Send + 'static> {
    jobs_tx: SharedSender<R>,
    results_rx: Receiver<(u64, R)>,
    active: Arc<Mutex<Vec<JobInfo>>>,
    /// The language jobs say things in (true: Chinese), read before each job.
    zh: Arc<std::sync::atomic::AtomicBool>,
    next_id: u64,
    wake: Wake,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl<R: Send + 'static> Worker<R> {
    pub fn new(wake: impl Fn() + Send + Sync + 'static) -> Self {
        let wake: Wake = Arc::new(wake);
        let (jobs_tx, jobs_rx) = channel::<Queued<R>>();
        let (results_tx, results_rx) = channel();
        let active: Arc<Mutex<Vec<JobInfo>>> = Arc::default();
        let zh: Arc<std::sync::atomic::AtomicBool> = Arc::default();
        let thread = {
            let active = active.clone();
            let zh = zh.clone();
            let wake = wake.clone();
            std::thread::Builder::new()
                .name("mams-worker".into())
                .spawn(move || {
                    let mut state = WorkerState::default();
                    for queued in jobs_rx {
                        let job = match queued {
                            Queued::Job(job) => job,
                            Queued::Write(write) => {
                                write(&mut state);
                                continue;
                            }
                        };
                        let cancelled = job.progress.is_cancelled();
                        if !cancelled {
                            if let Some(p) = &state.project {
                                job.progress.attach_interrupt(p.interrupt_handle());
                            }
                            set_started(&active, job.id);
                            crate::text::prefer_zh(zh.load(std::sync::atomic::Ordering::Relaxed));
                            let result = (job.f)(&mut state, &job.progress);
                            if results_tx.send((job.id, result)).is_err() {
                                break;
                            }
                        }
                        active.lock().expect("jobs lock").retain(|j| j.id != job.id);
                        wake();
                    }
                })
                .expect("spawn the worker thread")
        };
        Worker {
            jobs_tx: Arc::new(Mutex::new(Some(jobs_tx))),
            results_rx,
            active,
            zh,
            next_id: 1,
            wake,
            thread: Some(thread),
        }
    }

    /// The language the jobs from now on say things in.
    pub fn set_language(&self, zh: bool) {
        self.zh.store(zh, std::sync::atomic::Ordering::Relaxed);
    }

    /// Queues a job; returns its id.
    pub fn spawn(
        &mut self,
        name: impl Into<String>,
        f: impl FnOnce(&mut WorkerState, &Progress) -> R + Send + 'static,
    ) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let wake = self.wake.clone();
        let progress = Progress::new().with_listener(move |_| wake());
        self.active.lock().expect("jobs lock").push(JobInfo {
            id,
            name: name.into(),
            progress: progress.clone(),
            started: false,
        });
        if let Some(tx) = &*self.jobs_tx.lock().expect("jobs sender") {
            let _ = tx.send(Queued::Job(Job {
                id,
                f: Box::new(f),
                progress,
            }));
        }
        id
    }

    /// A writer for the phone server: its writes run here between the UI's jobs, on the
    /// project at `path` only (None once it is closed or another one is open).
    pub fn writer_for(&self, path: std::path::PathBuf) -> crate::handheld::writer::Writer {
        let tx = self.jobs_tx.clone();
        let wake = self.wake.clone();
        crate::handheld::writer::Writer::new(move |job| {
            let path = path.clone();
            let sent = tx.lock().ok().and_then(|t| {
                t.as_ref().map(|t| {
                    t.send(Queued::Write(Box::new(move |state: &mut WorkerState| {
                        job(state.project.as_ref().filter(|p| p.path() == path));
                    })))
                    .is_ok()
                })
            });
            // The window shows what a phone changed (a new device, a record).
            wake();
            sent.unwrap_or(false)
        })
    }

    /// Results that arrived since the last call, in completion order.
    pub fn poll(&self) -> Vec<(u64, R)> {
        self.results_rx.try_iter().collect()
    }

    /// Queued and running jobs.
    pub fn jobs(&self) -> Vec<JobInfo> {
        self.active.lock().expect("jobs lock").clone()
    }

    pub fn is_busy(&self) -> bool {
        !self.active.lock().expect("jobs lock").is_empty()
    }

    /// Cancels a job: a queued one never starts, a running one is interrupted.
    pub fn cancel(&self, id: u64) {
        if let Some(j) = self.active.lock().expect("jobs lock").iter().find(|j| j.id == id) {
            j.progress.cancel();
        }
    }
}

fn set_started(active: &Mutex<Vec<JobInfo>>, id: u64) {
    if let Some(j) = active.lock().expect("jobs lock").iter_mut().find(|j| j.id == id) {
        j.started = true;
    }
}

impl<R: Send + 'static> Drop for Worker<R> {
    fn drop(&mut self) {
        for j in self.jobs() {
            j.progress.cancel();
        }
        // Closing the channel ends the thread after the job in flight; joining makes sure
        // the project is closed (and its file unlocked) before the app exits.
        *self.jobs_tx.lock().unwrap_or_else(|e| e.into_inner()) = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn wait<R: Send>(w: &Worker<R>) -> Vec<(u64, R)> {
        let start = Instant::now();
        let mut out = Vec::new();
        while start.elapsed() < Duration::from_secs(10) {
            out.extend(w.poll());
            if !w.is_busy() {
                out.extend(w.poll());
                return out;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("worker did not finish");
    }

    #[test]
    fn jobs_run_in_order_and_cancelled_ones_never_start() {
        let mut w: Worker<u32> = Worker::new(|| {});
        let gate = Arc::new(Mutex::new(()));
        let hold = gate.lock().unwrap();
        let g2 = gate.clone();
        let a = w.spawn("first", move |_, _| {
            drop(g2.lock().unwrap());
            1
        });
        let b = w.spawn("second", |_, _| 2);
        let c = w.spawn("third", |_, _| 3);
        w.cancel(b);
        assert_eq!(w.jobs().len(), 3);
        drop(hold);
        let results = wait(&w);
        assert_eq!(results, vec![(a, 1), (c, 3)]);
    }

    #[test]
    fn a_running_duckdb_query_is_interrupted_by_cancel() {
        let dir = std::env::temp_dir().join(format!("mams-worker-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("p.duckdb");
        let project = Project::create(&path).unwrap();
        let mut w: Worker<Result<i64, String>> = Worker::new(|| {});
        w.spawn("open", move |s, _| {
            s.project = Some(project);
            Ok(0)
        });
        let id = w.spawn("slow", |s, _| {
            let p = s.project.as_ref().unwrap();
            p.conn()
                .query_row("SELECT count(*) FROM range(10000000000) a", [], |r| r.get(0))
                .map_err(|e| e.to_string())
        });
        let start = Instant::now();
        while !w.jobs().iter().any(|j| j.id == id && j.started) {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(100));
        w.cancel(id);
        let results = wait(&w);
        let slow = results.iter().find(|(i, _)| *i == id).unwrap();
        assert!(
            slow.1.as_ref().unwrap_err().to_lowercase().contains("interrupt"),
            "{:?}",
            slow.1
        );
        assert!(start.elapsed() < Duration::from_secs(8));
    }
}
