//! Integration tests: The command line end to end: reproduce/run/list, sweeps (resume, merge), plots, sde-vs-sgd, the report (in headless Chromium).
//!
//! One test binary per area (each links the whole library once); one module per former file.

#[allow(dead_code)]
#[path = "../common/mod.rs"]
mod common;

mod cli;
mod merge;
mod plot;
mod report_browser;
mod report_commit;
mod sde_cli;
mod sweep;
mod sweep_resume;
mod workflow;
