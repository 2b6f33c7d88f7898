//! The command-line interface: `reproduce`, `run`, `list` (clap).

mod deep;
mod deep_small;
pub mod exit;
mod plot;
mod report;
mod reproduce;
mod schema;
mod sde;
mod sweep;
mod verify;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Executable checks and fast reproductions of "SGD with Large Step Sizes Learns Sparse Features".
#[derive(Debug, Parser)]
#[command(name = "largestep", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Reproduce a paper figure from its embedded config (or `all`).
    Reproduce(reproduce::ReproduceArgs),
    /// Run an experiment from a TOML config file.
    Run(reproduce::RunArgs),
    /// List the embedded experiments.
    List,
    /// Every config field: type, range, default, unit and meaning.
    Schema,
    /// The effective config of a figure or file (after --set), each field with its meaning.
    Show(schema::ShowArgs),
    /// SGD vs its SDE model (Eq. 58) vs gradient flow for every small model (Fig. 9 report).
    SdeVsSgd(sde::SdeArgs),
    /// Deep networks on CIFAR (needs `--features deep`).
    Deep(deep::DeepArgs),
    /// Sweep a config over a grid of field values × seeds: rates with Wilson intervals.
    Sweep(sweep::SweepArgs),
    /// Merge the shard folders of `sweep --shard I/N` into one sweep output.
    Merge(sweep::MergeArgs),
    /// Draw a result folder's figures again from its CSVs (size, font, PNG/SVG/PDF), no training.
    Plot(plot::PlotArgs),
    /// Check the paper's claims (Props. 2.1, 2.2; Appendix B with --appendix-b) and print verdicts.
    Verify(verify::VerifyArgs),
    /// Every claim, its verdict, evidence and figure: a static site (index.html) and report.md.
    Report(report::ReportArgs),
}

/// Entry point: parses the arguments, runs, prints errors as one line, returns the exit code.
///
/// A panic (a bug, or a write to a closed pipe or full disk inside code that prints with
/// `println!`) is reported as one `error:` line with exit code 2, like any other error.
pub fn main() -> ExitCode {
    use std::io::Write;
    // From the OS strings: a non-UTF-8 argument is a clap error naming it, never a panic.
    let cli = match Cli::try_parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and exit 0; errors print and exit 2.
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        // A failed print (closed pipe, full disk) is an I/O error, not a bug: no location.
        let io = msg.starts_with("failed printing to");
        let at =
            info.location().filter(|_| !io).map(|l| format!(" (at {}:{})", l.file(), l.line())).unwrap_or_default();
        // Never `eprintln!`: on a full or closed stderr it would panic inside the hook (abort).
        let _ = writeln!(std::io::stderr(), "error: {}{at}", msg.replace('\n', " "));
    }));
    match std::panic::catch_unwind(|| dispatch(cli)) {
        Ok(code) => code,
        Err(_) => ExitCode::from(exit::ERROR),
    }
}

fn dispatch(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Reproduce(a) => reproduce::reproduce(&a),
        Command::Run(a) => reproduce::run_file(&a),
        Command::SdeVsSgd(a) => sde::sde_vs_sgd(&a),
        Command::Deep(a) => deep::deep(&a),
        Command::Verify(a) => verify::verify(&a),
        Command::Report(a) => report::report(&a),
        Command::Sweep(a) => sweep::sweep(&a),
        Command::Merge(a) => sweep::merge(&a),
        Command::Plot(a) => plot::plot(&a),
        Command::List => reproduce::list(),
        Command::Schema => schema::schema(),
        Command::Show(a) => schema::show(&a),
    };
    let result = result.and_then(|code| {
        use std::io::Write;
        std::io::stdout().flush().map_err(|e| anyhow::anyhow!("writing to stdout: {e}"))?;
        Ok(code)
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "error: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::from(exit::ERROR)
        }
    }
}
