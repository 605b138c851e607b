//! Named figures as types: a set of figures is an enum (one variant per
//! figure, in column order), and `Figures<K, F>` holds one value of type
//! `F` for each figure of `K`.
//!
//! Everything a report writes is derived from these enums: CSV headers,
//! JSON keys, `report.md` rows, sweep and comparison columns, the
//! intervals of replicated runs. A figure added to an enum (with its name
//! and kind: the compiler asks for both) reaches every output without a
//! second list to keep in step. The value type says what a figure is in a
//! given output: a `Value` for one run, an `Option<Estimate>` (mean and
//! 95 % interval) for several replications.

use super::ci::Estimate;
use std::marker::PhantomData;

/// What a figure measures, which decides how it is written and read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// People, attempts or events: a whole number in one run.
    Count,
    /// A share of something, from 0 to 1 (written in percent for people).
    Share,
    /// A duration in seconds (written in minutes for people).
    Seconds,
    /// A level: a time average or a capacity.
    Level,
    /// A ratio or an index without a unit, read to three decimals
    /// (`jain_index`, `booking_chance_ratio`).
    Ratio,
    /// A moment: seconds since the scenario's start, written as a clock
    /// time (RFC 3339, in the scenario's offset) where the start is known.
    Clock,
}

/// A set of named figures: an enum whose variants, in `ALL` order, are the
/// columns of a table.
pub trait Columns: Copy + PartialEq + std::fmt::Debug + 'static {
    /// Every figure, in column order.
    const ALL: &'static [Self];
    /// The name in CSV headers and JSON keys.
    fn name(self) -> &'static str;
    fn kind(self) -> Kind;
    /// The figure's place in `ALL` (a short search: `ALL` has a few dozen
    /// figures, and tables are filled in order, not by lookup).
    fn index(self) -> usize {
        Self::ALL.iter().position(|k| *k == self).expect("every figure is in ALL")
    }
    /// Whether a replicated table gives this figure `_lo`/`_hi` bounds.
    fn banded(self) -> bool {
        true
    }
    /// The figure called `name`, if any.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.name() == name)
    }
}

