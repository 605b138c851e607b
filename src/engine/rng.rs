//! Random numbers: streams named by what they are for, and counter-based
//! draws for whoever they belong to.
//!
//! A run does not share one generator among all its draws: then the i-th
//! number goes to whatever happened i-th, and two runs that differ in one
//! capacity soon give every number to someone else. Instead every draw comes
//! from a stream *named* by a tuple of words (the seed, the replication,
//! what the draw is for, whose it is) and derived from that name alone by
//! hashing, so two runs that share a name share its numbers (common random
//! numbers), whatever else differs between them, and however many other
//! streams either has.
//!
//! Two kinds of stream:
//!
//! - `StreamKey::rng`: a sequential generator (xoshiro256++) seeded from the
//!   key, for draws made in a fixed order, such as a cohort's arrival
//!   times.
//! - `StreamKey::counter`: a counter-based generator (SplitMix64 started at
//!   the hash of the key and a 64-bit counter), for draws that belong to
//!   one person and one of their attempts: a pure function of who and
//!   which attempt, with no state kept between draws, so it does not
//!   matter in which order people draw.
//!
//! Names are hashed rather than jumped to (xoshiro's `jump` gives 2^128
//! non-overlapping streams, but in a fixed sequence: a stream's place in it
//! would depend on how many streams come before it, and adding a cohort
//! would move the others). A hash lets a stream be addressed by its name
//! alone. Streams started at random points of generators with periods of
//! 2^256 (xoshiro) and 2^64 (SplitMix64, a few words used per counter)
//! overlap with negligible probability.
//!
//! The mixing function is SplitMix64's output function (Stafford's
//! "Mix13" finaliser, as in Java's `SplittableRandom` and in `rand`'s own
//! `seed_from_u64`): a bijection of u64 in which every input bit flips
//! every output bit with probability close to 1/2.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{SeedableRng, TryRng};
use std::convert::Infallible;

/// The sequential generator of every named stream. Named explicitly (not
/// `SmallRng`) because recorded runs must replay identically across `rand`
/// releases.
pub type Rng = Xoshiro256PlusPlus;

/// 2^64 / φ, SplitMix64's increment (odd, and far from any power of two).
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function (Steele, Lea & Flood 2014; constants of
/// Stafford's Mix13).
#[inline]
pub const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The name of a stream, hashed: built word by word from a root.
///
/// A stream depends on its name alone, never on what other streams drew,
/// so two schedules draw the same people from the same names (common
/// random numbers):
///
/// ```
/// use rand::RngExt;
/// use surgesim::engine::StreamKey;
///
/// let patience = |seed, replication| StreamKey::root(seed, replication).with_str("patience");
/// let (mut a, mut b) = (patience(7, 0).rng(), patience(7, 0).rng());
/// assert_eq!(a.random::<u64>(), b.random::<u64>());
/// // Another replication is another stream.
/// assert_ne!(patience(7, 0), patience(7, 1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StreamKey(u64);

impl StreamKey {
    /// The root of every stream of replication `replication` of a run
    /// seeded with `seed`.
    pub fn root(seed: u64, replication: u64) -> StreamKey {
        StreamKey(0).with(seed).with(replication)
    }

    /// This name with one more word. Two names that differ in any word
    /// give unrelated keys (equal ones only by a 2^-64 accident), and each
    /// word is its own step, so (1, 23) and (12, 3) are different names.
    #[inline]
    #[must_use]
    pub const fn with(self, word: u64) -> StreamKey {
        StreamKey(mix64(self.0.wrapping_add(GOLDEN) ^ word))
    }

    /// This name with a string (a cohort's name): its bytes eight at a
    /// time, then its length (so "a" and "a\0" differ).
    #[must_use]
    pub fn with_str(self, s: &str) -> StreamKey {
        let mut key = self;
        for chunk in s.as_bytes().chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            key = key.with(u64::from_le_bytes(word));
        }
        key.with(s.len() as u64)
    }

    /// The sequential generator of this stream.
    pub fn rng(self) -> Rng {
        Rng::seed_from_u64(self.0)
    }

    /// The counter-based generator of draw `counter` of this stream: the
    /// same numbers for the same key and counter, whatever was drawn before.
    #[inline]
    pub const fn counter(self, counter: u64) -> Counter {
        Counter { state: self.with(counter).0 }
    }
}

