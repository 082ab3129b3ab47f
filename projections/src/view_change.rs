//! One change to one row of a read model.

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
}

impl ViewChange {
    pub fn view(&self) -> &'static str {
        match self {
            Self::Put { view, .. } | Self::Merge { view, .. } => view,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Self::Put { id, .. } | Self::Merge { id, .. } => id,
        }
    }

    /// The row after this change, given the row before it.
    pub fn apply(self, before: Option<Value>) -> Value {
        match self {
            Self::Put { row, .. } => row,
            Self::Merge { fields, .. } => {
                let mut row = match before {
                    Some(Value::Object(map)) => map,
                    _ => Map::new(),
                };
                row.extend(fields);
                Value::Object(row)
            }
        }
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
}