/// Declares a set of figures from its table: the enum, its `Columns`
/// (`ALL` in table order, `name`, `kind`, `banded`) and its `label` and
/// `better`, all from one row per figure:
///
/// ```text
/// /// doc of the figure
/// Variant => "name", Kind [, label "For people"] [, better Lowest|Highest] [, banded true];
/// Drop(DropCause: c in DropCause::FAILURES) => c.column(), Count, label format!("Dropped: {}", c.name());
/// ```
///
/// A row with a parameter stands for one figure per item of the list, in
/// its order, so a new drop cause reaches every set that lists the causes
/// without a line here. A row without a label is labelled by its name;
/// without `better`, neither end is better; without `banded`, the set's
/// default (`banded by default: true|false`).
macro_rules! figure_set {
    (
        $(#[$meta:meta])*
        $vis:vis enum $set:ident (banded by default: $banded_default:literal) {
            $(
                $(#[$doc:meta])*
                $variant:ident $( ($pt:ident: $p:ident in $list:expr) )? => $name:expr, $kind:ident
                    $(, label $label:expr)? $(, better $best:ident)? $(, banded $banded:literal)? ;
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $set {
            $( $(#[$doc])* $variant $( ($pt) )?, )*
        }

        impl $crate::stats::columns::Columns for $set {
            const ALL: &'static [$set] = &{
                const N: usize = 0 $( + $crate::stats::columns::figure_set!(@count $($list)?) )*;
                let mut all: [Option<$set>; N] = [None; N];
                let mut i = 0;
                $( $crate::stats::columns::figure_set!(@push all, i, $set, $variant $(, $list)?); )*
                assert!(i == N, "every row is counted once");
                let mut out = [all[0].unwrap(); N];
                let mut j = 0;
                while j < N {
                    out[j] = all[j].unwrap();
                    j += 1;
                }
                out
            };

            #[allow(unused_variables)]
            fn name(self) -> &'static str {
                match self { $( $set::$variant $( ($p) )? => $name, )* }
            }

            #[allow(unused_variables)]
            fn kind(self) -> $crate::stats::columns::Kind {
                match self { $( $set::$variant $( ($p) )? => $crate::stats::columns::Kind::$kind, )* }
            }

            #[allow(unused_variables)]
            fn banded(self) -> bool {
                match self { $( $set::$variant $( ($p) )? => $crate::stats::columns::figure_set!(@or $banded_default $(, $banded)?), )* }
            }
        }

        impl $set {
            /// How the figure is named for people (`report.md`, messages).
            #[allow(unused_variables)]
            pub fn label(self) -> String {
                match self { $( $set::$variant $( ($p) )? => String::from($crate::stats::columns::figure_set!(@or $name $(, $label)?)), )* }
            }

            /// Which end of the figure a planner prefers, if one (for
            /// selecting the best scenario).
            #[allow(unused_variables)]
            pub fn better(self) -> Option<$crate::stats::select::Best> {
                match self { $( $set::$variant $( ($p) )? => $crate::stats::columns::figure_set!(@best $($best)?), )* }
            }
        }
    };
    (@count) => { 1 };
    (@count $list:expr) => { $list.len() };
    (@push $all:ident, $i:ident, $set:ident, $variant:ident) => {
        $all[$i] = Some($set::$variant);
        $i += 1;
    };
    (@push $all:ident, $i:ident, $set:ident, $variant:ident, $list:expr) => {
        let mut k = 0;
        while k < $list.len() {
            $all[$i] = Some($set::$variant($list[k]));
            $i += 1;
            k += 1;
        }
    };
    (@or $default:expr) => { $default };
    (@or $default:expr, $given:expr) => { $given };
    (@best) => { None };
    (@best $best:ident) => { Some($crate::stats::select::Best::$best) };
}
pub(crate) use figure_set;

/// One run's value of a figure: `None` where it is undefined (a wait
/// percentile when nobody was admitted from a queue).
pub type Value = Option<f64>;

/// One value per figure of `K`, in `K::ALL` order.
///
/// A table of figures, here one count per drop cause, and the same figures
/// over replications (each an `Estimate`):
///
/// ```
/// use surgesim::stats::{Columns, DropCause, Figures, Value};
///
/// let night = |queue_full: f64| Figures::from_fn(|c: DropCause| Some(if c == DropCause::QueueFull { queue_full } else { 0.0 }));
/// let (one, two): (Figures<DropCause, Value>, _) = (night(100.0), night(140.0));
/// assert_eq!(*one.get(DropCause::QueueFull), Some(100.0));
/// // Columns are named as in the CSV tables, in `ALL` order.
/// assert_eq!(DropCause::from_name("queue_full"), Some(DropCause::QueueFull));
/// assert_eq!(one.iter().next().map(|(c, _)| c.name()), Some("front_timeout"));
///
/// let both = Figures::estimate(&[&one, &two]);
/// let e = both.get(DropCause::QueueFull).expect("defined in both");
/// assert_eq!((e.mean, e.n), (120.0, 2));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Figures<K, F> {
    values: Vec<F>,
    columns: PhantomData<K>,
}

impl<K: Columns, F> Figures<K, F> {
    /// Each figure's value from `f`.
    pub fn from_fn(f: impl FnMut(K) -> F) -> Self {
        Figures { values: K::ALL.iter().copied().map(f).collect(), columns: PhantomData }
    }

    pub fn get(&self, k: K) -> &F {
        &self.values[k.index()]
    }

    /// (figure, value) in column order.
    pub fn iter(&self) -> impl Iterator<Item = (K, &F)> {
        K::ALL.iter().copied().zip(&self.values)
    }

    /// The same figures with other values.
    pub fn map<G>(&self, mut f: impl FnMut(K, &F) -> G) -> Figures<K, G> {
        Figures { values: self.iter().map(|(k, v)| f(k, v)).collect(), columns: PhantomData }
    }
}

impl<K: Columns> Figures<K, Value> {
    /// Combine replications figure by figure: the mean and 95 % interval of
    /// the replications where the figure is defined (`None` where it is
    /// defined in none).
    pub fn estimate(runs: &[&Figures<K, Value>]) -> Figures<K, Option<Estimate>> {
        let values = (0..K::ALL.len())
            .map(|i| Estimate::of(&runs.iter().filter_map(|r| r.values[i]).collect::<Vec<f64>>()))
            .collect();
        Figures { values, columns: PhantomData }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Two {
        A,
        B,
    }

    impl Columns for Two {
        const ALL: &'static [Two] = &[Two::A, Two::B];
        fn name(self) -> &'static str {
            match self {
                Two::A => "a",
                Two::B => "b",
            }
        }
        fn kind(self) -> Kind {
            Kind::Count
        }
    }

    #[test]
    fn figures_are_kept_in_column_order_and_found_by_name() {
        let f = Figures::from_fn(|k: Two| k.name().to_uppercase());
        assert_eq!(f.get(Two::B), "B");
        assert_eq!(f.iter().map(|(k, _)| k).collect::<Vec<_>>(), [Two::A, Two::B]);
        assert_eq!(Two::from_name("b"), Some(Two::B));
        assert_eq!(Two::from_name("c"), None);
    }

    #[test]
    fn replications_combine_where_a_figure_is_defined() {
        let one = Figures::from_fn(|k: Two| (k == Two::A).then_some(1.0));
        let three = Figures::from_fn(|k: Two| (k == Two::A).then_some(3.0));
        let e = Figures::estimate(&[&one, &three]);
        assert_eq!(e.get(Two::A).map(|e| (e.mean, e.n)), Some((2.0, 2)));
        assert_eq!(*e.get(Two::B), None, "undefined in every replication");
    }
}
