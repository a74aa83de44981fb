//! Functions that turn values into text and back: YAML, JSON, base64, and the sha256 digest
//! charts use to roll pods when a config changes.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine as _;
use gotmpl::{FuncMap, Value};
use sha2::Digest as _;

use super::{add, arg, s, str_arg};
use crate::chart::goyaml::{to_json, to_yaml};
use crate::chart::values::yaml_to_value;

/// `toYaml`, `toJson`, `fromYaml`, `fromJson`, `b64enc`, `b64dec`, `sha256sum`.
pub(super) fn register(m: &mut FuncMap) {
    add(m, "toYaml", |a| {
        let y = to_yaml(arg(a, 0, "toYaml")?);
        Ok(s(y.strip_suffix('\n').unwrap_or(&y)))
    });
    add(m, "toJson", |a| Ok(s(&to_json(arg(a, 0, "toJson")?))));
    add(m, "fromYaml", |a| {
        let text = str_arg(a, 0, "fromYaml")?;
        Ok(match serde_yaml::from_str::<serde_yaml::Value>(&text) {
            Ok(serde_yaml::Value::Null) => Value::Map(Arc::default()),
            Ok(y) => yaml_to_value(&y),
            Err(e) => Value::Map(Arc::new(BTreeMap::from([(Arc::from("Error"), s(&e.to_string()))]))),
        })
    });
    add(m, "fromJson", |a| {
        let text = str_arg(a, 0, "fromJson")?;
        Ok(match serde_yaml::from_str::<serde_yaml::Value>(&text) {
            Ok(y) => yaml_to_value(&y),
            Err(e) => Value::Map(Arc::new(BTreeMap::from([(Arc::from("Error"), s(&e.to_string()))]))),
        })
    });
    add(m, "b64enc", |a| {
        Ok(s(
            &base64::engine::general_purpose::STANDARD.encode(str_arg(a, 0, "b64enc")?)
        ))
    });
    add(m, "b64dec", |a| {
        let text = str_arg(a, 0, "b64dec")?;
        Ok(s(
            &match base64::engine::general_purpose::STANDARD.decode(text.as_bytes()) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(e) => e.to_string(),
            },
        ))
    });
    add(m, "sha256sum", |a| {
        let digest = sha2::Sha256::digest(str_arg(a, 0, "sha256sum")?.as_bytes());
        Ok(s(&digest.iter().map(|b| format!("{b:02x}")).collect::<String>()))
    });
}
