//! `mams`: with a command, run it; without one, start the desktop app.

use clap::Parser;
use mams::cli::Cli;

fn main() -> std::process::ExitCode {
    // A command piped into `head` stops quietly when the reader goes, as other command-line
    // tools do, instead of panicking on the closed pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default action of a signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    mams::logs::init();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(command) => mams::cli::set_passphrase_source(cli.passphrase_file.as_deref())
            .and_then(|()| mams::cli::run(command)),
        None => mams::ui::run(cli.project),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", mams::errors::describe(&e, mams::text::prefers_zh()));
            std::process::ExitCode::FAILURE
        }
    }
}
