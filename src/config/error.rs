//! The configuration error: file, dotted field and what is allowed, in one line.

use std::fmt;

/// A configuration error: where, which field, what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file (or embedded config name).
    pub file: String,
    /// The field, dotted (e.g. `runs[1].schedule.step`).
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: field `{}`: {}", self.file, self.field, self.message)
    }
}

impl std::error::Error for ConfigError {}
