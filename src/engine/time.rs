//! Simulated time: an integer count of microseconds since the scenario start.
//!
//! Integer time keeps event ordering exact (no two floats that "should" be
//! equal but differ in the last bit) and makes runs reproducible bit for bit.
//! A microsecond is far below anything the model cares about (sessions last
//! minutes), and `u64` microseconds cover 584,000 years.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// A point in simulated time, or a duration: microseconds since the start.
///
/// ```
/// use surgesim::engine::SimTime;
///
/// let t = SimTime::from_secs(90) + SimTime::from_secs_f64(0.25);
/// assert_eq!(t.0, 90_250_000); // microseconds
/// assert_eq!(t.as_secs_f64(), 90.25);
/// // A sampled duration never wraps the clock.
/// assert_eq!(SimTime::from_secs_f64(-3.0), SimTime::ZERO);
/// assert_eq!(SimTime::from_secs(1).saturating_sub(t), SimTime::ZERO);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);
    pub const MICROS_PER_SEC: u64 = 1_000_000;

    /// From seconds, rounded to the nearest microsecond; negative and NaN
    /// values become zero and huge ones saturate, so a sampled duration can
    /// never wrap the clock.
    pub fn from_secs_f64(secs: f64) -> SimTime {
        // Adding 0.5 and truncating rounds a positive value to nearest
        // without a libm call: this runs for every sampled duration.
        let us = secs * Self::MICROS_PER_SEC as f64 + 0.5;
        if us.is_nan() || us < 1.0 {
            SimTime::ZERO
        } else if us >= u64::MAX as f64 {
            SimTime::MAX
        } else {
            SimTime(us as u64)
        }
    }

    pub const fn from_secs(secs: u64) -> SimTime {
        SimTime(secs * Self::MICROS_PER_SEC)
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / Self::MICROS_PER_SEC as f64
    }

    pub fn saturating_sub(self, other: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(other.0))
    }
}

impl Add for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for SimTime {
    fn add_assign(&mut self, rhs: SimTime) {
        *self = *self + rhs;
    }
}

impl Sub for SimTime {
    type Output = SimTime;
    fn sub(self, rhs: SimTime) -> SimTime {
        self.saturating_sub(rhs)
    }
}

/// Serialized as a duration string (`"1h30m"`), the form scenario files use.
impl serde::Serialize for SimTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Display for SimTime {
    /// Written the way scenario files write durations (`1h30m`, `90s`,
    /// `250ms`), so a resolved scenario reads like the file it came from.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut us = self.0;
        if us == 0 {
            return write!(f, "0s");
        }
        let units: [(&str, u64); 6] =
            [("h", 3_600_000_000), ("m", 60_000_000), ("s", 1_000_000), ("ms", 1_000), ("us", 1), ("", 0)];
        for (name, size) in units {
            if size == 0 || us == 0 {
                break;
            }
            if us >= size {
                write!(f, "{}{}", us / size, name)?;
                us %= size;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_reads_like_a_scenario_duration() {
        assert_eq!(SimTime::from_secs(5400).to_string(), "1h30m");
        assert_eq!(SimTime::from_secs(90).to_string(), "1m30s");
        assert_eq!(SimTime(250_000).to_string(), "250ms");
        assert_eq!(SimTime::ZERO.to_string(), "0s");
    }

    #[test]
    fn conversions_saturate_instead_of_wrapping() {
        assert_eq!(SimTime::from_secs_f64(-3.0), SimTime::ZERO);
        assert_eq!(SimTime::from_secs_f64(f64::NAN), SimTime::ZERO);
        assert_eq!(SimTime::from_secs_f64(1e300), SimTime::MAX);
        assert_eq!(SimTime(5) - SimTime(9), SimTime::ZERO);
        assert_eq!(SimTime::from_secs_f64(1.5).0, 1_500_000);
    }
}
