//! The phone server: off until started, on its own thread with its own (single-threaded)
//! tokio runtime. It answers over HTTPS with the certificate kept beside the settings; plain
//! HTTP only on the loopback address (tests, the load test). Reads run on a few read-only
//! connections of the open project (`Project::reader`) on blocking threads, so neither the
//! app's window nor its worker waits for a phone; writes go to the project's owner through
//! a [`Writer`]. Stopping closes the listener, lets requests in flight finish, and writes the
//! last requests to the log.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::pairing::Pairing;
use super::writer::Writer;
use crate::store::Project;
use crate::store::devices::Request;

/// The port `mams serve` and the app listen on unless told otherwise.
pub const DEFAULT_PORT: u16 = 7443;
/// Read-only connections the server reads through.
pub const READERS: usize = 4;
/// How often the requests are written to the project's log.
const LOG_EVERY: Duration = Duration::from_secs(2);
/// How long a TLS handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How to start.
#[derive(Debug, Clone)]
pub struct Options {
    pub bind: SocketAddr,
    /// Plain HTTP, refused unless `bind` is a loopback address.
    pub plain_http: bool,
    /// Where the certificate is kept (made there on first start).
    pub certificate_dir: PathBuf,
}

impl Options {
    /// HTTPS on every address of the machine, the default port, the usual certificate.
    pub fn lan() -> Options {
        Options {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), DEFAULT_PORT),
            plain_http: false,
            certificate_dir: super::certificate::folder(),
        }
    }

    /// Plain HTTP on the loopback address, any free port (tests).
    pub fn loopback_plain() -> Options {
        Options {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            plain_http: true,
            certificate_dir: PathBuf::new(),
        }
    }
}

/// What a device paired with the code shown may see: set by the workstation's user when the
/// code is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// The unit whose work it is shown (None: the top unit).
    pub unit_id: Option<String>,
    /// Personal data in full (each disclosure recorded in the access log).
    pub sees_personal: bool,
}

/// A pairing code on show.
#[derive(Debug, Clone)]
pub struct ShownCode {
    pub code: String,
    /// The address with the code, for the QR code.
    pub link: String,
    pub left: Duration,
    pub grant: Grant,
}

/// What the request handlers share.
pub struct Shared {
    pub(super) readers: Readers,
    pub(super) writer: Writer,
    pub(super) pairing: Mutex<(Pairing, Option<Grant>)>,
    pub(super) log: Mutex<Vec<Request>>,
    pub(super) tls: bool,
    pub(super) project_name: String,
    pub(super) served: AtomicU64,
    pub(super) refused: AtomicU64,
    /// Answers kept by key with the data version they were made for (`api::cached`).
    pub(super) answers: Mutex<std::collections::HashMap<String, Answer>>,
    /// The data version as last read and when (read again after `VERSION_FOR`, or at once
    /// after a write of this server's own).
    pub(super) version: Mutex<Option<(Instant, String)>>,
    /// The devices let in, by their token's SHA-256, with the count of revocations they were
    /// read under (`devices::revocations`): a request of a known phone needs no read.
    pub(super) let_in: Mutex<std::collections::HashMap<String, (u64, crate::store::devices::Device)>>,
}

/// How long the data version read is taken as current: a change on the workstation reaches
/// the phones' answers within this.
pub(super) const VERSION_FOR: Duration = Duration::from_secs(1);

