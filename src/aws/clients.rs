//! Connecting: [`Settings`] (profile, region, endpoint override), the SDK
//! [`Clients`] built from them (the credential chain, explained when it
//! fails, with dummy credentials and us-east-1 for local backends when
//! nothing else resolves), `whoami` and backend detection. Split from `aws.rs` so the
//! service files (`events`, `logs`, `sqs`) import `Clients` from a sibling, not
//! from the file that declares them.

use super::counter::CountRequests;
use super::error::{self, Error, Setup};
use super::logs_intercept::NoHostPrefix;
use crate::domain::{Arn, Backend, Identity};
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_types::region::Region;
use std::time::Duration;

mod profiles;

/// Where and as whom to connect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// A profile from `~/.aws/config` (else `AWS_PROFILE`, else `default`).
    pub profile: Option<String>,
    pub region: Option<String>,
    /// Overrides every service's endpoint (LocalStack, moto, eddy's backend).
    pub endpoint_url: Option<String>,
}

/// Environment variables that override endpoints (read by aws-config too).
const ENDPOINT_ENV: &[&str] = &[
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SQS",
    "AWS_ENDPOINT_URL_EVENTBRIDGE",
    "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
];

/// Region used with an endpoint override when none is configured.
pub const DEFAULT_LOCAL_REGION: &str = "us-east-1";

/// Connected SDK clients plus what eddy needs to know about the connection.
#[derive(Debug, Clone)]
pub struct Clients {
    pub(crate) sqs: aws_sdk_sqs::Client,
    pub(crate) events: aws_sdk_eventbridge::Client,
    pub(crate) logs: aws_sdk_cloudwatchlogs::Client,
    pub(crate) sts: aws_sdk_sts::Client,
    pub(crate) lambda: aws_sdk_lambda::Client,
    pub(crate) sns: aws_sdk_sns::Client,
    /// The endpoint override, if any (flag or environment).
    pub endpoint: Option<String>,
    pub region: String,
    pub profile: Option<String>,
    /// A set-up problem found when connecting (no region), reported by
    /// every call instead of a network error.
    setup: Option<Setup>,
}

impl Clients {
    /// Builds the clients: the full credential chain (environment, profiles,
    /// SSO, assume-role, `credential_process`); with an endpoint override,
    /// dummy static credentials when that chain finds nothing, and
    /// us-east-1 when no region is configured, so that LocalStack and moto
    /// work with no set-up (also next to other profiles). A profile that is
    /// not there, an SSO profile to log in to, no credentials or no region
    /// make every call fail with an [`Error::Setup`] saying so. Nothing is
    /// sent yet.
    pub async fn connect(settings: &Settings) -> Clients {
        Self::connect_with(settings, false).await
    }

    /// Clients for eddy's embedded backend (`--local`) at `settings.endpoint_url`:
    /// always dummy static credentials, so that no profile, SSO session or
    /// credential source of the caller is consulted (or can fail).
    pub async fn connect_local(settings: &Settings) -> Clients {
        Self::connect_with(settings, true).await
    }

