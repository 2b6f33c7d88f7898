//! Fig. 10: first-layer neurons w_j of a two-layer student moving from their initial to their
//! final position, with the teacher directions w*_k, one panel per run (seed 0).

use crate::config::DataSpec;
use crate::experiment::Outcome;
use crate::model::mlp::alignment_share;
use crate::model::ReluMlp;
use crate::plot::{Figure, Panel, Series, Style};
use anyhow::{anyhow, Result};

/// Neurons within this angle of a teacher direction count as aligned.
pub const ALIGN_DEG: f64 = 10.0;

/// The teacher's first-layer rows (m* × d, row-major) and the student net.
pub fn teacher_and_student(o: &Outcome) -> Result<(Vec<f64>, ReluMlp)> {
    let (d, m_star) = match &o.config.data {
        DataSpec::Teacher { d, hidden, .. } if hidden.len() == 1 => (*d, hidden[0]),
        _ => return Err(anyhow!("{}: layout \"arrows\" needs a two-layer teacher (`hidden = [m]`)", o.config.name)),
    };
    let student = match &o.config.model {
        crate::config::ModelSpec::ReluMlp { hidden, biases, init, precision } if hidden.len() == 1 && d == 2 => {
            ReluMlp::new(d, hidden, biases, init.clone()).with_precision(*precision)
        }
        _ => return Err(anyhow!("{}: layout \"arrows\" needs a two-layer student on d = 2", o.config.name)),
    };
    let truth = o.datasets[0].truth.as_ref().ok_or_else(|| anyhow!("{}: no teacher parameters", o.config.name))?;
    Ok((truth[..m_star * d].to_vec(), student))
}

/// Share of first-layer norm within [`ALIGN_DEG`] of a teacher direction, per run (seed 0):
/// (label, at initialization, at the end).
pub fn alignment(o: &Outcome) -> Result<Vec<(String, f64, f64)>> {
    let (teacher, net) = teacher_and_student(o)?;
    Ok(o.seed_logs(0)
        .iter()
        .map(|l| {
            (
                l.label.clone(),
                alignment_share(&net, &l.initial, &teacher, ALIGN_DEG),
                alignment_share(&net, &l.final_theta, &teacher, ALIGN_DEG),
            )
        })
        .collect())
}

/// One panel per run: arrows w_j(0) → w_j(N) (dot at the end) and the teacher directions.
pub fn figure(o: &Outcome) -> Result<Figure> {
    let (teacher, net) = teacher_and_student(o)?;
    let shares = alignment(o)?;
    let mut panels = Vec::new();
    for (r, (log, (_, _, share))) in o.seed_logs(0).iter().zip(&shares).enumerate() {
        let w0 = net.weights(&log.initial, 0);
        let w1 = net.weights(&log.final_theta, 0);
        let reach = w0.iter().chain(w1).fold(0.0_f64, |a, v| a.max(v.abs())).max(1.0) * 1.1;
        let mut panel = Panel::new(
            format!("{} — {:.0} % of Σ‖w_j‖ within {ALIGN_DEG}°", log.label, 100.0 * share),
            "w_j[0]",
            "w_j[1]",
        );
        panel.equal_aspect = true;
        let mut dirs = Vec::new();
        for t in teacher.chunks_exact(2) {
            let n = (t[0] * t[0] + t[1] * t[1]).sqrt().max(f64::MIN_POSITIVE);
            dirs.extend([(0.0, 0.0), (reach * t[0] / n, reach * t[1] / n)]);
        }
        panel.series.push(Series::styled("teacher directions w*_k", Some(3), Style::Segments, dirs));
        let arrows = w0.chunks_exact(2).zip(w1.chunks_exact(2)).flat_map(|(a, b)| [(a[0], a[1]), (b[0], b[1])]);
        panel.series.push(Series::styled("w_j: initial → final", Some(r), Style::Arrows, arrows.collect()));
        panels.push(panel);
    }
    let cols = panels.len().min(4);
    Ok(Figure::new(o.config.title.clone(), panels, cols))
}
