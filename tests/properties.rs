//! Property tests for the pattern engine: no input makes it panic, the
//! many-rules matcher agrees with matching one pattern at a time, and
//! `explain` always reaches the verdict `matches` reaches.

use eddy::pattern::{Pattern, RuleSetBuilder, validate_event};
use proptest::prelude::*;
use serde_json::{Value, json};

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a".to_string()),
        Just("b".to_string()),
        Just("c".to_string()),
        Just("a.b".to_string()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("x".to_string()),
        Just("xy".to_string()),
        Just("X".to_string()),
        Just("".to_string()),
        Just("10.0.0.1".to_string()),
        Just("straße".to_string()),
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(1)),
        Just(json!(-1)),
        Just(json!(1.5)),
        Just(json!(300)),
        Just(json!(300.0)),
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        text().prop_map(Value::from),
        number(),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ]
}

/// Events: nested objects and arrays over a small alphabet, so patterns hit often.
fn event_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 1..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn event() -> impl Strategy<Value = String> {
    prop::collection::vec((key(), event_value()), 0..4)
        .prop_map(|kv| Value::Object(kv.into_iter().collect()).to_string())
}

fn candidate() -> impl Strategy<Value = Value> {
    prop_oneof![
        scalar(),
        text().prop_map(|s| json!({ "prefix": s })),
        text().prop_map(|s| json!({ "suffix": s })),
        text().prop_map(|s| json!({ "equals-ignore-case": s })),
        text().prop_map(|s| json!({ "anything-but": s })),
        number().prop_map(|n| json!({ "anything-but": [n] })),
        Just(json!({ "anything-but": { "prefix": "x" } })),
        Just(json!({ "wildcard": "x*" })),
        Just(json!({ "wildcard": "*y" })),
        Just(json!({ "numeric": [">", 0] })),
        Just(json!({ "numeric": [">=", 0, "<", 300] })),
        any::<bool>().prop_map(|b| json!({ "exists": b })),
        Just(json!({ "cidr": "10.0.0.0/8" })),
    ]
}

fn pattern_object(depth: u32) -> BoxedStrategy<Value> {
    let leaf = prop::collection::vec(candidate(), 1..3).prop_map(Value::Array);
    let field = if depth == 0 {
        leaf.boxed()
    } else {
        prop_oneof![3 => leaf, 1 => pattern_object(depth - 1)].boxed()
    };
    let fields = prop::collection::vec((key(), field), 1..3);
    if depth == 0 {
        fields
            .prop_map(|kv| Value::Object(kv.into_iter().collect()))
            .boxed()
    } else {
        (
            fields,
            prop::option::weighted(0.2, (pattern_object(0), pattern_object(0))),
        )
            .prop_map(|(kv, or)| {
                let mut m: serde_json::Map<String, Value> = kv.into_iter().collect();
                if let Some((x, y)) = or {
                    m.insert("$or".to_string(), json!([x, y]));
                }
                Value::Object(m)
            })
            .boxed()
    }
}

fn pattern() -> impl Strategy<Value = String> {
    pattern_object(2).prop_map(|v| v.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in ".{0,200}", bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = Pattern::parse(&s);
        let p = Pattern::parse(r#"{"a":[{"prefix":"x"}],"b":{"c":[{"exists":false}]}}"#).unwrap();
        for input in [s.as_bytes(), bytes.as_slice()] {
            let _ = p.matches(input);
            let _ = p.explain(input);
            let _ = validate_event(input);
        }
    }

    #[test]
    fn json_like_text_never_panics(s in r#"[\[\]{}",:a-c0-9.eE+\- \\nutrlsf]{0,80}"#) {
        let _ = Pattern::parse(&s);
        let p = Pattern::parse(r#"{"a":[1,{"numeric":[">",0]}],"b":[{"anything-but":"x"}]}"#).unwrap();
        let _ = p.matches(s.as_bytes());
        let _ = p.explain(s.as_bytes());
        // The strict check and the explaining parser accept the same events.
        prop_assert_eq!(validate_event(s.as_bytes()).is_ok(), p.explain(s.as_bytes()).is_ok(), "{}", s);
    }

    #[test]
    fn rule_set_agrees_with_one_by_one(patterns in prop::collection::vec(pattern(), 1..6), events in prop::collection::vec(event(), 1..6)) {
        let mut b = RuleSetBuilder::new();
        let mut singles = Vec::new();
        for (i, p) in patterns.iter().enumerate() {
            b.add(format!("r{i}"), p).unwrap();
            singles.push(Pattern::parse(p).unwrap());
        }
        let rules = b.build();
        let mut m = rules.matcher();
        for e in &events {
            let many: Vec<usize> = m.matches(e.as_bytes()).unwrap().to_vec();
            let one: Vec<usize> = singles
                .iter()
                .enumerate()
                .filter(|(_, p)| p.matches(e.as_bytes()).unwrap())
                .map(|(i, _)| i)
                .collect();
            prop_assert_eq!(&many, &one, "event {}", e);
        }
    }

    #[test]
    fn explain_agrees_with_match(p in pattern(), e in event()) {
        let p = Pattern::parse(&p).unwrap();
        let matched = p.matches(e.as_bytes()).unwrap();
        let explained = p.explain(e.as_bytes()).unwrap();
        prop_assert_eq!(matched, explained.matched, "event {}\n{}", e, explained);
    }
}
