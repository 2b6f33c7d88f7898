//! Soundness of the interval type: for random points in random boxes, the exact rational value
//! of each operation lies in the enclosure. Boxes are drawn tiny, huge, straddling 0 and at
//! rounding edges (ends one ulp apart, powers of two ± 1 ulp).

use largestep_proofs::exact::{q_from_f64, Q};
use largestep_proofs::interval::{next_down, next_up, Interval};
use num_traits::{Signed, Zero};
use proptest::prelude::*;

/// 256 cases per property: each case does exact big-rational arithmetic (≈ 20 µs), so the whole
/// file runs in well under a second even in debug builds; the strategies below are aimed at the
/// edge cases, so more random cases add little.
const CASES: u32 = 256;

fn exact(x: f64) -> Q {
    q_from_f64(x).expect("finite")
}

/// `lo ≤ v ≤ hi` decided exactly; an infinite end bounds everything on its side.
fn contains(i: Interval, v: &Q) -> bool {
    let lo_ok = i.lo() == f64::NEG_INFINITY || q_from_f64(i.lo()).is_some_and(|l| l <= *v);
    let hi_ok = i.hi() == f64::INFINITY || q_from_f64(i.hi()).is_some_and(|h| *v <= h);
    i.is_defined() && lo_ok && hi_ok
}

/// A finite f64 from one of several regimes.
fn scalar() -> impl Strategy<Value = f64> {
    prop_oneof![
        -10.0f64..10.0,
        -1e-300f64..1e-300,
        (-1e300f64..1e300),
        (0u32..60, any::<bool>()).prop_map(|(e, up)| {
            let p = 2f64.powi(e as i32 - 30);
            if up {
                next_up(p)
            } else {
                next_down(p)
            }
        }),
        Just(0.0),
        (-1.0f64..1.0).prop_map(|x| x * 1e-3),
    ]
}

/// A box `[a, b]` and a point in it, as (interval, point).
fn boxed() -> impl Strategy<Value = (Interval, f64)> {
    (scalar(), prop_oneof![Just(0.0), 0.0f64..1e-12, 0.0f64..1.0, 0.0f64..1e3], 0.0f64..=1.0).prop_map(|(a, w, t)| {
        let b = if w == 0.0 { next_up(a) } else { a + w.abs() * (1.0 + a.abs()) };
        let b = if b.is_finite() { b } else { a };
        let x = (a + t * (b - a)).clamp(a, b);
        (Interval::new(a, b), x)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn add_sub_mul_are_sound((i, x) in boxed(), (j, y) in boxed()) {
        let (ex, ey) = (exact(x), exact(y));
        prop_assert!(contains(i + j, &(&ex + &ey)));
        prop_assert!(contains(i - j, &(&ex - &ey)));
        prop_assert!(contains(i * j, &(&ex * &ey)));
    }

    #[test]
    fn division_is_sound_or_undefined((i, x) in boxed(), (j, y) in boxed()) {
        let d = i / j;
        if j.contains_zero() {
            prop_assert!(!d.is_defined());
        } else {
            prop_assert!(contains(d, &(exact(x) / exact(y))));
        }
    }

    #[test]
    fn powers_are_sound((i, x) in boxed(), n in 0i32..6) {
        let p = i.powi(n);
        prop_assert!(contains(p, &num_traits::pow(exact(x), n as usize)));
        prop_assert!(contains(i.sqr(), &(exact(x) * exact(x))));
        if !i.contains_zero() {
            // Undefined is the sound answer when xⁿ underflows so that its enclosure holds 0.
            let r = i.powi(-n);
            if r.is_defined() {
                prop_assert!(contains(r, &(Q::from_integer(1.into()) / num_traits::pow(exact(x), n as usize))));
            } else {
                prop_assert!(p.contains_zero());
            }
        }
    }

    #[test]
    fn sqrt_is_sound((i, x) in boxed()) {
        let s = i.sqrt();
        if i.lo() < 0.0 {
            prop_assert!(!s.is_defined());
        } else {
            // lo ≤ √x ≤ hi  ⇔  (lo ≤ 0 or lo² ≤ x) and hi ≥ 0 and hi² ≥ x, decided exactly.
            let ex = exact(x);
            let (lo, hi) = (exact(s.lo()), exact(s.hi()));
            prop_assert!(!lo.is_positive() || &lo * &lo <= ex);
            prop_assert!(!hi.is_negative() && &hi * &hi >= ex);
        }
    }

    #[test]
    fn exact_operations_stay_points(a in -1000i32..1000, b in -1000i32..1000) {
        let (x, y) = (Interval::point(a as f64), Interval::point(b as f64));
        prop_assert!((x + y).is_point() && (x - y).is_point() && (x * y).is_point());
        prop_assert_eq!((x - x).lo(), 0.0);
        prop_assert!(!(x - x).lo().is_sign_negative() || (x - x).lo().is_zero());
    }
}
