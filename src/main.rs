//! The `largestep` command line (see `largestep --help`): the application over the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