    async fn connect_with(settings: &Settings, dummy_credentials: bool) -> Clients {
        let env_endpoint = ENDPOINT_ENV
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
        let endpoint = settings.endpoint_url.clone().or(env_endpoint);
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http)
            .retry_config(RetryConfig::standard().with_max_attempts(3))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(3))
                    .operation_timeout(Duration::from_secs(60))
                    .build(),
            );
        if let Some(p) = &settings.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &settings.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(e) = &settings.endpoint_url {
            loader = loader.endpoint_url(e);
        }
        if dummy_credentials {
            loader = loader.credentials_provider(Credentials::from_keys("test", "test", None));
        }
        let loaded = loader.load().await;
        let files = profiles::Files::read();
        let chosen = profiles::chosen(settings.profile.as_deref());
        let mut conf = loaded.to_builder();
        let mut setup = None;
        if loaded.region().is_none() {
            if endpoint.is_some() {
                conf = conf.region(Region::new(DEFAULT_LOCAL_REGION));
            } else {
                setup = Some(Setup::NoRegion {
                    profile: chosen.name.clone(),
                    file: files.config_label(),
                });
            }
        }
        if !dummy_credentials && let Some(inner) = loaded.credentials_provider() {
            conf = conf.credentials_provider(SharedCredentialsProvider::new(Explained {
                inner,
                profile: chosen,
                files,
                fallback: endpoint.is_some(),
            }));
        }
        let conf = conf.build();
        let region = conf
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| DEFAULT_LOCAL_REGION.to_string());
        let profile = settings.profile.clone().or_else(|| {
            std::env::var("AWS_PROFILE")
                .ok()
                .filter(|p| !p.is_empty() && !dummy_credentials)
        });
        Clients {
            // Every client counts its requests (`aws::requests_sent`).
            sqs: aws_sdk_sqs::Client::from_conf(
                aws_sdk_sqs::config::Builder::from(&conf)
                    .interceptor(CountRequests)
                    .build(),
            ),
            events: aws_sdk_eventbridge::Client::from_conf(
                aws_sdk_eventbridge::config::Builder::from(&conf)
                    .interceptor(CountRequests)
                    .build(),
            ),
            logs: {
                // StartLiveTail's `stream-` host prefix breaks endpoint overrides.
                let mut b =
                    aws_sdk_cloudwatchlogs::config::Builder::from(&conf).interceptor(CountRequests);
                if endpoint.is_some() {
                    b = b.interceptor(NoHostPrefix);
                }
                aws_sdk_cloudwatchlogs::Client::from_conf(b.build())
            },
            sts: aws_sdk_sts::Client::from_conf(
                aws_sdk_sts::config::Builder::from(&conf)
                    .interceptor(CountRequests)
                    .build(),
            ),
            lambda: aws_sdk_lambda::Client::from_conf(
                aws_sdk_lambda::config::Builder::from(&conf)
                    .interceptor(CountRequests)
                    .build(),
            ),
            sns: aws_sdk_sns::Client::from_conf(
                aws_sdk_sns::config::Builder::from(&conf)
                    .interceptor(CountRequests)
                    .build(),
            ),
            endpoint,
            region,
            profile,
            setup,
        }
    }

    /// The endpoint shown to users: the override, or the regional AWS endpoint.
    pub fn endpoint_label(&self) -> String {
        self.endpoint
            .clone()
            .unwrap_or_else(|| format!("https://sqs.{}.amazonaws.com (AWS)", self.region))
    }

    /// Error context: the service is unreachable at this endpoint, and so on.
    pub(crate) fn ctx(&self) -> error::Ctx {
        error::Ctx {
            endpoint: self.endpoint_label(),
            profile: self.profile.clone(),
            setup: self.setup.clone(),
        }
    }

    /// Who and where: account from STS `GetCallerIdentity` where the backend
    /// has it, else from a queue or bus ARN; and which backend this looks like.
    pub async fn whoami(&self) -> Result<Identity, Error> {
        let backend = self.detect_backend().await;
        let (mut account, mut arn) = (None, None);
        match self.sts.get_caller_identity().send().await {
            Ok(out) => {
                account = out.account().map(str::to_string);
                arn = out.arn().map(str::to_string);
            }
            Err(e) => {
                let err = Error::from_sdk(e, "sts:GetCallerIdentity", "", &self.ctx());
                if !matches!(err, Error::Unsupported { .. } | Error::Service { .. }) {
                    return Err(err);
                }
                // Fall back to the account in the default bus's ARN.
                if let Ok(buses) = self.list_buses().await
                    && let Some(a) = buses.first().and_then(|b| Arn::parse(&b.arn))
                {
                    account = Some(a.account);
                }
            }
        }
        Ok(Identity {
            endpoint: self.endpoint_label(),
            region: self.region.clone(),
            profile: self.profile.clone(),
            account,
            arn,
            backend,
        })
    }

    /// Guesses the backend from the endpoint's own pages: eddy answers
    /// `GET /_eddy/health`, LocalStack `GET /_localstack/health`, moto
    /// `GET /moto-api/`. No endpoint override means AWS.
    pub async fn detect_backend(&self) -> Backend {
        let Some(endpoint) = &self.endpoint else {
            return Backend::Aws;
        };
        let base = endpoint.trim_end_matches('/');
        for (path, backend) in [
            ("/_eddy/health", Backend::Eddy),
            ("/_localstack/health", Backend::LocalStack),
            ("/moto-api/", Backend::Moto),
        ] {
            if probe(&format!("{base}{path}")).await {
                return backend;
            }
        }
        Backend::Unknown
    }
}

