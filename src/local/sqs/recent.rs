//! Queue names deleted in the last 60 seconds: AWS refuses to create a queue
//! of such a name (`QueueDeletedRecently`) for that long. Kept apart from the
//! queue map so the check is a pure function of the time (a parameter), and
//! pruned as it is used so it never outgrows the names deleted in a minute.
//! Not journaled: after a restart a name can be created again at once.

use super::errors::deleted_recently;
use crate::local::core::AwsError;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::PoisonError;

/// How long a deleted queue's name stays unavailable.
pub(super) const RECREATE_AFTER_MS: i64 = 60_000;

/// Queue key (as the service keys its queues) → when it was deleted (ms).
#[derive(Default)]
pub(super) struct RecentlyDeleted(Mutex<HashMap<String, i64>>);

impl RecentlyDeleted {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, i64>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records that the queue `key` was deleted at `now_ms`.
    pub(super) fn deleted(&self, key: &str, now_ms: i64) {
        let mut m = self.map();
        m.retain(|_, at| now_ms - *at < RECREATE_AFTER_MS);
        m.insert(key.to_string(), now_ms);
    }

    /// `QueueDeletedRecently` when `key` was deleted less than 60 s before `now_ms`.
    pub(super) fn check(&self, key: &str, now_ms: i64) -> Result<(), AwsError> {
        let mut m = self.map();
        m.retain(|_, at| now_ms - *at < RECREATE_AFTER_MS);
        if m.contains_key(key) {
            return Err(deleted_recently());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deleted_name_comes_back_after_sixty_seconds() {
        let r = RecentlyDeleted::default();
        r.check("q", 0).unwrap();
        r.deleted("q", 1_000);
        let e = r.check("q", 1_000).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.query_code.as_deref()),
            (
                "QueueDeletedRecently",
                Some("AWS.SimpleQueueService.QueueDeletedRecently")
            )
        );
        assert_eq!(
            e.message,
            "You must wait 60 seconds after deleting a queue before you can create another with the same name."
        );
        assert!(r.check("q", 60_999).is_err());
        r.check("other", 2_000).unwrap();
        r.check("q", 61_000).unwrap();
        // Pruned once expired.
        assert!(r.map().is_empty());
    }
}
