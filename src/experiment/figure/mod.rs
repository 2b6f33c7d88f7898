//! Figure layouts: each config names one (`figure = "…"`), and [`figures`] builds its
//! [`Figure`]s from an [`Outcome`].

pub mod arrows;
mod curves;
pub mod files;
pub mod functions;
pub mod title;
pub(crate) mod trajectories;

use super::Outcome;
use crate::plot::Figure;
use anyhow::Result;

pub use crate::config::Layout;
pub use curves::{bands, bands_table, curve_panels, median_curve, Band};
pub use files::{load, load_with, write, Selection};

/// The figures of an outcome, as (file stem, figure); titles follow the effective config
/// ([`title::effective`]).
pub fn figures(o: &Outcome) -> Result<Vec<(String, Figure)>> {
    let name = o.config.name.clone();
    let title = title::effective(&o.config);
    let mut figs = match o.config.figure {
        Layout::Losses => vec![(name, curves::figure(o))],
        Layout::Trajectories => {
            vec![(name.clone(), trajectories::figure(o)?), (format!("{name}_curves"), curves::figure(o))]
        }
        Layout::Functions => vec![(name, functions::figure(o)?)],
        Layout::FunctionSnapshots => vec![(name, functions::snapshots_figure(o)?)],
        Layout::Arrows => vec![(name.clone(), arrows::figure(o)?), (format!("{name}_curves"), curves::figure(o))],
    };
    for (_, f) in &mut figs {
        f.title = f.title.replacen(&o.config.title, &title, 1);
    }
    Ok(figs)
}
