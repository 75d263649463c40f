//! The Host check against DNS rebinding: a web page can make a browser send
//! requests to a name that its DNS later points at 127.0.0.1, and so reach a
//! backend that listens on loopback without authentication. Browsers always
//! send the name they used as the Host header, so when the server listens on
//! a loopback address it answers only loopback host names (`127.0.0.1`,
//! `localhost`, `[::1]`, `*.localhost`, any port) and the names given with
//! `eddy serve --allow-host`. On any other address every host is accepted
//! (the operator chose to expose it).

use std::net::{Ipv4Addr, Ipv6Addr};

/// The host names a loopback server accepts besides the loopback ones.
#[derive(Debug, Clone, Default)]
pub(super) struct Allowed {
    /// Lower case, without a port; `*.name` matches its subdomains.
    names: Vec<String>,
}

impl Allowed {
    pub(super) fn new(names: &[String]) -> Allowed {
        Allowed {
            names: names
                .iter()
                .map(|n| n.trim().trim_end_matches('.').to_ascii_lowercase())
                .collect(),
        }
    }

    /// Whether a request with this Host header (or request-target authority)
    /// is answered. A request without one is (no browser sends that).
    pub(super) fn accepts(&self, host: Option<&str>) -> bool {
        let Some(host) = host else { return true };
        let name = name_of(host);
        is_loopback_name(&name)
            || self
                .names
                .iter()
                .any(|allowed| match allowed.strip_prefix("*.") {
                    Some(domain) => name.ends_with(&format!(".{domain}")),
                    None => *allowed == name,
                })
    }
}

/// The host name of a Host header: lower case, without the port, the
/// brackets of an IPv6 literal or a final dot.
fn name_of(host: &str) -> String {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        }
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// `localhost`, `*.localhost` (RFC 6761: always loopback), 127.0.0.0/8 and ::1.
fn is_loopback_name(name: &str) -> bool {
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
        || name.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// What a refused request is told.
pub(super) fn refusal(host: &str) -> String {
    let name = name_of(host);
    format!(
        "eddy serve refused the Host `{host}`: listening on loopback, it answers only loopback host names \
         (127.0.0.1, localhost, [::1], *.localhost) so that a web page cannot reach it through DNS rebinding; \
         to use this name, start it with `eddy serve --allow-host {name}`, or listen on a non-loopback address \
         with --bind (then any host is accepted)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_pass_and_others_need_allow_host() {
        let none = Allowed::new(&[]);
        for ok in [
            "127.0.0.1",
            "127.0.0.1:4566",
            "127.1.2.3:80",
            "localhost",
            "LOCALHOST:4566",
            "localhost.",
            "sqs.us-east-1.localhost:4566",
            "[::1]",
            "[::1]:4566",
        ] {
            assert!(none.accepts(Some(ok)), "{ok}");
        }
        assert!(none.accepts(None));
        for bad in [
            "evil.example",
            "evil.example:4566",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "10.0.0.1:4566",
            "[fe80::1]:4566",
            "",
        ] {
            assert!(!none.accepts(Some(bad)), "{bad}");
        }
        let some = Allowed::new(&["Dev.Box".to_string(), "*.svc.internal".to_string()]);
        assert!(some.accepts(Some("dev.box:4566")));
        assert!(some.accepts(Some("eddy.svc.internal")));
        assert!(!some.accepts(Some("svc.internal")));
        assert!(!some.accepts(Some("other.box")));
        let msg = refusal("evil.example:4566");
        assert!(msg.contains("--allow-host evil.example"), "{msg}");
    }
}
