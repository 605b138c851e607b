//! Formulas of queueing theory the engine is checked against. Each names
//! its source; none of them shares code with the simulator.

/// Erlang B blocking probability for `c` servers and offered load `a`
/// erlangs, by the stable recursion B(0) = 1, B(k) = a·B(k-1) / (k + a·B(k-1))
/// (Kleinrock, *Queueing Systems* Vol. 1, 1975, eq. 3.46; the recursion is
/// the standard way to evaluate it without factorials).
pub fn erlang_b(c: u32, a: f64) -> f64 {
    (1..=c).fold(1.0, |b, k| a * b / (k as f64 + a * b))
}

/// Erlang C: probability that an arrival waits in M/M/c with load a < c,
/// C = c·B / (c - a·(1 - B)) (Kleinrock Vol. 1, eq. 3.40, written with B).
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let b = erlang_b(c, a);
    c as f64 * b / (c as f64 - a * (1.0 - b))
}

/// Mean wait in queue of M/M/c: W = C / (c·mu - lambda) (Kleinrock eq. 3.43).
pub fn erlang_c_mean_wait(c: u32, lambda: f64, mu: f64) -> f64 {
    erlang_c(c, lambda / mu) / (c as f64 * mu - lambda)
}

/// Stationary distribution of a birth-death chain on 0..=n_max with birth
/// rate `lambda` (while n < n_max) and death rate `death(n)`.
fn birth_death(lambda: f64, n_max: usize, death: impl Fn(usize) -> f64) -> Vec<f64> {
    let mut p = vec![1.0; n_max + 1];
    for n in 1..=n_max {
        p[n] = p[n - 1] * lambda / death(n);
    }
    let total: f64 = p.iter().sum();
    p.iter().map(|x| x / total).collect()
}

/// M/M/c/K: probability that an arrival finds the system full (K in it)
/// (Gross & Harris, *Fundamentals of Queueing Theory*, 3rd ed., §2.5;
/// by PASTA the time-stationary p_K is the arrivals' blocking probability).
pub fn mmck_blocking(c: usize, k: usize, lambda: f64, mu: f64) -> f64 {
    birth_death(lambda, k, |n| n.min(c) as f64 * mu)[k]
}

/// Erlang-A (M/M/c+M): abandonment probability and mean queue length, from
/// the birth-death chain with death rate min(n,c)·mu + max(n-c,0)·theta
/// (Garnett, Mandelbaum & Reiman, "Designing a call center with impatient
/// customers", MSOM 4(3), 2002). P(abandon) = theta·E[Lq] / lambda.
/// The chain is cut where the tail is below 1e-300.
pub fn erlang_a(c: usize, lambda: f64, mu: f64, theta: f64) -> (f64, f64) {
    let n_max = c + 20 * (lambda / theta).ceil() as usize + 1000;
    let p = birth_death(lambda, n_max, |n| n.min(c) as f64 * mu + n.saturating_sub(c) as f64 * theta);
    let lq: f64 = p.iter().enumerate().map(|(n, pn)| n.saturating_sub(c) as f64 * pn).sum();
    (theta * lq / lambda, lq)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_values() {
        // Erlang B tables: B(10, 5) = 0.01838, B(20, 18) = 0.1092.
        assert!((erlang_b(10, 5.0) - 0.018_38).abs() < 5e-5);
        assert!((erlang_b(20, 18.0) - 0.1092).abs() < 5e-4);
        assert!((erlang_b(1, 1.0) - 0.5).abs() < 1e-12);
        // M/M/1: P(wait) = rho; W = rho / (mu - lambda).
        assert!((erlang_c(1, 0.6) - 0.6).abs() < 1e-12);
        assert!((erlang_c_mean_wait(1, 0.6, 1.0) - 1.5).abs() < 1e-12);
        // M/M/1/1 = Erlang B with one server.
        assert!((mmck_blocking(1, 1, 1.0, 1.0) - 0.5).abs() < 1e-12);
        // Erlang-A with theta = mu is M/M/infinity: nobody queues long,
        // and M/M/c+M with c -> large has no abandonment.
        let (pa, _) = erlang_a(200, 10.0, 1.0, 0.5);
        assert!(pa < 1e-12);
        // theta = mu: the number in system is Poisson(a), so E[Lq] is the
        // Poisson tail sum of (n - c).
        let (pa, lq) = erlang_a(2, 3.0, 1.0, 1.0);
        let poisson = |n: i32| (-3.0f64).exp() * 3f64.powi(n) / (1..=n).map(f64::from).product::<f64>();
        let lq_exact: f64 = (3..200).map(|n| (n - 2) as f64 * poisson(n)).sum();
        assert!((lq - lq_exact).abs() < 1e-9);
        assert!((pa - lq_exact / 3.0).abs() < 1e-9);
    }
}
