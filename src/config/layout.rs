//! The figure layouts a config can name (`figure = "…"`).

use serde::{Deserialize, Serialize};

/// How an experiment's figure is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// Metric curves over iterations: train loss, test loss and each recorded metric (Figs. 2,
    /// 5, 11, 14, …).
    #[default]
    Losses,
    /// The diagonal net's iterates on the (|u|, |v|) plane with the curves (Fig. 3); needs
    /// snapshots of θ and a ground truth β*.
    Trajectories,
    /// A one-hidden-layer ReLU net's learned function on 1-D data (Fig. 4).
    Functions,
    /// The learned function at every snapshot (Fig. 4's sequence); needs snapshots of θ.
    FunctionSnapshots,
    /// The first layer's neurons as arrows on 2-D inputs with the teacher's (Fig. 10).
    Arrows,
}

impl Layout {
    /// Every layout, in the order of [`Layout::NAMES`].
    pub const ALL: [Layout; 5] =
        [Layout::Losses, Layout::Trajectories, Layout::Functions, Layout::FunctionSnapshots, Layout::Arrows];

    /// The config names of [`Layout::ALL`] (the schema's choice list).
    pub const NAMES: &'static [&'static str] = &["losses", "trajectories", "functions", "function_snapshots", "arrows"];

    /// The layout's name in a config.
    pub const fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Whether the layout is drawn from the parameters θ (`theta.csv`), not only from the
    /// metric curves.
    pub const fn draws_theta(self) -> bool {
        !matches!(self, Layout::Losses)
    }
}

impl std::fmt::Display for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Layout;

    #[test]
    fn names_follow_serde() {
        assert_eq!(Layout::ALL.len(), Layout::NAMES.len());
        for l in Layout::ALL {
            let toml = toml::to_string(&std::collections::BTreeMap::from([("figure", l)])).unwrap();
            assert_eq!(toml.trim(), format!("figure = \"{}\"", l.name()));
        }
    }
}
