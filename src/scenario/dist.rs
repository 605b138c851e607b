//! Probability distributions of durations (session length, patience, retry
//! delay): their scenario form, their checks, and sampling.
//!
//! Parameters are the ones planners think in (a mean, a median, a spread)
//! rather than the textbook ones (rate, log-mean, shape); the conversion is
//! done once here, at validation.

use super::spelling::{self, Spelled};
use super::{units::parse_positive_duration, Problems};
use crate::engine::SimTime;
use rand::{Rng, RngExt};
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Weibull};
use serde::{ser::SerializeMap, Deserialize, Serialize, Serializer};
use statrs::function::gamma::gamma;

/// A distribution as written: `{ dist = "exponential", mean = "1m" }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDist {
    pub dist: String,
    pub mean: Option<String>,
    pub median: Option<String>,
    pub value: Option<String>,
    pub scale: Option<String>,
    pub sigma: Option<f64>,
    pub cv: Option<f64>,
    pub shape: Option<f64>,
}

/// The distribution names a scenario may use, for error messages.
pub const DIST_NAMES: &str = "\"exponential\" (mean), \"lognormal\" (median, sigma), \"constant\" (value), \"gamma\" (mean, cv), \"weibull\" (scale, shape)";

/// A checked, ready-to-sample distribution of durations (all in seconds).
#[derive(Clone, Debug)]
pub enum Dist {
    Constant {
        value: f64,
    },
    Exponential {
        mean: f64,
        d: Exp<f64>,
    },
    LogNormal {
        median: f64,
        sigma: f64,
        d: LogNormal<f64>,
    },
    /// Gamma with a mean and a coefficient of variation: shape 1/cv², scale mean·cv².
    Gamma {
        mean: f64,
        cv: f64,
        d: Gamma<f64>,
    },
    Weibull {
        scale: f64,
        shape: f64,
        d: Weibull<f64>,
    },
}

impl Dist {
    /// An exponential with the given mean; for tests and defaults.
    pub fn exponential(mean_secs: f64) -> Dist {
        Dist::Exponential { mean: mean_secs, d: Exp::new(1.0 / mean_secs).expect("positive mean") }
    }

    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> SimTime {
        let secs = match self {
            Dist::Constant { value } => *value,
            Dist::Exponential { d, .. } => d.sample(rng),
            Dist::LogNormal { d, .. } => d.sample(rng),
            Dist::Gamma { d, .. } => d.sample(rng),
            Dist::Weibull { d, .. } => d.sample(rng),
        };
        SimTime::from_secs_f64(secs)
    }

    /// The mean in seconds (used by reports and by the theory tests); a
    /// Weibull's through statrs's gamma function (Lanczos, about 1e-14
    /// relative).
    pub fn mean_secs(&self) -> f64 {
        match self {
            Dist::Constant { value } => *value,
            Dist::Exponential { mean, .. } | Dist::Gamma { mean, .. } => *mean,
            Dist::LogNormal { median, sigma, .. } => median * (sigma * sigma / 2.0).exp(),
            Dist::Weibull { scale, shape, .. } => scale * gamma(1.0 + 1.0 / shape),
        }
    }

    /// Check a written distribution; problems go to `problems` under `path`.
    pub fn from_raw(raw: &RawDist, path: &str, problems: &mut Problems) -> Option<Dist> {
        keys(raw, path, problems)?;
        let mut p = Params { path, problems };
        match raw.dist.as_str() {
            "constant" => {
                // A constant of zero is allowed here only through a duration of
                // "0s", which `duration` refuses; zero-length sessions would
                // make every capacity infinite.
                let value = p.duration("value", &raw.value)?;
                Some(Dist::Constant { value })
            }
            "exponential" => {
                let mean = p.duration("mean", &raw.mean)?;
                Some(Dist::exponential(mean))
            }
            "lognormal" => {
                let (median, sigma) = (p.duration("median", &raw.median), p.positive("sigma", raw.sigma));
                let (median, sigma) = (median?, sigma?);
                let d = LogNormal::new(median.ln(), sigma).map_err(|e| p.unusable("sigma", sigma, &e)).ok()?;
                Some(Dist::LogNormal { median, sigma, d })
            }
            "gamma" => {
                let (mean, cv) = (p.duration("mean", &raw.mean), p.positive("cv", raw.cv));
                let (mean, cv) = (mean?, cv?);
                let d = Gamma::new(1.0 / (cv * cv), mean * cv * cv).map_err(|e| p.unusable("cv", cv, &e)).ok()?;
                Some(Dist::Gamma { mean, cv, d })
            }
            "weibull" => {
                let (scale, shape) = (p.duration("scale", &raw.scale), p.positive("shape", raw.shape));
                let (scale, shape) = (scale?, shape?);
                let d = Weibull::new(scale, shape).map_err(|e| p.unusable("shape", shape, &e)).ok()?;
                Some(Dist::Weibull { scale, shape, d })
            }
            _ => unreachable!("`keys` refuses other names"),
        }
    }
}

