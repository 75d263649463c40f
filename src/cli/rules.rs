//! Rules files for `pattern match`: a JSON object mapping rule names to
//! patterns, in file order. Each pattern is a JSON object, or a string holding
//! the pattern text (EventBridge's API stores patterns as strings). The output
//! of `aws events list-rules` (`{"Rules":[{"Name":..,"EventPattern":".."}]}`)
//! is accepted too; rules without a pattern (schedules) are left out. A folder
//! of pattern files is a rule per file, named after the file.
//!
//! An object pattern is compiled from its exact text in the file, not a
//! re-serialisation: number spelling matters to EventBridge.

use std::fmt;
use std::io;
use std::path::Path;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::input::{self, InputError, InputSpec};
use crate::pattern::json::line_col;
use crate::pattern::{PatternError, RuleSet, RuleSetBuilder};

/// One named pattern from a rules file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub name: String,
    /// The pattern text.
    pub pattern: String,
    /// Where the pattern starts in the rules text, when it is written there as an
    /// object (error positions are then given in the rules file).
    pub offset: Option<usize>,
}

const EXPECTED: &str = r#"a rules file is a JSON object {"rule-name": pattern, ...}"#;

/// What is wrong with a rules file, or with one rule in it.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("{at}: not a rules file ({error}); {EXPECTED}")]
    Syntax {
        at: String,
        error: serde_json::Error,
    },
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{at}: holds no rules; {EXPECTED}")]
    Empty { at: String },
    #[error("{at}: rule {name:?} is given twice; rule names must be unique")]
    Duplicate { at: String, name: String },
    #[error(
        "{at}: rule {name:?}: the pattern must be a JSON object or a string holding one, not {found}"
    )]
    NotPattern {
        at: String,
        name: String,
        found: &'static str,
    },
    #[error("{at}: rule {name:?}: {error}{}", if *in_string { " of the pattern string" } else { "" })]
    Invalid {
        at: String,
        name: String,
        error: PatternError,
        in_string: bool,
    },
}

/// The rules in `text`, in file order. `at` names the file in messages.
pub fn parse(at: &str, text: &str) -> Result<Vec<Rule>, RulesError> {
    let syntax = |error| RulesError::Syntax {
        at: at.to_string(),
        error,
    };
    let Entries(entries) = serde_json::from_str(text).map_err(syntax)?;
    if let [(key, raw)] = entries.as_slice()
        && key == "Rules"
        && raw.get().starts_with('[')
    {
        return listed_rules(at, raw.get());
    }
    let mut rules: Vec<Rule> = Vec::with_capacity(entries.len());
    for (name, raw) in entries {
        if rules.iter().any(|r| r.name == name) {
            return Err(RulesError::Duplicate {
                at: at.to_string(),
                name,
            });
        }
        let json = raw.get();
        let (pattern, offset) = match json.as_bytes().first() {
            Some(b'{') => (json.to_string(), offset_in(text, json)),
            Some(b'"') => (serde_json::from_str::<String>(json).map_err(syntax)?, None),
            _ => {
                let found = json_type(json);
                return Err(RulesError::NotPattern {
                    at: at.to_string(),
                    name,
                    found,
                });
            }
        };
        rules.push(Rule {
            name,
            pattern,
            offset,
        });
    }
    if rules.is_empty() {
        return Err(RulesError::Empty { at: at.to_string() });
    }
    Ok(rules)
}

/// Parses and compiles every rule. On failure, says what is wrong with each bad rule.
pub fn build(at: &str, text: &str) -> Result<RuleSet, Vec<RulesError>> {
    let rules = parse(at, text).map_err(|e| vec![e])?;
    let mut builder = RuleSetBuilder::new();
    let mut errors = Vec::new();
    for rule in rules {
        if let Err(error) = builder.add(rule.name.clone(), &rule.pattern) {
            errors.push(invalid(at, text, rule, error));
        }
    }
    if errors.is_empty() {
        Ok(builder.build())
    } else {
        Err(errors)
    }
}

/// One rule per `*.json` file of a folder (but `index.json`), named by the file
/// name without `.json`, in name order. On failure, says what is wrong with each bad file.
pub fn build_from_folder(dir: &Path) -> Result<RuleSet, Vec<RulesError>> {
    let files = input::pattern_files(dir).map_err(|e| vec![RulesError::Input(e)])?;
    let mut builder = RuleSetBuilder::new();
    let mut errors = Vec::new();
    for path in files {
        let at = path.display().to_string();
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = match input::read_text(&InputSpec::Path(path), &mut io::empty(), "pattern") {
            Ok(text) => text,
            Err(e) => {
                errors.push(RulesError::Input(e));
                continue;
            }
        };
        if let Err(error) = builder.add(name.clone(), &text) {
            errors.push(RulesError::Invalid {
                at,
                name,
                error,
                in_string: false,
            });
        }
    }
    if errors.is_empty() {
        Ok(builder.build())
    } else {
        Err(errors)
    }
}

