//! What a render can learn from a live cluster. The chart layer knows no client: whoever holds
//! one answers Helm's `lookup` through a [`Lookup`]; without one, `lookup` finds nothing (an
//! empty map), as in `helm template` and a client-side dry run.

use std::fmt;
use std::sync::Arc;

use gotmpl::{TemplateError, Value, ValueFunc};

use super::funcs::strval;
use super::values::yaml_to_value;

/// One `lookup "apps/v1" "Deployment" "ns" "name"` call; an empty name asks for the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupQuery {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

type Answer = Result<Option<serde_json::Value>, String>;

/// Answers `lookup` calls: the object (or list) as the API server returns it, `Ok(None)` when
/// there is none, `Err` with one sentence when the cluster could not be asked.
#[derive(Clone)]
pub struct Lookup(Arc<dyn Fn(&LookupQuery) -> Answer + Send + Sync>);

impl Lookup {
    pub fn new(answer: impl Fn(&LookupQuery) -> Answer + Send + Sync + 'static) -> Self {
        Lookup(Arc::new(answer))
    }
}

impl fmt::Debug for Lookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Lookup(live cluster)")
    }
}

/// The template function `lookup` backed by `answer`: Helm's empty map for "not found".
pub(super) fn lookup_function(answer: Lookup) -> ValueFunc {
    Arc::new(move |args: &[Value]| {
        if args.len() != 4 {
            return Err(TemplateError::Exec(format!(
                "wrong number of args for lookup: want 4 (apiVersion, kind, namespace, name), got {}",
                args.len()
            )));
        }
        let query = LookupQuery {
            api_version: strval(&args[0]),
            kind: strval(&args[1]),
            namespace: strval(&args[2]),
            name: strval(&args[3]),
        };
        match (answer.0)(&query).map_err(TemplateError::Exec)? {
            None => Ok(Value::Map(Arc::default())),
            Some(json) => {
                let yaml = serde_yaml::to_value(json).map_err(|e| TemplateError::Exec(e.to_string()))?;
                Ok(yaml_to_value(&yaml))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_becomes_a_map_and_none_an_empty_one() {
        let f = lookup_function(Lookup::new(|q| {
            Ok((q.name == "seed").then(|| serde_json::json!({"data": {"token": "abc"}})))
        }));
        let args = |name: &str| ["v1", "ConfigMap", "ns", name].map(|s| Value::String(s.into()));
        let found = f(&args("seed")).unwrap();
        assert!(found.to_string().contains("abc"), "{found}");
        assert!(matches!(f(&args("other")).unwrap(), Value::Map(m) if m.is_empty()));
        assert!(f(&args("seed")[..2]).is_err());
    }
}
