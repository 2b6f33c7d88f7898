//! The metric columns a run can record beside its losses (`metrics.csv` after
//! `run,seed,iteration,step_size,train_loss,test_loss`).

use std::fmt;

/// One recorded metric. Each measures the structure of the learned predictor that O3 and
/// Appendix C read (lower is sparser).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// The rank of the Jacobian φ_θ(X) on fresh points (Figs. 2, 5, 14).
    JacobianRank,
    /// ‖u⊙v‖₀: the support of the diagonal net's linear predictor (Figs. 2, 3).
    SupportSize,
    /// The feature-sparsity coefficient of hidden layer `layer` (1-based; Figs. 4, 5, 10).
    FeatureSparsity {
        /// The hidden layer, from 1.
        layer: usize,
    },
}

const SPARSITY_PREFIX: &str = "feature_sparsity_l";

impl Column {
    /// The column's name in `metrics.csv`.
    pub fn name(self) -> String {
        match self {
            Column::JacobianRank => "jacobian_rank".into(),
            Column::SupportSize => "support_size".into(),
            Column::FeatureSparsity { layer } => format!("{SPARSITY_PREFIX}{layer}"),
        }
    }

    /// The column named `name` ([`Column::name`]), if it is one.
    pub fn parse(name: &str) -> Option<Column> {
        match name {
            "jacobian_rank" => Some(Column::JacobianRank),
            "support_size" => Some(Column::SupportSize),
            _ => {
                let layer = name.strip_prefix(SPARSITY_PREFIX)?;
                // The canonical decimal only (no sign, no leading zeros), so names round-trip.
                let l: usize = layer.parse().ok().filter(|l: &usize| l.to_string() == layer && *l >= 1)?;
                Some(Column::FeatureSparsity { layer: l })
            }
        }
    }

    /// Panel title.
    pub fn title(self) -> String {
        match self {
            Column::JacobianRank => "Rank of the Jacobian".into(),
            Column::SupportSize => "‖u⊙v‖₀".into(),
            Column::FeatureSparsity { layer } => format!("Feature sparsity, layer {layer}"),
        }
    }

    /// The y-axis label: short (the panel title gives the full name).
    pub fn axis_label(self) -> String {
        match self {
            Column::JacobianRank => "rank φ(X)".into(),
            Column::SupportSize => self.title(),
            Column::FeatureSparsity { .. } => "sparsity coefficient".into(),
        }
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Column;

    #[test]
    fn names_round_trip_and_nothing_else_parses() {
        for c in [
            Column::JacobianRank,
            Column::SupportSize,
            Column::FeatureSparsity { layer: 1 },
            Column::FeatureSparsity { layer: 12 },
        ] {
            assert_eq!(Column::parse(&c.name()), Some(c));
        }
        for bad in [
            "feature_sparsity_l0",
            "feature_sparsity_l01",
            "feature_sparsity_l+1",
            "feature_sparsity_l",
            "rank",
            "train_loss",
        ] {
            assert_eq!(Column::parse(bad), None, "{bad}");
        }
    }
}
