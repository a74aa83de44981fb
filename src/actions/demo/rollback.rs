//! The rollback demo: a new revision that changes only an environment variable of the backend
//! (the same image, so it starts wherever the release runs), shown in the running pods; then a
//! rollback to the revision before, shown again in the pods. The undo guard puts the release
//! back if anything stops the demo in between.

use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use super::undo::{Step, Undo};
use super::{Outcome, PATIENCE, Release};
use crate::actions::deploy::{self, DeployRequest, Progress};
use crate::actions::release_store::ReleaseStore;
use crate::cluster::releases::ReleaseStatus;

/// The variable the demo's revision sets on the backend.
pub const DEMO_VARIABLE: &str = "KUBEDECK_DEMO";

/// A release in the middle of an operation is not the demo's to touch.
fn refuse_pending(app: &Release<'_>, history: &[crate::cluster::releases::Release]) -> Result<(), String> {
    if let Some(last) = history.last()
        && let Some(status) = last.info.status.as_ref().filter(|s| s.is_pending())
    {
        return Err(format!(
            "release {} revision {} is still {}: wait for it, or roll it back (kubedeck rollback {}) before the demo",
            app.name,
            last.version,
            status.as_str(),
            app.name
        ));
    }
    Ok(())
}

pub(super) async fn rollback(app: &Release<'_>, undo: &Undo, progress: Progress<'_>) -> Result<Outcome, String> {
    let history = ReleaseStore::new(app.client.clone(), app.namespace, app.name)
        .history()
        .await?;
    refuse_pending(app, &history)?;
    let current = history
        .iter()
        .rev()
        .find(|r| r.info.status == Some(ReleaseStatus::Deployed))
        .ok_or_else(|| {
            format!(
                "release {} in {} has no deployed revision: deploy it first",
                app.name, app.namespace
            )
        })?;
    let before = backend_value(app).await?;
    progress(format!("Backend pods now: {}", said(&before)));
    let value = format!("demo-{}", jiff::Timestamp::now().as_second());
    progress(format!(
        "Revision {} is deployed; deploying its values with {DEMO_VARIABLE}={value} on the backend",
        current.version
    ));
    let request = DeployRequest {
        release: app.name.to_owned(),
        namespace: app.namespace.to_owned(),
        chart_dir: crate::chart::BUNDLED_CHART.into(),
        values_files: Vec::new(),
        set: Vec::new(),
        atomic: false,
        timeout: PATIENCE,
        history_max: 10,
        helm_renderer: false,
        base_values: with_demo_variable(&current.config, &value),
        options: Default::default(),
    };
    undo.push(Step::Release {
        name: app.name.to_owned(),
        revision: current.version,
    });
    let started = Instant::now();
    let new = deploy::deploy(app.client, &request, progress).await?;
    let deployed_in = started.elapsed().as_secs_f32();
    let during = settled(app, Some(&value)).await?;
    progress(format!(
        "Revision {new} Ready in {deployed_in:.1}s; backend pods now: {}",
        said(&during)
    ));
    progress(format!("Rolling back to revision {}", current.version));
    let started = Instant::now();
    let back = deploy::rollback(
        app.client,
        app.namespace,
        app.name,
        Some(current.version),
        PATIENCE,
        progress,
    )
    .await?;
    let after = settled(app, before.as_deref()).await?;
    let secs = started.elapsed().as_secs_f32();
    progress(format!("Backend pods now: {}", said(&after)));
    Ok(Outcome {
        summary: format!(
            "Rollback: revision {new} ({DEMO_VARIABLE}={value}) was Ready in {deployed_in:.1}s; \"Rollback to {}\" is \
             revision {back}, its pods back to {} {secs:.1}s later",
            current.version,
            said(&after)
        ),
        figure: format!("{secs:.1} s"),
    })
}

/// The release's values with the demo variable added to the backend's extra environment.
fn with_demo_variable(config: &Map<String, Value>, value: &str) -> Map<String, Value> {
    let mut values = config.clone();
    let mut backend = values
        .get("backend")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut env: Vec<Value> = backend
        .get("extraEnv")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    env.retain(|e| e["name"] != DEMO_VARIABLE);
    env.push(json!({"name": DEMO_VARIABLE, "value": value}));
    backend.insert("extraEnv".into(), Value::Array(env));
    values.insert("backend".into(), Value::Object(backend));
    values
}

fn said(value: &Option<String>) -> String {
    match value {
        Some(v) => format!("{DEMO_VARIABLE}={v}"),
        None => format!("no {DEMO_VARIABLE}"),
    }
}

/// Waits (up to a minute, while old pods finish terminating) until every Ready backend pod
/// shows `expected`; the value they agree on.
async fn settled(app: &Release<'_>, expected: Option<&str>) -> Result<Option<String>, String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let seen = backend_value(app).await;
        match &seen {
            Ok(v) if v.as_deref() == expected => return seen,
            _ if Instant::now() > deadline => {
                let seen = seen?;
                return Err(format!(
                    "the backend pods show {} instead of {}: look at the Pods pane for pods still terminating",
                    said(&seen),
                    said(&expected.map(str::to_owned))
                ));
            }
            _ => tokio::time::sleep(Duration::from_secs(1)).await,
        }
    }
}

/// The demo variable the Ready backend pods run with: the environment their containers were
/// started with (the pod spec the kubelet ran). Pods that disagree are an error, so the caller
/// waits.
async fn backend_value(app: &Release<'_>) -> Result<Option<String>, String> {
    let pods = app.ready_pods("backend").await?;
    if pods.is_empty() {
        return Err("no Ready backend pod: wait until the backend is up".into());
    }
    let mut values: Vec<Option<String>> = pods.iter().map(spec_value).collect();
    values.dedup();
    match values.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(format!(
            "the backend pods differ in {DEMO_VARIABLE}: a rollout is still going on"
        )),
    }
}

fn spec_value(pod: &k8s_openapi::api::core::v1::Pod) -> Option<String> {
    pod.spec
        .as_ref()?
        .containers
        .first()?
        .env
        .as_ref()?
        .iter()
        .find(|e| e.name == DEMO_VARIABLE)
        .and_then(|e| e.value.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_variable_joins_the_backends_own_environment_once() {
        let config = json!({"secrets": {"redisPassword": "x"},
            "backend": {"replicas": 3, "extraEnv": [{"name": "LOG_LEVEL", "value": "debug"},
                {"name": DEMO_VARIABLE, "value": "old"}]}});
        let values = with_demo_variable(config.as_object().unwrap(), "demo-1");
        assert_eq!(values["secrets"], config["secrets"]);
        assert_eq!(values["backend"]["replicas"], 3);
        assert_eq!(
            values["backend"]["extraEnv"],
            json!([{"name": "LOG_LEVEL", "value": "debug"}, {"name": DEMO_VARIABLE, "value": "demo-1"}])
        );
        let bare = with_demo_variable(&Map::new(), "demo-2");
        assert_eq!(
            bare["backend"]["extraEnv"],
            json!([{"name": DEMO_VARIABLE, "value": "demo-2"}])
        );
    }
}
