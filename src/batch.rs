//! Running the model many times: the replications of one scenario, of
//! several scenarios side by side, or of every point of a sweep, in
//! parallel on all cores (or on as many threads as asked). Each run is
//! reduced to its figures as soon as it ends (`stats::RunFigures`, or a
//! sweep's `Brief`), so what is kept grows by kilobytes per run.
//!
//! Each run is on its own random stream derived from (seed, replication
//! index) and results are collected in run order, so a batch gives the
//! same figures with one thread or many.
//!
//! How far a batch has come is told to a `Watch`: any `Fn(Tick) + Sync`
//! closure, or `Quiet` for nothing. Every run tells its simulated clock as
//! it goes, in thousandths of a run (`PER_RUN` a whole run), so a night of
//! hours shows its progress long before the first run ends. The command
//! line's progress bar is one such watch; this module knows nothing of
//! terminals.
//!
//! Replications of a scenario, counted as they end:
//!
//! ```
//! use std::sync::atomic::{AtomicU64, Ordering};
//! use surgesim::batch::{self, Tick};
//! use surgesim::stats::Headline;
//!
//! let s = surgesim::load_str(
//!     "[scenario]\nname = \"tiny\"\nduration = \"1h\"\n\
//!      [[cohort]]\nname = \"all\"\npeople = 200\n\
//!      [waiting_room]\n[backend]\nmax_sessions = 10\n",
//!     "tiny.toml".as_ref(), ".".as_ref(), &[],
//! ).unwrap();
//! let ended = AtomicU64::new(0);
//! let watch = |tick: Tick| {
//!     if tick == Tick::Ended {
//!         ended.fetch_add(1, Ordering::Relaxed);
//!     }
//! };
//! let runs = batch::replications(&s, 4, surgesim::QueueKind::default(), &watch).unwrap();
//! assert_eq!(runs.len(), 4);
//! assert_eq!(ended.load(Ordering::Relaxed), 4);
//! // Every replication sees the same 200 people, on its own random stream.
//! assert!(runs.iter().all(|r| r.headline.get(Headline::People) == &Some(200.0)));
//! ```

use crate::engine::{OutOfMemory, SimTime};
use crate::model::{Outcome, QueueKind};
use crate::scenario::Scenario;
use crate::stats::measure::Measure;
use crate::stats::{figures, ByMilestone, Figures, Headline, RunFigures, Value};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// A whole run's share of a batch's progress, in the units of `Tick::Moved`.
pub const PER_RUN: u64 = 1000;

/// One step of a batch, told to its `Watch` from the thread of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tick {
    /// A run moved on by this many thousandths of a run (`PER_RUN` in all
    /// per run: its simulated clock over its duration, the rest at its end).
    Moved(u64),
    /// A run ended (after the `Moved` that completes it).
    Ended,
}

/// What a batch tells as it goes. Called from the worker threads, every
/// 65,536 events of a run or so: it must be `Sync` and cheap.
///
/// A closure is a watch:
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use surgesim::batch::{Tick, Watch, PER_RUN};
///
/// let moved = AtomicU64::new(0);
/// let watch = |tick: Tick| {
///     if let Tick::Moved(by) = tick {
///         moved.fetch_add(by, Ordering::Relaxed);
///     }
/// };
/// watch.tell(Tick::Moved(PER_RUN / 2));
/// watch.tell(Tick::Moved(PER_RUN / 2));
/// watch.tell(Tick::Ended);
/// assert_eq!(moved.load(Ordering::Relaxed), PER_RUN);
/// ```
pub trait Watch: Sync {
    fn tell(&self, tick: Tick);
}

impl<F: Fn(Tick) + Sync> Watch for F {
    fn tell(&self, tick: Tick) {
        self(tick)
    }
}

/// A watch that hears nothing: a batch with no progress to show.
///
/// ```
/// use surgesim::batch::{Quiet, Tick, Watch};
/// Quiet.tell(Tick::Ended); // nothing happens
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Quiet;

impl Watch for Quiet {
    fn tell(&self, _: Tick) {}
}

/// One run's share of a batch's progress: its simulated clock, in
/// thousandths of its span. Shared by reference with the run's clock
/// callback, so it counts with atomics.
struct Share<'a> {
    watch: &'a dyn Watch,
    span: u64,
    reached: AtomicU64,
}