/// The error for an invalid rule, with the position moved into the rules file
/// when the pattern is written there as an object.
fn invalid(at: &str, text: &str, rule: Rule, mut error: PatternError) -> RulesError {
    let in_string = match rule.offset {
        Some(base) => {
            error.offset += base;
            (error.line, error.column) = line_col(text.as_bytes(), error.offset);
            false
        }
        None => true,
    };
    RulesError::Invalid {
        at: at.to_string(),
        name: rule.name,
        error,
        in_string,
    }
}

/// Where `part` (a slice of `whole`) starts in `whole`.
fn offset_in(whole: &str, part: &str) -> Option<usize> {
    let offset = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    (whole.get(offset..offset + part.len()) == Some(part)).then_some(offset)
}

fn json_type(json: &str) -> &'static str {
    match json.as_bytes().first() {
        Some(b'[') => "an array",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// `aws events list-rules` output.
fn listed_rules(at: &str, json: &str) -> Result<Vec<Rule>, RulesError> {
    #[derive(Deserialize)]
    struct Listed {
        #[serde(rename = "Name")]
        name: String,
        #[serde(rename = "EventPattern", default)]
        event_pattern: Option<String>,
    }
    let listed: Vec<Listed> = serde_json::from_str(json).map_err(|error| RulesError::Syntax {
        at: at.to_string(),
        error,
    })?;
    let mut rules: Vec<Rule> = Vec::with_capacity(listed.len());
    for Listed {
        name,
        event_pattern,
    } in listed
    {
        let Some(pattern) = event_pattern else {
            continue;
        };
        if rules.iter().any(|r| r.name == name) {
            return Err(RulesError::Duplicate {
                at: at.to_string(),
                name,
            });
        }
        rules.push(Rule {
            name,
            pattern,
            offset: None,
        });
    }
    if rules.is_empty() {
        return Err(RulesError::Empty { at: at.to_string() });
    }
    Ok(rules)
}

/// The members of a JSON object in file order, values as raw text.
struct Entries<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object of rules")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        d.deserialize_map(EntriesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_file_order_and_exact_pattern_text() {
        let text = r#"{"zeta": {"n": [1.50]}, "alpha": "{\"source\":[\"a\"]}"}"#;
        let rules = parse("r.json", text).unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].name, "zeta");
        assert_eq!(rules[0].pattern, r#"{"n": [1.50]}"#);
        assert_eq!(rules[0].offset, Some(9));
        assert_eq!(&text[9..9 + rules[0].pattern.len()], rules[0].pattern);
        assert_eq!(rules[1].name, "alpha");
        assert_eq!(rules[1].pattern, r#"{"source":["a"]}"#);
        assert_eq!(rules[1].offset, None);
    }

    #[test]
    fn rejects_what_is_not_a_pattern() {
        let e = parse("r.json", r#"{"a": {"x": [1]}, "b": [1]}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"r.json: rule "b": the pattern must be a JSON object or a string holding one, not an array"#
        );
        let e = parse("r.json", r#"{"a": {}, "a": {}}"#).unwrap_err();
        assert!(e.to_string().contains(r#"rule "a" is given twice"#), "{e}");
        let e = parse("r.json", "{}").unwrap_err();
        assert!(e.to_string().starts_with("r.json: holds no rules"), "{e}");
        let e = parse("r.json", "[1]").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("r.json: not a rules file (invalid type"),
            "{e}"
        );
        let e = parse("r.json", "{\"a\": {\"x\": [1]}\n").unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }

    #[test]
    fn reads_list_rules_output() {
        let text = r#"{"Rules": [
            {"Name": "orders", "Arn": "arn:x", "EventPattern": "{\"source\":[\"shop\"]}", "State": "ENABLED"},
            {"Name": "nightly", "ScheduleExpression": "cron(0 0 * * ? *)"}
        ]}"#;
        let rules = parse("rules.json", text).unwrap();
        assert_eq!(
            rules,
            vec![Rule {
                name: "orders".into(),
                pattern: r#"{"source":["shop"]}"#.into(),
                offset: None
            }]
        );
    }

    #[test]
    fn moves_pattern_error_positions_into_the_file() {
        let text = "{\n  \"bad\": {\"x\": []}\n}";
        let rule = parse("r.json", text).unwrap().remove(0);
        let error = PatternError {
            path: "x".into(),
            offset: 6,
            line: 1,
            column: 7,
            reason: "Empty arrays are not allowed".into(),
        };
        let RulesError::Invalid {
            error, in_string, ..
        } = invalid("r.json", text, rule, error)
        else {
            panic!("not Invalid");
        };
        assert!(!in_string);
        assert_eq!((error.offset, error.line, error.column), (17, 2, 16));
        assert_eq!(&text[17..19], "[]");
    }
}
