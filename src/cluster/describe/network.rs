//! Describing Services (with their endpoints, from EndpointSlices) and Ingresses (each path,
//! the Service and port it reaches, and whether that Service has ready endpoints).

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{Ingress, IngressBackend};
use kube::api::ListParams;
use kube::{Api, Client};

use super::workloads::meta;
use super::{Doc, Tone, get};
use crate::cluster::objects::ObjectRef;

/// The endpoints of one Service: ready "ip:port" and not-ready ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Endpoints {
    pub ready: Vec<String>,
    pub not_ready: Vec<String>,
}

/// Reads the EndpointSlices of `service` in `namespace`.
pub async fn endpoints(client: &Client, namespace: &str, service: &str) -> Result<Endpoints, String> {
    let api: Api<EndpointSlice> = Api::namespaced(client.clone(), namespace);
    let selector = format!("kubernetes.io/service-name={service}");
    let slices = api
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| super::super::describe_client_error(&e, "the API server").1)?;
    Ok(endpoints_of(&slices.items))
}

pub fn endpoints_of(slices: &[EndpointSlice]) -> Endpoints {
    let mut out = Endpoints::default();
    for slice in slices {
        let ports: Vec<i32> = slice.ports.iter().flatten().filter_map(|p| p.port).collect();
        for e in slice.endpoints.iter().flatten() {
            let ready = e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
            for address in &e.addresses {
                let texts: Vec<String> = if ports.is_empty() {
                    vec![address.clone()]
                } else {
                    ports.iter().map(|p| format!("{address}:{p}")).collect()
                };
                if ready {
                    out.ready.extend(texts)
                } else {
                    out.not_ready.extend(texts)
                }
            }
        }
    }
    out.ready.sort();
    out.not_ready.sort();
    out
}

pub(super) async fn service(client: &Client, object: &ObjectRef, doc: &mut Doc) -> Result<(), String> {
    let svc: Service = get(client, object).await?;
    meta(doc, &svc.metadata);
    let spec = svc.spec.clone().unwrap_or_default();
    doc.map("Selector", spec.selector.as_ref());
    doc.field("Type", spec.type_.clone().unwrap_or_else(|| "ClusterIP".into()));
    doc.field("IP", spec.cluster_ip.clone().unwrap_or_default());
    for p in spec.ports.iter().flatten() {
        let target = p.target_port.as_ref().map_or_else(
            || p.port.to_string(),
            |t| match t {
                k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(i) => i.to_string(),
                k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => s.clone(),
            },
        );
        let name = p.name.as_deref().unwrap_or("<unset>");
        doc.field(
            "Port",
            format!("{name}  {}/{}", p.port, p.protocol.as_deref().unwrap_or("TCP")),
        );
        doc.field("TargetPort", target);
        if let Some(node) = p.node_port {
            doc.field("NodePort", node.to_string());
        }
    }
    match endpoints(client, &object.namespace, &object.name).await {
        Ok(e) => endpoint_lines(doc, &e, spec.selector.as_ref().is_some_and(|s| !s.is_empty())),
        Err(why) => doc.field_toned("Endpoints", format!("cannot read EndpointSlices: {why}"), Tone::Bad),
    }
    Ok(())
}

fn endpoint_lines(doc: &mut Doc, e: &Endpoints, has_selector: bool) {
    if e.ready.is_empty() {
        let why = if has_selector {
            "<none>: no ready pod matches the selector"
        } else {
            "<none>"
        };
        doc.field_toned("Endpoints", why, Tone::Bad);
    } else {
        doc.field_toned("Endpoints", e.ready.join(", "), Tone::Good);
    }
    if !e.not_ready.is_empty() {
        doc.field_toned("Not ready", e.not_ready.join(", "), Tone::Warn);
    }
}

/// "backend:8000" for a backend, and the Service's name.
fn backend_text(b: &IngressBackend) -> (String, Option<String>) {
    match &b.service {
        Some(s) => {
            let port = s
                .port
                .as_ref()
                .map(|p| {
                    p.number
                        .map_or_else(|| p.name.clone().unwrap_or_default(), |n| n.to_string())
                })
                .unwrap_or_default();
            (format!("{}:{port}", s.name), Some(s.name.clone()))
        }
        None => (
            b.resource
                .as_ref()
                .map_or("<none>".into(), |r| format!("{}/{}", r.kind, r.name)),
            None,
        ),
    }
}

pub(super) async fn ingress(client: &Client, object: &ObjectRef, doc: &mut Doc) -> Result<(), String> {
    let ing: Ingress = get(client, object).await?;
    meta(doc, &ing.metadata);
    let spec = ing.spec.clone().unwrap_or_default();
    doc.field(
        "Ingress Class",
        spec.ingress_class_name.clone().unwrap_or_else(|| "<none>".into()),
    );
    let address: Vec<String> = ing
        .status
        .iter()
        .filter_map(|s| s.load_balancer.as_ref())
        .flat_map(|lb| lb.ingress.iter().flatten())
        .filter_map(|i| i.ip.clone().or_else(|| i.hostname.clone()))
        .collect();
    doc.field("Address", address.join(", "));
    for tls in spec.tls.iter().flatten() {
        let hosts = tls.hosts.clone().unwrap_or_default().join(",");
        doc.field(
            "TLS",
            format!(
                "{} terminates {hosts}",
                tls.secret_name.as_deref().unwrap_or("<default>")
            ),
        );
    }
    doc.blank();
    doc.heading("Rules (host, path -> backend: endpoints)");
    let mut routes: Vec<(String, String, IngressBackend)> = Vec::new();
    if let Some(b) = &spec.default_backend {
        routes.push(("*".into(), "(default backend)".into(), b.clone()));
    }
    for rule in spec.rules.iter().flatten() {
        let host = rule.host.clone().unwrap_or_else(|| "*".into());
        for p in rule.http.iter().flat_map(|h| &h.paths) {
            routes.push((
                host.clone(),
                p.path.clone().unwrap_or_else(|| "/".into()),
                p.backend.clone(),
            ));
        }
    }
    if routes.is_empty() {
        doc.line("  <none>", Tone::Dim);
    }
    for (host, path, backend) in routes {
        let (target, service) = backend_text(&backend);
        let (state, tone) = match service {
            None => ("not a Service".to_owned(), Tone::Plain),
            Some(name) => match endpoints(client, &object.namespace, &name).await {
                Ok(e) if e.ready.is_empty() => ("no ready endpoints".to_owned(), Tone::Bad),
                Ok(e) => (format!("{} ready ({})", e.ready.len(), e.ready.join(", ")), Tone::Good),
                Err(why) => (format!("cannot read endpoints: {why}"), Tone::Bad),
            },
        };
        doc.line(format!("  {host}  {path}  ->  {target}: {state}"), tone);
    }
    Ok(())
}