impl Share<'_> {
    /// The run's clock reached `t`.
    fn clock_at(&self, t: SimTime) {
        let now = (u128::from(t.0) * u128::from(PER_RUN) / u128::from(self.span)).min(u128::from(PER_RUN)) as u64;
        let before = self.reached.fetch_max(now, Ordering::Relaxed);
        if now > before {
            self.watch.tell(Tick::Moved(now - before));
        }
    }

    /// The run ended: what its clock had not yet moved, then its end.
    fn finish(self) {
        let rest = PER_RUN.saturating_sub(self.reached.load(Ordering::Relaxed));
        if rest > 0 {
            self.watch.tell(Tick::Moved(rest));
        }
        self.watch.tell(Tick::Ended);
    }
}

/// Replication `r` of `s` on `queue`, telling `watch` its clock as it goes.
///
/// ```
/// use surgesim::batch::{self, Quiet};
/// let s = surgesim::load_str(
///     "[scenario]\nname = \"one\"\nduration = \"1h\"\n[[cohort]]\nname = \"all\"\npeople = 50\n\
///      [backend]\nmax_sessions = 10\n",
///     "one.toml".as_ref(), ".".as_ref(), &[],
/// ).unwrap();
/// let outcome = batch::run(&s, 0, surgesim::QueueKind::default(), &Quiet).unwrap();
/// // The same replication is the same night.
/// let again = batch::run(&s, 0, surgesim::QueueKind::default(), &Quiet).unwrap();
/// assert_eq!(outcome.results.totals().booked, again.results.totals().booked);
/// ```
pub fn run(s: &Scenario, r: u64, queue: QueueKind, watch: &dyn Watch) -> Result<Outcome, OutOfMemory> {
    let share = Share { watch, span: s.duration.0.max(1), reached: AtomicU64::new(0) };
    let outcome = crate::model::simulate_observed(s, r, queue, &|t| share.clock_at(t))?;
    share.finish();
    Ok(outcome)
}

/// Each (scenario, replication) of `jobs`, in parallel on the default
/// queue, reduced to its figures; in the order of `jobs`.
pub fn runs(jobs: &[(&Scenario, u64)], watch: &dyn Watch) -> Result<Vec<RunFigures>, OutOfMemory> {
    jobs.par_iter().map(|&(s, r)| Ok(RunFigures::of(s, run(s, r, QueueKind::default(), watch)?.results))).collect()
}

/// Replications `0..n` of `s` on `queue`, in replication order; an error
/// if one ran out of memory.
pub fn replications(
    s: &Scenario,
    n: usize,
    queue: QueueKind,
    watch: &dyn Watch,
) -> Result<Vec<RunFigures>, OutOfMemory> {
    (0..n as u64).into_par_iter().map(|r| Ok(RunFigures::of(s, run(s, r, queue, watch)?.results))).collect()
}

/// Replications `0..reps` of every scenario, in parallel; `result[i][r]`
/// is replication r of scenario i (the same streams for every scenario:
/// common random numbers).
///
/// ```
/// use surgesim::batch::{self, Quiet};
/// use surgesim::stats::Headline;
/// let at = |sessions: u32| surgesim::load_str(
///     &format!("[scenario]\nname = \"s{sessions}\"\nduration = \"1h\"\n\
///               [[cohort]]\nname = \"all\"\npeople = 300\n\
///               [waiting_room]\n[backend]\nmax_sessions = {sessions}\n"),
///     "s.toml".as_ref(), ".".as_ref(), &[],
/// ).unwrap();
/// let results = batch::scenarios(&[at(2), at(50)], 2, &Quiet).unwrap();
/// let booked = |i: usize| results[i][0].headline.get(Headline::Booked).unwrap();
/// // More sessions book at least as many on the same people.
/// assert!(booked(1) >= booked(0));
/// ```
pub fn scenarios(list: &[Scenario], reps: usize, watch: &dyn Watch) -> Result<Vec<Vec<RunFigures>>, OutOfMemory> {
    let jobs: Vec<(&Scenario, u64)> = list.iter().flat_map(|s| (0..reps as u64).map(move |r| (s, r))).collect();
    let mut done = runs(&jobs, watch)?.into_iter();
    Ok(list.iter().map(|_| done.by_ref().take(reps).collect()).collect())
}

/// What a sweep keeps of one run: its headline figures, the bookings by
/// each milestone and the values of the figures asked for by name
/// (`sweep --figure`), not its time bins, so a sweep's memory does not
/// grow with the length of its runs.
#[derive(Clone, Debug)]
pub struct Brief {
    pub headline: Figures<Headline, Value>,
    pub milestones: Vec<ByMilestone<Value>>,
    /// The value of each measure the point was run with, in their order
    /// (empty without any).
    pub figures: Vec<Value>,
}

