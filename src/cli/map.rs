//! `mams map`: import GeoJSON boundaries or point layers, list and remove layers.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;

use crate::store::Project;

#[derive(Debug, Subcommand)]
pub enum MapCommand {
    /// Replace the boundaries of the org units that a GeoJSON file's features name (by
    /// unit code or name, in the property given). The whole file is checked first; a bad
    /// file changes nothing.
    Boundaries {
        project: PathBuf,
        file: PathBuf,
        /// The feature property holding the unit code or name.
        #[arg(long = "match")]
        property: String,
    },
    /// Store a GeoJSON file as a named layer (replacing a layer of that name), its features
    /// matched to org units or customers by a property.
    Layer {
        project: PathBuf,
        file: PathBuf,
        /// The layer's name.
        #[arg(long)]
        name: String,
        /// What features are matched to.
        #[arg(long, value_enum, default_value_t = MatchArg::Nothing)]
        to: MatchArg,
        /// The feature property holding the id or name matched.
        #[arg(long = "match", required_if_eq_any = [("to", "units"), ("to", "customers")])]
        property: Option<String>,
    },
    /// List the basemap and the imported layers.
    Layers { project: PathBuf },
    /// Remove an imported layer.
    Remove { project: PathBuf, name: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MatchArg {
    Nothing,
    Units,
    Customers,
}

pub fn map(what: MapCommand) -> anyhow::Result<()> {
    use crate::store::map::{self, MatchTo};
    let mut out = std::io::stdout().lock();
    let report = |out: &mut std::io::StdoutLock, r: map::GeoImport| -> anyhow::Result<()> {
        writeln!(out, "{} features, {} matched", r.features, r.matched)?;
        for (n, v) in &r.unmatched {
            writeln!(out, "  feature {n}: \"{v}\" matches nothing")?;
        }
        Ok(())
    };
    match what {
        MapCommand::Boundaries {
            project,
            file,
            property,
        } => {
            let p = Project::open(&project)?;
            report(&mut out, map::import_boundaries(&p, &file, &property)?)
        }
        MapCommand::Layer {
            project,
            file,
            name,
            to,
            property,
        } => {
            let p = Project::open(&project)?;
            let to = match to {
                MatchArg::Nothing => MatchTo::Nothing,
                MatchArg::Units => MatchTo::Units,
                MatchArg::Customers => MatchTo::Customers,
            };
            report(
                &mut out,
                map::import_layer(&p, &file, &name, property.as_deref(), to)?,
            )
        }
        MapCommand::Layers { project } => {
            let p = Project::open_read_only(&project)?;
            for l in map::layers(&p)? {
                writeln!(
                    out,
                    "{}\t{} features\t{}\t{}",
                    l.layer,
                    l.features,
                    l.source_file.unwrap_or_default(),
                    l.imported_at.format("%Y-%m-%d %H:%M")
                )?;
            }
            Ok(())
        }
        MapCommand::Remove { project, name } => {
            let p = Project::open(&project)?;
            if !map::layers(&p)?.iter().any(|l| l.layer == name) {
                anyhow::bail!("the project has no layer named \"{name}\"");
            }
            map::remove_layer(&p, &name)?;
            writeln!(out, "removed {name}")?;
            Ok(())
        }
    }
}
