//! How many batches a client-side move keeps in flight, when the plan lets
//! it adapt ([`Concurrency::Adaptive`]): far from the backend (AWS at a
//! 50 ms round trip) each worker spends most of its time waiting, so more
//! workers move more; near it (eddy's own backend) they only compete for
//! the CPU; and a throttled backend wants fewer.
//!
//! Three parts, so that the decisions are tested without a clock or a
//! server:
//! - [`Controller`]: pure. Fed the run's cumulative counts (messages
//!   handled, batches done, throttled calls) with the time they were read
//!   at, it measures throughput over windows and sets the number of workers:
//!   it doubles while doubling pays (slow start), then probes a quarter more
//!   now and then and keeps what pays, halves on throttling (and probes again
//!   only after a pause), never above the plan's maximum nor below 1;
//! - [`Gate`]: the workers' slots. A worker takes one before each batch and
//!   gives it back after, so a smaller target takes effect between batches,
//!   never in the middle of one;
//! - [`Metered`]: a [`Port`] that counts throttled calls and entries.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::super::plan::Concurrency;
use super::super::port::Port;
use crate::aws::Error;
use crate::domain::{
    BatchOutcome, EntryError, EventBus, EventEntry, Message, OutgoingMessage, Publish,
    PutEventOutcome, Queue, Topic,
};

/// How often the run reads its counts and asks the controller.
pub(super) const CONTROL_EVERY: Duration = Duration::from_millis(100);
/// A measuring window lasts at least this long...
const MIN_WINDOW: Duration = Duration::from_millis(400);
/// ... and until every worker has done about this many batches in it, so
/// that the window sees the whole set of workers at work.
const BATCHES_PER_WORKER: u64 = 2;
/// Doubling pays when the throughput rises by at least this factor (a
/// latency-bound run nearly doubles).
const DOUBLING_PAYS: f64 = 1.3;
/// When doubling stops paying, the doubled number is kept if the
/// throughput still rose by this factor.
const KEEP_GAIN: f64 = 1.05;
/// A probe of `+step` pays when the throughput rises by at least this share
/// of the step's ideal (linear) gain.
const PROBE_PAYS: f64 = 0.4;
/// Windows to wait after a probe that did not pay, or a halving, before
/// probing again.
const PAUSE_WINDOWS: u32 = 8;

/// What the run has done so far (cumulative), read at `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Sample {
    pub(super) at: Instant,
    /// Messages received and handled (sent, deleted, released or previewed).
    pub(super) messages: u64,
    /// Batches done.
    pub(super) batches: u64,
    /// Calls or entries the backend throttled.
    pub(super) throttled: u64,
}

/// Where the controller is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Doubling while doubling pays.
    SlowStart,
    /// Probing now and then; `pause` windows left before the next probe.
    Steady { pause: u32 },
    /// `--concurrency N`: never changes.
    Fixed,
}

/// A window's measurement: the target it ran at and its throughput.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Measured {
    target: usize,
    rate: f64,
}

/// The number of workers; see the module documentation.
#[derive(Debug, Clone)]
pub(super) struct Controller {
    target: usize,
    max: usize,
    phase: Phase,
    /// Where the current window started (the first sample starts one).
    start: Option<Sample>,
    /// The window before the last change: what the change is judged by.
    before: Option<Measured>,
    /// The last throttled count seen.
    throttled: u64,
    /// When the last halving was.
    halved_at: Option<Instant>,
    /// What happened, for the summary.
    pub(super) report: Report,
}

/// How the number of workers went during a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Report {
    pub(super) start: usize,
    pub(super) peak: usize,
    pub(super) end: usize,
    /// Halvings after throttling.
    pub(super) halvings: u32,
    pub(super) adaptive: bool,
}

impl Controller {
    pub(super) fn new(c: Concurrency) -> Controller {
        let (target, max, phase) = match c {
            Concurrency::Fixed(n) => (n.max(1), n.max(1), Phase::Fixed),
            Concurrency::Adaptive { start, max } => {
                let max = max.max(1);
                (start.clamp(1, max), max, Phase::SlowStart)
            }
        };
        Controller {
            target,
            max,
            phase,
            start: None,
            before: None,
            throttled: 0,
            halved_at: None,
            report: Report {
                start: target,
                peak: target,
                end: target,
                halvings: 0,
                adaptive: phase != Phase::Fixed,
            },
        }
    }