/// The SDK's credential chain, explained: a named profile that is not in
/// the files, no credentials at all, an SSO profile that needs a login or
/// any other failure of the chain become a [`Setup`] (found by type in the
/// SDK's error), never a network error. With an endpoint override
/// (`fallback`) and no profile named, dummy credentials apply whenever the
/// chain resolves nothing: at once when nothing is configured (no probing
/// of instance metadata), else after the chain failed.
#[derive(Debug)]
struct Explained {
    inner: SharedCredentialsProvider,
    profile: profiles::Chosen,
    files: profiles::Files,
    fallback: bool,
}

impl Explained {
    async fn provide(&self) -> Result<Credentials, CredentialsError> {
        let name = &self.profile.name;
        let dummy = || Ok(Credentials::from_keys("test", "test", None));
        if self.profile.explicit && !self.files.has(name) {
            return Err(CredentialsError::provider_error(Setup::NoSuchProfile {
                profile: name.clone(),
                files: self.files.both_label(),
                known: self.files.names(),
            }));
        }
        let fallback = self.fallback && !self.profile.explicit;
        let nothing_configured =
            !self.profile.explicit && !self.files.has(name) && !credentials_in_env();
        if fallback && nothing_configured {
            return dummy();
        }
        let setup = match self.inner.provide_credentials().await {
            Ok(c) => return Ok(c),
            Err(_) if fallback => return dummy(),
            // What is left is instance or container metadata, and it failed.
            Err(_) if nothing_configured => Setup::NoCredentials {
                profile: name.clone(),
                files: self.files.both_label(),
            },
            Err(CredentialsError::CredentialsNotLoaded(_)) => Setup::NoCredentials {
                profile: name.clone(),
                files: self.files.both_label(),
            },
            Err(e) if self.files.uses_sso(name) => Setup::SsoLogin {
                profile: name.clone(),
                detail: innermost(&e),
            },
            Err(e) => Setup::CredentialsFailed {
                profile: name.clone(),
                detail: innermost(&e),
            },
        };
        Err(CredentialsError::provider_error(setup))
    }
}

/// Credentials (or where to get them) in the environment.
fn credentials_in_env() -> bool {
    [
        "AWS_ACCESS_KEY_ID",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ]
    .iter()
    .any(|k| std::env::var(k).is_ok_and(|v| !v.is_empty()))
}

impl ProvideCredentials for Explained {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.provide())
    }
}

/// The innermost message of an error chain, on one line.
fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A plain HTTP GET (loopback backends only): does the URL answer 200?
async fn probe(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let fut = async {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(host).await.ok()?;
        let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await.ok()?;
        let mut buf = vec![0u8; 64];
        let n = s.read(&mut buf).await.ok()?;
        let head = String::from_utf8_lossy(&buf[..n]).into_owned();
        Some(head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"))
    };
    tokio::time::timeout(Duration::from_secs(2), fut)
        .await
        .ok()
        .flatten()
        .unwrap_or(false)
}
