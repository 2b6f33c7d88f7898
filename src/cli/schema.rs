//! `largestep schema` and `largestep show`: the config fields, from the table the loader
//! validates against ([`largestep::schema::FIELDS`]).

use super::reproduce::{embedded, from_file};
use anyhow::Result;
use clap::Args;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// `largestep show FIGURE|CONFIG.toml [--set KEY=VALUE]…`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Figure name (see `largestep list`) or the path of a TOML config.
    target: String,
    /// Override a config field: KEY=VALUE (as for `run`). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
}

/// Prints every config field: type and range, default, unit, meaning.
pub fn schema() -> Result<ExitCode> {
    let mut w = std::io::stdout().lock();
    w.write_all(largestep::schema::render().as_bytes())?;
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the effective config (after `--set`), each field with its meaning and unit; for a
/// standalone figure (Fig. 8), its fixed constants.
pub fn show(a: &ShowArgs) -> Result<ExitCode> {
    if let Some(s) = largestep::experiment::registry::standalone(&a.target) {
        if !a.set.is_empty() {
            anyhow::bail!("{}: --set does not apply: its constants are fixed (shown without --set)", s.name);
        }
        let mut w = std::io::stdout().lock();
        w.write_all((s.constants)().as_bytes())?;
        w.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let cfg = if a.target.ends_with(".toml") || Path::new(&a.target).is_file() {
        from_file(Path::new(&a.target), &a.set)?
    } else {
        embedded(&a.target, &a.set)?
    };
    let mut w = std::io::stdout().lock();
    w.write_all(largestep::schema::annotate(&cfg.to_toml()).as_bytes())?;
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}