    /// The number of workers now.
    pub(super) fn target(&self) -> usize {
        self.target
    }

    /// The most workers the run may have.
    pub(super) fn max(&self) -> usize {
        self.max
    }

    /// Takes the run's counts; returns the number of workers from now on.
    pub(super) fn observe(&mut self, s: Sample) -> usize {
        if self.phase == Phase::Fixed {
            return self.target;
        }
        let Some(start) = self.start else {
            self.start = Some(s);
            self.throttled = s.throttled;
            return self.target;
        };
        if s.throttled > self.throttled {
            self.throttled = s.throttled;
            // Throttled: halve at once, but once per window (the calls in
            // flight were made at the old number), and wait before probing.
            if self
                .halved_at
                .is_some_and(|t| s.at.saturating_duration_since(t) < MIN_WINDOW)
            {
                return self.target;
            }
            self.halved_at = Some(s.at);
            self.set(self.target.div_ceil(2).max(1));
            self.report.halvings += 1;
            self.phase = Phase::Steady {
                pause: PAUSE_WINDOWS,
            };
            self.before = None;
            self.start = Some(s);
            return self.target;
        }
        let elapsed = s.at.saturating_duration_since(start.at);
        let batches = s.batches.saturating_sub(start.batches);
        if elapsed < MIN_WINDOW || batches < BATCHES_PER_WORKER * self.target as u64 {
            return self.target;
        }
        let rate = s.messages.saturating_sub(start.messages) as f64 / elapsed.as_secs_f64();
        let now = Measured {
            target: self.target,
            rate,
        };
        self.start = Some(s);
        self.decide(now);
        self.target
    }

    /// The end of a window measured at `now`.
    fn decide(&mut self, now: Measured) {
        let before = self.before;
        match self.phase {
            Phase::Fixed => {}
            Phase::SlowStart => match before {
                // The first window: the baseline; double.
                None => self.grow_to(now, self.target * 2),
                Some(b) if now.rate >= b.rate * DOUBLING_PAYS => self.grow_to(now, self.target * 2),
                Some(b) => {
                    // Doubling stopped paying: keep the larger number only
                    // if it still gained, then probe in smaller steps.
                    if now.rate < b.rate * KEEP_GAIN {
                        self.set(b.target);
                    }
                    self.before = None;
                    self.phase = Phase::Steady {
                        pause: PAUSE_WINDOWS,
                    };
                }
            },
            Phase::Steady { pause } => match before {
                // A probe is being judged.
                Some(b) => {
                    if !pays(b, now) {
                        self.set(b.target);
                        self.phase = Phase::Steady {
                            pause: PAUSE_WINDOWS,
                        };
                    } else {
                        self.phase = Phase::Steady { pause: 0 };
                    }
                    self.before = None;
                }
                None if pause > 0 => {
                    self.phase = Phase::Steady { pause: pause - 1 };
                }
                None => {
                    let step = (self.target / 4).max(1);
                    self.grow_to(now, self.target + step);
                }
            },
        }
    }

    /// Grows to `to` (at most the maximum), judged against `now` at the end
    /// of the next window; at the maximum already: stays, and stops probing
    /// for a while.
    fn grow_to(&mut self, now: Measured, to: usize) {
        let to = to.min(self.max);
        if to <= self.target {
            self.before = None;
            self.phase = Phase::Steady {
                pause: PAUSE_WINDOWS,
            };
            return;
        }
        self.before = Some(now);
        self.set(to);
    }

    fn set(&mut self, target: usize) {
        self.target = target.clamp(1, self.max);
        self.report.peak = self.report.peak.max(self.target);
        self.report.end = self.target;
    }
}

/// Did going from `b.target` to `now.target` workers pay? At least
/// [`PROBE_PAYS`] of the linear gain.
fn pays(b: Measured, now: Measured) -> bool {
    if now.target <= b.target || b.rate <= 0.0 {
        return now.rate > b.rate;
    }
    let ideal = now.target as f64 / b.target as f64;
    now.rate >= b.rate * (1.0 + PROBE_PAYS * (ideal - 1.0))
}

/// The workers' slots: at most `target` batches under way.
pub(super) struct Gate {
    /// (target, slots taken)
    slots: Mutex<(usize, usize)>,
    notify: Notify,
}

/// A slot taken; given back when dropped.
pub(super) struct Slot<'a>(&'a Gate);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut s = self.0.slots.lock().unwrap_or_else(PoisonError::into_inner);
        s.1 = s.1.saturating_sub(1);
        drop(s);
        self.0.notify.notify_waiters();
    }
}

