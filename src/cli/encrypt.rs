//! `mams encrypt` and `mams decrypt`, and how the command line gets passphrases: from
//! `--passphrase-file`, else typed at the terminal without echo. Never from an argument or
//! an environment variable, which other users of the machine can read.

use std::io::IsTerminal;
use std::path::Path;

use zeroize::Zeroizing;

use crate::store::{Project, keys};

/// The first line of a passphrase file (a trailing newline is not part of it).
pub fn read_passphrase_file(path: &Path) -> anyhow::Result<Zeroizing<String>> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        crate::said!(
            "cannot read the passphrase file {}: {}",
            "无法读取口令文件 {}：{}",
            path.display(),
            e
        )
    })?);
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        crate::bail_say!(
            "the passphrase file {} is empty",
            "口令文件 {} 为空",
            path.display()
        );
    }
    Ok(Zeroizing::new(line.to_string()))
}

fn terminal() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// What the command line answers when a project needs a passphrase: the file's, else one
/// typed at the terminal, else none (the error then says how to give one).
pub fn prompt(file: Option<Zeroizing<String>>) -> keys::Prompt {
    Box::new(move |project| {
        if let Some(p) = &file {
            return Some(p.clone());
        }
        if !terminal() {
            return None;
        }
        rpassword::prompt_password(format!("Passphrase of {}: ", project.display()))
            .ok()
            .map(Zeroizing::new)
    })
}

/// A new passphrase: the file's, or typed twice at the terminal; checked for strength.
fn new_passphrase(file: Option<&Path>) -> anyhow::Result<Zeroizing<String>> {
    let pass = match file {
        Some(f) => read_passphrase_file(f)?,
        None if terminal() => {
            let first = Zeroizing::new(rpassword::prompt_password("New passphrase: ")?);
            let again = Zeroizing::new(rpassword::prompt_password("The same again: ")?);
            if first != again {
                crate::bail_say!(
                    "the two passphrases differ; nothing was changed",
                    "两次输入的口令不一致；未做任何改动"
                );
            }
            first
        }
        None => crate::bail_say!(
            "a new passphrase is typed at a terminal, or given with --new-passphrase-file",
            "新口令须在终端中输入，或用 --new-passphrase-file 给出"
        ),
    };
    if let Some(why) = keys::weak(&pass) {
        return Err(anyhow::Error::new(crate::text::Said(why)));
    }
    Ok(pass)
}

/// `mams encrypt PROJECT`: encrypts a plain project, or changes an encrypted one's
/// passphrase (the old one asked as any open asks).
pub fn encrypt(project: &Path, new_file: Option<&Path>) -> anyhow::Result<()> {
    let pass = new_passphrase(new_file)?;
    Project::reseal(project, Some(keys::derive(&pass)))?;
    eprintln!(
        "{} is encrypted. Keep the passphrase safe: without it the project cannot be opened, by anyone.",
        project.display()
    );
    Ok(())
}

/// `mams decrypt PROJECT`: makes an encrypted project plain again (recorded in its access
/// log).
pub fn decrypt(project: &Path) -> anyhow::Result<()> {
    Project::reseal(project, None)?;
    eprintln!(
        "{} is no longer encrypted; the access log records it.",
        project.display()
    );
    Ok(())
}
