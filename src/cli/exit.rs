//! One exit-status policy for every subcommand.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | done: every run finished, no check of ours failed. A claim the data contradict or a statement refuted is a *finding*, reported in the output, not a failure |
//! | 1 | done, but a check of ours FAILED (a bug in the toolkit or a failed self-test) |
//! | 2 | error: bad input, I/O, a refused output folder; nothing new was committed |
//! | 3 | done, but a run diverged: every result was written, the diverged runs are reported (their `status` in `summary.csv`) |
//!
//! A non-zero status is printed on stderr with its reason (`exit status 3: …`).

use std::process::ExitCode;

/// How a subcommand ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Done, nothing to report.
    Ok,
    /// A check of ours failed.
    CheckFailed(String),
    /// A run diverged (results kept).
    Diverged(String),
}

/// The status for an error (bad input, I/O).
pub const ERROR: u8 = 2;

impl Status {
    /// The numeric status.
    pub fn code(&self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::CheckFailed(_) => 1,
            Status::Diverged(_) => 3,
        }
    }

    /// Prints the reason of a non-zero status on stderr and returns the exit code.
    pub fn exit(self) -> ExitCode {
        match &self {
            Status::Ok => {}
            Status::CheckFailed(why) => eprintln!("exit status 1: a check of ours failed: {why}"),
            Status::Diverged(why) => eprintln!("exit status 3: results written, but {why}"),
        }
        ExitCode::from(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_outcome_has_its_code() {
        assert_eq!(Status::Ok.code(), 0);
        assert_eq!(Status::CheckFailed("y".into()).code(), 1);
        assert_eq!(Status::Diverged("x".into()).code(), 3);
        assert_eq!(ERROR, 2);
    }
}
