//! Demand: the first attempts of each cohort, generated as sorted streams.
//!
//! A cohort of N people whose arrival times are independent draws from a
//! density f is a Poisson process with intensity N·f conditioned on N
//! arrivals. Instead of drawing N times and sorting (memory in N), each
//! stream draws its order statistics one at a time: if U(k) is the k-th
//! smallest of n uniforms, U(k+1) = 1 - (1 - U(k))·V^(1/(n-k)) with V uniform
//! (Devroye, *Non-Uniform Random Variate Generation*, 1986, §V.3), mapped
//! through the inverse CDF of the stream's shape. V^(1/m) is drawn as
//! e^(-E/m) with E a unit exponential (-ln V): one ziggurat draw, and for
//! the small steps of a big stream (E/m < 1e-3) a short Taylor series,
//! exact to double precision, instead of a `powf` (which was a tenth of an
//! M/M/100 run). Memory is O(1) per stream whatever the cohort's size;
//! `Arrivals` merges the streams.
//!
//! Each stream draws from its own generator, named by its cohort and its
//! place among the cohort's streams (`Streams::arrivals`), so a cohort's
//! arrival instants depend on nothing else in the scenario: not on the
//! capacities, nor on the other cohorts. Each person gets a number within
//! their cohort (the first of each stream's people follows the last of the
//! stream before), which names their own draws later (`Streams::of`).

use crate::engine::{Rng, SimTime};
use crate::scenario::{due, CatchUp, Cohort, Curve, RatePoint, Window};
use rand::RngExt;
use rand_distr::Exp1;
use std::cmp::Reverse;
use std::collections::binary_heap::{BinaryHeap, PeekMut};

/// Bytes `Shape::Linear` keeps per point: its time, rate and area before.
pub const BYTES_PER_POINT: usize = 3 * std::mem::size_of::<f64>();

/// A shape with an invertible CDF, in seconds since the start.
#[derive(Clone, Debug)]
enum Shape {
    /// Uniform on [a, b).
    Uniform { a: f64, b: f64 },
    /// Exponential decay from `o` with time constant `tau`, cut at `c`.
    TruncExp { o: f64, tau: f64, mass: f64 },
    /// Piecewise-linear rate between knots; `cum[i]` is the area before knot i.
    Linear { t: Vec<f64>, r: Vec<f64>, cum: Vec<f64> },
}

impl Shape {
    fn linear(points: &[RatePoint]) -> Shape {
        let t: Vec<f64> = points.iter().map(|p| p.at.as_secs_f64()).collect();
        let r: Vec<f64> = points.iter().map(|p| p.rate).collect();
        let mut cum = vec![0.0; t.len()];
        for i in 1..t.len() {
            cum[i] = cum[i - 1] + 0.5 * (r[i - 1] + r[i]) * (t[i] - t[i - 1]);
        }
        Shape::Linear { t, r, cum }
    }

    /// The time at which the CDF reaches `u` in [0, 1).
    fn inverse_cdf(&self, u: f64) -> f64 {
        match self {
            Shape::Uniform { a, b } => a + u * (b - a),
            Shape::TruncExp { o, tau, mass } => o - tau * (-u * mass).ln_1p(),
            Shape::Linear { t, r, cum } => {
                let target = u * cum[cum.len() - 1];
                // First knot whose cumulative area exceeds the target; the
                // segment before it holds the answer.
                let i = cum.partition_point(|&c| c <= target).clamp(1, t.len() - 1);
                let (t0, t1, r0, r1) = (t[i - 1], t[i], r[i - 1], r[i]);
                let a = target - cum[i - 1];
                let k = (r1 - r0) / (2.0 * (t1 - t0));
                // Solve k·x² + r0·x = a for x in [0, t1 - t0], in the form
                // that stays exact when k -> 0 (a flat segment).
                let disc = (r0 * r0 + 4.0 * k * a).max(0.0);
                let denom = r0 + disc.sqrt();
                let x = if denom > 0.0 { 2.0 * a / denom } else { 0.0 };
                t0 + x.clamp(0.0, t1 - t0)
            }
        }
    }
}

/// One sorted stream of first attempts for one cohort.
#[derive(Clone, Debug)]
pub struct ArrivalStream {
    pub cohort: u16,
    /// The number within the cohort of the next person to arrive.
    next_id: u64,
    remaining: u64,
    /// 1 - U of the last order statistic U drawn (1 before the first):
    /// kept rather than U so that the product keeps its relative precision
    /// near the end of the stream.
    gap: f64,
    shape: Shape,
    /// Arrivals before this instant are held until it (a pre-queue in front
    /// of a page that has not opened yet).
    hold_until: f64,
    /// People coming back in a catch-up round (not first attempts).
    returning: bool,
    rng: Rng,
    /// Arrivals drawn ahead, `batch[taken..filled]` not yet handed out.
    batch: [SimTime; BATCH],
    taken: usize,
    filled: usize,
}

