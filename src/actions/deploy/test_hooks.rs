//! `kubedeck test RELEASE`: the release's `helm.sh/hook: test` objects run as `helm test` runs
//! them (helm 3.20's `execHook`): weight then name, delete policies (before-hook-creation by
//! default), each waited for until it succeeds or fails, and every hook's last run written into
//! the release record, so `helm status` shows the same TEST SUITE lines whoever ran the tests.

use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{DynamicObject, LogParams, PostParams};
use kube::{Api, Client};
use serde_json::Value;

use super::apply::Applier;
use super::{ObjectId, Progress, manifest_objects};
use crate::actions::release_store::ReleaseStore;
use crate::cluster::releases::{HelmTime, Hook, HookExecution, Release};

/// What `kubedeck test` was asked to run.
#[derive(Debug, Clone, PartialEq)]
pub struct TestRequest {
    pub namespace: String,
    pub release: String,
    /// How long each test may take (helm's `--timeout`, per hook).
    pub timeout: Duration,
    /// `--filter name=T`: only these tests (empty: all).
    pub only: Vec<String>,
    /// `--filter '!name=T'`: not these.
    pub skip: Vec<String>,
    /// Keep each test pod's logs (read as it ends, before its delete policy removes it).
    pub logs: bool,
}

/// The logs of one container of a test pod.
#[derive(Debug, Clone, PartialEq)]
pub struct TestLog {
    pub pod: String,
    pub container: String,
    pub text: String,
}

/// How a test run ended: the release record as stored afterwards, the logs asked for, and the
/// first failure (helm stops at it), if any.
#[derive(Debug, Clone)]
pub struct TestRun {
    pub release: Release,
    pub logs: Vec<TestLog>,
    pub failure: Option<String>,
}

impl TestRun {
    /// The hooks that ran, with their phase, as a sentence for the audit log and the footer.
    pub fn summary(&self) -> String {
        let ran: Vec<&Hook> = self.release.hooks.iter().filter(|h| is_test(h) && ran_now(h)).collect();
        let passed = ran.iter().filter(|h| h.last_run.phase == "Succeeded").count();
        match &self.failure {
            Some(why) => why.clone(),
            None if ran.is_empty() => format!("release {} has no tests to run", self.release.name),
            None => format!("release {}: {passed} of {} tests passed", self.release.name, ran.len()),
        }
    }
}

/// Splits `--filter` values as helm does: `name=T` and `!name=T` (or `! name=T`), commas
/// separating several; anything else is one sentence.
pub fn parse_filters(filters: &[String]) -> Result<(Vec<String>, Vec<String>), String> {
    let (mut only, mut skip) = (Vec::new(), Vec::new());
    for item in filters.iter().flat_map(|f| f.split(',')).map(str::trim) {
        let negated = item.strip_prefix('!').map(str::trim_start);
        match (
            negated.and_then(|n| n.strip_prefix("name=")),
            item.strip_prefix("name="),
        ) {
            (Some(name), _) if !name.is_empty() => skip.push(name.to_owned()),
            (None, Some(name)) if !name.is_empty() => only.push(name.to_owned()),
            _ => {
                return Err(format!(
                    "--filter {item:?} is not a test filter: write name=TEST to run only TEST, or '!name=TEST' to skip it"
                ));
            }
        }
    }
    Ok((only, skip))
}

fn is_test(hook: &Hook) -> bool {
    hook.events.iter().any(|e| e == "test")
}

fn ran_now(hook: &Hook) -> bool {
    hook.last_run.started_at.0.is_some()
}

/// The hooks that run and those skipped, in the order helm puts them back (skipped first).
fn partition(hooks: Vec<Hook>, only: &[String], skip: &[String]) -> (Vec<Hook>, Vec<Hook>) {
    let mut skipped = Vec::new();
    let mut executing = hooks;
    if !skip.is_empty() {
        let (out, keep) = executing.into_iter().partition(|h| skip.contains(&h.name));
        skipped = out;
        executing = keep;
    }
    if !only.is_empty() {
        let (keep, out): (Vec<Hook>, Vec<Hook>) = executing.into_iter().partition(|h| only.contains(&h.name));
        skipped.extend(out);
        executing = keep;
    }
    (skipped, executing)
}

/// A filter naming no test of the release is a typo, not an empty run.
fn check_names(release: &Release, names: &[String]) -> Result<(), String> {
    let tests: Vec<&str> = release
        .hooks
        .iter()
        .filter(|h| is_test(h))
        .map(|h| h.name.as_str())
        .collect();
    match names.iter().find(|n| !tests.contains(&n.as_str())) {
        None => Ok(()),
        Some(name) => Err(format!(
            "release {} revision {} has no test named {name}; its tests: {}",
            release.name,
            release.version,
            if tests.is_empty() {
                "none".to_owned()
            } else {
                tests.join(", ")
            }
        )),
    }
}

