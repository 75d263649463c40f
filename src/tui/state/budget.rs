//! The API budget of the queue list's polling: which queues' attributes
//! (GetQueueAttributes, one request each) to read at a tick, so that what
//! is on screen stays fresh, the rest is read at a slower, bounded rate, and
//! a throttled backend is given room. Pure: the time is a parameter, so the
//! rules are unit-tested and the benchmark (`benches/budget.rs`) runs them
//! on a simulated clock. Also the request rate shown in the header (from
//! the count of requests the aws layer sent).

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

/// The most GetQueueAttributes a second the queue list spends (bursts of
/// at most one second's worth).
pub const REQUEST_BUDGET: f64 = 20.0;

/// The share of each tick's budget kept for the queues off screen while
/// any is due (the rest goes to the rows on screen first).
pub const BACKGROUND_SHARE: f64 = 0.2;

/// A queue off screen is read again at most this often.
pub const BACKGROUND_EVERY: Duration = Duration::from_secs(60);

/// The queue URLs are listed again (ListQueues: a request per 1,000
/// queues) this many refresh intervals apart: new queues appear, deleted
/// ones go.
pub const LIST_EVERY_REFRESHES: u32 = 5;

/// A queue is due this much before its age reaches the interval: ticks
/// come a second apart with a little jitter, and a row read 1.999 s ago
/// should not wait for the tick after next.
pub const DUE_SLACK: Duration = Duration::from_millis(100);

/// The lowest rate after throttling, in requests per second.
pub const MIN_RATE: f64 = 1.0;

/// The longest pause after repeated throttling.
pub const MAX_PAUSE: Duration = Duration::from_secs(60);

/// Decides which queues' attributes to read at each tick: the rows on
/// screen when older than the refresh interval, oldest first; the others
/// when older than [`BACKGROUND_EVERY`] (never read first); all within a
/// token bucket of `rate` requests per second that halves and pauses on
/// throttling and grows back by one per answered batch.
#[derive(Debug, Clone)]
pub struct Poller {
    /// Every queue URL of the last listing, in its order.
    known: Vec<String>,
    /// When each queue's attributes were last asked for.
    last: HashMap<String, Instant>,
    tokens: f64,
    /// When the tokens were last counted.
    at: Option<Instant>,
    /// The rate now: [`REQUEST_BUDGET`], lowered after throttling.
    rate: f64,
    /// Throttled answers in a row (the pause doubles with each).
    throttles: u32,
    paused_until: Option<Instant>,
}

impl Default for Poller {
    fn default() -> Self {
        Poller {
            known: Vec::new(),
            last: HashMap::new(),
            tokens: 0.0,
            at: None,
            rate: REQUEST_BUDGET,
            throttles: 0,
            paused_until: None,
        }
    }
}

impl Poller {
    /// The queue URLs listed now (ListQueues answered); queues no longer
    /// listed are forgotten, new ones are due at once.
    pub fn set_listing(&mut self, urls: Vec<String>) {
        let listed: HashSet<&str> = urls.iter().map(String::as_str).collect();
        self.last.retain(|u, _| listed.contains(u.as_str()));
        self.known = urls;
    }

    /// Every queue was read at `at` (the full list: the first load).
    pub fn read_all(&mut self, urls: Vec<String>, at: Instant) {
        for u in &urls {
            self.last.insert(u.clone(), at);
        }
        self.set_listing(urls);
    }

    /// A queue read elsewhere at `at` (the open queue's own refresh).
    pub fn mark_read(&mut self, url: &str, at: Instant) {
        self.last.insert(url.to_string(), at);
    }

    /// These queues are due at the next plan, whatever their age (`r`).
    pub fn expire(&mut self, urls: &[String]) {
        for u in urls {
            self.last.remove(u);
        }
    }