/// Whether `raw` names a known distribution and gives exactly its
/// parameters: a key of another distribution is a mistake about which was
/// meant, not a value to ignore.
fn keys(raw: &RawDist, path: &str, problems: &mut Problems) -> Option<()> {
    let allowed: &[&str] = match raw.dist.as_str() {
        "constant" => &["value"],
        "exponential" => &["mean"],
        "lognormal" => &["median", "sigma"],
        "gamma" => &["mean", "cv"],
        "weibull" => &["scale", "shape"],
        other => {
            let names = ["constant", "exponential", "lognormal", "gamma", "weibull"];
            let hint = spelling::hint(other, &names, Spelled::Value);
            let found = super::echo::quoted(other);
            problems.push(format!("{path}.dist"), format!("found {found}, expected one of {DIST_NAMES}{hint}"));
            return None;
        }
    };
    let given = [
        ("mean", raw.mean.is_some()),
        ("median", raw.median.is_some()),
        ("value", raw.value.is_some()),
        ("scale", raw.scale.is_some()),
        ("sigma", raw.sigma.is_some()),
        ("cv", raw.cv.is_some()),
        ("shape", raw.shape.is_some()),
    ];
    let before = problems.0.len();
    for (field, present) in given {
        if present && !allowed.contains(&field) {
            let message = format!("\"{}\" takes {}, not `{field}`", raw.dist, allowed.join(" and "));
            problems.push(format!("{path}.{field}"), message);
        }
    }
    for field in allowed {
        if !given.iter().any(|(f, p)| f == field && *p) {
            problems.push(format!("{path}.{field}"), format!("\"{}\" needs `{field}`", raw.dist));
        }
    }
    (problems.0.len() == before).then_some(())
}

/// A distribution's parameters being read, their problems noted under `path`.
struct Params<'a> {
    path: &'a str,
    problems: &'a mut Problems,
}

impl Params<'_> {
    /// A duration parameter above zero, in seconds.
    fn duration(&mut self, field: &str, text: &Option<String>) -> Option<f64> {
        let d = parse_positive_duration(text.as_deref()?);
        d.map(|d| d.as_secs_f64()).map_err(|e| self.problems.push(format!("{}.{field}", self.path), e)).ok()
    }

    /// A number parameter above zero.
    fn positive(&mut self, field: &str, v: Option<f64>) -> Option<f64> {
        let v = v?;
        if v.is_finite() && v > 0.0 {
            Some(v)
        } else {
            self.problems.push(format!("{}.{field}", self.path), format!("found {v}, expected a number above zero"));
            None
        }
    }

    /// Parameters that pass the checks above and still make no
    /// distribution (a cv so small that 1/cv² overflows) are a problem too.
    fn unusable(&mut self, field: &str, v: f64, e: &dyn std::fmt::Display) {
        let message = format!("found {v}, which gives no usable distribution ({e})");
        self.problems.push(format!("{}.{field}", self.path), message);
    }
}

/// A count distribution as written: `{ dist = "discrete", values = [1, 2],
/// weights = [0.7, 0.3] }` or `{ dist = "constant", value = 2 }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCount {
    pub dist: String,
    pub values: Option<Vec<u64>>,
    pub weights: Option<Vec<f64>>,
    pub value: Option<u64>,
}

/// The count distribution names, for error messages.
pub const COUNT_NAMES: &str = "\"discrete\" (values, weights), \"constant\" (value)";

