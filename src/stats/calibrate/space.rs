//! The space searched: the unit cube `u` in [0, 1]^k, one side per key,
//! and the keys' values it maps to. Searching the cube puts keys of very
//! different units (sessions, seconds, probabilities) on one footing, so
//! one simplex size fits all.

/// One key's range and the step its values are rounded to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Param {
    pub lo: f64,
    pub hi: f64,
    /// Values are `lo + n * step`: 1 for whole-number keys and for
    /// durations (whole seconds), else a fine fraction of the range. The
    /// rounding makes a point tried twice the same point (memoised).
    pub step: f64,
}

impl Param {
    /// The key's value at `u` (clamped into the cube, then rounded).
    pub fn at(&self, u: f64) -> f64 {
        let u = if u.is_finite() { u.clamp(0.0, 1.0) } else { 0.5 };
        let x = self.lo + u * (self.hi - self.lo);
        if self.step > 0.0 {
            let n = ((x - self.lo) / self.step).round();
            tidy(self.lo + n * self.step, self.step).clamp(self.lo, self.hi)
        } else {
            x
        }
    }

    /// Where `x` lies in the cube (clamped).
    pub fn unit(&self, x: f64) -> f64 {
        ((x - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0)
    }

    /// Whether `x` lies inside the range.
    pub fn holds(&self, x: f64) -> bool {
        x >= self.lo && x <= self.hi
    }
}

/// `x` without the float dust of `lo + n * step` (`40.019999999999996`
/// for 40.02): rounded to two decimals more than the step has, so a
/// value reads as it is written and its text loads back to the same one.
fn tidy(x: f64, step: f64) -> f64 {
    let decimals = (2.0 - step.log10().floor()).clamp(0.0, 15.0) as usize;
    format!("{x:.decimals$}").parse().unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cube_maps_to_rounded_values_inside_the_range() {
        let p = Param { lo: 10.0, hi: 20.0, step: 1.0 };
        assert_eq!(p.at(0.0), 10.0);
        assert_eq!(p.at(1.0), 20.0);
        assert_eq!(p.at(0.44), 14.0);
        assert_eq!(p.at(-3.0), 10.0, "clamped");
        assert_eq!(p.at(7.0), 20.0, "clamped");
        assert_eq!(p.unit(15.0), 0.5);
        let f = Param { lo: 10.0, hi: 200.0, step: 0.19 };
        assert_eq!(f.at(30.02 / 190.0), 40.02, "no float dust");
    }
}