    /// The queues to read at `now`: `visible` (the rows on screen, the
    /// DLQs they show the depth of) first when older than `every`, then the
    /// others; as many as the budget allows.
    pub fn plan(&mut self, now: Instant, every: Duration, visible: &[&str]) -> Vec<String> {
        let dt = self
            .at
            .map_or(1.0, |t| now.saturating_duration_since(t).as_secs_f64());
        self.at = Some(now);
        if self.paused_until.is_some_and(|t| now < t) {
            return Vec::new();
        }
        self.tokens = (self.tokens + self.rate * dt).min(self.rate);
        let age = |u: &str| self.last.get(u).map(|t| now.saturating_duration_since(*t));
        let on_screen: HashSet<&str> = visible.iter().copied().collect();
        let mut front: Vec<(&str, Option<Duration>)> = visible
            .iter()
            .map(|&u| (u, age(u)))
            .filter(|(_, a)| a.is_none_or(|a| a + DUE_SLACK >= every))
            .collect();
        front.dedup_by(|a, b| a.0 == b.0);
        let mut rest: Vec<(&str, Option<Duration>)> = self
            .known
            .iter()
            .map(String::as_str)
            .filter(|u| !on_screen.contains(u))
            .map(|u| (u, age(u)))
            .filter(|(_, a)| a.is_none_or(|a| a + DUE_SLACK >= BACKGROUND_EVERY))
            .collect();
        // Never read first, then the oldest (a stable sort: the listing's
        // order among equals).
        let priority = |a: &(&str, Option<Duration>)| {
            (a.1.is_some(), std::cmp::Reverse(a.1.unwrap_or_default()))
        };
        front.sort_by_key(priority);
        rest.sort_by_key(priority);
        let n = self.tokens.floor().max(0.0) as usize;
        let reserve = if rest.is_empty() {
            0
        } else {
            ((n as f64 * BACKGROUND_SHARE).ceil() as usize).min(rest.len())
        };
        let take_front = front.len().min(n.saturating_sub(reserve));
        let take_rest = rest.len().min(n - take_front);
        let out: Vec<String> = front[..take_front]
            .iter()
            .chain(&rest[..take_rest])
            .map(|(u, _)| u.to_string())
            .collect();
        for u in &out {
            self.last.insert(u.clone(), now);
        }
        self.tokens -= out.len() as f64;
        out
    }

    /// The backend throttled a read at `now`: the rate halves and reads
    /// pause (1 s, doubling per throttle in a row, at most [`MAX_PAUSE`]).
    pub fn throttled(&mut self, now: Instant) {
        self.throttles = self.throttles.saturating_add(1);
        self.rate = (self.rate / 2.0).max(MIN_RATE);
        self.tokens = 0.0;
        let pause = Duration::from_secs(1u64 << (self.throttles - 1).min(6));
        self.paused_until = Some(now + pause.min(MAX_PAUSE));
    }

    /// A batch answered without throttling: the rate grows back by one.
    pub fn answered(&mut self) {
        self.throttles = 0;
        self.rate = (self.rate + 1.0).min(REQUEST_BUDGET);
    }

    /// The rate allowed now, in requests per second.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Until when reads pause after throttling, if they do.
    pub fn paused_until(&self) -> Option<Instant> {
        self.paused_until
    }

    /// How many queues the last listing had.
    pub fn known(&self) -> usize {
        self.known.len()
    }
}

/// The request rate over the last few seconds, from the running count of
/// requests the aws layer sent (`aws::requests_sent`).
#[derive(Debug, Clone, Default)]
pub struct RequestRate {
    samples: VecDeque<(Instant, u64)>,
}

/// The window the request rate is measured over.
pub const RATE_SPAN: Duration = Duration::from_secs(5);

impl RequestRate {
    /// The count at `at`.
    pub fn sample(&mut self, at: Instant, total: u64) {
        // A count that went back (it never does) starts the window again.
        if self.samples.back().is_some_and(|&(_, n)| n > total) {
            self.samples.clear();
        }
        self.samples.push_back((at, total));
        while self
            .samples
            .front()
            .is_some_and(|&(t, _)| at.saturating_duration_since(t) > RATE_SPAN)
        {
            self.samples.pop_front();
        }
    }

    /// Requests per second over the window (None until two samples a
    /// second apart).
    pub fn per_second(&self) -> Option<f64> {
        let &(t0, n0) = self.samples.front()?;
        let &(t1, n1) = self.samples.back()?;
        let span = t1.saturating_duration_since(t0).as_secs_f64();
        (span >= 1.0).then(|| (n1 - n0) as f64 / span)
    }
}

