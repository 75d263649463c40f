//! The shapes of a query-protocol service, as its model describes them:
//! what the query layer needs to turn form parameters into the JSON input a
//! service's handlers take and their JSON output into the XML the SDKs
//! parse. Only the traits that change the wire form are kept: member names
//! on the wire (`locationName`), flattened lists and maps, the names of
//! list items and map keys and values, the scalar types, required members.
//! A service's model (`sqs_model`) is a set of these constants.

/// One shape. Scalars are read from and written as text; lists, maps and
/// structures nest.
#[derive(Debug)]
pub enum Shape {
    Str,
    /// Integers and longs: a JSON number when the text is one.
    Int,
    /// `true` / `false`.
    Bool,
    /// Base64 text on both protocols: passed through.
    Blob,
    List {
        /// The items' wire name (`locationName` of the member), if any:
        /// a flattened list's items take it instead of the member's name,
        /// a wrapped list's items are called `member` without it.
        item: Option<&'static str>,
        flattened: bool,
        of: &'static Shape,
    },
    Map {
        /// The wire names of an entry's key and value (`key` / `value`
        /// unless the model names them, e.g. `Name` / `Value`).
        key: &'static str,
        value: &'static str,
        flattened: bool,
        of: &'static Shape,
    },
    Struct {
        /// Members the request must contain (by member name).
        required: &'static [&'static str],
        members: &'static [Member],
    },
}

/// A member of a structure: its name in the JSON protocol (the handlers'
/// input and output) and on the query wire (parameters and XML elements).
#[derive(Debug)]
pub struct Member {
    pub name: &'static str,
    pub xml: &'static str,
    pub shape: Shape,
}

/// A member whose wire name is its name.
pub const fn m(name: &'static str, shape: Shape) -> Member {
    Member {
        name,
        xml: name,
        shape,
    }
}

/// A member with its own wire name (`locationName`).
pub const fn at(name: &'static str, xml: &'static str, shape: Shape) -> Member {
    Member { name, xml, shape }
}

/// An operation: its `Action` name, its input structure and its output
/// structure (answered inside `<{name}Result>`; `None`: no result element).
#[derive(Debug)]
pub struct Operation {
    pub name: &'static str,
    pub input: &'static Shape,
    pub output: Option<&'static Shape>,
}

impl Operation {
    /// The members the request must contain.
    pub fn required(&self) -> &'static [&'static str] {
        match self.input {
            Shape::Struct { required, .. } => required,
            _ => &[],
        }
    }
}