/// SplitMix64 started at a hashed (key, counter): a few numbers for one
/// draw (an exponential takes one; a gamma or a rejection may take more).
#[derive(Clone, Debug)]
pub struct Counter {
    state: u64,
}

impl TryRng for Counter {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.try_next_u64().map(|x| (x >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.state = self.state.wrapping_add(GOLDEN);
        Ok(mix64(self.state))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        rand::rand_core::utils::fill_bytes_via_next_word(dst, || self.try_next_u64())
    }
}

/// One plain generator for replication `replication` of seed `seed`: for
/// unit tests and tools that need a stream and no name for it.
pub fn rng_for(seed: u64, replication: u64) -> Rng {
    StreamKey::root(seed, replication).rng()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng as _, RngExt};

    #[test]
    fn mix64_is_splitmix64() {
        // SplitMix64 seeded with 0: its first outputs (reference values of
        // the generator, e.g. Vigna's splitmix64.c).
        let mut c = Counter { state: 0 };
        assert_eq!(c.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(c.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(c.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn names_that_differ_anywhere_give_other_keys() {
        let root = StreamKey::root(1, 0);
        let keys = [
            root,
            StreamKey::root(0, 1),
            StreamKey::root(1, 1),
            root.with(1).with(23),
            root.with(12).with(3),
            root.with_str("a"),
            root.with_str("a\0"),
            root.with_str("ab"),
            root.with_str("abcdefgh"),
            root.with_str("abcdefgh\0"),
        ];
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(root.with_str("cohort"), StreamKey::root(1, 0).with_str("cohort"), "a pure function of the name");
    }

    #[test]
    fn a_counter_draw_depends_on_its_key_and_counter_only() {
        let key = StreamKey::root(7, 3).with(2);
        let a: f64 = key.counter(41).random();
        let _: Vec<u64> = (0..100).map(|i| key.counter(i).next_u64()).collect();
        assert_eq!(a, key.counter(41).random::<f64>());
        assert_ne!(a, key.counter(42).random::<f64>());
    }

    /// Counter draws over consecutive counters (consecutive people) are
    /// uniform and uncorrelated: the hash must not leak the counter's
    /// structure. Chi-square over 100 cells (99 df: mean 99, s.d. 14;
    /// limit mean + 5 s.d.) and the lag-1 correlation of 1e6 draws
    /// (s.d. 1e-3; limit 5e-3).
    #[test]
    fn counter_draws_over_consecutive_counters_are_uniform_and_uncorrelated() {
        let key = StreamKey::root(1, 0).with(5);
        let n = 1_000_000u64;
        let u: Vec<f64> = (0..n).map(|i| key.counter(i << 16 | 1).random::<f64>()).collect();
        let mut cells = [0u64; 100];
        for x in &u {
            cells[(x * 100.0) as usize] += 1;
        }
        let e = n as f64 / 100.0;
        let x2: f64 = cells.iter().map(|&o| (o as f64 - e).powi(2) / e).sum();
        assert!(x2 < 99.0 + 5.0 * (2.0 * 99.0f64).sqrt(), "chi-square {x2:.1} on 99 df");
        let m = u.iter().sum::<f64>() / n as f64;
        let var = u.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64;
        let cov = u.windows(2).map(|w| (w[0] - m) * (w[1] - m)).sum::<f64>() / (n - 1) as f64;
        assert!((cov / var).abs() < 5e-3, "lag-1 correlation {:.5}", cov / var);
        // The attempts of one person, too: their mean, within 5 s.e.
        let v: Vec<f64> = (0..1u64 << 16).map(|a| key.counter(7 << 16 | a).random::<f64>()).collect();
        let m = v.iter().sum::<f64>() / v.len() as f64;
        assert!((m - 0.5).abs() < 5.0 * (1.0 / 12.0 / 65536.0f64).sqrt(), "mean {m:.5}");
    }
}