/// Runs the release's tests. `Err` when nothing could run (no release, a bad filter); a test
/// that fails is `TestRun::failure`, with the record and logs still there to show.
pub async fn run_tests(client: &Client, req: &TestRequest, progress: Progress<'_>) -> Result<TestRun, String> {
    let store = ReleaseStore::new(client.clone(), &req.namespace, &req.release);
    let mut release = store.history().await?.pop().ok_or_else(|| {
        format!(
            "release {} not found in namespace {}: check the name (kubedeck history) or pick the namespace with -n",
            req.release, req.namespace
        )
    })?;
    check_names(&release, &req.only)?;
    check_names(&release, &req.skip)?;
    let (skipped, mut executing) = partition(std::mem::take(&mut release.hooks), &req.only, &req.skip);
    let mut run = Runner {
        applier: Applier::new(client.clone(), &req.namespace, &req.release),
        client: client.clone(),
        store,
        req,
        logs: Vec::new(),
    };
    let failure = run.all(&mut release, &skipped, &mut executing, progress).await;
    release.hooks = skipped;
    release.hooks.extend(executing);
    let stored = run.store.update(&release).await;
    let failure = match (failure, stored) {
        (Ok(()), Ok(())) => None,
        (Err(why), _) => Some(why),
        (Ok(()), Err(why)) => return Err(why),
    };
    Ok(TestRun {
        release,
        logs: run.logs,
        failure,
    })
}

struct Runner<'a> {
    applier: Applier,
    client: Client,
    store: ReleaseStore,
    req: &'a TestRequest,
    logs: Vec<TestLog>,
}

impl Runner<'_> {
    /// helm's `execHook(rel, "test", timeout)`.
    async fn all(
        &mut self,
        release: &mut Release,
        skipped: &[Hook],
        hooks: &mut [Hook],
        progress: Progress<'_>,
    ) -> Result<(), String> {
        let mut order: Vec<usize> = (0..hooks.len()).filter(|&i| is_test(&hooks[i])).collect();
        order.sort_by(|&a, &b| (hooks[a].weight, &hooks[a].name).cmp(&(hooks[b].weight, &hooks[b].name)));
        for (done, &i) in order.iter().enumerate() {
            if hooks[i].delete_policies.is_empty() {
                hooks[i].delete_policies = vec!["before-hook-creation".into()];
            }
            self.delete_by_policy(&hooks[i], "before-hook-creation").await?;
            let objects = manifest_objects(&hooks[i].manifest);
            if objects.is_empty() {
                return Err(format!(
                    "test {} ({}) has no object in its manifest",
                    hooks[i].name, hooks[i].path
                ));
            }
            hooks[i].last_run = HookExecution {
                started_at: HelmTime(Some(Timestamp::now())),
                phase: "Running".into(),
                ..HookExecution::default()
            };
            self.record(release, skipped, hooks).await?;
            progress(format!("test {} started", hooks[i].name));
            let outcome = self.create_and_wait(&objects).await;
            hooks[i].last_run.completed_at = HelmTime(Some(Timestamp::now()));
            self.keep_logs(&objects).await;
            if let Err(why) = outcome {
                hooks[i].last_run.phase = "Failed".into();
                if let Err(e) = self.delete_by_policy(&hooks[i], "hook-failed").await {
                    progress(format!("test {}: {e}", hooks[i].name));
                }
                for &earlier in &order[..done] {
                    self.delete_by_policy(&hooks[earlier], "hook-succeeded").await?;
                }
                return Err(format!("test {} failed: {why}", hooks[i].name));
            }
            hooks[i].last_run.phase = "Succeeded".into();
            progress(format!("test {} succeeded", hooks[i].name));
        }
        for &i in order.iter().rev() {
            self.delete_by_policy(&hooks[i], "hook-succeeded").await?;
        }
        Ok(())
    }

    /// Stores the record with every hook in it (helm briefly stores only the running ones).
    async fn record(&self, release: &Release, skipped: &[Hook], hooks: &[Hook]) -> Result<(), String> {
        let mut now = release.clone();
        now.hooks = skipped.iter().chain(hooks).cloned().collect();
        self.store.update(&now).await
    }

    async fn delete_by_policy(&mut self, hook: &Hook, policy: &str) -> Result<(), String> {
        if hook.kind == "CustomResourceDefinition" || !hook.delete_policies.iter().any(|p| p == policy) {
            return Ok(());
        }
        for (id, _) in manifest_objects(&hook.manifest) {
            self.applier.delete(&id).await?;
            self.applier.wait_gone(&id, self.req.timeout).await?;
        }
        Ok(())
    }

    /// Creates the hook's objects (as helm does: an object already there is an error) and waits
    /// for each to finish.
    async fn create_and_wait(&mut self, objects: &[(ObjectId, Value)]) -> Result<(), String> {
        for (id, object) in objects {
            let mut object: DynamicObject =
                serde_json::from_value(object.clone()).map_err(|e| format!("{id} cannot be read: {e}"))?;
            object
                .metadata
                .namespace
                .get_or_insert_with(|| self.req.namespace.clone());
            let api = self.applier.api(id).await?;
            api.create(&PostParams::default(), &object)
                .await
                .map_err(|e| id.failure("create", &e))?;
        }
        for (id, _) in objects {
            self.applier.wait_hook(id, self.req.timeout).await?;
        }
        Ok(())
    }

    /// Reads the logs of each test pod's containers now, before a delete policy removes the pod
    /// (helm reads them after cleanup, when `hook-succeeded` has already deleted them).
    async fn keep_logs(&mut self, objects: &[(ObjectId, Value)]) {
        if !self.req.logs {
            return;
        }
        for (id, object) in objects.iter().filter(|(id, _)| id.kind == "Pod") {
            let ns = id.namespace.as_deref().unwrap_or(&self.req.namespace);
            let pods: Api<Pod> = Api::namespaced(self.client.clone(), ns);
            for container in container_names(object) {
                let params = LogParams {
                    container: Some(container.clone()),
                    ..LogParams::default()
                };
                let text = match pods.logs(&id.name, &params).await {
                    Ok(text) => text,
                    Err(e) => format!("(no logs: {})", id.failure("read the logs of", &e)),
                };
                let text = text.lines().map(crate::text::sanitize).collect::<Vec<_>>().join("\n");
                self.logs.push(TestLog {
                    pod: id.name.clone(),
                    container,
                    text,
                });
            }
        }
    }
}