/// Arrivals a stream draws at a time. Each draw is a chain of some twenty
/// dependent floating-point steps (the exponential, its division, the
/// series, the inverse CDF), but successive draws share only the running
/// product and the generator: drawn in a loop, the processor overlaps
/// them, where one at a time, between events, each waited for the last
/// (a tenth of an M/M/100 run). The same draws in the same order: the
/// same arrivals.
const BATCH: usize = 32;

impl ArrivalStream {
    fn new(cohort: u16, part: Part, shape: Shape, hold_until: f64, rng: Rng) -> Self {
        ArrivalStream {
            cohort,
            next_id: part.first_id,
            remaining: part.count,
            gap: 1.0,
            shape,
            hold_until,
            returning: false,
            rng,
            batch: [SimTime::ZERO; BATCH],
            taken: 0,
            filled: 0,
        }
    }

    /// The next arrival time, in order, or `None` when the stream is done.
    #[inline]
    pub fn next(&mut self) -> Option<SimTime> {
        if self.taken == self.filled {
            if self.remaining == 0 {
                return None;
            }
            self.draw_batch();
        }
        let t = self.batch[self.taken];
        self.taken += 1;
        Some(t)
    }

    /// The next `BATCH` arrivals (or those left), into `batch`.
    #[inline(never)]
    fn draw_batch(&mut self) {
        let n = self.remaining.min(BATCH as u64) as usize;
        for i in 0..n {
            self.batch[i] = self.draw();
        }
        (self.taken, self.filled) = (0, n);
    }

    /// The next arrival time (one is left).
    #[inline(always)]
    fn draw(&mut self) -> SimTime {
        let e: f64 = self.rng.sample(Exp1);
        self.gap *= exp_neg(e / self.remaining as f64);
        self.remaining -= 1;
        let u = 1.0 - self.gap;
        let t = self.shape.inverse_cdf(u.min(1.0 - f64::EPSILON));
        SimTime::from_secs_f64(t.max(self.hold_until))
    }
}

/// e^-x for x >= 0. Below 1e-3 the Taylor series to x^5 is exact to double
/// precision (the first term left out, x^6/720, is under 1e-20), and five
/// multiply-adds cost a tenth of a call to `exp`.
#[inline]
fn exp_neg(x: f64) -> f64 {
    if x < 1e-3 {
        1.0 - x * (1.0 - x * (1.0 / 2.0 - x * (1.0 / 6.0 - x * (1.0 / 24.0 - x * (1.0 / 120.0)))))
    } else {
        (-x).exp()
    }
}

/// Every first attempt of a run, in time order: the streams merged through
/// a small heap of their next arrivals (a few streams per cohort). Kept out
/// of the event queue, which then holds only what the model schedules:
/// half the events of an M/M/c run never pass through it.
pub struct Arrivals {
    streams: Vec<ArrivalStream>,
    /// Each unfinished stream's next arrival: (time, draw number, stream).
    /// Equal times come out in the order they were drawn, so streams held
    /// to the same opening instant take turns instead of one going first.
    heads: BinaryHeap<Reverse<(SimTime, u64, u32)>>,
    draws: u64,
}

/// A first attempt: when, whose cohort, and the person's number in it;
/// or, `returning`, the first attempt of a person back in a catch-up round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FirstAttempt {
    pub at: SimTime,
    pub cohort: u16,
    pub id: u64,
    pub returning: bool,
}

impl Arrivals {
    /// Merge `streams`, drawing the first arrival of each in order.
    pub fn new(streams: Vec<ArrivalStream>) -> Self {
        let mut a = Arrivals { streams: Vec::with_capacity(streams.len()), heads: BinaryHeap::new(), draws: 0 };
        for s in streams {
            a.add(s);
        }
        a
    }

    /// One more stream (a catch-up round's, at its opening): its first
    /// arrival joins the others'.
    pub fn add(&mut self, mut stream: ArrivalStream) {
        if let Some(t) = stream.next() {
            self.heads.push(Reverse((t, self.draws, self.streams.len() as u32)));
            self.draws += 1;
        }
        self.streams.push(stream);
    }

    /// When the next first attempt comes, if any is left.
    #[inline]
    pub fn next_time(&self) -> Option<SimTime> {
        self.heads.peek().map(|Reverse((t, _, _))| *t)
    }

