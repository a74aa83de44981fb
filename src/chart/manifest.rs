//! Turns rendered template text into Helm's release shape: documents, hooks, install order, manifest.

use super::{ChartError, RenderedHook, RenderedObject};
use serde_yaml::Value as Yaml;

/// Helm's install order by kind; kinds not listed go after these, alphabetically.
const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

/// One YAML document of a template, before sorting.
pub struct Document {
    pub source: String,
    pub content: String,
    pub object: Option<RenderedObject>,
}

/// Splits a template's output on `---` lines like Helm's SplitManifests, dropping empty documents.
pub fn split_documents(source: &str, text: &str) -> Result<Vec<Document>, ChartError> {
    let mut docs = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, docs: &mut Vec<Document>| -> Result<(), ChartError> {
        let content = current.trim().to_string();
        current.clear();
        if content.is_empty() {
            return Ok(());
        }
        let object = parse_object(source, &content)?;
        docs.push(Document {
            source: source.to_string(),
            content,
            object,
        });
        Ok(())
    };
    for line in text.trim().split_inclusive('\n') {
        if line.starts_with("---") && line[3..].trim().is_empty() {
            flush(&mut current, &mut docs)?;
        } else {
            current.push_str(line);
        }
    }
    flush(&mut current, &mut docs)?;
    Ok(docs)
}

fn parse_object(source: &str, content: &str) -> Result<Option<RenderedObject>, ChartError> {
    let yaml: Yaml = serde_yaml::from_str(content).map_err(|e| ChartError::OutputYaml {
        template: source.to_string(),
        line: e.location().map_or(0, |l| l.line()),
        reason: e.to_string().split(" at line ").next().unwrap_or_default().to_string(),
    })?;
    if !yaml.is_mapping() {
        return Ok(None);
    }
    let text = |v: Option<&Yaml>| v.and_then(Yaml::as_str).unwrap_or_default().to_string();
    let meta = yaml.get("metadata");
    Ok(Some(RenderedObject {
        source: source.to_string(),
        kind: text(yaml.get("kind")),
        api_version: text(yaml.get("apiVersion")),
        name: text(meta.and_then(|m| m.get("name"))),
        namespace: meta
            .and_then(|m| m.get("namespace"))
            .and_then(Yaml::as_str)
            .map(str::to_string),
        yaml,
    }))
}

fn annotation<'a>(obj: &'a RenderedObject, key: &str) -> Option<&'a str> {
    obj.yaml.get("metadata")?.get("annotations")?.get(key)?.as_str()
}

/// Objects in install order, hooks, and the manifest text Helm stores in a release.
pub fn assemble(mut docs: Vec<Document>) -> (String, Vec<RenderedObject>, Vec<RenderedHook>) {
    docs.sort_by(|a, b| a.source.cmp(&b.source));
    let mut manifests = Vec::new();
    let mut hooks = Vec::new();
    for doc in docs {
        match doc
            .object
            .as_ref()
            .and_then(|o| annotation(o, "helm.sh/hook").map(|h| (o, h)))
        {
            Some((obj, events)) => {
                let events: Vec<String> = events.split(',').map(|e| e.trim().to_lowercase()).collect();
                if !events.iter().all(|e| HOOK_EVENTS.contains(&e.as_str())) {
                    continue; // Helm drops hooks with an unknown event
                }
                let weight = annotation(obj, "helm.sh/hook-weight")
                    .and_then(|w| w.trim().parse().ok())
                    .unwrap_or(0);
                let delete_policies = annotation(obj, "helm.sh/hook-delete-policy")
                    .map(|p| {
                        p.split(',')
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .collect()
                    })
                    .unwrap_or_default();
                hooks.push(RenderedHook {
                    object: obj.clone(),
                    manifest: doc.content.clone(),
                    events,
                    weight,
                    delete_policies,
                });
            }
            None => manifests.push(doc),
        }
    }
    let kind = |d: &Document| d.object.as_ref().map(|o| o.kind.clone()).unwrap_or_default();
    manifests.sort_by(|a, b| kind_order(&kind(a), &kind(b)));
    // Helm keeps hooks in file order, then kind (what `helm template` prints and a release
    // stores); running them goes by weight and name instead (hooks.rs).
    hooks.sort_by(|a, b| kind_order(&a.object.kind, &b.object.kind));
    let manifest: String = manifests
        .iter()
        .map(|d| format!("---\n# Source: {}\n{}\n", d.source, d.content))
        .collect();
    (
        manifest,
        manifests.into_iter().filter_map(|d| d.object).collect(),
        hooks,
    )
}

fn kind_order(a: &str, b: &str) -> std::cmp::Ordering {
    let rank = |k: &str| INSTALL_ORDER.iter().position(|o| *o == k);
    match (rank(a), rank(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Order helm 3.20.2 printed for these kinds: listed kinds first, the rest alphabetically.
    #[test]
    fn kinds_sort_in_helms_install_order() {
        let mut kinds = vec![
            "Zeta",
            "PriorityClass",
            "Namespace",
            "MutatingWebhookConfiguration",
            "APIService",
            "Alpha",
        ];
        kinds.sort_by(|a, b| kind_order(a, b));
        assert_eq!(
            kinds,
            [
                "PriorityClass",
                "Namespace",
                "APIService",
                "Alpha",
                "MutatingWebhookConfiguration",
                "Zeta"
            ]
        );
    }
}
