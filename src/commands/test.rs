//! `kubedeck test RELEASE`: runs the release's tests as `helm test` does and prints what helm
//! prints: the release's status with its TEST SUITE lines, the notes, then (`--logs`) the logs.

use std::io::IsTerminal;

use crate::actions::deploy::{self, TestRequest, TestRun};
use crate::actions::operation::Operation;
use crate::cli::TestArgs;
use crate::cluster::releases::{HelmTime, Release};

use super::Connection;

pub(super) async fn run(cluster: &Connection, args: TestArgs) -> Result<String, String> {
    let timeout = crate::cli::duration::parse_timeout(&args.timeout)?;
    let (only, skip) = deploy::parse_filters(&args.filter)?;
    let request = TestRequest {
        namespace: cluster.namespace.clone(),
        release: args.release,
        timeout,
        only,
        skip,
        logs: args.logs,
    };
    // helm test never asks, and scripts call it: only a person at a terminal is asked.
    if std::io::stdin().is_terminal() {
        let question = Operation::Test {
            request: request.clone(),
        }
        .question();
        super::confirm(&question, args.yes)?;
    }
    let run = deploy::run_tests(&cluster.client, &request, &|line| eprintln!("{line}")).await?;
    out!("{}", status_text(&run.release, args.hide_notes));
    if args.logs {
        outln!();
        out!("{}", logs_text(&run));
    }
    match run.failure {
        Some(_) => Err(run.summary()),
        None => Ok(String::new()),
    }
}

/// Go's `time.ANSIC` in local time, as helm prints a release's times (Go's zero time for none).
fn ansic(time: &HelmTime) -> String {
    match time.0 {
        Some(t) => t
            .to_zoned(jiff::tz::TimeZone::system())
            .strftime("%a %b %e %H:%M:%S %Y")
            .to_string(),
        None => "Mon Jan  1 00:00:00 0001".into(),
    }
}

/// The release as `helm status` (and `helm test`) prints it, with its TEST SUITE lines.
pub(super) fn status_text(release: &Release, hide_notes: bool) -> String {
    let status = release.info.status.as_ref().map_or("", |s| s.as_str());
    let mut text = format!("NAME: {}\n", release.name);
    if release.info.last_deployed.0.is_some() {
        text.push_str(&format!("LAST DEPLOYED: {}\n", ansic(&release.info.last_deployed)));
    }
    text.push_str(&format!(
        "NAMESPACE: {}\nSTATUS: {status}\nREVISION: {}\n",
        release.namespace, release.version
    ));
    let tests: Vec<_> = release
        .hooks
        .iter()
        .filter(|h| h.events.iter().any(|e| e == "test"))
        .collect();
    if tests.is_empty() {
        text.push_str("TEST SUITE: None\n");
    }
    for hook in tests.iter().filter(|h| h.last_run.started_at.0.is_some()) {
        text.push_str(&format!(
            "TEST SUITE:     {}\nLast Started:   {}\nLast Completed: {}\nPhase:          {}\n",
            hook.name,
            ansic(&hook.last_run.started_at),
            ansic(&hook.last_run.completed_at),
            hook.last_run.phase
        ));
    }
    if !hide_notes && !release.info.notes.is_empty() {
        text.push_str(&format!("NOTES:\n{}\n", release.info.notes.trim()));
    }
    text
}

/// `POD LOGS: NAME` and the logs, as helm prints them (the container named when a pod has
/// several).
fn logs_text(run: &TestRun) -> String {
    let mut text = String::new();
    for log in &run.logs {
        let several = run.logs.iter().filter(|l| l.pod == log.pod).count() > 1;
        match several {
            true => text.push_str(&format!("POD LOGS: {} ({})\n", log.pod, log.container)),
            false => text.push_str(&format!("POD LOGS: {}\n", log.pod)),
        }
        text.push_str(&log.text);
        text.push_str("\n\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::releases::{Hook, HookExecution, ReleaseStatus};

    #[test]
    fn the_status_lists_each_test_that_ran_as_helm_status_does() {
        let started: jiff::Timestamp = "2026-12-02T04:00:00Z".parse().unwrap();
        let mut release = Release {
            name: "todo".into(),
            namespace: "shop".into(),
            version: 2,
            ..Release::default()
        };
        release.info.status = Some(ReleaseStatus::Deployed);
        release.hooks = vec![
            Hook {
                name: "todo-backend-test".into(),
                events: vec!["test".into()],
                last_run: HookExecution {
                    started_at: HelmTime(Some(started)),
                    completed_at: HelmTime(Some(started)),
                    phase: "Failed".into(),
                    ..HookExecution::default()
                },
                ..Hook::default()
            },
            Hook {
                name: "never-ran".into(),
                events: vec!["test".into()],
                ..Hook::default()
            },
        ];
        let text = status_text(&release, false);
        assert!(
            text.starts_with("NAME: todo\nNAMESPACE: shop\nSTATUS: deployed\nREVISION: 2\n"),
            "{text}"
        );
        assert!(
            text.contains("TEST SUITE:     todo-backend-test\nLast Started:   "),
            "{text}"
        );
        assert!(text.ends_with("Phase:          Failed\n"), "{text}");
        assert!(!text.contains("never-ran"), "{text}");
        release.hooks.clear();
        assert!(status_text(&release, false).ends_with("TEST SUITE: None\n"));
    }
}
