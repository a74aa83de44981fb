//! `kubectl describe` for the objects the dashboard shows: the fields people read, conditions,
//! related objects (a Service's endpoints, an Ingress's backends, the pod using a PVC, what is
//! requested on a Node) and the object's events at the bottom. Read once when asked for; every
//! text from the cluster is sanitized, and a Secret's values are never shown, only its keys.

/// The conditions of any status of k8s-openapi, whose condition types differ but whose fields
/// do not.
macro_rules! conditions {
    ($list:expr) => {
        $list
            .iter()
            .flatten()
            .map(|c| {
                $crate::cluster::describe::Condition::new(&c.type_, &c.status, c.reason.as_ref(), c.message.as_ref())
            })
            .collect::<Vec<$crate::cluster::describe::Condition>>()
    };
}

mod network;
mod node;
mod storage;
mod workloads;

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Event;
use kube::api::ListParams;
use kube::{Api, Client, Resource};
use serde::de::DeserializeOwned;

use super::objects::{ObjectKind, ObjectRef};
pub use super::resources::Tone;

/// One line of a describe view.
#[derive(Debug, Clone, PartialEq)]
pub struct DescribeLine {
    pub text: String,
    pub tone: Tone,
}

/// The lines of a describe view, built top to bottom.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub lines: Vec<DescribeLine>,
}

/// Width of the labels in `Label:  value` lines.
const LABEL: usize = 18;

impl Doc {
    /// A line as it is (sanitized; one line per line of `text`).
    pub fn line(&mut self, text: impl AsRef<str>, tone: Tone) {
        for part in text.as_ref().split('\n') {
            self.lines.push(DescribeLine {
                text: crate::text::sanitize(part),
                tone,
            });
        }
    }

    /// A section title, e.g. "Conditions:".
    pub fn heading(&mut self, text: impl AsRef<str>) {
        self.line(format!("{}:", text.as_ref()), Tone::Heading);
    }

    pub fn field(&mut self, label: &str, value: impl AsRef<str>) {
        self.field_toned(label, value, Tone::Plain);
    }

    pub fn field_toned(&mut self, label: &str, value: impl AsRef<str>, tone: Tone) {
        let value = value.as_ref();
        let value = if value.is_empty() { "<none>" } else { value };
        // A label as wide as the column still gets a space before its value.
        let label = format!("{label}:");
        let width = LABEL.max(label.len() + 1);
        self.line(format!("{label:<width$}{value}"), tone);
    }

    /// `Labels:  a=b` and the others below it, aligned.
    pub fn map(&mut self, label: &str, map: Option<&BTreeMap<String, String>>) {
        let entries: Vec<String> = map.into_iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
        match entries.split_first() {
            None => self.field(label, "<none>"),
            Some((first, rest)) => {
                self.field(label, first);
                for e in rest {
                    self.line(format!("{:LABEL$}{e}", ""), Tone::Plain);
                }
            }
        }
    }

    pub fn blank(&mut self) {
        self.lines.push(DescribeLine {
            text: String::new(),
            tone: Tone::Plain,
        });
    }

    /// A Conditions table: type, status, reason, message; coloured by whether all is well
    /// (`good_when_true` says which status is the healthy one for each type).
    pub fn conditions(&mut self, conditions: &[Condition]) {
        self.blank();
        self.heading("Conditions");
        if conditions.is_empty() {
            self.line("  <none>", Tone::Dim);
            return;
        }
        self.line(
            format!("  {:<28} {:<8} {:<28} MESSAGE", "TYPE", "STATUS", "REASON"),
            Tone::Dim,
        );
        for c in conditions {
            let tone = match (c.status.as_str(), c.good_when_true) {
                ("True", true) | ("False", false) => Tone::Good,
                ("Unknown", _) => Tone::Warn,
                _ => Tone::Bad,
            };
            self.line(
                format!("  {:<28} {:<8} {:<28} {}", c.kind, c.status, c.reason, c.message),
                tone,
            );
        }
    }
}

/// One condition of any kind of object.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub kind: String,
    pub status: String,
    pub reason: String,
    pub message: String,
    /// Ready, Available, Complete: True is good. Pressure conditions, Failed: False is good.
    pub good_when_true: bool,
}

impl Condition {
    pub fn new(kind: &str, status: &str, reason: Option<&String>, message: Option<&String>) -> Condition {
        let bad_when_true = kind.ends_with("Pressure")
            || matches!(
                kind,
                "Failed" | "NetworkUnavailable" | "ReplicaFailure" | "ScalingLimited"
            );
        Condition {
            kind: kind.to_owned(),
            status: status.to_owned(),
            reason: reason.cloned().unwrap_or_default(),
            message: message.cloned().unwrap_or_default().replace('\n', " "),
            good_when_true: !bad_when_true,
        }
    }
}

