//! Helm hooks: the Jobs and Pods run before and after an install or upgrade, in Helm's order,
//! with their delete policies.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::apply::Applier;
use super::{ObjectId, Progress};
use crate::chart::RenderedHook;

impl Applier {
    /// Runs the hooks of one event in Helm's order (weight, then name), waiting for Jobs and
    /// Pods to finish.
    pub(super) async fn run_hooks(
        &mut self,
        hooks: &[RenderedHook],
        event: &str,
        timeout: Duration,
        progress: Progress<'_>,
    ) -> Result<(), String> {
        let mut due: Vec<&RenderedHook> = hooks.iter().filter(|h| h.events.iter().any(|e| e == event)).collect();
        due.sort_by(|a, b| a.weight.cmp(&b.weight).then_with(|| a.object.name.cmp(&b.object.name)));
        for hook in due {
            let id = ObjectId {
                api_version: hook.object.api_version.clone(),
                kind: hook.object.kind.clone(),
                namespace: hook.object.namespace.clone(),
                name: hook.object.name.clone(),
            };
            let policies = &hook.delete_policies;
            if policies.is_empty() || policies.iter().any(|p| p == "before-hook-creation") {
                self.delete(&id).await?;
                self.wait_gone(&id, timeout).await?;
            }
            let object = serde_json::to_value(&hook.object.yaml).map_err(|e| e.to_string())?;
            self.apply(&id, &object).await?;
            progress(format!("{event} hook {id} started"));
            let result = self.wait_hook(&id, timeout).await;
            let delete = match &result {
                Ok(()) => policies.iter().any(|p| p == "hook-succeeded"),
                Err(_) => policies.iter().any(|p| p == "hook-failed"),
            };
            if delete {
                self.delete(&id).await?;
            }
            result.map_err(|e| format!("{event} hook {id} failed: {e}"))?;
            progress(format!("{event} hook {id} succeeded"));
        }
        Ok(())
    }

    pub(super) async fn wait_gone(&mut self, id: &ObjectId, timeout: Duration) -> Result<(), String> {
        let api = self.api(id).await?;
        let deadline = Instant::now() + timeout;
        while api
            .get_opt(&id.name)
            .await
            .map_err(|e| id.failure("get", &e))?
            .is_some()
        {
            if Instant::now() > deadline {
                return Err(format!("{id} was not deleted within {timeout:?}"));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Ok(())
    }

    pub(super) async fn wait_hook(&mut self, id: &ObjectId, timeout: Duration) -> Result<(), String> {
        let api = self.api(id).await?;
        let deadline = Instant::now() + timeout;
        loop {
            let obj = api.get(&id.name).await.map_err(|e| id.failure("get", &e))?;
            let status = obj.data.get("status").cloned().unwrap_or(Value::Null);
            let done = match id.kind.as_str() {
                "Job" => {
                    if status.get("failed").and_then(Value::as_i64).unwrap_or(0) > 0
                        && conditions_true(&status, "Failed")
                    {
                        return Err("the Job failed".into());
                    }
                    status.get("succeeded").and_then(Value::as_i64).unwrap_or(0) > 0
                }
                "Pod" => match status.get("phase").and_then(Value::as_str) {
                    Some("Failed") => return Err("the Pod failed".into()),
                    Some("Succeeded") => true,
                    _ => false,
                },
                _ => true,
            };
            if done {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("not finished within {timeout:?}"));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

fn conditions_true(status: &Value, kind: &str) -> bool {
    status.get("conditions").and_then(Value::as_array).is_some_and(|cs| {
        cs.iter().any(|c| {
            c.get("type").and_then(Value::as_str) == Some(kind)
                && c.get("status").and_then(Value::as_str) == Some("True")
        })
    })
}
