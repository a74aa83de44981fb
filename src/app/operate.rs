//! Deploy and roll back from the dashboard: `d` asks for values, shows the plan and applies it
//! on `y`; `r` on a revision in a release's history shows the diff and rolls back on `y`. The
//! work runs as actions; their progress lands in a view on top.

use std::path::PathBuf;
use std::time::Duration;

use super::views::{DiffView, Loadable, TextBody, TextView, TopView};
use super::{App, Effect, Prompt, PromptKind};
use crate::actions::deploy::{DeployPlan, DeployRequest};
use crate::cluster::Scope;

/// The release the dashboard deploys: the Todo Chatbot, named as in the chart's docs.
pub const RELEASE: &str = "todo";

/// Where an action's progress is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionLog {
    pub title: String,
    pub lines: Vec<String>,
    /// None while running; then the final sentence, good or bad.
    pub outcome: Option<Result<String, String>>,
}

/// A rollback the user was asked to confirm.
#[derive(Debug, Clone, PartialEq)]
pub struct RollbackRequest {
    pub namespace: String,
    pub release: String,
    pub to: i32,
}

impl App {
    fn namespace_for_actions(&mut self) -> Option<String> {
        match self.target.as_ref().map(|t| &t.scope) {
            Some(Scope::Namespace(ns)) => Some(ns.clone()),
            _ => {
                self.notice = Some("releases live in one namespace: pick one with n first".into());
                None
            }
        }
    }

    /// `d`: ask for values files and overrides.
    pub(super) fn open_deploy(&mut self) {
        if self.namespace_for_actions().is_some() {
            self.prompt = Some(Prompt::new(PromptKind::Deploy, "-f local".into()));
        }
    }

    /// The deploy prompt was answered: parse it and ask for the plan.
    pub(super) fn deploy_prompt_done(&mut self, text: &str) {
        let Some(namespace) = self.namespace_for_actions() else {
            return;
        };
        match parse_deploy_line(text, &namespace) {
            Ok(req) => {
                self.effects.push(Effect::PlanDeploy(req.clone()));
                let body = TextBody::Plan {
                    request: Box::new(req),
                    plan: Loadable::Loading,
                };
                self.top = Some(TopView::Text(TextView { body, offset: 0 }));
            }
            Err(e) => self.notice = Some(e),
        }
    }

    pub(super) fn plan_ready(&mut self, result: Result<DeployPlan, String>) {
        if let Some(TopView::Text(TextView {
            body: TextBody::Plan { plan, .. },
            ..
        })) = self.top.as_mut()
        {
            *plan = match result {
                Ok(p) => Loadable::Ready(p),
                Err(e) => Loadable::Failed(e),
            };
        }
    }

    /// `y` on a plan or a rollback diff: do it.
    pub(super) fn confirm(&mut self) {
        match self.top.take() {
            Some(TopView::Text(TextView {
                body:
                    TextBody::Plan {
                        request,
                        plan: Loadable::Ready(plan),
                    },
                ..
            })) => {
                let title = format!(
                    "Deploying {} revision {} to {}",
                    request.release, plan.revision, request.namespace
                );
                self.effects.push(Effect::Deploy(*request));
                self.open_log(title);
            }
            Some(TopView::Diff(DiffView {
                rollback: Some(req), ..
            })) => {
                let title = format!(
                    "Rolling {} back to revision {} in {}",
                    req.release, req.to, req.namespace
                );
                self.effects.push(Effect::Rollback(req));
                self.open_log(title);
            }
            other => self.top = other,
        }
    }

    fn open_log(&mut self, title: String) {
        let log = ActionLog {
            title,
            lines: Vec::new(),
            outcome: None,
        };
        self.top = Some(TopView::Text(TextView {
            body: TextBody::Log(log),
            offset: 0,
        }));
    }

    pub(super) fn action_progress(&mut self, line: String) {
        if let Some(TopView::Text(TextView {
            body: TextBody::Log(log),
            offset,
        })) = self.top.as_mut()
        {
            log.lines.push(crate::text::sanitize(&line));
            // Follow the newest line.
            *offset = log.lines.len();
        }
    }

    pub(super) fn action_done(&mut self, outcome: Result<String, String>) {
        match self.top.as_mut() {
            Some(TopView::Text(TextView {
                body: TextBody::Log(log),
                offset,
            })) => {
                log.outcome = Some(outcome);
                *offset = log.lines.len() + 2;
            }
            _ => {
                self.notice = Some(match outcome {
                    Ok(s) | Err(s) => s,
                })
            }
        }
    }
}

/// `-f local -f ./mine.yaml --set a.b=c`: values by name (the chart's values-NAME.yaml) or path.
pub fn parse_deploy_line(text: &str, namespace: &str) -> Result<DeployRequest, String> {
    let chart_dir = PathBuf::from(crate::commands::BUNDLED_CHART);
    let mut req = DeployRequest {
        release: RELEASE.into(),
        namespace: namespace.into(),
        chart_dir: chart_dir.clone(),
        values_files: Vec::new(),
        set: Vec::new(),
        atomic: false,
        timeout: Duration::from_secs(300),
        history_max: 10,
        helm_renderer: false,
    };
    let mut words = text.split_whitespace();
    while let Some(word) = words.next() {
        match word {
            "-f" | "--values" => {
                let v = words.next().ok_or("-f needs a values name or file")?;
                req.values_files.push(crate::commands::values_file(&chart_dir, v)?);
            }
            "--set" => req.set.push(words.next().ok_or("--set needs key=value")?.to_owned()),
            "--atomic" => req.atomic = true,
            "--renderer=helm" => req.helm_renderer = true,
            other => {
                return Err(format!(
                    "{other:?} is not understood here: use -f local|staging|production|PATH, --set key=value, --atomic"
                ));
            }
        }
    }
    Ok(req)
}
