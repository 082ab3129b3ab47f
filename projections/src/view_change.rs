//! One change to one row of a read model.
//!
//! Every change *sets* values; none adds to a value it cannot see. That is what lets the
//! runner re-apply entries after a crash, and two server processes project the same log,
//! without counting anything twice: applying a change again gives the same row.

use serde_json::{Map, Value};

/// A change to the row `id` of the view `view`.
#[derive(Clone, Debug, PartialEq)]
pub enum ViewChange {
    /// The row becomes exactly `row`.
    Put {
        view: &'static str,
        id: String,
        row: Value,
    },
    /// These members are set on the existing row (created empty if absent). Lets an event
    /// update a row without the projector having to read it.
    Merge {
        view: &'static str,
        id: String,
        fields: Map<String, Value>,
    },
    /// The member at `path` (object keys, outermost first) becomes `value`; the row and
    /// every object on the way are created if absent, and a non-object on the way is
    /// replaced by an object. Lets a record collect the facts of other streams (an
    /// offer its applications, an association its awards) keyed by their ids, so a
    /// collection grows by setting members, never by appending to a list: re-applying
    /// the entry sets the same member again instead of adding a duplicate.
    Set {
        view: &'static str,
        id: String,
        path: Vec<String>,
        value: Value,
    },
}

impl ViewChange {
    pub fn view(&self) -> &'static str {
        match self {
            Self::Put { view, .. } | Self::Merge { view, .. } | Self::Set { view, .. } => view,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Self::Put { id, .. } | Self::Merge { id, .. } | Self::Set { id, .. } => id,
        }
    }

    /// The row after this change, given the row before it.
    pub fn apply(self, before: Option<Value>) -> Value {
        match self {
            Self::Put { row, .. } => row,
            Self::Merge { fields, .. } => {
                let mut row = into_object(before);
                row.extend(fields);
                Value::Object(row)
            }
            // An empty path names the row itself.
            Self::Set { path, value, .. } if path.is_empty() => value,
            Self::Set { path, value, .. } => {
                let mut row = into_object(before);
                set_path(&mut row, &path, value);
                Value::Object(row)
            }
        }
    }
}

/// The members of `value` if it is an object, else none.
fn into_object(value: Option<Value>) -> Map<String, Value> {
    match value {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Sets `target[path[0]][path[1]]... = value`, making objects where needed.
fn set_path(target: &mut Map<String, Value>, path: &[String], value: Value) {
    let Some((key, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        target.insert(key.clone(), value);
        return;
    }
    let child = target
        .entry(key.clone())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(map) = child {
        set_path(map, rest, value);
    } else {
        let mut map = Map::new();
        set_path(&mut map, rest, value);
        *child = Value::Object(map);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn merge_sets_members_and_keeps_the_rest() {
        let mut fields = Map::new();
        fields.insert("status".into(), json!("revoked"));
        let change = ViewChange::Merge {
            view: "actors",
            id: "a".into(),
            fields,
        };
        let after = change.apply(Some(json!({"name": "A", "status": "active"})));
        assert_eq!(after, json!({"name": "A", "status": "revoked"}));
    }

    fn set(path: &[&str], value: Value) -> ViewChange {
        ViewChange::Set {
            view: "offers",
            id: "o".into(),
            path: path.iter().map(|k| (*k).to_owned()).collect(),
            value,
        }
    }

    #[test]
    fn set_creates_the_objects_on_its_path_and_keeps_the_rest() {
        let after = set(&["applications", "a1", "award"], json!("w1")).apply(Some(
            json!({"title": "T", "applications": {"a0": {"award": null}}}),
        ));
        assert_eq!(
            after,
            json!({"title": "T", "applications": {"a0": {"award": null}, "a1": {"award": "w1"}}})
        );
    }

    #[test]
    fn set_applied_twice_gives_the_same_row() {
        // The runner may replay an entry after a crash: the collection must not grow.
        let once = set(&["applications", "a1"], json!(7)).apply(None);
        let twice = set(&["applications", "a1"], json!(7)).apply(Some(once.clone()));
        assert_eq!(once, twice);
        assert_eq!(twice, json!({"applications": {"a1": 7}}));
    }

    #[test]
    fn set_through_a_non_object_replaces_it() {
        let after =
            set(&["awards", "w1", "status"], json!("revoked")).apply(Some(json!({"awards": null})));
        assert_eq!(after, json!({"awards": {"w1": {"status": "revoked"}}}));
        // A row that is not an object (never written so) becomes one rather than panic.
        assert_eq!(set(&["k"], json!(1)).apply(Some(json!(3))), json!({"k": 1}));
    }
}