fn container_names(pod: &Value) -> Vec<String> {
    ["/spec/initContainers", "/spec/containers"]
        .iter()
        .filter_map(|p| pod.pointer(p).and_then(Value::as_array))
        .flatten()
        .filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(name: &str, events: &[&str]) -> Hook {
        Hook {
            name: name.into(),
            events: events.iter().map(|e| (*e).to_owned()).collect(),
            ..Hook::default()
        }
    }

    fn names(hooks: &[Hook]) -> Vec<&str> {
        hooks.iter().map(|h| h.name.as_str()).collect()
    }

    #[test]
    fn filters_are_read_as_helm_reads_them_and_anything_else_is_refused() {
        let filters = vec!["name=a,!name=b".to_owned(), "! name=c".to_owned()];
        assert_eq!(
            parse_filters(&filters),
            Ok((vec!["a".to_owned()], vec!["b".to_owned(), "c".to_owned()]))
        );
        let bad = parse_filters(&["kind=Pod".to_owned()]).unwrap_err();
        assert!(bad.starts_with("--filter \"kind=Pod\" is not a test filter"), "{bad}");
        assert!(parse_filters(&["name=".to_owned()]).is_err());
    }

    #[test]
    fn skipped_hooks_go_first_in_the_record_as_helm_puts_them_back() {
        let hooks = vec![
            hook("migrate", &["pre-install"]),
            hook("t1", &["test"]),
            hook("t2", &["test"]),
        ];
        let (skipped, executing) = partition(hooks.clone(), &["t2".into()], &[]);
        assert_eq!(names(&skipped), ["migrate", "t1"]);
        assert_eq!(names(&executing), ["t2"]);
        let (skipped, executing) = partition(hooks, &[], &["t1".into()]);
        assert_eq!(names(&skipped), ["t1"]);
        assert_eq!(names(&executing), ["migrate", "t2"]);
    }

    #[test]
    fn a_filter_naming_no_test_says_which_tests_there_are() {
        let release = Release {
            name: "todo".into(),
            version: 3,
            hooks: vec![hook("migrate", &["pre-install"]), hook("todo-backend-test", &["test"])],
            ..Release::default()
        };
        assert_eq!(check_names(&release, &["todo-backend-test".into()]), Ok(()));
        assert_eq!(
            check_names(&release, &["migrate".into()]),
            Err("release todo revision 3 has no test named migrate; its tests: todo-backend-test".into())
        );
    }
}
