//! SNS subscription filter policies: parse + validate, match, explain.
//!
//! Pure, like the rest of `pattern`. A policy is evaluated in one of two
//! scopes ([`Scope`]): `MessageAttributes` (values come from the message's
//! typed attributes; `String.Array` elements are matched one by one,
//! `Binary` attributes are ignored) or `MessageBody` (nested keys of a
//! JSON-object body). Normative detail: `../shared/reference/sns.md` §1 and
//! the corpus in `tests/fixtures/sns/filter-policies.jsonl` (every case
//! passes: `tests/sns_conformance.rs`).
//!
//! Files: `filter_policy/policy.rs` validates and compiles a policy (SNS's
//! checks in SNS's order, with SNS's messages); `filter_policy/body.rs`
//! reads the values a body policy wants straight from the body's bytes;
//! `filter_policy/eval.rs` finds the values in a message and gives the
//! verdict, with or without reasons; `filter_policy/types.rs` holds the
//! plain types of the API. Shared with the EventBridge engine: the JSON parser (`json`,
//! which keeps number spellings and offsets), case folding for
//! `equals-ignore-case` (`value::Folded`), value leaves (`value::Leaf`),
//! numeric ranges (`eval::in_range`) and the bracket skipper (`skip`).
//!
//! Where SNS differs from EventBridge (and why this is not `Pattern`):
//! - **Typed attributes.** In `MessageAttributes` scope a `String` attribute
//!   is a string, a `Number` attribute a number, a `String.Array` a list whose
//!   elements keep their JSON types, and `Binary` attributes are ignored (as
//!   if absent). A string pattern never matches a number and a number or
//!   `numeric` pattern never matches a string (`"100"` is not `100`); the
//!   same holds for JSON types in the body.
//! - **Scopes.** Attribute policies are flat (a nested object is refused:
//!   `Filter policy scope MessageAttributes does not support nested filter
//!   policy`). Body policies nest; the body must be a JSON object (a string,
//!   a number or non-JSON never matches); a dotted key `"a.b"` matches both
//!   `{"a":{"b":..}}` and `{"a.b":..}`; arrays at any depth, lists of lists
//!   too, are walked element by element, and each key is matched on its own
//!   (no EventBridge rule that two keys must agree on one array element).
//! - **exists.** `{"exists": false}` does not match a message without any
//!   (non-Binary) attribute; `anything-but` never matches a missing key.
//! - **Operators.** Exact values, `prefix`, `suffix`, `equals-ignore-case`,
//!   `anything-but` (a value, a list, possibly of mixed types, or
//!   `{"prefix": ..}`; `suffix` and the rest are refused, as AWS does since
//!   2024), `numeric` (`=`, or one lower and/or one upper bound), `exists`,
//!   `cidr` (IPv4 and IPv6, family-exact). No `wildcard`, `exactly`,
//!   `*-equals-ignore-case` inside `anything-but`, or `$or` at the value level.
//! - **`$or`** is an array of objects under the key `$or`, at any level; it
//!   may be nested.
//! - **Limits.** At most 5 keys at the top (`$or` counts as one; in a
//!   nested policy only the parents count). At most 150 value combinations:
//!   each value list multiplies by its length times its nesting depth (1 at
//!   the top), an `$or` sums what its branches make (AWS-validated: 216 and
//!   160 are refused, 150 accepted); EventBridge's limit is 1000 `$or`
//!   combinations only.
//! - **Numbers** compare to five digits after the decimal point (rounded):
//!   `100.123456789` equals `100.1234567`. AWS documents numbers between
//!   -10^9 and 10^9, but accepts others (as LocalStack's validated tests
//!   show), and so does this module.
//! - **Error texts** are SNS's (the corpus' first lines), without the
//!   per-call prefix that [`FilterPolicyError::for_api`] adds. Checked in
//!   SNS's order: key count, then structure and combinations, then each value
//!   list. Texts no source records (invalid JSON, a policy that is not an
//!   object) are eddy's own, written in the same style.
//! - **Size.** SNS refuses policies over 256 KB; this module does not check
//!   the size (the backend's request limits do).

mod body;
mod eval;
mod policy;

mod types;

pub use policy::{MAX_COMBINATIONS, MAX_KEYS};
pub use types::{Attribute, FilterPolicyError, KeyVerdict, Message, PolicyExplanation, Scope};

