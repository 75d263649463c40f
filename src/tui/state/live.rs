//! The lifecycle of fetched data: request ids, `Loadable<T>` (idle, loading,
//! loaded, failed with the stale value kept) and `Live<T>` (a value that
//! refreshes: the request in flight, the error streak and the backoff).

use std::time::{Duration, Instant};

/// The longest wait between refreshes after repeated errors.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// What one list view's refresh may spend on average, in requests per
/// second: a list whose read costs more (a bus's rules, each with its
/// targets) refreshes less often than the configured interval.
pub const LIST_RATE: f64 = 5.0;

/// How often a list whose read costs `requests` requests refreshes: the
/// configured interval, stretched so it spends at most [`LIST_RATE`].
pub fn list_every(every: Duration, requests: usize) -> Duration {
    every.max(Duration::from_secs_f64(requests as f64 / LIST_RATE))
}

/// Identifies one request; an answer for a request that is no longer the
/// one awaited is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReqId(pub u64);

/// The lifecycle of something fetched.
#[derive(Debug, Clone)]
pub enum Loadable<T> {
    Idle,
    Loading {
        req: ReqId,
    },
    Loaded {
        data: T,
        at: Instant,
    },
    /// The last fetch failed; `stale` is what was shown before, kept on screen.
    Failed {
        error: String,
        stale: Option<(T, Instant)>,
    },
}

impl<T> Loadable<T> {
    /// The data to show: fresh or stale.
    pub fn data(&self) -> Option<&T> {
        match self {
            Loadable::Loaded { data, .. } => Some(data),
            Loadable::Failed {
                stale: Some((d, _)),
                ..
            } => Some(d),
            _ => None,
        }
    }

    /// The data to show, to change in place (a deleted message leaves the list).
    pub fn data_mut(&mut self) -> Option<&mut T> {
        match self {
            Loadable::Loaded { data, .. } => Some(data),
            Loadable::Failed {
                stale: Some((d, _)),
                ..
            } => Some(d),
            _ => None,
        }
    }

    /// When the shown data was fetched.
    pub fn at(&self) -> Option<Instant> {
        match self {
            Loadable::Loaded { at, .. } => Some(*at),
            Loadable::Failed {
                stale: Some((_, at)),
                ..
            } => Some(*at),
            _ => None,
        }
    }

    pub fn error(&self) -> Option<&str> {
        match self {
            Loadable::Failed { error, .. } => Some(error),
            _ => None,
        }
    }

    pub fn is_loaded(&self) -> bool {
        matches!(self, Loadable::Loaded { .. })
    }
}

/// Something fetched and refreshed: the value plus the request in flight
/// (a refresh is skipped while one is) and the error streak (backoff).
#[derive(Debug, Clone)]
pub struct Live<T> {
    pub value: Loadable<T>,
    pub pending: Option<ReqId>,
    pub failures: u32,
    pub next_refresh: Option<Instant>,
}

impl<T> Default for Live<T> {
    fn default() -> Self {
        Live {
            value: Loadable::Idle,
            pending: None,
            failures: 0,
            next_refresh: None,
        }
    }
}

impl<T> Live<T> {
    /// Starts a fetch unless one is in flight.
    pub(crate) fn begin(&mut self, req: ReqId) -> bool {
        if self.pending.is_some() {
            return false;
        }
        self.pending = Some(req);
        if self.value.data().is_none() && self.value.error().is_none() {
            self.value = Loadable::Loading { req };
        }
        true
    }

    /// Starts a fetch even when one is in flight: the one in flight may
    /// have left before a change (an action just done, `r` after a change
    /// elsewhere), so its answer is dropped and this one awaited.
    pub(crate) fn restart(&mut self, req: ReqId) {
        self.pending = None;
        self.begin(req);
    }

    /// Takes the answer to `req`; false (and nothing changes) when it is not
    /// the request awaited.
    pub(crate) fn finish<E: std::fmt::Display>(
        &mut self,
        req: ReqId,
        at: Instant,
        result: Result<T, E>,
        every: Duration,
    ) -> bool {
        if self.pending != Some(req) {
            return false;
        }
        self.pending = None;
        match result {
            Ok(data) => {
                self.failures = 0;
                self.value = Loadable::Loaded { data, at };
                self.next_refresh = Some(at + every);
            }
            Err(e) => {
                self.failures = self.failures.saturating_add(1);
                let old = std::mem::replace(&mut self.value, Loadable::Idle);
                let stale = match old {
                    Loadable::Loaded { data, at } => Some((data, at)),
                    Loadable::Failed { stale, .. } => stale,
                    _ => None,
                };
                self.value = Loadable::Failed {
                    error: e.to_string(),
                    stale,
                };
                self.next_refresh = Some(at + self.backoff(every));
            }
        }
        true
    }

    /// The wait before the next refresh: doubled per failure, capped.
    pub fn backoff(&self, every: Duration) -> Duration {
        let factor = 1u32 << self.failures.min(5);
        (every * factor).min(MAX_BACKOFF.max(every))
    }

    pub(crate) fn due(&self, now: Instant) -> bool {
        self.pending.is_none() && self.next_refresh.is_none_or(|t| now >= t)
    }
}
