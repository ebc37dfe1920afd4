//! `mams`: with a command, run it; without one, start the desktop app.

use clap::Parser;
use mams::cli::Cli;

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MAMS_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(command) => mams::cli::run(command),
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