/// A checked distribution of small counts (devices per person): each value
/// with its probability. Written back as `discrete`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "dist", rename = "discrete")]
pub struct Discrete {
    pub values: Vec<u32>,
    /// Normalised to sum to 1.
    pub weights: Vec<f64>,
}

impl Discrete {
    /// The largest count a value may have: a person's devices are numbered
    /// in 4 bits of their number (`model::person`).
    pub const MAX_VALUE: u64 = 16;

    /// Always `n`.
    pub fn constant(n: u32) -> Discrete {
        Discrete { values: vec![n], weights: vec![1.0] }
    }

    /// The largest value it can take.
    pub fn max(&self) -> u32 {
        self.values.iter().copied().max().unwrap_or(1)
    }

    pub fn mean(&self) -> f64 {
        self.values.iter().zip(&self.weights).map(|(v, w)| f64::from(*v) * w).sum()
    }

    /// One draw: the first value whose cumulative weight passes a uniform.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        let mut u: f64 = rng.random();
        for (v, w) in self.values.iter().zip(&self.weights) {
            if u < *w {
                return *v;
            }
            u -= w;
        }
        // Rounding left a sliver past the last weight.
        *self.values.last().unwrap_or(&1)
    }

    /// Check a written count distribution; problems go to `problems` under `path`.
    pub fn from_raw(raw: &RawCount, path: &str, problems: &mut Problems) -> Option<Discrete> {
        let before = problems.0.len();
        let (values, weights) = match raw.dist.as_str() {
            "discrete" => {
                count_keys(raw, &["values", "weights"], path, problems);
                (raw.values.clone().unwrap_or_default(), raw.weights.clone().unwrap_or_default())
            }
            "constant" => {
                count_keys(raw, &["value"], path, problems);
                (raw.value.into_iter().collect(), vec![1.0])
            }
            other => {
                let hint = spelling::hint(other, &["discrete", "constant"], Spelled::Value);
                let found = super::echo::quoted(other);
                problems.push(format!("{path}.dist"), format!("found {found}, expected one of {COUNT_NAMES}{hint}"));
                return None;
            }
        };
        if problems.0.len() > before {
            return None;
        }
        let field = if raw.dist == "constant" { "value" } else { "values" };
        for (i, v) in values.iter().enumerate() {
            if !(1..=Self::MAX_VALUE).contains(v) {
                let at = if raw.dist == "constant" { format!("{path}.value") } else { format!("{path}.values[{i}]") };
                problems.push(at, format!("found {v}, expected a whole number from 1 to {}", Self::MAX_VALUE));
            }
        }
        for (i, w) in weights.iter().enumerate() {
            if !(w.is_finite() && *w > 0.0) {
                problems.push(format!("{path}.weights[{i}]"), format!("found {w}, expected a number above zero"));
            }
        }
        if values.is_empty() {
            problems.push(format!("{path}.{field}"), "found an empty list, expected at least one value");
        } else if values.len() != weights.len() {
            let message =
                format!("found {} weights for {} values, expected one weight per value", weights.len(), values.len());
            problems.push(format!("{path}.weights"), message);
        }
        if problems.0.len() > before {
            return None;
        }
        let total: f64 = weights.iter().sum();
        Some(Discrete {
            values: values.iter().map(|v| *v as u32).collect(),
            weights: weights.iter().map(|w| w / total).collect(),
        })
    }
}

/// Whether `raw` gives exactly the keys its distribution takes.
fn count_keys(raw: &RawCount, allowed: &[&str], path: &str, problems: &mut Problems) {
    let given = [("values", raw.values.is_some()), ("weights", raw.weights.is_some()), ("value", raw.value.is_some())];
    for (field, present) in given {
        if present && !allowed.contains(&field) {
            problems.push(
                format!("{path}.{field}"),
                format!("\"{}\" takes {}, not `{field}`", raw.dist, allowed.join(" and ")),
            );
        }
    }
    for field in allowed {
        if !given.iter().any(|(f, p)| f == field && *p) {
            problems.push(format!("{path}.{field}"), format!("\"{}\" needs `{field}`", raw.dist));
        }
    }
}