impl Gate {
    pub(super) fn new(target: usize) -> Gate {
        Gate {
            slots: Mutex::new((target.max(1), 0)),
            notify: Notify::new(),
        }
    }

    pub(super) fn set_target(&self, target: usize) {
        let mut s = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let grew = target > s.0;
        s.0 = target.max(1);
        drop(s);
        if grew {
            self.notify.notify_waiters();
        }
    }

    /// Wakes every worker waiting for a slot (the run stopped).
    pub(super) fn wake_all(&self) {
        self.notify.notify_waiters();
    }

    fn try_take(&self) -> Option<Slot<'_>> {
        let mut s = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if s.1 < s.0 {
            s.1 += 1;
            Some(Slot(self))
        } else {
            None
        }
    }

    /// Waits for a slot; `None` once `stopped` says the run is over.
    pub(super) async fn enter(&self, stopped: impl Fn() -> bool) -> Option<Slot<'_>> {
        loop {
            let woken = self.notify.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            if stopped() {
                return None;
            }
            if let Some(slot) = self.try_take() {
                return Some(slot);
            }
            // A cancel does not wake the gate: look again now and then.
            let _ = tokio::time::timeout(CONTROL_EVERY, woken).await;
        }
    }
}

/// A [`Port`] that counts what the backend throttled.
pub(super) struct Metered<P> {
    pub(super) inner: P,
    pub(super) throttled: AtomicU64,
}

impl<P> Metered<P> {
    pub(super) fn new(inner: P) -> Metered<P> {
        Metered {
            inner,
            throttled: AtomicU64::new(0),
        }
    }

    pub(super) fn throttled(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }

    fn count<T>(&self, r: Result<T, Error>, entries: impl Fn(&T) -> usize) -> Result<T, Error> {
        let n = match &r {
            Err(e) if is_throttling(e) => 1,
            Ok(v) => entries(v),
            Err(_) => 0,
        };
        if n > 0 {
            self.throttled.fetch_add(n as u64, Ordering::Relaxed);
        }
        r
    }
}

/// A throttling answer (`ThrottlingException`, `RequestThrottled`, 503
/// `ServiceUnavailable` / slow down).
fn is_throttling(e: &Error) -> bool {
    match e {
        Error::Throttled { .. } => true,
        Error::Service { code, .. } => throttling_code(code),
        _ => false,
    }
}

fn throttling_code(code: &str) -> bool {
    code.contains("Throttl") || code.contains("ServiceUnavailable") || code.contains("SlowDown")
}

fn throttled_entries(e: Option<&EntryError>) -> bool {
    e.is_some_and(|e| throttling_code(&e.code))
}

fn batch_throttled(o: &[BatchOutcome]) -> usize {
    o.iter()
        .filter(|o| throttled_entries(o.error.as_ref()))
        .count()
}

impl<P: Port> Port for Metered<P> {
    async fn queue(&self, url: &str) -> Result<Queue, Error> {
        self.count(self.inner.queue(url).await, |_| 0)
    }

    async fn buses(&self) -> Result<Vec<EventBus>, Error> {
        self.count(self.inner.buses().await, |_| 0)
    }

    async fn receive(
        &self,
        url: &str,
        max: u32,
        visibility_s: i32,
        wait_s: i32,
    ) -> Result<Vec<Message>, Error> {
        self.count(
            self.inner.receive(url, max, visibility_s, wait_s).await,
            |_| 0,
        )
    }

    async fn send_batch(
        &self,
        url: &str,
        msgs: &[OutgoingMessage],
    ) -> Result<Vec<BatchOutcome>, Error> {
        self.count(self.inner.send_batch(url, msgs).await, |o| {
            batch_throttled(o)
        })
    }

    async fn put_events(&self, entries: &[EventEntry]) -> Result<Vec<PutEventOutcome>, Error> {
        self.count(self.inner.put_events(entries).await, |o| {
            o.iter()
                .filter(|o| throttled_entries(o.error.as_ref()))
                .count()
        })
    }

    async fn topic(&self, arn: &str) -> Result<Topic, Error> {
        self.count(self.inner.topic(arn).await, |_| 0)
    }

    async fn publish_batch(&self, arn: &str, msgs: &[Publish]) -> Result<Vec<BatchOutcome>, Error> {
        self.count(self.inner.publish_batch(arn, msgs).await, |o| {
            batch_throttled(o)
        })
    }