/// A timestamp as describe writes it.
pub fn when(t: Option<Timestamp>) -> String {
    t.map_or_else(
        || "<unknown>".into(),
        |t| t.strftime("%a, %d %b %Y %H:%M:%S UTC").to_string(),
    )
}

/// Reads the object and describes it; errors are one sentence.
pub async fn describe(client: Client, object: &ObjectRef) -> Result<Vec<DescribeLine>, String> {
    let mut doc = Doc::default();
    match object.kind {
        ObjectKind::Pod => workloads::pod(&client, object, &mut doc).await?,
        ObjectKind::Deployment => workloads::deployment(&client, object, &mut doc).await?,
        ObjectKind::StatefulSet => workloads::statefulset(&client, object, &mut doc).await?,
        ObjectKind::Job => workloads::job(&client, object, &mut doc).await?,
        ObjectKind::CronJob => workloads::cronjob(&client, object, &mut doc).await?,
        ObjectKind::Hpa => workloads::hpa(&client, object, &mut doc).await?,
        ObjectKind::Service => network::service(&client, object, &mut doc).await?,
        ObjectKind::Ingress => network::ingress(&client, object, &mut doc).await?,
        ObjectKind::Pvc => storage::pvc(&client, object, &mut doc).await?,
        ObjectKind::ConfigMap => storage::configmap(&client, object, &mut doc).await?,
        ObjectKind::Secret => storage::secret(&client, object, &mut doc).await?,
        ObjectKind::Certificate => storage::certificate(&client, object, &mut doc).await?,
        ObjectKind::Node => node::node(&client, object, &mut doc).await?,
        ObjectKind::Event => {
            return Err("an event has nothing more to describe: press e on the object it is about".into());
        }
    }
    events(&client, object, &mut doc).await;
    Ok(doc.lines)
}

/// Reads one object of type K; errors are one sentence.
pub(crate) async fn get<K>(client: &Client, object: &ObjectRef) -> Result<K, String>
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope> + Clone + DeserializeOwned + std::fmt::Debug,
    K::DynamicType: Default,
{
    read(Api::namespaced(client.clone(), &object.namespace), object).await
}

/// Reads `object` through `api`; errors are one sentence.
pub(crate) async fn read<K>(api: Api<K>, object: &ObjectRef) -> Result<K, String>
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug,
{
    api.get(&object.name).await.map_err(|e| {
        let attempt = super::Attempt {
            verb: "get",
            object: &object.to_string(),
            namespace: None,
        };
        super::explain(&e, attempt)
    })
}

/// The object's events, oldest first, as the last section (kubectl's order).
async fn events(client: &Client, object: &ObjectRef, doc: &mut Doc) {
    let api: Api<Event> = if object.namespace.is_empty() {
        Api::all(client.clone())
    } else {
        Api::namespaced(client.clone(), &object.namespace)
    };
    let selector = format!(
        "involvedObject.name={},involvedObject.kind={}",
        object.name,
        object.kind.name()
    );
    doc.blank();
    doc.heading("Events");
    let list = match api.list(&ListParams::default().fields(&selector)).await {
        Ok(list) => list,
        Err(e) => {
            let (_, why) = super::describe_client_error(&e, "the API server");
            doc.line(format!("  cannot read the events: {why}"), Tone::Bad);
            return;
        }
    };
    let now = Timestamp::now();
    let mut rows: Vec<(Option<Timestamp>, &Event)> = list
        .items
        .iter()
        .map(|e| {
            let t = e
                .last_timestamp
                .as_ref()
                .map(|t| t.0)
                .or_else(|| e.event_time.as_ref().map(|t| t.0))
                .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0));
            (t, e)
        })
        .collect();
    rows.sort_by_key(|(t, _)| *t);
    if rows.is_empty() {
        doc.line("  <none> (Kubernetes keeps events for an hour)", Tone::Dim);
        return;
    }
    doc.line(
        format!("  {:<8} {:<24} {:>8}  {:<24} MESSAGE", "TYPE", "REASON", "AGE", "FROM"),
        Tone::Dim,
    );
    for (t, e) in rows {
        let warning = e.type_.as_deref() == Some("Warning");
        let age = t.map(|t| crate::text::age(t, now)).unwrap_or_default();
        let count = e
            .count
            .filter(|c| *c > 1)
            .map(|c| format!(" (x{c})"))
            .unwrap_or_default();
        let from = e
            .source
            .as_ref()
            .and_then(|s| s.component.clone())
            .or_else(|| e.reporting_component.clone())
            .unwrap_or_default();
        doc.line(
            format!(
                "  {:<8} {:<24} {:>8}  {:<24} {}{count}",
                e.type_.as_deref().unwrap_or("Normal"),
                e.reason.as_deref().unwrap_or_default(),
                age,
                from,
                e.message.as_deref().unwrap_or_default().replace('\n', " "),
            ),
            if warning { Tone::Warn } else { Tone::Plain },
        );
    }
}

#[cfg(test)]
mod tests;
