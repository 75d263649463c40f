//! Request members as the services' serde request types hold them.
//!
//! A client may send anything in a member; what a wrong type means differs by
//! service (EventBridge takes a non-string where a string belongs as absent,
//! CloudWatch Logs answers `SerializationException` naming the member). So
//! these types never fail to deserialize: they keep what came, and the
//! service's `wire` turns it into its own errors when the operation reads the
//! member (with the member's wire name). Reading a whole request therefore
//! cannot fail either ([`input`]).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Reads a request body (or a nested object) as its operation's type. Every
/// member type here accepts any JSON, so reading an object cannot fail;
/// anything else reads as an empty request, whose required members are then
/// missing.
pub fn input<T: DeserializeOwned + Default>(body: Value) -> T {
    serde_json::from_value(body).unwrap_or_default()
}

/// A string member; anything else (absent, null, a number) reads as absent.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Str(Option<String>);

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Str(match Value::deserialize(d)? {
            Value::String(s) => Some(s),
            _ => None,
        }))
    }
}

impl From<Option<String>> for Str {
    fn from(v: Option<String>) -> Self {
        Str(v)
    }
}

impl Str {
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// The value, or the error `missing` gives.
    pub fn required<E>(&self, missing: impl FnOnce() -> E) -> Result<&str, E> {
        self.get().ok_or_else(missing)
    }

    /// The value as an owned string, if any.
    pub fn owned(&self) -> Option<String> {
        self.0.clone()
    }
}

/// A list member: None when absent or not a list; its items read leniently
/// (an item of the wrong shape reads as `T::default()`).
#[derive(Debug, Clone)]
pub struct List<T>(Option<Vec<T>>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(None)
    }
}

impl<'de, T: DeserializeOwned + Default> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(List(match Value::deserialize(d)? {
            Value::Array(items) => Some(items.into_iter().map(input).collect()),
            _ => None,
        }))
    }
}

impl<T> List<T> {
    pub fn get(&self) -> Option<&[T]> {
        self.0.as_deref()
    }
}

/// A nested structure member: None when absent or null; anything else read
/// leniently as `T` (not an object: `T::default()`, whose members are absent).
#[derive(Debug, Clone)]
pub struct Nested<T>(Option<T>);

impl<T> Default for Nested<T> {
    fn default() -> Self {
        Nested(None)
    }
}

impl<'de, T: DeserializeOwned + Default> Deserialize<'de> for Nested<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Nested(match Value::deserialize(d)? {
            Value::Null => None,
            v => Some(input(v)),
        }))
    }
}

impl<T> Nested<T> {
    pub fn get(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

/// A member kept as sent (null reads as absent), for members whose checks
/// depend on the JSON type (numbers that may be strings, nested objects kept
/// verbatim).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Raw(Option<Value>);

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Raw(match Value::deserialize(d)? {
            Value::Null => None,
            v => Some(v),
        }))
    }
}

impl Raw {
    pub fn get(&self) -> Option<&Value> {
        self.0.as_ref()
    }

    /// The member read as a strict type (for a member whose type depends on
    /// the operation).
    pub fn typed<T: DeserializeOwned>(&self) -> Typed<T> {
        match &self.0 {
            None => Typed::Absent,
            Some(v) => serde_json::from_value(v.clone()).map_or(Typed::Wrong, Typed::Is),
        }
    }
}

/// What a member of type `T` is called in an error (`a string`, `an integer`).
pub trait Expected {
    const WHAT: &'static str;
}

impl Expected for String {
    const WHAT: &'static str = "a string";
}

impl Expected for i64 {
    const WHAT: &'static str = "an integer";
}

impl Expected for bool {
    const WHAT: &'static str = "a boolean";
}

impl Expected for Vec<String> {
    const WHAT: &'static str = "a list of strings";
}

impl Expected for std::collections::BTreeMap<String, String> {
    const WHAT: &'static str = "a map of strings";
}

/// A member of a strict type: absent (or null), of type `T`, or of another
/// type (kept as "wrong" so the operation can name the member in its error).
#[derive(Debug, Clone, Default)]
pub enum Typed<T> {
    #[default]
    Absent,
    Is(T),
    Wrong,
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Typed<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Null => Typed::Absent,
            v => serde_json::from_value(v).map_or(Typed::Wrong, Typed::Is),
        })
    }
}

impl<T: Expected> Typed<T> {
    /// The value if present; `wrong(what)` when it has another type.
    pub fn get<E>(&self, wrong: impl FnOnce(&'static str) -> E) -> Result<Option<&T>, E> {
        match self {
            Typed::Absent => Ok(None),
            Typed::Is(v) => Ok(Some(v)),
            Typed::Wrong => Err(wrong(T::WHAT)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Default, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    struct Req {
        name: Str,
        items: List<Str>,
        limit: Raw,
        count: Typed<i64>,
    }

    #[test]
    fn members_never_fail_and_keep_what_the_checks_need() {
        let r: Req = input(json!({"Name": 5, "Items": ["a", 1], "Limit": "3", "Count": 1.5}));
        assert_eq!(r.name.get(), None);
        let items: Vec<Option<&str>> = r.items.get().unwrap().iter().map(Str::get).collect();
        assert_eq!(items, [Some("a"), None]);
        assert_eq!(r.limit.get(), Some(&json!("3")));
        assert_eq!(r.count.get(|w| w).unwrap_err(), "an integer");
        let r: Req = input(json!({"Name": "n", "Items": {}, "Count": 4}));
        assert_eq!(r.name.required(|| "missing"), Ok("n"));
        assert!(r.items.get().is_none());
        assert_eq!(r.count.get(|w| w).unwrap(), Some(&4));
        let r: Req = input(json!([1, 2]));
        assert_eq!(r.name.required(|| "missing"), Err("missing"));
    }
}
