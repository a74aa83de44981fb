//! The persistence demo: a key written to Redis outlives the Redis pod, because its data lives on
//! a PersistentVolumeClaim.

use super::{Outcome, PATIENCE, Release};
use crate::actions::deploy::Progress;
use crate::actions::operate;

pub(super) async fn persistence(app: &Release<'_>, progress: Progress<'_>) -> Result<Outcome, String> {
    let pods = app.ready_pods("redis").await?;
    let pod = pods
        .first()
        .ok_or("no Ready Redis pod: is redis enabled in the chart's values?")?;
    if app.on_fake_nodes(pod).await {
        return Err(
            "the persistence demo needs a real cluster (Minikube): kwok's pods run no processes, so there is no Redis \
             to write to"
                .into(),
        );
    }
    let name = pod.metadata.name.clone().unwrap_or_default();
    let value = jiff::Timestamp::now().to_string();
    progress(format!("SET kubedeck-demo {value} in {name}"));
    redis(app, &name, &format!("SET kubedeck-demo '{value}'")).await?;
    let healed = operate::delete_pod(app.client, app.namespace, &name, PATIENCE, progress).await?;
    let pods = app.ready_pods("redis").await?;
    let fresh = pods
        .iter()
        .filter_map(|p| p.metadata.name.clone())
        .next()
        .ok_or("the Redis replacement is not Ready")?;
    let read = redis(app, &fresh, "GET kubedeck-demo").await?;
    if read.trim() == value {
        Ok(Outcome {
            summary: format!(
                "Persistence: the key written before the Redis pod was deleted reads back from {fresh} ({healed})"
            ),
            figure: "yes: the key read back after the pod was replaced".into(),
        })
    } else {
        Err(format!(
            "Redis lost the key: {fresh} answered {:?} instead of {value:?}",
            read.trim()
        ))
    }
}

/// Runs a redis-cli command in the Redis pod (the password comes from the pod's own env).
async fn redis(app: &Release<'_>, pod: &str, command: &str) -> Result<String, String> {
    let script = format!("redis-cli -a \"$REDIS_PASSWORD\" --no-auth-warning {command}");
    app.exec(pod, &["sh", "-c", script.as_str()]).await
}
