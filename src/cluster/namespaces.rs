//! Namespace names, for the namespace switcher.

use k8s_openapi::api::core::v1::Namespace;

use super::RowUpdate;
use super::store::{FromObject, ObjectKey, Row, WatchUpdate};

#[derive(Debug, Clone, PartialEq)]
pub struct NamespaceRow {
    pub key: ObjectKey,
}

impl Row for NamespaceRow {
    fn key(&self) -> &ObjectKey {
        &self.key
    }
}

impl FromObject<Namespace> for NamespaceRow {
    const KIND: super::store::WatchKind = super::store::WatchKind::Namespaces;

    fn from_object(ns: &Namespace) -> Self {
        NamespaceRow {
            key: ObjectKey::new("", ns.metadata.name.as_deref().unwrap_or_default()),
        }
    }

    fn wrap(update: WatchUpdate<Self>) -> RowUpdate {
        RowUpdate::Namespaces(update)
    }
}

/// Why `name` cannot be a namespace (Kubernetes wants an RFC 1123 label), as one sentence; None
/// when it can.
pub fn name_problem(name: &str) -> Option<String> {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    let valid = !name.is_empty()
        && name.len() <= 63
        && name.chars().all(ok_char)
        && !name.starts_with('-')
        && !name.ends_with('-');
    (!valid).then(|| {
        format!(
            "{:?} is not a valid namespace name: use at most 63 lowercase letters, digits and '-', \
             starting and ending with a letter or digit",
            crate::text::sanitize(name)
        )
    })
}

/// The sentence for a namespace the cluster does not have.
pub fn missing(name: &str) -> String {
    format!(
        "namespace {name} does not exist: create it (kubectl create namespace {name}) or pick another with -n NAMESPACE"
    )
}

/// Checks that the namespace is a valid name and exists. A user who may not read namespaces
/// (a namespace-only Role) cannot tell; that is not an error here, the requests in it will say.
pub async fn check(client: &kube::Client, name: &str) -> Result<(), String> {
    if let Some(problem) = name_problem(name) {
        return Err(problem);
    }
    match kube::Api::<Namespace>::all(client.clone()).get_opt(name).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(missing(name)),
        Err(kube::Error::Api(s)) if s.code == 403 => Ok(()),
        Err(e) => Err(super::explain(
            &e,
            super::Attempt {
                verb: "get",
                object: &format!("namespace {name}"),
                namespace: None,
            },
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::name_problem;

    #[test]
    fn namespace_names_follow_rfc_1123_labels() {
        for good in ["todo", "a", "team-1", "0abc", &"x".repeat(63)] {
            assert_eq!(name_problem(good), None, "{good}");
        }
        for bad in [
            "",
            "Bad_NS!",
            "Todo",
            "-a",
            "a-",
            "a.b",
            "a b",
            &"x".repeat(64),
            "ns\u{1b}[2J",
        ] {
            let problem = name_problem(bad).unwrap_or_default();
            assert!(problem.contains("is not a valid namespace name"), "{bad:?}: {problem}");
            assert!(!problem.contains('\u{1b}'), "{problem}");
        }
    }
}
