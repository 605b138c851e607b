//! The headline figures of a run: one row each in the table below (name,
//! kind, label for people, which end is better), in `summary.json` order,
//! and `headline`, which computes them from a run.

use super::fairness::{chance_spread, jain_index};
use super::ratio;
use crate::scenario::Scenario;
use crate::stats::columns::{figure_set, Figures, Value};
use crate::stats::{DropCause, RefusalCause, Results, QUANTILES};

figure_set! {
    /// The headline figures of a run, in `summary.json` order.
    pub enum Headline (banded by default: true) {
        /// People who came at least once (first attempts).
        People => "people", Count, label "People (came at least once)";
        Attempts => "attempts", Count, label "Attempts";
        /// Attempts that passed the waiting room (all of them without one).
        Admitted => "admitted", Count, label "Admitted to the booking backend (attempts)";
        Booked => "booked", Count, label "Booked", better Highest;
        /// Booked people of eligible cohorts / eligible people.
        BookedShare => "booked_share", Share, label "Booked share of eligible people", better Highest;
        /// Attempts given up in the queue (patience ran out).
        Abandoned => "abandoned", Count, label "Abandoned in the queue (attempts)", better Lowest;
        /// Of those, attempts given up once the shown wait had passed
        /// (`clients.overdue_hazard`).
        AbandonedOverdue => "abandoned_overdue", Count, label "Abandoned once the shown wait had passed (attempts)", better Lowest;
        /// Attempts that left the room at once on joining: the shown wait was
        /// longer than the person would accept.
        Balked => "balked", Count, label "Balked at the shown wait (attempts)", better Lowest;
        /// Attempts the system failed, all causes (failures only: refusals by
        /// design are `Refused`).
        Dropped => "dropped", Count, label "Dropped attempts (the system failed them)", better Lowest;
        /// Attempts the system failed for one cause (`summary.json` nests these
        /// under `drops_by_cause`); only the failure causes
        /// (`DropCause::FAILURES`).
        Drop(DropCause: c in DropCause::FAILURES) => c.column(), Count, label format!("Dropped: {}", c.name().replace('_', " ")), better Lowest;
        /// Attempts refused by design: the device lock, a sold-out cohort, an
        /// ineligible visitor (or a person outside their windows) turned away.
        Refused => "refused", Count, label "Refused by design (attempts: device lock, sold out, ineligible)";
        /// Attempts refused by design for one cause (`summary.json` nests these
        /// under `refusals_by_cause`).
        Refusal(RefusalCause: c in RefusalCause::ALL) => c.column(), Count, label format!("Refused: {}", c.name().replace('_', " "));
        /// Attempts turned away at the eligibility check (the clock bug's
        /// included).
        Ineligible => "ineligible", Count, label "Turned away as ineligible (attempts)";
        /// People who left for good without a booking.
        GaveUp => "gave_up", Count, label "Gave up for good without booking (people)", better Lowest;
        /// Of whom people of eligible cohorts: ineligible visitors leave by
        /// design, eligible ones are the people the night failed.
        GaveUpEligible => "gave_up_eligible", Count, label "Eligible people who gave up for good", better Lowest;
        /// People who came back in a catch-up round (the crowd the rounds
        /// before left: an outcome, not an input).
        CatchUpArrivals => "catch_up_arrivals", Count, label "Came back in a catch-up round (people)";
        /// People of ineligible cohorts (visitors who cannot book), reported
        /// on their own so that they do not blur the eligible figures.
        Visitors => "visitors", Count, label "Ineligible visitors (people)";
        /// Their attempts.
        VisitorAttempts => "visitor_attempts", Count, label "Attempts of ineligible visitors";
        InSystemAtEnd => "in_system_at_end", Count, label "Still in the system at the end", better Lowest;
        /// Dropped attempts (failures) / attempts.
        DropRate => "drop_rate", Share, label "Drop rate (dropped / attempts)", better Lowest;
        /// Refused attempts (by design) / attempts.
        RefusalRate => "refusal_rate", Share, label "Refusal rate (refused by design / attempts)";
        /// Abandoned attempts / attempts.
        AbandonRate => "abandon_rate", Share, label "Abandon rate (gave up in the queue / attempts)", better Lowest;
        /// The same for the attempts of eligible cohorts only.
        AbandonRateEligible => "abandon_rate_eligible", Share, label "Abandon rate of eligible people's attempts", better Lowest;
        /// Share of admitted attempts that waited at all.
        PWait => "p_wait", Share, label "Share of admitted attempts that waited", better Lowest;
        WaitMean => "wait_mean_s", Seconds, label "Wait, mean", better Lowest;
        WaitP50 => "wait_p50_s", Seconds, label "Wait p50", better Lowest;
        WaitP90 => "wait_p90_s", Seconds, label "Wait p90", better Lowest;
        WaitP99 => "wait_p99_s", Seconds, label "Wait p99", better Lowest;
        /// Waits counted from the room's opening for attempts that joined
        /// before it (in full for the others): the wait the site is answerable for.
        WaitFromOpeningP50 => "wait_from_opening_p50_s", Seconds, label "Wait p50, counted from the opening for early comers", better Lowest;
        WaitFromOpeningP90 => "wait_from_opening_p90_s", Seconds, label "Wait p90, counted from the opening for early comers", better Lowest;
        WaitFromOpeningP99 => "wait_from_opening_p99_s", Seconds, label "Wait p99, counted from the opening for early comers", better Lowest;
        TimeToBookP50 => "time_to_book_p50_s", Seconds, label "Time to book p50 (first attempt to booking)", better Lowest;
        TimeToBookP90 => "time_to_book_p90_s", Seconds, label "Time to book p90", better Lowest;
        /// Of the ordered pairs of people admitted (one came strictly before
        /// the other), the share in which the later comer was admitted first
        /// (a normalised Kendall distance; see `stats::overtaking`).
        OvertakingRate => "overtaking_rate", Share, label "Overtaking: pairs of admitted people where the later comer went first", better Lowest;
        /// The same over the pairs who waited together (the later came no
        /// later than the earlier's admission): nights that never meet do
        /// not dilute it. About one half in a random order.
        OvertakingRateTogether => "overtaking_rate_together", Share, label "Overtaking among people who waited together", better Lowest;
        /// The highest booked share over the lowest across the arrival bins
        /// of eligible cohorts holding `arrival_bin_min_people` or more;
        /// undefined if the lowest booked nobody or fewer than two bins count.
        BookingChanceRatio => "booking_chance_ratio", Ratio, label "Booking chance ratio (best over worst booked share by arrival bin)", better Lowest;
        /// The highest booked share less the lowest across the same bins:
        /// defined where the ratio is not because a bin booked nobody.
        BookingChanceGap => "booking_chance_gap", Share, label "Booking chance gap (best less worst booked share by arrival bin)", better Lowest;
        /// Jain's index of the eligible cohorts' booked shares: 1 when even,
        /// 1/n when one cohort gets every booking; undefined with fewer than
        /// two eligible cohorts (nothing to be even with).
        JainIndex => "jain_index", Ratio, label "Jain's index of the cohorts' booked shares (1: even)", better Highest;
        /// From the room's opening to the first time its queue was empty after
        /// its longest; 0 if no queue formed, undefined if it never cleared.
        QueueClearedAfter => "queue_cleared_after_s", Seconds, label "Queue cleared after the opening (after its longest)", better Lowest;
        /// When the last inventory ran out: every eligible cohort sold out (a
        /// clock time; undefined if never).
        SoldOutAt => "sold_out_at", Clock, label "Sold out at (every eligible cohort's inventory gone)";
        /// Time average of the people queued over the run.
        QueueLenMean => "queue_len_mean", Level, label "People queued, time average", better Lowest;
        /// Time average of the active booking sessions over the run.
        ActiveSessionsMean => "active_sessions_mean", Level, label "Active booking sessions, time average";
        /// Events the model handled: every attempt, and every event taken from
        /// the future-event list (see `Results::events`).
        Events => "events", Count, label "Events handled";
        /// Identity checks asked for (0 without an identity check).
        IdentityChecks => "identity_checks", Count, label "Identity checks";
        /// Identity checks per booking: the load the check takes per person served.
        IdentityChecksPerBooking => "identity_checks_per_booking", Level, label "Identity checks per booking";
        /// Devices that came: people, and their devices beyond the first.
        Devices => "devices", Count, label "Devices that came (people and their extra devices)";
        /// Devices that reached the front after their person had booked, and left.
        DevicesLeft => "devices_left", Count, label "Devices that left at the front, their person booked";
        /// The admission rate in force [a minute]: time average over the run,
        /// and its lowest (undefined without a rate).
        AdmitRateMean => "admit_rate_mean", Level, label "Admission rate in force, time average (a minute)";
        AdmitRateMin => "admit_rate_min", Level, label "Admission rate in force, lowest (a minute)";
        /// Share of the controller's measurement windows whose signal was
        /// above its target (undefined without a controller).
        ControllerAboveTargetShare => "controller_above_target_share", Share, label "Controller: share of time the signal was above target", better Lowest;
    }
}