    /// The next first attempt. Draws the next arrival of its stream.
    pub fn pop(&mut self) -> Option<FirstAttempt> {
        let mut head = self.heads.peek_mut()?;
        let Reverse((at, _, i)) = *head;
        let stream = &mut self.streams[i as usize];
        let first = FirstAttempt { at, cohort: stream.cohort, id: stream.next_id, returning: stream.returning };
        stream.next_id += 1;
        match stream.next() {
            Some(next) => {
                *head = Reverse((next, self.draws, i));
                self.draws += 1;
            }
            None => {
                PeekMut::pop(head);
            }
        }
        Some(first)
    }
}

/// How many people a stream carries, and the number within its cohort
/// of the first of them.
#[derive(Clone, Copy, Debug)]
struct Part {
    count: u64,
    first_id: u64,
}

/// The arrival streams of one cohort. With `hold`, people who come before
/// their window opens wait for it (a closed page with no waiting room);
/// without, they arrive when they come (and queue in the waiting room).
/// `rng(k)` is the generator of the cohort's stream number k: window w's
/// parts are 3w, 3w + 1, 3w + 2 (early, burst, rest; the one part of a
/// constant curve is 3w), whether or not a part has anyone, so that a
/// stream's number, and its draws, do not depend on the others' sizes.
pub fn streams_for(index: u16, cohort: &Cohort, hold: bool, rng: impl Fn(u64) -> Rng) -> Vec<ArrivalStream> {
    let mut out = Vec::new();
    let hold_at = |opens: f64| if hold { opens } else { 0.0 };
    let first_open = hold_at(cohort.windows[0].opens.as_secs_f64());
    match &cohort.arrivals {
        Curve::Piecewise { points } | Curve::Trace { points, .. } => {
            let part = Part { count: cohort.people, first_id: 0 };
            out.push(ArrivalStream::new(index, part, Shape::linear(points), first_open, rng(0)));
        }
        Curve::Constant | Curve::Surge { .. } => {
            // The people due in the run, window by window and part by part
            // (all of them unless a window reaches past the end): the
            // cohort's `people`, by the rule validation counted them with.
            let total = cohort.people.saturating_add(cohort.after_end);
            let due = due::windows_in_run(&cohort.arrivals, &cohort.windows, total);
            let mut first_id = 0;
            for (w, (window, counts)) in cohort.windows.iter().zip(due).enumerate() {
                let o = window.opens.as_secs_f64();
                for (k, (count, shape)) in window_parts(&cohort.arrivals, window, &counts).into_iter().enumerate() {
                    if count > 0 {
                        let part = Part { count, first_id };
                        out.push(ArrivalStream::new(index, part, shape, hold_at(o), rng(3 * w as u64 + k as u64)));
                    }
                    first_id += count;
                }
            }
        }
    }
    out
}

/// The `count` people who come back in catch-up round `round` of cohort
/// `index`, numbered from `first_id` on, spread from its opening to its
/// close by its curve (`rng(k)`: the generator of the round's part k, as
/// a window's: the surge's burst 1, its rest 2; a constant curve's one 0).
pub fn catch_up_streams(
    index: u16,
    round: &CatchUp,
    count: u64,
    first_id: u64,
    rng: impl Fn(u64) -> Rng,
) -> Vec<ArrivalStream> {
    let window = Window { opens: round.opens, closes: round.closes, share: 1.0, cut_from: round.cut_from };
    // A round reaching past the end: those due after it do not come back
    // in the run (their numbers stay unused).
    let counts = due::due_in_run(&round.arrivals, &window, count);
    let mut out = Vec::new();
    let mut first_id = first_id;
    for (k, (n, shape)) in window_parts(&round.arrivals, &window, &counts).into_iter().enumerate() {
        if n > 0 {
            let mut s = ArrivalStream::new(index, Part { count: n, first_id }, shape, 0.0, rng(k as u64));
            s.returning = true;
            out.push(s);
        }
        first_id += n;
    }
    out
}

/// The people of one window of a constant or surge curve (`counts`, by
/// part: `due::parts`), with their shapes: the surge's early birds, burst
/// and rest, or the constant's one part. A window the run cut keeps its
/// shape up to the end: the same densities, cut (`due`).
fn window_parts(curve: &Curve, window: &Window, counts: &[u64]) -> Vec<(u64, Shape)> {
    let (o, c) = (window.opens.as_secs_f64(), window.closes.as_secs_f64());
    let count = |k: usize| counts.get(k).copied().unwrap_or(0);
    match curve {
        Curve::Surge { tau, early, .. } => {
            let (early_n, burst_n, rest_n) = (count(0), count(1), count(2));
            let tau = tau.as_secs_f64();
            let mass = -(-(c - o) / tau).exp_m1();
            vec![
                (early_n, Shape::Uniform { a: o - early.as_secs_f64(), b: o }),
                (burst_n, Shape::TruncExp { o, tau, mass }),
                (rest_n, Shape::Uniform { a: o, b: c }),
            ]
        }
        _ => vec![(count(0), Shape::Uniform { a: o, b: c })],
    }
}

