//! Unit tests of the wizard's update function: no terminal, no processes, no cluster.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::form::HostInfo;
use super::*;
use crate::actions::setup::progress::SavedProgress;
use crate::actions::setup::{ImageSource, MinikubeSettings};

const HOST: HostInfo = HostInfo {
    cpus: Some(8),
    memory_mb: Some(16_000),
};

fn key(code: KeyCode) -> SetupMsg {
    SetupMsg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(c: char) -> SetupMsg {
    SetupMsg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn typed(state: &mut SetupState, text: &str) {
    for c in text.chars() {
        state.update(key(KeyCode::Char(c)));
    }
}

fn fresh() -> SetupState {
    SetupState::new(SavedProgress::default(), "todo".into(), HOST, Instant::now())
}

fn finish(state: &mut SetupState, id: StepId) {
    state.update(SetupMsg::StepDone(id, Ok(format!("{} ok", id.title()))));
}

#[test]
fn a_first_run_checks_the_tools_at_once() {
    let state = fresh();
    assert_eq!(state.current, 0);
    assert_eq!(state.effects, vec![SetupEffect::Run(StepRequest::Tools)]);
    assert_eq!(state.mode, Mode::Running { cancelling: false });
}

#[test]
fn a_failed_step_waits_for_retry_and_cannot_be_skipped_when_required() {
    let mut state = fresh();
    state.effects.clear();
    state.update(SetupMsg::Line(StepId::Tools, "minikube \x1b[31mtoo old\x1b[0m".into()));
    state.update(SetupMsg::StepDone(
        StepId::Tools,
        Err("minikube 1.31.0 is older than 1.32.0".into()),
    ));
    assert!(matches!(state.step().status, StepStatus::Failed { .. }));
    assert_eq!(
        state.step().log,
        ["minikube too old"],
        "output is sanitized before it is kept"
    );
    state.update(key(KeyCode::Char('s')));
    assert!(state.notice.as_deref().unwrap_or("").contains("cannot be skipped"));
    assert!(state.effects.is_empty(), "nothing saved for a failed step");
    state.update(key(KeyCode::Char('r')));
    assert_eq!(state.effects, vec![SetupEffect::Run(StepRequest::Tools)]);
}

#[test]
fn minikube_settings_are_checked_against_the_host() {
    let mut state = fresh();
    finish(&mut state, StepId::Tools);
    assert_eq!(state.mode, Mode::Editing { field: 0 });
    state.effects.clear();
    state.update(ctrl('u'));
    typed(&mut state, "16");
    state.update(key(KeyCode::Enter));
    assert_eq!(
        state.notice.as_deref(),
        Some("this machine has 8 CPUs: ask for 8 or fewer")
    );
    assert!(state.effects.is_empty());
    state.update(ctrl('u'));
    typed(&mut state, "2");
    state.update(key(KeyCode::Tab));
    state.update(ctrl('u'));
    typed(&mut state, "4g");
    state.update(key(KeyCode::Tab));
    typed(&mut state, "1.30");
    state.update(key(KeyCode::Enter));
    assert_eq!(
        state.effects,
        vec![SetupEffect::Run(StepRequest::Minikube(MinikubeSettings {
            cpus: 2,
            memory_mb: 4096,
            kubernetes_version: "v1.30.0".into(),
        }))]
    );
}

#[test]
fn cancelling_forgets_the_step_and_quits_once_the_command_is_gone() {
    let mut state = fresh();
    finish(&mut state, StepId::Tools);
    state.update(key(KeyCode::Enter));
    state.effects.clear();
    state.update(key(KeyCode::Char('q')));
    assert_eq!(state.effects, vec![SetupEffect::Cancel]);
    assert!(!state.should_quit, "waits for the child to be killed");
    state.update(SetupMsg::StepDone(StepId::Minikube, Err("cancelled".into())));
    assert!(state.should_quit);
    assert_eq!(state.step().status, StepStatus::Pending);
    assert!(!state.saved.steps.contains_key(&StepId::Minikube));
}

#[test]
fn the_deploy_is_not_cancelled_halfway() {
    let mut saved = SavedProgress::default();
    mark_done(
        &mut saved,
        &[
            StepId::Tools,
            StepId::Minikube,
            StepId::Addons,
            StepId::Images,
            StepId::Secrets,
        ],
    );
    let mut state = SetupState::new(saved, "todo".into(), HOST, Instant::now());
    assert_eq!(state.step().id, StepId::Deploy, "resumes at the first unfinished step");
    assert!(state.steps[..5].iter().all(|s| s.earlier));
    let Some(SetupEffect::Run(StepRequest::Deploy(req))) = state.effects.first() else {
        panic!("deploy starts by itself: {:?}", state.effects);
    };
    assert_eq!(req.set, ["existingSecret=todo-chatbot-secrets"]);
    assert!(req.values_files[0].ends_with("values-local.yaml"));
    state.effects.clear();
    state.update(key(KeyCode::Char('q')));
    assert!(state.effects.is_empty() && !state.should_quit);
    assert!(state.notice.as_deref().unwrap_or("").contains("half-done"));
}

#[test]
fn secrets_are_masked_generated_and_forgotten_once_created() {
    let mut saved = SavedProgress::default();
    mark_done(
        &mut saved,
        &[StepId::Tools, StepId::Minikube, StepId::Addons, StepId::Images],
    );
    let mut state = SetupState::new(saved, "todo".into(), HOST, Instant::now());
    assert_eq!(state.step().id, StepId::Secrets);
    assert!(state.step().fields.iter().all(|f| f.masked));
    state.update(key(KeyCode::Tab));
    typed(&mut state, "sk-hunter2");
    state.update(key(KeyCode::Enter));
    assert!(state.notice.as_deref().unwrap_or("").contains("Ctrl-G"));
    state.update(ctrl('g'));
    assert_eq!(state.effects, vec![SetupEffect::GenerateSecret]);
    state.effects.clear();
    state.update(SetupMsg::Generated(Ok("ab".repeat(32))));
    state.update(key(KeyCode::Enter));
    assert!(matches!(
        state.effects.as_slice(),
        [SetupEffect::Run(StepRequest::Secrets(_))]
    ));
    state.effects.clear();
    finish(&mut state, StepId::Secrets);
    let saved_json = serde_json::to_string(&state.saved).unwrap();
    assert!(
        !saved_json.contains("hunter2") && saved_json.contains("in-cluster"),
        "{saved_json}"
    );
    assert!(
        state.steps[4].fields.iter().all(|f| f.value.is_empty()),
        "values dropped"
    );
    assert_eq!(state.step().id, StepId::Deploy);
}

#[test]
fn image_names_become_chart_values_and_folders_are_built() {
    let mut state = fresh();
    finish(&mut state, StepId::Tools);
    state.update(key(KeyCode::Enter));
    finish(&mut state, StepId::Minikube);
    // The addons' wait runs by itself; s stops it and skips the step once the command is gone.
    state.update(key(KeyCode::Char('s')));
    assert_eq!(state.effects.last(), Some(&SetupEffect::Cancel));
    state.update(SetupMsg::StepDone(StepId::Addons, Err("cancelled".into())));
    assert_eq!(
        state.saved.steps.get(&StepId::Addons).map(|s| s.status),
        Some(SavedStatus::Skipped)
    );
    assert_eq!(
        state.step().id,
        StepId::Images,
        "Addons skipped: {:?}",
        state.steps[2].status
    );
    state.update(ctrl('u'));
    typed(&mut state, "registry.local:5000/todo/frontend:1.2");
    state.update(key(KeyCode::Enter));
    // Before building, the loop looks for folders without a Dockerfile; here there are none.
    let Some(SetupEffect::FindMissingDockerfiles(checked)) = state.effects.last().cloned() else {
        panic!("{:?}", state.effects);
    };
    state.update(SetupMsg::MissingDockerfiles(checked, Vec::new()));
    let Some(SetupEffect::Run(StepRequest::Images(choice))) = state.effects.last().cloned() else {
        panic!("{:?}", state.effects);
    };
    assert_eq!(
        choice.frontend,
        ImageSource::Image("registry.local:5000/todo/frontend:1.2".into())
    );
    assert!(matches!(&choice.backend, ImageSource::Build(p) if p.ends_with("backend") && p.is_absolute()));
    finish(&mut state, StepId::Images);
    let req = form::deploy_request("todo", &state.saved).unwrap();
    assert!(
        req.set
            .contains(&"frontend.image.repository=registry.local:5000/todo/frontend".to_owned())
    );
    assert!(req.set.contains(&"frontend.image.tag=1.2".to_owned()));
    assert!(!req.set.iter().any(|s| s.starts_with("backend.")));
}

/// The wizard on its image step, with Enter pressed and the folders found without a Dockerfile.
fn asked_about_dockerfiles() -> (SetupState, ImageChoice, Vec<Missing>) {
    let mut saved = SavedProgress::default();
    mark_done(&mut saved, &[StepId::Tools, StepId::Minikube, StepId::Addons]);
    let mut state = SetupState::new(saved, "todo".into(), HOST, Instant::now());
    assert_eq!(state.step().id, StepId::Images);
    state.update(key(KeyCode::Enter));
    let Some(SetupEffect::FindMissingDockerfiles(choice)) = state.effects.last().cloned() else {
        panic!("{:?}", state.effects);
    };
    let ImageSource::Build(dir) = &choice.frontend else {
        panic!("{choice:?}")
    };
    let missing = vec![("frontend".to_owned(), dir.clone())];
    state.update(SetupMsg::MissingDockerfiles(choice.clone(), missing.clone()));
    let notice = state.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("no Dockerfile") && notice.contains("frontend"),
        "{notice}"
    );
    assert!(notice.contains("nothing is overwritten"), "{notice}");
    assert!(
        !state.effects.iter().any(|e| matches!(e, SetupEffect::Run(_))),
        "it asks first"
    );
    (state, choice, missing)
}

#[test]
fn a_folder_without_a_dockerfile_gets_kubedecks_templates_only_when_the_user_says_yes() {
    let (mut state, choice, missing) = asked_about_dockerfiles();
    state.effects.clear();
    state.update(key(KeyCode::Char('e')));
    assert!(state.effects.is_empty(), "other keys leave the question asked");
    state.update(key(KeyCode::Char('y')));
    assert_eq!(state.effects, vec![SetupEffect::WriteDockerfiles(missing)]);
    state.update(SetupMsg::DockerfilesWritten(Ok("wrote web/Dockerfile".into())));
    assert_eq!(
        state.effects.last(),
        Some(&SetupEffect::Run(StepRequest::Images(choice))),
        "the build starts once they are written"
    );
    assert_eq!(state.notice.as_deref(), Some("wrote web/Dockerfile"));

    let (mut state, _, _) = asked_about_dockerfiles();
    state.effects.clear();
    state.update(key(KeyCode::Char('n')));
    assert!(state.effects.is_empty(), "no means nothing written and nothing built");
    assert_eq!(state.mode, Mode::Editing { field: 0 });
    assert!(state.notice.clone().unwrap_or_default().contains("nothing written"));
}

#[test]
fn elapsed_time_follows_the_ticks() {
    let mut state = fresh();
    let later = state.now + Duration::from_secs(3);
    assert!(state.update(SetupMsg::Tick(later)));
    finish(&mut state, StepId::Tools);
    assert!(matches!(state.steps[0].status, StepStatus::Done { elapsed: Some(d), .. } if d == Duration::from_secs(3)));
}

/// Saved progress in which `steps` are done, as a second run of the wizard finds it.
fn mark_done(saved: &mut SavedProgress, steps: &[StepId]) {
    for &id in steps {
        saved.steps.insert(
            id,
            SavedStep {
                status: SavedStatus::Done,
                at: String::new(),
            },
        );
    }
}