impl Shared {
    /// Forgets the version read (this server has just written).
    pub(super) fn changed(&self) {
        *self.version.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// A kept answer: the data version it was made for, and the answer.
pub(super) type Answer = (String, Made);

/// An answer made: its JSON, the same gzipped (for a phone that takes it), the rows it hands
/// over.
#[derive(Clone)]
pub(super) struct Made {
    pub json: axum::body::Bytes,
    pub gzipped: Option<axum::body::Bytes>,
    pub rows: usize,
}

/// The read-only connections, lent one at a time.
pub(super) struct Readers {
    free: Mutex<Vec<Project>>,
    returned: Condvar,
}

impl Readers {
    /// Runs `f` on a free reader (waiting for one), in a read-only run: DuckDB refuses any
    /// write there. Blocking: call it off the async threads.
    pub(super) fn read<T>(&self, f: impl FnOnce(&Project) -> anyhow::Result<T>) -> anyhow::Result<T> {
        let reader = {
            let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if let Some(r) = free.pop() {
                    break r;
                }
                free = self.returned.wait(free).unwrap_or_else(|e| e.into_inner());
            }
        };
        let result = reader.read_only_run(f);
        self.free.lock().unwrap_or_else(|e| e.into_inner()).push(reader);
        self.returned.notify_one();
        result
    }
}

/// The read-only connections a server reads `project` through.
pub fn readers(project: &Project) -> anyhow::Result<Vec<Project>> {
    (0..READERS).map(|_| Ok(project.reader()?)).collect()
}

/// A running server. Dropping it stops it.
pub struct Server {
    /// The address it listens on.
    pub address: SocketAddr,
    /// The address a phone opens (the machine's address on the local network).
    pub url: String,
    /// SHA-256 of the certificate; None over plain HTTP.
    pub fingerprint: Option<String>,
    /// The project served.
    pub project: PathBuf,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts serving a project through `readers` (its read-only connections, made by
    /// [`readers`] on the thread that owns it); the owner keeps it and takes the writes
    /// through `writer`.
    pub fn start(readers: Vec<Project>, writer: Writer, options: &Options) -> anyhow::Result<Server> {
        if options.plain_http && !options.bind.ip().is_loopback() {
            crate::bail_say!(
                "plain HTTP is only for the loopback address; phones on the network get HTTPS",
                "明文 HTTP 只用于本机回环地址；网络上的手机一律使用 HTTPS"
            );
        }
        let Some(first) = readers.first() else {
            anyhow::bail!("the server needs at least one reader");
        };
        let project_name = first.display_name();
        let project = first.path().to_path_buf();
        let host = if options.bind.ip().is_unspecified() {
            lan_address().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
        } else {
            options.bind.ip()
        };
        let tls = if options.plain_http {
            None
        } else {
            let mut names = vec!["localhost".to_string(), host.to_string()];
            if let Some(h) = hostname() {
                names.push(h);
            }
            let cert = super::certificate::load_or_create(&options.certificate_dir, &names)?;
            let config = super::certificate::server_config(&cert)?;
            Some((cert.fingerprint, config))
        };
        let std_listener = std::net::TcpListener::bind(options.bind).map_err(|e| {
            crate::said!(
                "cannot listen on {}: {e} (is another MAMS serving? choose another port)",
                "无法在 {} 上监听：{e}（是否另有 MAMS 在服务？请换一个端口）",
                options.bind
            )
        })?;
        std_listener.set_nonblocking(true)?;
        let address = std_listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = match host {
            IpAddr::V6(h) => format!("{scheme}://[{h}]:{}/", address.port()),
            IpAddr::V4(h) => format!("{scheme}://{h}:{}/", address.port()),
        };
        let shared = Arc::new(Shared {
            readers: Readers {
                free: Mutex::new(readers),
                returned: Condvar::new(),
            },
            writer,
            pairing: Mutex::default(),
            log: Mutex::default(),
            tls: tls.is_some(),
            project_name,
            served: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            answers: Mutex::default(),
            version: Mutex::default(),
            let_in: Mutex::default(),
        });
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let fingerprint = tls.as_ref().map(|(f, _)| f.clone());
        let acceptor = tls.map(|(_, config)| tokio_rustls::TlsAcceptor::from(Arc::new(config)));
        let thread = {
            let shared = shared.clone();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .max_blocking_threads(READERS * 4)
                .thread_name("mams-phone-read")
                .build()?;
            std::thread::Builder::new()
                .name("mams-phone".into())
                .spawn(move || runtime.block_on(serve(shared, std_listener, acceptor, stop_rx)))?
        };
        tracing::info!(%url, "phone access started");
        Ok(Server {
            address,
            url,
            fingerprint,
            project,
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// Shows a new pairing code for a device to be given `grant` (replacing any code shown).
    pub fn show_code(&self, grant: Grant) -> anyhow::Result<ShownCode> {
        let mut pairing = self.shared.pairing.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        pairing.0.issue(now)?;
        pairing.1 = Some(grant);
        drop(pairing);
        Ok(self.shown().expect("the code just shown"))
    }

    /// The code on show, if one is still valid.
    pub fn shown(&self) -> Option<ShownCode> {
        let pairing = self.shared.pairing.lock().unwrap_or_else(|e| e.into_inner());
        let (code, left) = pairing.0.shown(Instant::now())?;
        Some(ShownCode {
            code: code.to_string(),
            link: format!("{}#pair={code}", self.url),
            left,
            grant: pairing.1.clone()?,
        })
    }

    /// Withdraws the code on show.
    pub fn withdraw_code(&self) {
        self.shared
            .pairing
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .withdraw();
    }

    /// Requests answered and refused since the start.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.shared.served.load(Ordering::Relaxed),
            self.shared.refused.load(Ordering::Relaxed),
        )
    }

    /// Stops: no new connections, requests in flight finish (for at most a few seconds),
    /// the log is written.
    pub fn stop(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        flush_log(&self.shared);
        tracing::info!(url = %self.url, "phone access stopped");
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop_now();
    }
}

/// Sends the requests logged so far to the writer.
fn flush_log(shared: &Shared) {
    let batch: Vec<Request> = std::mem::take(&mut *shared.log.lock().unwrap_or_else(|e| e.into_inner()));
    if batch.is_empty() {
        return;
    }
    shared.writer.queue(move |p| {
        if let Err(e) = crate::store::devices::record(p, &batch) {
            tracing::warn!("the phone requests could not be logged: {e:#}");
        }
    });
}

/// A connection, plain or TLS.
pub trait Stream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Stream for T {}

/// The connections ready to serve (TLS handshakes done off the accept loop, so that a slow
/// or silent client does not hold up the others).
pub struct Ready {
    rx: tokio::sync::mpsc::Receiver<(Box<dyn Stream>, SocketAddr)>,
    local: SocketAddr,
}

impl axum::serve::Listener for Ready {
    type Io = Box<dyn Stream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(c) => c,
            // The accept loop ended: wait for the shutdown.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.local)
    }
}

/// The caller's address, for the handlers and the log.
#[derive(Debug, Clone, Copy)]
pub struct Remote(pub SocketAddr);

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, Ready>> for Remote {
    fn connect_info(stream: axum::serve::IncomingStream<'_, Ready>) -> Self {
        Remote(*stream.remote_addr())
    }
}

async fn serve(
    shared: Arc<Shared>,
    listener: std::net::TcpListener,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    stop: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            tracing::error!("phone access cannot listen: {e}");
            return;
        }
    };
    let local = listener.local_addr().expect("a bound listener has an address");
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    let accept_loop = tokio::spawn(async move {
        loop {
            let Ok((tcp, remote)) = listener.accept().await else {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let _ = tcp.set_nodelay(true);
            let tx = tx.clone();
            match &acceptor {
                None => {
                    if tx.send((Box::new(tcp) as Box<dyn Stream>, remote)).await.is_err() {
                        break;
                    }
                }
                Some(acceptor) => {
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                            Ok(Ok(tls)) => {
                                let _ = tx.send((Box::new(tls) as Box<dyn Stream>, remote)).await;
                            }
                            Ok(Err(e)) => tracing::debug!(%remote, "TLS handshake failed: {e}"),
                            Err(_) => tracing::debug!(%remote, "TLS handshake timed out"),
                        }
                    });
                }
            }
        }
    });
    let flusher = {
        let shared = shared.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(LOG_EVERY);
            loop {
                tick.tick().await;
                flush_log(&shared);
            }
        })
    };
    let app = super::api::router(shared).into_make_service_with_connect_info::<Remote>();
    let (stopping_tx, stopping) = tokio::sync::oneshot::channel::<()>();
    let served = axum::serve(Ready { rx, local }, app)
        .with_graceful_shutdown(async move {
            let _ = stop.await;
            let _ = stopping_tx.send(());
        })
        .into_future();
    // Once stopped, requests in flight get a few seconds to finish.
    tokio::select! {
        _ = served => {}
        _ = async {
            let _ = stopping.await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        } => {}
    }
    accept_loop.abort();
    flusher.abort();
}

/// The machine's address on the local network: the one the system would send from (a UDP
/// "connection" sends nothing), so it works offline as long as there is a network.
pub fn lan_address() -> Option<IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.168.255.255:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified()).then_some(ip)
}

fn hostname() -> Option<String> {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .filter(|h| !h.is_empty())
}