    async fn delete_batch(
        &self,
        url: &str,
        handles: &[String],
    ) -> Result<Vec<BatchOutcome>, Error> {
        self.count(self.inner.delete_batch(url, handles).await, |o| {
            batch_throttled(o)
        })
    }

    async fn release(&self, url: &str, handles: &[String]) -> Result<Vec<BatchOutcome>, Error> {
        self.count(self.inner.release(url, handles).await, |o| {
            batch_throttled(o)
        })
    }

    fn label(&self) -> String {
        self.inner.label()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drives a controller with a simulated backend: each window lasts
    /// `window`, every worker does `per_worker` batches of 10 in it, and the
    /// throughput is `rate(target)`.
    struct Sim {
        c: Controller,
        at: Instant,
        s: Sample,
    }

    impl Sim {
        fn new(c: Concurrency) -> Sim {
            let at = Instant::now();
            let s = Sample {
                at,
                messages: 0,
                batches: 0,
                throttled: 0,
            };
            let mut c = Controller::new(c);
            c.observe(s);
            Sim { c, at, s }
        }

        /// One window at `rate` msg/s (and `throttled` more throttled
        /// calls); returns the target after it.
        fn window(&mut self, rate: f64, throttled: u64) -> usize {
            let secs = 0.5;
            let t = self.c.target() as u64;
            self.at += Duration::from_secs_f64(secs);
            self.s = Sample {
                at: self.at,
                messages: self.s.messages + (rate * secs) as u64,
                batches: self.s.batches + 3 * t,
                throttled: self.s.throttled + throttled,
            };
            self.c.observe(self.s)
        }
    }

    fn adaptive() -> Concurrency {
        Concurrency::Adaptive { start: 8, max: 64 }
    }

    #[test]
    fn latency_bound_runs_double_up_to_the_maximum() {
        // Far from the backend: each worker moves ~58 msg/s (50 ms round trip).
        let mut sim = Sim::new(adaptive());
        let per_worker = 58.0;
        let mut targets = vec![sim.c.target()];
        for _ in 0..6 {
            let t = sim.c.target() as f64;
            targets.push(sim.window(per_worker * t, 0));
        }
        assert_eq!(targets, [8, 16, 32, 64, 64, 64, 64]);
        assert_eq!(sim.c.report.peak, 64);
        assert_eq!(sim.c.report.halvings, 0);
    }

    #[test]
    fn a_saturated_backend_keeps_what_paid_and_reverts_what_did_not() {
        // Linear up to 20 workers, flat beyond.
        let rate = |t: usize| 50.0 * t.min(20) as f64;
        let mut sim = Sim::new(adaptive());
        assert_eq!(sim.window(rate(8), 0), 16);
        assert_eq!(sim.window(rate(16), 0), 32, "16 paid: double again");
        // 32 gave 1,000 (as 20): 1.25x the 16's 800, less than doubling
        // pays (1.3x) but still a gain: kept, and then steady.
        assert_eq!(sim.window(rate(32), 0), 32);
        for _ in 0..PAUSE_WINDOWS {
            assert_eq!(sim.window(rate(32), 0), 32, "pausing");
        }
        // A probe of a quarter more (40) does not pay: back to 32.
        assert_eq!(sim.window(rate(32), 0), 40);
        assert_eq!(sim.window(rate(40), 0), 32);
        assert_eq!(sim.c.report.peak, 40);
    }

    #[test]
    fn a_cpu_bound_run_goes_back_to_where_it_started() {
        // Near the backend: more workers do not move more.
        let mut sim = Sim::new(adaptive());
        assert_eq!(sim.window(3000.0, 0), 16, "the first probe");
        assert_eq!(sim.window(3010.0, 0), 8, "it did not pay");
        for _ in 0..PAUSE_WINDOWS {
            assert_eq!(sim.window(3000.0, 0), 8);
        }
    }

    #[test]
    fn throttling_halves_at_once_and_pauses_the_probes() {
        let mut sim = Sim::new(adaptive());
        assert_eq!(sim.window(400.0, 0), 16);
        assert_eq!(sim.window(800.0, 0), 32);
        // Throttled mid-window: halved at the next look, not at the window's end.
        sim.at += Duration::from_millis(100);
        sim.s.at = sim.at;
        sim.s.throttled += 3;
        assert_eq!(sim.c.observe(sim.s), 16);
        // More throttled calls right after: made at the old number.
        sim.at += Duration::from_millis(100);
        sim.s.at = sim.at;
        sim.s.throttled += 5;
        assert_eq!(sim.c.observe(sim.s), 16, "once per window");
        assert_eq!(sim.window(800.0, 2), 8, "still throttled: halved again");
        assert_eq!(sim.window(400.0, 1), 4);
        for _ in 0..PAUSE_WINDOWS {
            assert_eq!(sim.window(400.0, 0), 4, "no probe right after throttling");
        }
        assert_eq!(sim.window(400.0, 0), 5, "then a small probe");
        assert_eq!(sim.c.report.halvings, 3);
        assert_eq!(sim.c.report.peak, 32);
        // Never below one worker.
        for _ in 0..10 {
            sim.window(10.0, 1);
        }
        assert_eq!(sim.c.target(), 1);
    }

    #[test]
    fn a_window_waits_for_every_worker_to_do_its_batches() {
        let mut c = Controller::new(adaptive());
        let at = Instant::now();
        let s = |ms: u64, batches: u64| Sample {
            at: at + Duration::from_millis(ms),
            messages: batches * 10,
            batches,
            throttled: 0,
        };
        c.observe(s(0, 0));
        assert_eq!(c.observe(s(300, 100)), 8, "too short");
        assert_eq!(c.observe(s(2000, 15)), 8, "too few batches for 8 workers");
        assert_eq!(c.observe(s(2100, 16)), 16);
    }

    #[test]
    fn fixed_never_changes() {
        let mut sim = Sim::new(Concurrency::Fixed(8));
        for _ in 0..5 {
            assert_eq!(sim.window(58.0 * 8.0, 0), 8);
        }
        assert_eq!(sim.window(100.0, 5), 8, "not even on throttling");
        assert!(!sim.c.report.adaptive);
    }

    #[test]
    fn the_maximum_bounds_and_the_start_is_clamped() {
        let mut sim = Sim::new(Concurrency::Adaptive { start: 8, max: 12 });
        assert_eq!(sim.window(400.0, 0), 12);
        assert_eq!(sim.window(600.0, 0), 12);
        let c = Controller::new(Concurrency::Adaptive { start: 0, max: 4 });
        assert_eq!(c.target(), 1);
        let c = Controller::new(Concurrency::Adaptive { start: 9, max: 4 });
        assert_eq!(c.target(), 4);
    }

    #[tokio::test]
    async fn the_gate_lets_target_workers_in() {
        let gate = Gate::new(2);
        let a = gate.enter(|| false).await.expect("a slot");
        let _b = gate.enter(|| false).await.expect("a slot");
        assert!(gate.try_take().is_none(), "two at most");
        gate.set_target(3);
        let c = gate.enter(|| false).await.expect("a third slot");
        gate.set_target(1);
        drop(a);
        drop(c);
        assert!(gate.try_take().is_none(), "one still taken, target 1");
        assert!(gate.enter(|| true).await.is_none(), "stopped");
    }

    #[tokio::test]
    async fn metered_counts_throttled_calls_and_entries() {
        use super::super::fake::{DEST, Fake, Script, refusal};
        let fake = Fake::with(&[]);
        {
            let mut w = fake.world();
            w.sends.push_back(Script::Fail(Error::Throttled {
                action: "sqs:SendMessageBatch".to_string(),
            }));
            w.sends.push_back(Script::Refuse(vec![
                (
                    "a".to_string(),
                    refusal("ThrottlingException", "slow down", false),
                ),
                (
                    "b".to_string(),
                    refusal("InvalidParameterValue", "no", true),
                ),
            ]));
        }
        let port = Metered::new(fake);
        let msgs = |ids: &[&str]| -> Vec<OutgoingMessage> {
            ids.iter()
                .map(|id| OutgoingMessage {
                    body: format!("body-{id}"),
                    ..OutgoingMessage::default()
                })
                .collect()
        };
        assert!(port.send_batch(DEST, &msgs(&["a"])).await.is_err());
        assert_eq!(port.throttled(), 1);
        let _ = port.send_batch(DEST, &msgs(&["a", "b"])).await;
        assert_eq!(port.throttled(), 2, "one throttled entry, one refused");
        let _ = port.send_batch(DEST, &msgs(&["c"])).await;
        assert_eq!(port.throttled(), 2);
    }
}
