//! `mams serve`: phone access from the command line. The project is owned by a writer
//! thread (the only writer, as the app's worker is in the app); the terminal shows the
//! address, the certificate's fingerprint and a pairing code with its QR code. And
//! `mams devices`: the devices paired, their last use, revoking one.

use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::Path;

use crate::handheld::qr::Qr;
use crate::handheld::server::{Grant, Options, Server};
use crate::handheld::writer::Writer;
use crate::store::Project;

pub struct ServeArgs<'a> {
    pub project: &'a Path,
    pub bind: Option<SocketAddr>,
    pub unit: Option<String>,
    pub allow_personal: bool,
    pub plain_http: bool,
}

pub fn serve(a: ServeArgs) -> anyhow::Result<()> {
    let project = Project::open(a.project)?;
    if let Some(u) = &a.unit
        && !crate::store::queries::org_tree(&project)?
            .iter()
            .any(|t| &t.unit_id == u)
    {
        crate::bail_say!("no org unit '{u}' in the project", "项目中没有组织单位“{u}”");
    }
    let mut options = Options::lan();
    if let Some(b) = a.bind {
        options.bind = b;
    }
    options.plain_http = a.plain_http;
    let readers = crate::handheld::server::readers(&project)?;
    let (writer, owner) = Writer::thread(project);
    let server = Server::start(readers, writer, &options)?;
    let grant = Grant {
        unit_id: a.unit.clone(),
        sees_personal: a.allow_personal,
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "Phone access to {} at {}", a.project.display(), server.url)?;
    if let Some(f) = &server.fingerprint {
        writeln!(
            out,
            "Certificate SHA-256 (check it on the phone before trusting it):\n  {f}"
        )?;
    }
    writeln!(
        out,
        "Devices paired now see {} with personal data {}.",
        a.unit.as_deref().unwrap_or("the top unit"),
        if a.allow_personal {
            "in full (recorded in the access log)"
        } else {
            "masked"
        }
    )?;
    show_code(&mut out, &server, &grant)?;
    drop(out);
    let stdin = std::io::stdin();
    let mut line = String::new();
    loop {
        line.clear();
        match stdin.lock().read_line(&mut line) {
            // No terminal: serve until the process is stopped.
            Ok(0) | Err(_) => loop {
                std::thread::park();
            },
            Ok(_) if line.trim().eq_ignore_ascii_case("q") => break,
            Ok(_) => show_code(&mut std::io::stdout().lock(), &server, &grant)?,
        }
    }
    server.stop();
    // The writer thread ends when the server's copies of the writer are gone.
    let _ = owner.join();
    println!("Stopped.");
    Ok(())
}

fn show_code(out: &mut impl Write, server: &Server, grant: &Grant) -> anyhow::Result<()> {
    let shown = server.show_code(grant.clone())?;
    let qr = Qr::new(&shown.link)?;
    writeln!(out, "\n{}", qr.to_terminal())?;
    writeln!(
        out,
        "Pairing code {} (valid {} minutes, once). Press Enter for a new code, q and Enter to stop.",
        shown.code,
        shown.left.as_secs().div_ceil(60)
    )?;
    Ok(())
}

/// `mams devices`: the devices paired with a project, or revoke one.
pub fn devices(project: &Path, revoke: Option<i64>) -> anyhow::Result<()> {
    let p = Project::open(project)?;
    let mut out = std::io::stdout().lock();
    if let Some(id) = revoke {
        if crate::store::devices::revoke(&p, id)? {
            writeln!(out, "Device {id} is revoked: its token is refused from now on.")?;
        } else {
            crate::bail_say!(
                "no device {id} that is not revoked already",
                "没有尚未撤销的设备 {id}"
            );
        }
        return Ok(());
    }
    let list = crate::store::devices::list(&p)?;
    if list.is_empty() {
        writeln!(out, "No device has been paired with this project.")?;
        return Ok(());
    }
    writeln!(
        out,
        "{:>4}  {:<24} {:<10} {:<9} {:<17} {:<17} state",
        "id", "name", "unit", "personal", "paired", "last used"
    )?;
    let at = |t: Option<chrono::NaiveDateTime>| {
        t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or("-".into())
    };
    for d in list {
        writeln!(
            out,
            "{:>4}  {:<24} {:<10} {:<9} {:<17} {:<17} {}",
            d.device_id,
            d.name,
            d.unit_id.as_deref().unwrap_or("(top)"),
            if d.sees_personal { "full" } else { "masked" },
            at(Some(d.paired_at)),
            at(d.last_used_at),
            match d.revoked_at {
                Some(t) => format!("revoked {}", t.format("%Y-%m-%d %H:%M")),
                None => "active".into(),
            }
        )?;
    }
    Ok(())
}
