//! The `largestep` command line (see `largestep --help`).

fn main() -> std::process::ExitCode {
    largestep::cli::main()
}