/// What [`simulate`] measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulated {
    /// Requests per second over the steady part (after the first load).
    pub steady_rate: f64,
    /// The most requests in any one simulated second of the steady part.
    pub max_in_a_second: usize,
    /// The longest a row on screen went unread in the steady part.
    pub visible_max_age: Duration,
    /// The longest any queue went unread in the steady part.
    pub any_max_age: Duration,
}

/// Runs the poller on a simulated clock: `queues` queues, `rows` of them on
/// screen, the given refresh interval, one tick a second for `seconds`
/// (the first load, a full read, is not counted; ListQueues is, one
/// request per 1,000 queues every [`LIST_EVERY_REFRESHES`] intervals).
/// Deterministic: the benchmark and a unit test run it.
pub fn simulate(queues: usize, rows: usize, every: Duration, seconds: u64) -> Simulated {
    let t0 = Instant::now();
    let urls: Vec<String> = (0..queues).map(|i| format!("q{i:05}")).collect();
    let mut p = Poller::default();
    p.read_all(urls.clone(), t0);
    let visible: Vec<&str> = urls.iter().take(rows).map(String::as_str).collect();
    let list_every = every * LIST_EVERY_REFRESHES;
    let list_pages = queues.div_ceil(1000).max(1);
    let mut last_read: HashMap<String, Instant> = urls.iter().map(|u| (u.clone(), t0)).collect();
    let (mut total, mut max_in_a_second) = (0usize, 0usize);
    let (mut visible_max_age, mut any_max_age) = (Duration::ZERO, Duration::ZERO);
    let mut next_list = t0 + list_every;
    for s in 1..=seconds {
        let now = t0 + Duration::from_secs(s);
        let mut n = 0;
        if now >= next_list {
            n += list_pages;
            next_list = now + list_every;
        }
        let read = p.plan(now, every, &visible);
        p.answered();
        n += read.len();
        for u in read {
            last_read.insert(u, now);
        }
        total += n;
        max_in_a_second = max_in_a_second.max(n);
        // Ages once the background has had time to go round.
        for (u, t) in &last_read {
            let age = now.saturating_duration_since(*t);
            any_max_age = any_max_age.max(age);
            if visible.contains(&u.as_str()) {
                visible_max_age = visible_max_age.max(age);
            }
        }
    }
    Simulated {
        steady_rate: total as f64 / seconds.max(1) as f64,
        max_in_a_second,
        visible_max_age,
        any_max_age,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVERY: Duration = Duration::from_secs(2);

    fn urls(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("q{i:04}")).collect()
    }

    #[test]
    fn rows_on_screen_first_then_the_rest_within_the_budget() {
        let t0 = Instant::now();
        let all = urls(2000);
        let mut p = Poller::default();
        p.read_all(all.clone(), t0);
        let visible: Vec<&str> = all[100..140].iter().map(String::as_str).collect();
        // Nothing is due right after the full read.
        assert!(p.plan(t0, EVERY, &visible).is_empty());
        // 2 s later the 40 rows on screen are due, the rest not yet: the
        // budget of a second (20) goes to them, oldest first.
        let t = t0 + EVERY;
        let read = p.plan(t, EVERY, &visible);
        assert_eq!(read.len(), REQUEST_BUDGET as usize);
        assert!(read.iter().all(|u| visible.contains(&u.as_str())));
        // A minute on, the others are due too: at least a fifth of each
        // tick goes to them, the rows on screen still come first.
        let t = t0 + BACKGROUND_EVERY;
        p.plan(t - Duration::from_secs(1), EVERY, &visible);
        let read = p.plan(t, EVERY, &visible);
        let on_screen = read
            .iter()
            .filter(|u| visible.contains(&u.as_str()))
            .count();
        assert_eq!(read.len(), REQUEST_BUDGET as usize, "{read:?}");
        assert_eq!(on_screen, 16);
        // The others oldest first: the lowest URLs (read at t0, in order).
        assert_eq!(read[16..], ["q0000", "q0001", "q0002", "q0003"]);
        // Never more than the budget, however long since the last plan.
        let read = p.plan(t + Duration::from_secs(3600), EVERY, &visible);
        assert_eq!(read.len(), REQUEST_BUDGET as usize);
    }

    #[test]
    fn a_row_is_due_at_the_tick_that_is_about_the_interval_later() {
        let t0 = Instant::now();
        let all = urls(3);
        let mut p = Poller::default();
        p.read_all(all.clone(), t0 + Duration::from_millis(3));
        let visible: Vec<&str> = all.iter().map(String::as_str).collect();
        // The tick 2 s after the read's tick, a few ms short of 2 s.
        assert_eq!(p.plan(t0 + EVERY, EVERY, &visible).len(), 3);
    }

    #[test]
    fn a_small_account_is_read_as_often_as_the_interval_says() {
        let t0 = Instant::now();
        let all = urls(10);
        let mut p = Poller::default();
        p.read_all(all.clone(), t0);
        let visible: Vec<&str> = all.iter().map(String::as_str).collect();
        assert!(
            p.plan(t0 + Duration::from_secs(1), EVERY, &visible)
                .is_empty()
        );
        assert_eq!(p.plan(t0 + EVERY, EVERY, &visible).len(), 10);
    }

    #[test]
    fn new_queues_are_read_first_and_deleted_ones_forgotten() {
        let t0 = Instant::now();
        let mut p = Poller::default();
        p.read_all(urls(50), t0);
        let mut listing = urls(49);
        listing.push("new".to_string());
        p.set_listing(listing);
        assert_eq!(p.known(), 50);
        let read = p.plan(t0 + Duration::from_secs(1), EVERY, &[]);
        assert_eq!(read, ["new"]);
    }

    #[test]
    fn throttling_pauses_halves_the_rate_and_it_grows_back() {
        let t0 = Instant::now();
        let all = urls(200);
        let mut p = Poller::default();
        p.set_listing(all.clone());
        let visible: Vec<&str> = all[..40].iter().map(String::as_str).collect();
        assert_eq!(p.plan(t0, EVERY, &visible).len(), 20);
        p.throttled(t0);
        assert_eq!(p.rate(), 10.0);
        // Paused for a second: nothing.
        assert!(
            p.plan(t0 + Duration::from_millis(500), EVERY, &visible)
                .is_empty()
        );
        // Then at the lower rate.
        let read = p.plan(t0 + Duration::from_secs(1), EVERY, &visible);
        assert_eq!(read.len(), 5, "half a second of the halved rate");
        // Throttled again: a longer pause (2 s), a lower rate.
        let t = t0 + Duration::from_secs(1);
        p.throttled(t);
        assert_eq!(p.rate(), 5.0);
        assert_eq!(p.paused_until(), Some(t + Duration::from_secs(2)));
        assert!(
            p.plan(t + Duration::from_secs(1), EVERY, &visible)
                .is_empty()
        );
        // Answers without throttling bring the rate back, one a batch.
        for _ in 0..30 {
            p.answered();
        }
        assert_eq!(p.rate(), REQUEST_BUDGET);
        // The pause never exceeds MAX_PAUSE.
        for _ in 0..20 {
            p.throttled(t);
        }
        assert_eq!(p.paused_until(), Some(t + MAX_PAUSE));
        assert_eq!(p.rate(), MIN_RATE);
    }

    #[test]
    fn two_thousand_queues_and_a_40_row_screen_stay_under_25_requests_a_second() {
        let s = simulate(2000, 40, EVERY, 600);
        assert!(s.steady_rate < 25.0, "{s:?}");
        assert!(s.max_in_a_second <= 25, "{s:?}");
        // The rows on screen stay fresh: read at least every 3 s.
        assert!(s.visible_max_age <= Duration::from_secs(3), "{s:?}");
    }

    #[test]
    fn the_request_rate_is_over_the_last_seconds() {
        let t0 = Instant::now();
        let mut r = RequestRate::default();
        r.sample(t0, 100);
        assert_eq!(r.per_second(), None);
        r.sample(t0 + Duration::from_secs(2), 140);
        assert_eq!(r.per_second(), Some(20.0));
        // Older than the window: forgotten.
        r.sample(t0 + Duration::from_secs(10), 150);
        r.sample(t0 + Duration::from_secs(11), 160);
        assert_eq!(r.per_second(), Some(10.0));
    }
}
