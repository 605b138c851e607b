//! Why an attempt ended at the system's hands without a booking: the drop
//! causes and the refusals by design, each declared once in a table that
//! gives its variant, its name (the columns follow from it), whether it is
//! a refusal and where in the site it happens. Everything else is derived
//! from the tables: `ALL`, `FAILURES`, the names and columns, and the
//! figures of every report (`Headline::Drop`, `BinFigure::Drop`, ...), so a
//! new cause is one row here and the model's call that records it.

use crate::scenario::Placement;

/// Where in the site a drop happens, which decides whether it came before
/// admission to the backend (`DropCause::before_admission`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// The front tier or the waiting room: always before admission.
    Front,
    /// Wherever the identity check sits: before the queue, or at booking
    /// (the device lock without a check: at admission).
    Identity,
    /// The booking backend: after admission.
    Backend,
}

/// Declares `DropCause` from its table: one row per cause, `Variant =
/// "name", refusal, stage;` in column order.
macro_rules! drop_causes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $refusal:expr, $stage:ident; )*) => {
        /// Why an attempt ended at the system's hands without a booking, as the
        /// model records it. Each cause is counted on its own. Most are failures
        /// of the system (`dropped`, `drop_rate`); some are refusals by design,
        /// the site doing what it was built to do (`DropCause::refusal`): the
        /// device lock and a sold-out cohort. The reports keep the two apart, so
        /// that a night whose lock turns away millions of second devices is not
        /// read as a night that failed millions of people.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum DropCause {
            $( $(#[$doc])* $variant, )*
        }

        impl DropCause {
            /// Every cause, in column order.
            pub const ALL: [DropCause; Self::COUNT] = [$(DropCause::$variant),*];
            pub const COUNT: usize = [$($name),*].len();

            /// The name used in CSV columns (`drop_<name>`) and in `summary.json`.
            pub const fn name(self) -> &'static str {
                match self { $(DropCause::$variant => $name,)* }
            }

            /// The column of this cause in the tables: `drop_<name>`.
            pub const fn column(self) -> &'static str {
                match self { $(DropCause::$variant => concat!("drop_", $name),)* }
            }

            /// The refusal by design this cause is, if it is one rather than a
            /// failure. A sold-out cohort's people are told so and leave: the
            /// inventory did its job. `no_slots` stays a failure: the site let
            /// the person into a booking session it could not complete.
            pub const fn refusal(self) -> Option<RefusalCause> {
                match self { $(DropCause::$variant => $refusal,)* }
            }

            const fn stage(self) -> Stage {
                match self { $(DropCause::$variant => Stage::$stage,)* }
            }
        }
    };
}

drop_causes! {
    /// The page did not load within the client's timeout (front tier overloaded or down).
    FrontTimeout = "front_timeout", None, Front;
    /// The waiting room was full.
    QueueFull = "queue_full", None, Front;
    /// The connection was lost while waiting.
    QueueLost = "queue_lost", None, Front;
    /// Admitted, but the turn was not taken up in time.
    TurnExpired = "turn_expired", None, Front;
    /// An error at the front of the line sent the person to the back.
    BounceBack = "bounce_back", None, Front;
    /// Every backend session was taken (no waiting room, a bypass, or fail-open).
    BackendFull = "backend_full", None, Backend;
    /// The booking session ended in an error.
    BackendError = "backend_error", None, Backend;
    /// The backend was down.
    BackendOutage = "backend_outage", None, Backend;
    /// The slot inventory ran out.
    NoSlots = "no_slots", None, Backend;
    /// The person's cohort was sold out: told so in the line or at the
    /// front page, and gone for good (no retry).
    SoldOut = "sold_out", Some(RefusalCause::SoldOut), Front;
    /// The identity check did not finish within the client's timeout.
    IdentityTimeout = "identity_timeout", None, Identity;
    /// Another of the person's devices is in: this one is refused for a while.
    DeviceLocked = "device_locked", Some(RefusalCause::DeviceLocked), Identity;
}

impl DropCause {
    /// How many of the causes are failures of the system.
    const N_FAILURES: usize = {
        let (mut n, mut i) = (0, 0);
        while i < Self::COUNT {
            if Self::ALL[i].refusal().is_none() {
                n += 1;
            }
            i += 1;
        }
        n
    };

    /// The causes that are failures of the system, in `ALL` order: what
    /// `dropped`, `drop_<cause>` and `drop_rate` count.
    pub const FAILURES: [DropCause; Self::N_FAILURES] = {
        let mut out = [Self::ALL[0]; Self::N_FAILURES];
        let (mut n, mut i) = (0, 0);
        while i < Self::COUNT {
            if Self::ALL[i].refusal().is_none() {
                out[n] = Self::ALL[i];
                n += 1;
            }
            i += 1;
        }
        out
    };

    /// Whether the attempt failed before it was admitted to the backend
    /// (front tier and waiting room) rather than in the backend. The
    /// identity check and the device lock sit where the identity check is:
    /// before the queue, or at booking (the lock without a check: at
    /// admission).
    pub fn before_admission(self, identity: Option<Placement>) -> bool {
        match self.stage() {
            Stage::Front => true,
            Stage::Identity => identity == Some(Placement::BeforeQueue),
            Stage::Backend => false,
        }
    }
}

/// Declares `RefusalCause` from its table: one row per cause, `Variant =
/// "name";` in column order.
macro_rules! refusal_causes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal; )*) => {
        /// Why an attempt was refused by design: not a failure of the system, but
        /// what it is built to do. Reported apart from the drops (`refused`,
        /// `refusal_rate`, `refused_<cause>`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum RefusalCause {
            $( $(#[$doc])* $variant, )*
        }

        impl RefusalCause {
            /// Every cause, in column order.
            pub const ALL: [RefusalCause; Self::COUNT] = [$(RefusalCause::$variant),*];
            pub const COUNT: usize = [$($name),*].len();

            /// The name used in `summary.json` (`refusals_by_cause`) and, after
            /// `refused_`, in the tables' columns.
            pub const fn name(self) -> &'static str {
                match self { $(RefusalCause::$variant => $name,)* }
            }

            /// The column of this cause in the tables: `refused_<name>`.
            pub const fn column(self) -> &'static str {
                match self { $(RefusalCause::$variant => concat!("refused_", $name),)* }
            }
        }
    };
}

refusal_causes! {
    /// Turned away at the eligibility check by design: an ineligible
    /// visitor, or an eligible person outside their cohort's windows. The
    /// clock bug's refusals are not by design and not counted here (they
    /// stay in `ineligible` and `clock_bug`).
    Ineligible = "ineligible";
    /// The person's cohort was sold out (`DropCause::SoldOut`).
    SoldOut = "sold_out";
    /// Another of the person's devices was in (`DropCause::DeviceLocked`).
    DeviceLocked = "device_locked";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_the_causes_that_are_no_refusal_in_order() {
        let failures: Vec<DropCause> = DropCause::ALL.into_iter().filter(|c| c.refusal().is_none()).collect();
        assert_eq!(DropCause::FAILURES.to_vec(), failures);
        assert_eq!(DropCause::column(DropCause::NoSlots), "drop_no_slots");
        assert_eq!(RefusalCause::column(RefusalCause::SoldOut), "refused_sold_out");
    }
}
