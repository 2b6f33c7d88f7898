//! The arms of an SDE-vs-SGD comparison (Appendix C, Fig. 9): the runs each seed gets, in the
//! order they are logged within a seed.

/// One run of a comparison's seed. The discriminant is the run's position within its seed in
/// the comparison's logs and config (`outcome.logs[k·arms + arm.index()]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Arm {
    /// SGD with step η_t, the base experiment's run bit for bit.
    Sgd,
    /// The SDE of Eq. (8) by its discretization Eq. (58): `substeps` Euler–Maruyama steps of
    /// γ = η_t/substeps per SGD iteration with δ_t = c·L(θ^SGD_t).
    Sde,
    /// Gradient flow at γ = η_t/substeps (Eq. 58 without noise), as in Appendix C.
    GradientFlow,
    /// Gradient flow refined until γ·λ_max ≤ 1 (`Eq58::stable_flow`): the flow that decides.
    StableFlow,
}

impl Arm {
    /// Every arm, in log order.
    pub const ALL: [Arm; 4] = [Arm::Sgd, Arm::Sde, Arm::GradientFlow, Arm::StableFlow];

    /// The run's name in `metrics.csv` and `config.toml`.
    pub const fn name(self) -> &'static str {
        match self {
            Arm::Sgd => "sgd",
            Arm::Sde => "sde",
            Arm::GradientFlow => "gf",
            Arm::StableFlow => "gf_stable",
        }
    }

    /// The position of the run within its seed.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Whether the arm is a gradient flow (draws no random number).
    pub const fn is_flow(self) -> bool {
        matches!(self, Arm::GradientFlow | Arm::StableFlow)
    }
}

#[cfg(test)]
mod tests {
    use super::Arm;

    #[test]
    fn positions_and_distinct_names() {
        for (i, a) in Arm::ALL.into_iter().enumerate() {
            assert_eq!(a.index(), i);
            assert!(Arm::ALL[..i].iter().all(|b| b.name() != a.name()));
        }
        assert!(Arm::StableFlow.is_flow() && !Arm::Sde.is_flow());
    }
}
