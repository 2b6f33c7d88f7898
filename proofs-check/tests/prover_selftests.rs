//! The prover can fail: deliberately false neighbours of true claims are REFUTED with confirmed
//! counterexamples, and textbook facts with known answers get the known verdict.

use largestep_proofs::claims::selftest::self_tests;
use largestep_proofs::claims::Check;
use largestep_proofs::exact::to_f64;
use largestep_proofs::identity::check_identity;
use largestep_proofs::prover::{prove, Budget, Outcome};
use largestep_theory::appendix_b::h;

fn run(check: &Check) -> Outcome {
    match check {
        Check::Inequality(p) => prove(p, &Budget::default()).0,
        Check::Identity(i) => check_identity(i).0,
        _ => Outcome::Undecided("not a direct check".into()),
    }
}

#[test]
fn every_self_test_gets_its_known_verdict() {
    for t in self_tests() {
        let out = run(&t.claim.check);
        match (&out, t.truth) {
            (Outcome::Verified, true) | (Outcome::Refuted(_), false) => {}
            _ => panic!("{}: truth {} but {:?}", t.claim.id, t.truth, out),
        }
    }
}

#[test]
fn mutant_counterexample_really_violates_the_mutated_bound() {
    // Eq. 30 with 1.162 → 1.16: the counterexample must have h_γ(θ) ≥ 1.16 in plain f64 too.
    let t = self_tests().into_iter().find(|t| t.claim.id == "mutant/eq30-1.16").expect("present");
    let Outcome::Refuted(ce) = run(&t.claim.check) else { panic!("not refuted") };
    let gamma = to_f64(&ce.point[0].1);
    let theta = to_f64(&ce.point[1].1);
    assert!(gamma > 0.0 && gamma < 1.25 && theta > 0.0 && theta <= 1.0, "{ce}");
    assert!(h(gamma, theta) >= 1.16 - 1e-12, "{ce}");
}

#[test]
fn open_and_closed_ends_are_distinguished() {
    let find = |id: &str| self_tests().into_iter().find(|t| t.claim.id == id).expect("present");
    assert!(matches!(run(&find("textbook/open-end").claim.check), Outcome::Verified));
    let Outcome::Refuted(ce) = run(&find("textbook/closed-end").claim.check) else { panic!("closed end not refuted") };
    assert_eq!(to_f64(&ce.point[0].1), 0.0);
}

#[test]
fn a_tiny_budget_gives_undecided_not_a_wrong_verdict() {
    // Lemma B.7's two-step bound needs hundreds of sub-boxes.
    let claims = largestep_proofs::claims::appendix_b();
    let c = claims.iter().find(|c| c.id == "B.7/two-step").expect("present");
    let Check::Inequality(p) = &c.check else { panic!("not an inequality") };
    let budget = Budget { max_boxes: 10, ..Budget::default() };
    assert!(matches!(prove(p, &budget).0, Outcome::Undecided(_)));
    assert!(matches!(prove(p, &Budget::default()).0, Outcome::Verified));
}