/// Written back in scenario form, so `summary.json` shows what was run.
impl Serialize for Dist {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let secs = |v: f64| SimTime::from_secs_f64(v).to_string();
        let mut m = s.serialize_map(None)?;
        match self {
            Dist::Constant { value } => {
                m.serialize_entry("dist", "constant")?;
                m.serialize_entry("value", &secs(*value))?;
            }
            Dist::Exponential { mean, .. } => {
                m.serialize_entry("dist", "exponential")?;
                m.serialize_entry("mean", &secs(*mean))?;
            }
            Dist::LogNormal { median, sigma, .. } => {
                m.serialize_entry("dist", "lognormal")?;
                m.serialize_entry("median", &secs(*median))?;
                m.serialize_entry("sigma", sigma)?;
            }
            Dist::Gamma { mean, cv, .. } => {
                m.serialize_entry("dist", "gamma")?;
                m.serialize_entry("mean", &secs(*mean))?;
                m.serialize_entry("cv", cv)?;
            }
            Dist::Weibull { scale, shape, .. } => {
                m.serialize_entry("dist", "weibull")?;
                m.serialize_entry("scale", &secs(*scale))?;
                m.serialize_entry("shape", shape)?;
            }
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng_for;

    fn raw(dist: &str) -> RawDist {
        RawDist {
            dist: dist.into(),
            mean: None,
            median: None,
            value: None,
            scale: None,
            sigma: None,
            cv: None,
            shape: None,
        }
    }

    /// Sample means land within 5 standard errors of the stated mean
    /// (for n = 200,000 draws and cv <= 1.5 that is within 1.7 %).
    #[test]
    fn sample_means_match_the_stated_means() {
        let mut problems = Problems::default();
        let mut cases = Vec::new();
        let mut r = raw("exponential");
        r.mean = Some("2m".into());
        cases.push((r, 1.0));
        let mut r = raw("lognormal");
        r.median = Some("1m".into());
        r.sigma = Some(0.8);
        cases.push((r, ((0.64f64).exp() - 1.0).sqrt()));
        let mut r = raw("gamma");
        r.mean = Some("3m".into());
        r.cv = Some(0.5);
        cases.push((r, 0.5));
        let mut r = raw("weibull");
        r.scale = Some("1m".into());
        r.shape = Some(1.5);
        cases.push((r, 0.68));
        let mut r = raw("constant");
        r.value = Some("30s".into());
        cases.push((r, 0.0));
        let mut rng = rng_for(7, 0);
        let n = 200_000;
        for (r, cv) in cases {
            let d = Dist::from_raw(&r, "x", &mut problems).expect("valid");
            let mean: f64 = (0..n).map(|_| d.sample(&mut rng).as_secs_f64()).sum::<f64>() / n as f64;
            let tol = 5.0 * cv * d.mean_secs() / (n as f64).sqrt() + 1e-6 * d.mean_secs();
            assert!((mean - d.mean_secs()).abs() <= tol, "{}: {mean} vs {}", r.dist, d.mean_secs());
        }
        assert!(problems.is_empty());
    }

    #[test]
    fn wrong_and_missing_parameters_are_named() {
        let mut problems = Problems::default();
        let mut r = raw("lognormal");
        r.mean = Some("1m".into());
        assert!(Dist::from_raw(&r, "clients.session", &mut problems).is_none());
        let text = problems.to_string();
        assert!(text.contains("clients.session.mean") && text.contains("not `mean`"), "{text}");
        assert!(text.contains("clients.session.median") && text.contains("needs `median`"), "{text}");
        let mut problems = Problems::default();
        assert!(Dist::from_raw(&raw("poisson"), "p", &mut problems).is_none());
        assert!(problems.to_string().contains("expected one of"));
    }

    #[test]
    fn bad_parameter_values_are_one_problem_each() {
        let one = |r: RawDist| {
            let mut problems = Problems::default();
            assert!(Dist::from_raw(&r, "s", &mut problems).is_none());
            match problems.0.as_slice() {
                [p] => (p.path.clone(), p.message.clone()),
                other => panic!("expected one problem, found {other:?}"),
            }
        };
        let mut r = raw("constant");
        r.value = Some("0s".into());
        assert_eq!(one(r), ("s.value".into(), "found \"0s\", expected a duration above zero".into()));
        let mut r = raw("weibull");
        (r.scale, r.shape) = (Some("1m".into()), Some(-1.0));
        assert_eq!(one(r), ("s.shape".into(), "found -1, expected a number above zero".into()));
        let mut r = raw("gamma");
        (r.mean, r.cv) = (Some("1m".into()), Some(1e-300));
        let (path, message) = one(r);
        assert_eq!(path, "s.cv");
        assert!(message.starts_with("found 0.000"), "{message}");
        assert!(message.contains("which gives no usable distribution"), "{message}");
    }

    fn count(text: &str) -> Result<Discrete, Vec<(String, String)>> {
        let raw: RawCount = toml::from_str(text).expect("a table");
        let mut problems = Problems::default();
        Discrete::from_raw(&raw, "clients.devices", &mut problems)
            .ok_or_else(|| problems.0.into_iter().map(|p| (p.path, p.message)).collect())
    }

    #[test]
    fn counts_are_whole_numbers_with_positive_weights_one_each() {
        let d = count("dist = \"discrete\"\nvalues = [1, 2, 3]\nweights = [6, 3, 1]").expect("valid");
        assert_eq!(d.values, [1, 2, 3]);
        assert!((d.mean() - 1.5).abs() < 1e-12, "weights are normalised: {d:?}");
        assert_eq!(count("dist = \"constant\"\nvalue = 3").expect("valid"), Discrete::constant(3));
        let one = |text: &str| match count(text) {
            Err(p) if p.len() == 1 => p[0].clone(),
            other => panic!("{text}: expected one problem, found {other:?}"),
        };
        let p = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            one("dist = \"discrete\"\nvalues = [1, 0]\nweights = [1, 1]"),
            p("clients.devices.values[1]", "found 0, expected a whole number from 1 to 16")
        );
        assert_eq!(
            one("dist = \"discrete\"\nvalues = [1, 2]\nweights = [1, -1]"),
            p("clients.devices.weights[1]", "found -1, expected a number above zero")
        );
        assert_eq!(
            one("dist = \"discrete\"\nvalues = [1, 2]\nweights = [1]"),
            p("clients.devices.weights", "found 1 weights for 2 values, expected one weight per value")
        );
        assert_eq!(
            one("dist = \"discrete\"\nvalues = []\nweights = []"),
            p("clients.devices.values", "found an empty list, expected at least one value")
        );
        assert_eq!(
            one("dist = \"discrete\"\nvalues = [1]"),
            p("clients.devices.weights", "\"discrete\" needs `weights`")
        );
        assert_eq!(
            one("dist = \"constant\"\nvalue = 17"),
            p("clients.devices.value", "found 17, expected a whole number from 1 to 16")
        );
        assert!(one("dist = \"poisson\"\nvalue = 1").1.starts_with("found \"poisson\", expected one of \"discrete\""));
    }

    #[test]
    fn counts_are_drawn_with_their_weights() {
        let d = count("dist = \"discrete\"\nvalues = [1, 2, 3]\nweights = [0.6, 0.3, 0.1]").expect("valid");
        let mut rng = rng_for(9, 0);
        let n = 100_000;
        let mean = (0..n).map(|_| f64::from(d.sample(&mut rng))).sum::<f64>() / n as f64;
        // Variance 0.45: five standard errors are 0.011.
        assert!((mean - 1.5).abs() < 0.011, "{mean}");
    }

    /// A Weibull's mean is scale x Γ(1 + 1/shape): shape 1 is the exponential.
    #[test]
    fn weibull_mean_uses_the_gamma_function() {
        let weibull = |scale, shape| Dist::Weibull { scale, shape, d: Weibull::new(scale, shape).expect("valid") };
        let d = weibull(60.0, 1.0);
        assert!((d.mean_secs() - 60.0).abs() < 1e-9, "{}", d.mean_secs());
        let d = weibull(60.0, 2.0);
        assert!((d.mean_secs() - 30.0 * std::f64::consts::PI.sqrt()).abs() < 1e-9, "{}", d.mean_secs());
    }
}
