//! The profiles of the shared AWS files (`~/.aws/config`,
//! `~/.aws/credentials`, or `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`),
//! read only to explain a failure: is the named profile there, does it use
//! SSO. The SDK itself resolves credentials and regions; this reads section
//! names and keys, nothing more.

use std::collections::BTreeMap;

/// The profile eddy uses: `--profile`, else `AWS_PROFILE`, else `default`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Chosen {
    pub name: String,
    /// Named by the user (flag or `AWS_PROFILE`), not the implicit `default`.
    pub explicit: bool,
}

/// The profile chosen by `flag` or the environment.
pub(super) fn chosen(flag: Option<&str>) -> Chosen {
    let env = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
    match flag.map(str::to_string).or(env) {
        Some(name) => Chosen {
            name,
            explicit: true,
        },
        None => Chosen {
            name: "default".to_string(),
            explicit: false,
        },
    }
}

/// The profiles of both files: name → the keys of its sections.
#[derive(Debug, Clone, Default)]
pub(super) struct Files {
    config_path: String,
    credentials_path: String,
    profiles: BTreeMap<String, Vec<String>>,
}

impl Files {
    /// Reads both files (a missing one has no profiles).
    pub fn read() -> Files {
        let home = std::env::var("HOME").unwrap_or_default();
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let config_path = var("AWS_CONFIG_FILE").unwrap_or_else(|| format!("{home}/.aws/config"));
        let credentials_path = var("AWS_SHARED_CREDENTIALS_FILE")
            .unwrap_or_else(|| format!("{home}/.aws/credentials"));
        let mut profiles = BTreeMap::new();
        for (path, is_config) in [(&config_path, true), (&credentials_path, false)] {
            if let Ok(text) = std::fs::read_to_string(path) {
                for (name, keys) in sections(&text, is_config) {
                    profiles.entry(name).or_insert_with(Vec::new).extend(keys);
                }
            }
        }
        Files {
            config_path: tilde(&config_path, &home),
            credentials_path: tilde(&credentials_path, &home),
            profiles,
        }
    }

    pub fn has(&self, profile: &str) -> bool {
        self.profiles.contains_key(profile)
    }

    /// The profile signs in through SSO (`sso_session` or `sso_start_url`).
    pub fn uses_sso(&self, profile: &str) -> bool {
        self.profiles.get(profile).is_some_and(|keys| {
            keys.iter()
                .any(|k| k == "sso_session" || k == "sso_start_url")
        })
    }

    pub fn names(&self) -> Vec<String> {
        self.profiles.keys().cloned().collect()
    }

    /// `~/.aws/config`, for messages.
    pub fn config_label(&self) -> String {
        self.config_path.clone()
    }

    /// `~/.aws/config or ~/.aws/credentials`, for messages.
    pub fn both_label(&self) -> String {
        format!("{} or {}", self.config_path, self.credentials_path)
    }
}

/// `path` with the home folder written `~`.
fn tilde(path: &str, home: &str) -> String {
    match path.strip_prefix(home) {
        Some(rest) if !home.is_empty() && rest.starts_with('/') => format!("~{rest}"),
        _ => path.to_string(),
    }
}

/// The profile sections of one file with their keys. In the config file a
/// profile is `[default]` or `[profile NAME]` (other sections, such as
/// `[sso-session X]`, are not profiles); in the credentials file every
/// section is a profile.
fn sections(text: &str, is_config: bool) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut current: Option<usize> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let header = header.trim();
            let name = if !is_config || header == "default" {
                Some(header)
            } else {
                header.strip_prefix("profile ").map(str::trim)
            };
            current = name.map(|n| {
                out.push((n.to_string(), Vec::new()));
                out.len() - 1
            });
            continue;
        }
        if let (Some(i), Some((key, _))) = (current, line.split_once('=')) {
            out[i].1.push(key.trim().to_ascii_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_sections_are_profiles_only_when_named_so() {
        let text = "[default]\nregion = us-east-1\n[profile work]\nsso_session = corp\n\
                    [sso-session corp]\nsso_start_url = https://x\n# [profile no]\n";
        let got = sections(text, true);
        assert_eq!(
            got,
            vec![
                ("default".to_string(), vec!["region".to_string()]),
                ("work".to_string(), vec!["sso_session".to_string()]),
            ]
        );
        let creds = sections("[ci]\naws_access_key_id = A\n", false);
        assert_eq!(
            creds,
            vec![("ci".to_string(), vec!["aws_access_key_id".to_string()])]
        );
    }

    #[test]
    fn home_is_written_as_a_tilde() {
        assert_eq!(tilde("/home/a/.aws/config", "/home/a"), "~/.aws/config");
        assert_eq!(
            tilde("/home/ab/.aws/config", "/home/a"),
            "/home/ab/.aws/config"
        );
        assert_eq!(tilde("/etc/aws", ""), "/etc/aws");
    }
}
