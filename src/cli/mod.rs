//! The command-line interface: `reproduce`, `run`, `list` (clap).

mod deep;
mod reproduce;
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
    /// SGD vs its SDE model (Eq. 58) vs gradient flow for every small model (Fig. 9 report).
    SdeVsSgd(sde::SdeArgs),
    /// Deep networks on CIFAR (needs `--features deep`).
    Deep(deep::DeepArgs),
    /// Sweep a config over a grid of field values × seeds: rates with Wilson intervals.
    Sweep(sweep::SweepArgs),
    /// Merge the shard folders of `sweep --shard I/N` into one sweep output.
    Merge(sweep::MergeArgs),
    /// Check the paper's claims (Props. 2.1, 2.2; Appendix B with --appendix-b) and print verdicts.
    Verify(verify::VerifyArgs),
}

/// Entry point: parses the arguments, runs, prints errors as one line, returns the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Reproduce(a) => reproduce::reproduce(&a),
        Command::Run(a) => reproduce::run_file(&a),
        Command::SdeVsSgd(a) => sde::sde_vs_sgd(&a),
        Command::Deep(a) => deep::deep(&a),
        Command::Verify(a) => verify::verify(&a),
        Command::Sweep(a) => sweep::sweep(&a),
        Command::Merge(a) => sweep::merge(&a),
        Command::List => {
            reproduce::list();
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
