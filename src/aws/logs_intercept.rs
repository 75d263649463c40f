//! The interceptor the CloudWatch Logs client gets with an endpoint
//! override: StartLiveTail's `stream-` host prefix would make the host
//! unresolvable. Its own file so `clients` (which installs it) and `logs`
//! (which uses `Clients`) do not import each other.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::endpoint::EndpointPrefix;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Strips the `stream-` host prefix StartLiveTail puts before the endpoint:
/// with an endpoint override (LocalStack, moto, eddy's backend on loopback)
/// `stream-127.0.0.1` does not resolve. Installed on the logs client only
/// when an endpoint override is set, and acts only when the client really
/// has one.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NoHostPrefix;

impl Intercept for NoHostPrefix {
    fn name(&self) -> &'static str {
        "eddy::NoHostPrefix"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if cfg
            .load::<aws_types::endpoint_config::EndpointUrl>()
            .is_some()
            && cfg.load::<EndpointPrefix>().is_some()
        {
            cfg.interceptor_state().unset::<EndpointPrefix>();
        }
        Ok(())
    }
}