/// Replications `0..reps` of every point of a sweep, in parallel, each kept
/// as a `Brief`; `result[i][r]` is replication r of point i.
///
/// ```
/// use surgesim::batch::{self, Quiet};
/// use surgesim::stats::Headline;
/// let point = |people: u32| surgesim::load_str(
///     &format!("[scenario]\nname = \"p\"\nduration = \"1h\"\n[[cohort]]\nname = \"all\"\npeople = {people}\n\
///               [backend]\nmax_sessions = 10\n"),
///     "p.toml".as_ref(), ".".as_ref(), &[],
/// ).unwrap();
/// let rows = batch::points(&[&point(10), &point(20)], 3, &Quiet).unwrap();
/// assert_eq!((rows.len(), rows[1].len()), (2, 3));
/// assert_eq!(rows[1][2].headline.get(Headline::People), &Some(20.0));
/// ```
pub fn points(points: &[&Scenario], reps: usize, watch: &dyn Watch) -> Result<Vec<Vec<Brief>>, OutOfMemory> {
    let with: Vec<(&Scenario, &[Measure])> = points.iter().map(|&s| (s, &[][..])).collect();
    points_measured(&with, reps, watch)
}

/// `points`, each point with the measures to read from its runs (resolved
/// on that point's scenario, `Measure::resolve`): each run's values are
/// read as soon as it ends, and only they are kept (`Brief::figures`).
///
/// ```
/// use surgesim::batch::{self, Quiet};
/// use surgesim::scenario::figure::FigureName;
/// use surgesim::stats::measure::Measure;
/// let mut s = surgesim::load_str(
///     "[scenario]\nname = \"p\"\nduration = \"1h\"\n[[cohort]]\nname = \"all\"\npeople = 30\n\
///      [backend]\nmax_sessions = 10\n",
///     "p.toml".as_ref(), ".".as_ref(), &[],
/// ).unwrap();
/// let m = Measure::resolve(&FigureName::parse("cohort.all.people").unwrap(), &mut s).unwrap();
/// let rows = batch::points_measured(&[(&s, &[m][..])], 2, &Quiet).unwrap();
/// assert_eq!(rows[0][1].figures, vec![Some(30.0)]);
/// ```
pub fn points_measured(
    points: &[(&Scenario, &[Measure])],
    reps: usize,
    watch: &dyn Watch,
) -> Result<Vec<Vec<Brief>>, OutOfMemory> {
    let jobs: Vec<(&Scenario, &[Measure], u64)> =
        points.iter().flat_map(|&(s, m)| (0..reps as u64).map(move |r| (s, m, r))).collect();
    let briefs: Vec<Brief> = jobs
        .par_iter()
        .map(|&(s, measures, r)| {
            let results = run(s, r, QueueKind::default(), watch)?.results;
            if measures.is_empty() {
                return Ok(Brief {
                    headline: figures::headline(s, &results),
                    milestones: figures::milestones(s, &results),
                    figures: Vec::new(),
                });
            }
            // The whole run's figures for a moment, to read the measures;
            // its bins are dropped with it.
            let all = RunFigures::of(s, results);
            let values = measures.iter().map(|m| m.value(s, &all)).collect();
            Ok(Brief { headline: all.headline, milestones: all.milestones, figures: values })
        })
        .collect::<Result<_, OutOfMemory>>()?;
    let mut it = briefs.into_iter();
    Ok(points.iter().map(|_| it.by_ref().take(reps).collect()).collect())
}

/// Runs that could go at once: the thread pool's size (all cores unless
/// `RAYON_NUM_THREADS` says otherwise).
pub fn threads() -> usize {
    rayon::current_num_threads()
}

/// Run `work` (a batch, or a search that runs batches) on at most
/// `threads` threads: fewer runs at once than cores hold less in memory at
/// once. The command line takes the number from the size guard
/// (`limits::check_command`). The figures do not depend on it.
///
/// ```
/// use surgesim::batch::{self, Quiet};
/// let s = surgesim::load_str(
///     "[scenario]\nname = \"one\"\nduration = \"1h\"\n[[cohort]]\nname = \"all\"\npeople = 50\n\
///      [backend]\nmax_sessions = 10\n",
///     "one.toml".as_ref(), ".".as_ref(), &[],
/// ).unwrap();
/// let q = surgesim::QueueKind::default();
/// let one = batch::within(1, || batch::replications(&s, 3, q, &Quiet)).unwrap();
/// let many = batch::replications(&s, 3, q, &Quiet).unwrap();
/// assert_eq!(one[2].headline, many[2].headline);
/// ```
pub fn within<T: Send, E: Into<anyhow::Error> + Send>(
    threads: usize,
    work: impl FnOnce() -> Result<T, E> + Send,
) -> anyhow::Result<T> {
    if threads >= self::threads() {
        return work().map_err(Into::into);
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
    pool.install(work).map_err(Into::into)
}
