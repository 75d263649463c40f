//! The parameters of a query-protocol request: the URL's query string and
//! a form-encoded body, merged (the body wins), looked up by name and by
//! prefix (`Attribute.1.` …) for the flattened lists and maps.

use std::collections::BTreeMap;
use std::ops::Bound;

/// A request's parameters by name.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    /// The parameters of the URL query string `query` and the body `body`
    /// (read as `application/x-www-form-urlencoded`; a body that is not one
    /// yields what it can, as AWS reads it).
    pub fn parse(query: Option<&str>, body: &[u8]) -> Params {
        let mut map = BTreeMap::new();
        if let Some(q) = query {
            map.extend(form_urlencoded::parse(q.as_bytes()).into_owned());
        }
        map.extend(form_urlencoded::parse(body).into_owned());
        Params(map)
    }

    /// Parameters from pairs (tests, and callers that decoded them already).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Params {
        Params(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Sets `name` unless the request already has it.
    pub fn set_default(&mut self, name: &str, value: String) {
        self.0.entry(name.to_string()).or_insert(value);
    }

    /// Whether the request has `prefix` itself or anything under it
    /// (`prefix.…`).
    pub fn has_under(&self, prefix: &str) -> bool {
        self.0
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(prefix))
            .any(|(k, _)| matches!(k.as_bytes().get(prefix.len()), None | Some(b'.')))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_and_query_string_merge_and_the_body_wins() {
        let p = Params::parse(
            Some("Action=GetQueueAttributes&QueueUrl=from-url&AttributeName.1=All"),
            b"QueueUrl=http%3A%2F%2Fh%2F1%2Fq&MessageBody=a+b%26c",
        );
        assert_eq!(p.get("Action"), Some("GetQueueAttributes"));
        assert_eq!(p.get("QueueUrl"), Some("http://h/1/q"));
        assert_eq!(p.get("MessageBody"), Some("a b&c"));
        assert_eq!(p.get("AttributeName.1"), Some("All"));
        assert_eq!(p.get("Nope"), None);
    }

    #[test]
    fn prefixes_do_not_run_into_longer_indexes() {
        let p = Params::from_pairs([("Attribute.10.Name", "a"), ("AttributeName.1", "b")]);
        assert!(p.has_under("Attribute.10"));
        assert!(!p.has_under("Attribute.1"));
        assert!(p.has_under("AttributeName"));
        assert!(p.has_under("Attribute"));
        assert!(!p.has_under("Attrib"));
        let dash = Params::from_pairs([("Tag-x", "a"), ("Tag.1.Key", "k")]);
        assert!(dash.has_under("Tag"));
        let q = Params::from_pairs([("Attribute.1", ""), ("Attribute.10.Name", "a")]);
        assert!(q.has_under("Attribute.1"));
    }
}
