//! # largestep-proofs
//!
//! A rigorous machine check of Appendix B of *SGD with Large Step Sizes Learns Sparse Features*
//! (Andriushchenko, Varre, Pillaud-Vivien, Flammarion, ICML 2023): the proof of Proposition 2.2 /
//! B.1 (loss stabilisation of SGD on the one-dimensional quadratic parameterisation) rests on
//! numeric inequalities over intervals of θ and of γ ∈ Γ ⊆ (1, 1.25), and on polynomial
//! identities. Each one is a [`claims::Claim`] with the paper's id (e.g. `B.2/eq29`), statement and
//! domain, and gets a typed verdict with its evidence kind (`largestep_theory::verdict`): PROVED,
//! EXACT IDENTITY, DERIVED (not machine-checked), SIMULATED, REFUTED / FAILS AS WRITTEN (with a
//! confirmed counterexample), UNDECIDED, or FAILED (a check of ours broke).
//!
//! ## The rigor argument
//!
//! 1. **Outward rounding** ([`interval`]). Every operation on [`interval::Interval`]s returns an
//!    interval containing the exact real result for all points of the operands: round to nearest,
//!    recover the exact rounding error (TwoSum, FMA residuals), and step the end one ulp outward
//!    with `next_up`/`next_down` exactly when the true value lies beyond it. Exact results stay
//!    exact, which the open-end rule below needs. Checked against exact rationals by proptests.
//! 2. **One formula** ([`expr`]). The maps (h_γ, g_γ, P, θ_γ, …) are written once in
//!    `largestep_theory::appendix_b`, generic over its `Scalar` trait, and traced into an
//!    expression graph here. The graph is evaluated in intervals, differentiated symbolically
//!    (for mean-value forms and monotonicity), evaluated exactly in ℚ at points, and expanded
//!    into rational functions. Decimal constants of the paper are exact rationals (1.162 =
//!    581/500), enclosed rigorously when evaluated in intervals.
//! 3. **Branch and bound** ([`prover`]). A claim "∀x ∈ box: lhs ⋈ rhs" becomes φ > 0 (or ≥ 0). A
//!    sub-box is decided by the natural enclosure, the mean-value form, or monotonicity, which
//!    reduces it to a face. Open ends are treated exactly as the paper states them: on an open
//!    face a strict claim needs only φ ≥ 0 when φ is strictly monotone into the domain (strictness
//!    itself may be proven recursively on the derivative), and faces where φ is identically 0 are
//!    decided by exact symbolic specialisation. Otherwise the widest dimension is bisected.
//! 4. **Counterexamples are confirmed exactly**. A candidate point (dyadic or rational) must lie
//!    in the open/closed domain (checked in ℚ) and violate the claim in exact rational arithmetic
//!    (or, for formulas with irrational square roots, by a rigorous interval enclosure at the
//!    point). Only then is the claim REFUTED. A claim that exhausts its [`Budget`] is UNDECIDED.
//! 5. **Identities** ([`identity`]) are decided by expanding `lhs − rhs` into a rational
//!    function over ℚ; a non-zero difference is REFUTED at a rational point inside the domain.
//! 6. **Quantified statements** (Eq. 36 "for all a, b ∈ Γ", Eq. 7 "∃T ∀k") are derived from the
//!    interval facts they rest on (`Check::Derived`: DERIVED when every premise is proved; the
//!    inference itself is by hand and is **not** counted as proved), with a simulation
//!    cross-check through `largestep_theory::appendix_b::orbit` (SIMULATED).
//!
//! **Why an own interval type rather than inari.** inari needs a `.cargo/config.toml` with
//! `-C target-cpu=haswell` (and its `gmp` feature, which builds GMP/MPFR from source, for
//! transcendental functions) — none of which the appendix needs: it uses only `+ − × ÷ √` and
//! integer powers. The own type is ~400 lines, keeps exact results exact (needed by the open-end
//! rule), and the whole appendix runs in seconds with it (see the Appendix B section of
//! `BENCHMARKS.md`). Measured (scratch crate, both built with `-C target-cpu=haswell`,
//! `inari = { version = "2", default-features = false }`): h_γ(θ) = θ(1 + γ(1 − θ²)) on 10⁶
//! boxes of θ × γ, inari 121 ns per evaluation, this type 148 ns, identical upper bounds (sum of
//! the 10⁶ sups equal to the last bit). inari is ~1.2× faster on this kernel, but the interval
//! evaluations of the whole appendix take ≈ 0.1 s, so the speed does not decide; building without
//! a target CPU on every machine does.
//!
//! ## API for the CLI (`largestep verify --appendix-b`)
//!
//! ```no_run
//! use largestep_proofs::{check_all, Budget};
//! let report = check_all(&Budget::default()); // every claim + the prover's self-tests
//! print!("{}", report.to_table());            // plain-text table
//! let path = report.write(std::path::Path::new("results/appendix-b")).unwrap(); // report.md
//! let tally = report.tally();                 // counts by evidence kind
//! assert!(!report.any_failure());             // no FAILED claim, every self-test as expected
//! # let _ = (path, tally);
//! ```
//!
//! [`Report::to_markdown`] renders `report.md`: the claims table (id, statement, domain, method,
//! verdict, evidence), every printed claim the paper gets wrong with its nearest corrected
//! statement and whether the proof's conclusion survives, and the self-tests.

pub mod claims;
pub mod exact;
pub mod expr;
pub mod identity;
pub mod interval;
pub mod prover;
pub mod report;

pub use prover::Budget;
pub use report::{check_all, Report};
