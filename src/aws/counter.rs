//! The one place requests are counted: an interceptor every SDK client
//! gets bumps a process-wide count before each attempt (retries count), so
//! the TUI can show its request rate without knowing the SDK.

use std::sync::atomic::{AtomicU64, Ordering};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

static SENT: AtomicU64 = AtomicU64::new(0);

/// Requests (attempts, retries included) this process has sent to AWS or
/// a local backend through eddy's clients so far.
pub fn requests_sent() -> u64 {
    SENT.load(Ordering::Relaxed)
}

/// Counts each attempt; installed on every client `Clients` builds.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CountRequests;

impl Intercept for CountRequests {
    fn name(&self) -> &'static str {
        "eddy::CountRequests"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        SENT.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}