/// The headline figures of a run.
pub fn headline(s: &Scenario, r: &Results) -> Figures<Headline, Value> {
    let t = r.totals();
    let eligible: u64 = s.cohorts.iter().filter(|c| c.eligible).map(|c| c.people).sum();
    let of_eligible = |count: fn(&crate::stats::Counts) -> u64| -> u64 {
        s.cohorts.iter().zip(&r.cohorts).filter(|(c, _)| c.eligible).map(|(_, cr)| count(&cr.counts)).sum()
    };
    let booked_eligible = of_eligible(|c| c.booked);
    let of_visitors = |count: fn(&crate::stats::Counts) -> u64| -> u64 {
        s.cohorts.iter().zip(&r.cohorts).filter(|(c, _)| !c.eligible).map(|(_, cr)| count(&cr.counts)).sum()
    };
    let [p50, p90, p99] = QUANTILES.map(|q| r.wait.quantile_secs(q));
    let from_opening = r.wait_from_opening();
    let [o50, o90, o99] = QUANTILES.map(|q| from_opening.quantile_secs(q));
    let room_opens = s.waiting_room.as_ref().map(|w| w.opens);
    let chance = chance_spread(s, &r.by_arrival);
    let cohort_shares: Vec<f64> = (s.cohorts.iter().zip(&r.cohorts))
        .filter(|(c, _)| c.eligible && c.people > 0)
        .map(|(c, cr)| cr.counts.booked as f64 / c.people as f64)
        .collect();
    let n = |x: u64| Some(x as f64);
    Figures::from_fn(|k| match k {
        Headline::People => n(t.arrivals),
        Headline::Attempts => n(t.attempts()),
        Headline::Admitted => n(t.admitted),
        Headline::Booked => n(t.booked),
        Headline::BookedShare => ratio(booked_eligible, eligible),
        Headline::Abandoned => n(t.abandoned),
        Headline::AbandonedOverdue => n(t.abandoned_overdue),
        Headline::Balked => n(t.balked),
        Headline::Dropped => n(t.dropped_total()),
        Headline::Drop(c) => n(t.dropped[c as usize]),
        Headline::Refused => n(t.refused_total()),
        Headline::Refusal(c) => n(t.refused(c)),
        Headline::Ineligible => n(t.turned_away),
        Headline::GaveUp => n(t.gave_up),
        Headline::GaveUpEligible => n(of_eligible(|c| c.gave_up)),
        Headline::CatchUpArrivals => n(t.returned),
        Headline::Visitors => n(of_visitors(|c| c.arrivals)),
        Headline::VisitorAttempts => n(of_visitors(|c| c.attempts())),
        Headline::InSystemAtEnd => n(t.arrivals - t.booked - t.gave_up),
        Headline::DropRate => ratio(t.dropped_total(), t.attempts()),
        Headline::RefusalRate => ratio(t.refused_total(), t.attempts()),
        Headline::AbandonRate => ratio(t.abandoned, t.attempts()),
        Headline::AbandonRateEligible => ratio(of_eligible(|c| c.abandoned), of_eligible(|c| c.attempts())),
        Headline::PWait => r.wait.share_positive(),
        Headline::WaitMean => r.wait.mean_secs(),
        Headline::WaitP50 => p50,
        Headline::WaitP90 => p90,
        Headline::WaitP99 => p99,
        Headline::WaitFromOpeningP50 => o50,
        Headline::WaitFromOpeningP90 => o90,
        Headline::WaitFromOpeningP99 => o99,
        Headline::TimeToBookP50 => r.time_to_book.quantile_secs(0.5),
        Headline::TimeToBookP90 => r.time_to_book.quantile_secs(0.9),
        Headline::OvertakingRate => r.overtaking.rate(),
        Headline::OvertakingRateTogether => r.overtaking.rate_together(),
        Headline::BookingChanceRatio => chance.as_ref().and_then(|c| c.ratio()),
        Headline::BookingChanceGap => chance.as_ref().map(|c| c.highest.share - c.lowest.share),
        Headline::JainIndex => {
            if cohort_shares.len() >= 2 {
                jain_index(&cohort_shares)
            } else {
                None
            }
        }
        Headline::QueueClearedAfter => {
            room_opens.zip(r.queue_cleared_at).map(|(o, at)| at.saturating_sub(o).as_secs_f64())
        }
        Headline::SoldOutAt => r.sold_out_at.map(|t| t.as_secs_f64()),
        Headline::QueueLenMean => Some(r.queue_len_mean),
        Headline::ActiveSessionsMean => Some(r.active_mean),
        Headline::Events => n(r.events),
        Headline::IdentityChecks => n(t.identity_checks),
        Headline::IdentityChecksPerBooking => ratio(t.identity_checks, t.booked),
        Headline::Devices => n(t.arrivals + t.device_arrivals),
        Headline::DevicesLeft => n(t.devices_left),
        Headline::AdmitRateMean => r.admit_rate_mean,
        Headline::AdmitRateMin => r.admit_rate_min,
        Headline::ControllerAboveTargetShare => r.controller_above_target_share,
    })
}