/// One validated filter policy in its scope.
#[derive(Debug, Clone)]
pub struct FilterPolicy {
    text: String,
    scope: Scope,
    compiled: policy::Compiled,
}

impl FilterPolicy {
    /// Parses and validates `text` as SNS does for `scope`. An empty text is
    /// not a policy: SNS takes `FilterPolicy=""` as "no policy", which the
    /// caller handles.
    pub fn parse(text: &str, scope: Scope) -> Result<FilterPolicy, FilterPolicyError> {
        let compiled = policy::compile(text, scope)?;
        Ok(FilterPolicy {
            text: text.to_string(),
            scope,
            compiled,
        })
    }

    /// The policy text as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// Whether SNS delivers `message` to a subscription with this policy.
    pub fn matches(&self, message: &Message) -> bool {
        let store = eval::Store::new(&self.compiled, self.scope, message);
        eval::View::new(&self.compiled, message, &store).matches(&self.compiled, self.scope)
    }

    /// The verdict with its reasons, key by key, in policy order.
    pub fn explain(&self, message: &Message) -> PolicyExplanation {
        let store = eval::Store::new(&self.compiled, self.scope, message);
        eval::View::new(&self.compiled, message, &store).explain(
            &self.compiled,
            self.scope,
            message,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str, &str)]) -> Message {
        Message {
            body: "msg".to_string(),
            attributes: pairs
                .iter()
                .map(|(k, t, v)| {
                    (
                        k.to_string(),
                        Attribute {
                            data_type: t.to_string(),
                            value: v.to_string(),
                        },
                    )
                })
                .collect(),
        }
    }

    fn body(text: &str) -> Message {
        Message {
            body: text.to_string(),
            attributes: Default::default(),
        }
    }

    fn verdicts(x: &PolicyExplanation) -> Vec<(String, bool, String)> {
        x.keys
            .iter()
            .map(|k| (k.key.clone(), k.matched, k.reason.clone()))
            .collect()
    }

    #[test]
    fn explain_gives_each_key_its_verdict_and_the_value_it_saw() {
        let p = FilterPolicy::parse(
            r#"{"topic": ["news", "tech"], "price": [{"numeric": [">", 100]}]}"#,
            Scope::MessageAttributes,
        )
        .unwrap();
        let m = attrs(&[("topic", "String", "sports"), ("price", "Number", "150")]);
        let x = p.explain(&m);
        assert!(!x.matched);
        assert_eq!(
            verdicts(&x),
            vec![
                (
                    "topic".to_string(),
                    false,
                    r#""String" "sports" does not match ["news","tech"]"#.to_string()
                ),
                (
                    "price".to_string(),
                    true,
                    r#""Number" 150 matches {"numeric":[">",100]}"#.to_string()
                ),
            ]
        );
        assert_eq!(p.matches(&m), x.matched);
    }

    #[test]
    fn explain_says_why_a_typed_value_does_not_match() {
        let p = FilterPolicy::parse(r#"{"price": [100]}"#, Scope::MessageAttributes).unwrap();
        let x = p.explain(&attrs(&[("price", "String", "100")]));
        assert!(!x.matched);
        assert!(
            x.keys[0].reason.contains("publish it with Type Number"),
            "{}",
            x.keys[0].reason
        );
        let p =
            FilterPolicy::parse(r#"{"n": [{"numeric": [">", 1]}]}"#, Scope::MessageBody).unwrap();
        let x = p.explain(&body(r#"{"n": "5"}"#));
        assert!(x.keys[0].reason.contains("not numbers in quotes"));
        let p = FilterPolicy::parse(r#"{"k": ["100"]}"#, Scope::MessageBody).unwrap();
        let x = p.explain(&body(r#"{"k": 100}"#));
        assert!(!x.matched);
        assert!(
            x.keys[0]
                .reason
                .contains("string patterns never match a number"),
            "{}",
            x.keys[0].reason
        );
    }

    #[test]
    fn explain_names_missing_binary_and_attribute_free_messages() {
        let p = FilterPolicy::parse(
            r#"{"store": [{"exists": false}]}"#,
            Scope::MessageAttributes,
        )
        .unwrap();
        let none = p.explain(&attrs(&[]));
        assert!(!none.matched);
        assert!(none.keys[0].reason.contains("no attributes at all"));
        let other = p.explain(&attrs(&[("event", "String", "x")]));
        assert!(other.matched);
        assert_eq!(
            other.keys[0].reason,
            r#"the message has no attribute "store", as {"exists":false} wants"#
        );
        let p = FilterPolicy::parse(
            r#"{"k": [{"anything-but": ["red"]}]}"#,
            Scope::MessageAttributes,
        )
        .unwrap();
        let x = p.explain(&attrs(&[("other", "String", "x")]));
        assert!(!x.matched);
        assert!(
            x.keys[0]
                .reason
                .contains("anything-but never matches a missing key"),
            "{}",
            x.keys[0].reason
        );
        let p = FilterPolicy::parse(r#"{"blob": ["x"]}"#, Scope::MessageAttributes).unwrap();
        let x = p.explain(&attrs(&[("blob", "Binary", "eA==")]));
        assert!(x.keys[0].reason.contains("ignore Binary attributes"));
    }

    #[test]
    fn explain_labels_or_branches_and_nested_body_keys() {
        let p = FilterPolicy::parse(
            r#"{"detail": {"scope": ["Service"], "$or": [{"source": ["aws.cloudwatch"]}, {"type": ["Alarm"]}]}}"#,
            Scope::MessageBody,
        )
        .unwrap();
        let x = p.explain(&body(
            r#"{"detail": {"scope": "Service", "type": "Alarm"}}"#,
        ));
        assert!(x.matched);
        let keys: Vec<(&str, bool)> = x.keys.iter().map(|k| (k.key.as_str(), k.matched)).collect();
        assert_eq!(
            keys,
            vec![
                ("detail.scope", true),
                ("detail.$or", true),
                ("detail.$or[0].source", false),
                ("detail.$or[1].type", true),
            ]
        );
        assert_eq!(x.keys[1].reason, "branch 2 of 2 matched");
        assert_eq!(
            x.keys[2].reason,
            r#"the body has no value at "detail.source"; the policy wants ["aws.cloudwatch"]"#
        );
    }

    #[test]
    fn explain_of_a_body_that_is_not_an_object_is_one_line() {
        let p = FilterPolicy::parse(r#"{"a": ["1"]}"#, Scope::MessageBody).unwrap();
        let x = p.explain(&body("not json"));
        assert!(!x.matched);
        assert_eq!(x.keys.len(), 1);
        assert_eq!(x.keys[0].key, "(body)");
        assert!(x.keys[0].reason.starts_with("the body is not JSON"));
        let x = p.explain(&body("[1]"));
        assert!(
            x.keys[0].reason.contains("(it is an array)"),
            "{}",
            x.keys[0].reason
        );
    }

    #[test]
    fn display_escapes_control_characters_from_messages() {
        let p = FilterPolicy::parse("{\"k\": [\"a\"]}", Scope::MessageAttributes).unwrap();
        let x = p.explain(&attrs(&[("k", "String", "\u{1b}[31mred")]));
        let shown = x.to_string();
        assert!(!shown.contains('\u{1b}'), "{shown:?}");
        assert!(shown.starts_with("FAIL  k  "), "{shown}");
    }

    #[test]
    fn the_nested_policy_error_has_its_own_api_prefix() {
        let e =
            FilterPolicy::parse(r#"{"a": {"b": ["x"]}}"#, Scope::MessageAttributes).unwrap_err();
        assert_eq!(
            e.for_api("SetSubscriptionAttributes"),
            "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"
        );
        let e = FilterPolicy::parse(r#"{"a": "b"}"#, Scope::MessageAttributes).unwrap_err();
        assert_eq!(
            e.for_api("Subscribe"),
            r#"Invalid parameter: Attributes Reason: FilterPolicy: "a" must be an object or an array"#
        );
    }

    #[test]
    fn string_array_elements_keep_their_json_types() {
        let p =
            FilterPolicy::parse(r#"{"k": [100, "x", true]}"#, Scope::MessageAttributes).unwrap();
        assert!(p.matches(&attrs(&[("k", "String.Array", "[1, 100]")])));
        assert!(p.matches(&attrs(&[("k", "String.Array", r#"["x"]"#)])));
        assert!(p.matches(&attrs(&[("k", "String.Array", "[true]")])));
        assert!(!p.matches(&attrs(&[("k", "String.Array", r#"["100", "true"]"#)])));
        assert!(!p.matches(&attrs(&[("k", "String.Array", "not json")])));
    }
}