/// The model's side of catch-up rounds.
impl<Q: crate::engine::FutureEvents<super::Event>> super::Model<'_, Q> {
    /// Catch-up round `round` of cohort `c` opens: of the cohort's people
    /// gone for good by now (not booked, not in the system: counted, not
    /// listed), each comes back with the round's probability; their first
    /// attempts of the round join the arrivals, numbered after everyone
    /// before them.
    pub(super) fn catch_up(&mut self, c: usize, round: usize) {
        let cohort = &self.s.cohorts[c];
        let r = &cohort.catch_up[round];
        let gone = self.stats.gone(c);
        let (name, number) = (&cohort.name, round as u64);
        let mut rng = self.streams.catch_up(name, number, 0);
        let count = rand_distr::Binomial::new(gone, r.probability).map_or(0, |b| rng.sample(b));
        let first_id = self.next_returning[c];
        self.next_returning[c] += count;
        let streams = catch_up_streams(c as u16, r, count, first_id, |k| self.streams.catch_up(name, number, 1 + k));
        for stream in streams {
            self.arrivals.add(stream);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng_for;

    #[test]
    fn exp_neg_agrees_with_exp() {
        for i in 0..=10_000 {
            let x = 2e-3 * f64::from(i) / 10_000.0;
            let (ours, exact) = (exp_neg(x), (-x).exp());
            assert!((ours - exact).abs() <= 2.0 * f64::EPSILON * exact, "x = {x}: {ours} vs {exact}");
        }
    }

    #[test]
    fn streams_come_out_sorted_and_complete() {
        let shape = Shape::linear(&[
            RatePoint { at: SimTime::from_secs(0), rate: 0.0 },
            RatePoint { at: SimTime::from_secs(600), rate: 10.0 },
            RatePoint { at: SimTime::from_secs(1200), rate: 10.0 },
            RatePoint { at: SimTime::from_secs(1800), rate: 0.0 },
        ]);
        let mut s = ArrivalStream::new(0, Part { count: 50_000, first_id: 0 }, shape, 0.0, rng_for(3, 0));
        let times: Vec<SimTime> = std::iter::from_fn(|| s.next()).collect();
        assert_eq!(times.len(), 50_000);
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert!(*times.last().unwrap() <= SimTime::from_secs(1800));
    }

    /// A catch-up round's people come back inside the round, marked as
    /// returning, numbered from the given number on (after the cohort's).
    #[test]
    fn a_catch_up_crowd_comes_inside_its_round_numbered_after_the_cohort() {
        let round = CatchUp {
            opens: SimTime::from_secs(7200),
            closes: SimTime::from_secs(10_800),
            cut_from: None,
            probability: 0.5,
            arrivals: Curve::Surge { share: 0.5, tau: SimTime::from_secs(600), early: SimTime::ZERO, early_share: 0.0 },
        };
        let streams = catch_up_streams(3, &round, 1001, 5000, |k| rng_for(9, k));
        let mut all = Arrivals::new(streams);
        let firsts: Vec<FirstAttempt> = std::iter::from_fn(|| all.pop()).collect();
        assert_eq!(firsts.len(), 1001);
        assert!(firsts.iter().all(|f| f.returning && f.cohort == 3));
        assert!(firsts.iter().all(|f| f.at >= round.opens && f.at <= round.closes));
        let mut ids: Vec<u64> = firsts.iter().map(|f| f.id).collect();
        ids.sort_unstable();
        assert_eq!(ids, (5000..6001).collect::<Vec<u64>>());
    }

    #[test]
    fn inverse_cdf_of_linear_segments_is_exact() {
        // Rate rising 0 -> 2 over [0, 10]: CDF = t²/100, so u = 0.25 at t = 5.
        let shape = Shape::linear(&[
            RatePoint { at: SimTime::ZERO, rate: 0.0 },
            RatePoint { at: SimTime::from_secs(10), rate: 2.0 },
        ]);
        assert!((shape.inverse_cdf(0.25) - 5.0).abs() < 1e-9);
        let flat = Shape::linear(&[
            RatePoint { at: SimTime::ZERO, rate: 3.0 },
            RatePoint { at: SimTime::from_secs(10), rate: 3.0 },
        ]);
        assert!((flat.inverse_cdf(0.7) - 7.0).abs() < 1e-9);
        let exp = Shape::TruncExp { o: 0.0, tau: 10.0, mass: -(-1e9f64).exp_m1() };
        assert!((exp.inverse_cdf(1.0 - (-1.0f64).exp()) - 10.0).abs() < 1e-9);
    }
}
