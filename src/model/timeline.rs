//! Things that happen at set times: capacity changes, outages, the room's
//! opening and catch-up rounds, read from the scenario once and handed to
//! the event list as `Event::Timeline` entries at the start of the run.

use super::{Event, Model};
use crate::engine::{FutureEvents, SimTime};
use crate::scenario::{Scenario, Tier};

/// Things that happen at set times.
#[derive(Clone, Copy, Debug)]
pub(super) enum Change {
    FrontCapacity(u64),
    BackendCapacity(u64),
    /// The throughput cap changes (bookings an hour).
    BookingsPerHour(f64),
    /// The room pauses for good (`waiting_room.pause_at`).
    Pause,
    IdentityCapacity(u64),
    Down(Tier, bool),
    RoomOpens,
    /// Catch-up round `round` of cohort `cohort` opens.
    CatchUp {
        cohort: u16,
        round: u16,
    },
}

/// Every scheduled change, in time order (stable: same-time entries keep
/// the order written here, and the event queue keeps it too).
pub(super) fn timeline(s: &Scenario) -> Vec<(SimTime, Change)> {
    let mut t = Vec::new();
    if let Some(f) = &s.front {
        t.extend(f.schedule.iter().map(|c| (c.at, Change::FrontCapacity(c.value))));
    }
    t.extend(s.backend.schedule.iter().map(|c| (c.at, Change::BackendCapacity(c.value))));
    t.extend(s.backend.bookings_schedule.iter().map(|c| (c.at, Change::BookingsPerHour(c.per_hour))));
    if let Some(i) = &s.identity {
        t.extend(i.schedule.iter().map(|c| (c.at, Change::IdentityCapacity(c.value))));
    }
    for o in &s.faults.outages {
        t.push((o.from, Change::Down(o.tier, true)));
        t.push((o.to, Change::Down(o.tier, false)));
    }
    if let Some(r) = &s.waiting_room {
        if r.opens > SimTime::ZERO {
            t.push((r.opens, Change::RoomOpens));
        }
        t.extend(r.pause_at.map(|at| (at, Change::Pause)));
    }
    for (i, c) in s.cohorts.iter().enumerate() {
        for (j, r) in c.catch_up.iter().enumerate() {
            // Validation numbers cohorts in 16 bits; rounds are a handful.
            t.push((r.opens, Change::CatchUp { cohort: i as u16, round: j as u16 }));
        }
    }
    t.sort_by_key(|(at, _)| *at);
    t
}

impl<Q: FutureEvents<Event>> Model<'_, Q> {
    pub(super) fn apply(&mut self, change: Change) {
        match change {
            Change::FrontCapacity(c) => {
                if let Some(f) = &mut self.front {
                    f.capacity = c;
                }
                self.front_serve();
            }
            Change::BackendCapacity(c) => {
                self.max_sessions = c;
                self.try_admit();
            }
            Change::IdentityCapacity(c) => {
                if let Some(i) = &mut self.identity {
                    i.capacity = c;
                }
                self.identity_serve();
            }
            Change::Down(Tier::Identity, down) => {
                if let Some(i) = &mut self.identity {
                    i.down = down;
                }
                self.identity_serve();
                // Back up: a line held for a check at booking goes on.
                self.try_admit();
            }
            Change::Down(Tier::Front, down) => {
                if let Some(f) = &mut self.front {
                    f.down = down;
                }
                self.front_serve();
            }
            Change::Down(Tier::Backend, down) => self.backend_outage(down),
            Change::BookingsPerHour(r) => self.set_cap(r),
            Change::Pause => self.pause(),
            Change::CatchUp { cohort, round } => self.catch_up(usize::from(cohort), usize::from(round)),
            Change::RoomOpens => {
                self.gate.open();
                if self.s.waiting_room.as_ref().is_some_and(|r| r.order == crate::scenario::Order::PrequeueShuffle) {
                    self.line.shuffle(&mut self.streams.room_order);
                }
                self.try_admit();
            }
        }
    }
}
