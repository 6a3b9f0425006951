//! What the GitHub Actions rules share: the triggers, jobs and steps of a workflow, JSON pointers
//! into them, the names findings use, and the `${{ … }}` expressions of a text.

use plinth_spec::yaml::escape;
use serde_json::{Map, Value};

/// Whether the workflow runs on any of `events` (`on:` as a string, a list or a mapping).
pub fn triggered_by(doc: &Value, events: &[&str]) -> bool {
    match doc.get("on") {
        Some(Value::String(event)) => events.contains(&event.as_str()),
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).any(|event| events.contains(&event)),
        Some(Value::Object(map)) => map.keys().any(|event| events.contains(&event.as_str())),
        _ => false,
    }
}

/// The events that run a workflow with code or text from a pull request's author.
pub const PULL_REQUEST_EVENTS: &[&str] = &["pull_request", "pull_request_target"];

/// One job of `jobs:`.
pub struct Job<'a> {
    /// The job's id (its key under `jobs:`).
    pub id: &'a str,
    /// Its definition.
    pub body: &'a Map<String, Value>,
}

impl<'a> Job<'a> {
    /// The pointer of the job (`/jobs/build`).
    pub fn pointer(&self) -> String {
        format!("/jobs/{}", escape(self.id))
    }

    /// The pointer of `key` below the job.
    pub fn at(&self, key: &str) -> String {
        format!("{}/{}", self.pointer(), escape(key))
    }

    /// The job's steps, in order.
    pub fn steps(&self) -> Vec<Step<'a>> {
        let steps = self.body.get("steps").and_then(Value::as_array).into_iter().flatten();
        steps
            .enumerate()
            .filter_map(|(index, body)| Some(Step { job: self.id, index, body: body.as_object()? }))
            .collect()
    }
}

/// The jobs of a workflow, in file order.
pub fn jobs(doc: &Value) -> impl Iterator<Item = Job<'_>> {
    doc.get("jobs")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(id, body)| Some(Job { id, body: body.as_object()? }))
}

/// One step of a job.
pub struct Step<'a> {
    /// The id of its job.
    pub job: &'a str,
    /// Its index in `steps:`.
    pub index: usize,
    /// Its definition.
    pub body: &'a Map<String, Value>,
}

impl<'a> Step<'a> {
    /// The pointer of `key` below the step (`/jobs/build/steps/2/run`); `key` may be a path of
    /// escaped segments (`with/ref`).
    pub fn at(&self, key: &str) -> String {
        format!("/jobs/{}/steps/{}/{key}", escape(self.job), self.index)
    }

    /// How findings name the step: `step "Build" of job "build"`, by its `name`, else its `id`,
    /// its action without the ref, or its position.
    pub fn describe(&self) -> String {
        let text = |key: &str| self.body.get(key).and_then(Value::as_str);
        let action = self.uses().map(|uses| uses.split_once('@').map_or(uses, |(action, _)| action));
        let label =
            text("name").or_else(|| text("id")).or(action).map_or_else(|| format!("{}", self.index + 1), str::to_owned);
        format!("step \"{label}\" of job \"{}\"", self.job)
    }

    /// The action it uses (`actions/checkout@v4`), if any.
    pub fn uses(&self) -> Option<&'a str> {
        self.body.get("uses").and_then(Value::as_str)
    }

    /// Whether it uses the action `name` (`actions/checkout`), at any ref.
    pub fn uses_action(&self, name: &str) -> bool {
        self.uses().and_then(|uses| uses.split_once('@')).is_some_and(|(action, _)| action.eq_ignore_ascii_case(name))
    }

    /// Its `run:` script, if any.
    pub fn run(&self) -> Option<&'a str> {
        self.body.get("run").and_then(Value::as_str)
    }

    /// The input `key` of its `with:`, if set.
    pub fn with(&self, key: &str) -> Option<&'a Value> {
        self.body.get("with").and_then(|with| with.get(key))
    }
}

/// Every `env:` mapping of the workflow (workflow, jobs, steps), with its pointer and a phrase
/// naming its owner (`workflow`, `job "build"`, `step "Deploy" of job "build"`).
pub fn env_blocks(doc: &Value) -> Vec<(String, String, &Map<String, Value>)> {
    let mut out = Vec::new();
    if let Some(env) = doc.get("env").and_then(Value::as_object) {
        out.push(("/env".to_owned(), "the workflow".to_owned(), env));
    }
    for job in jobs(doc) {
        if let Some(env) = job.body.get("env").and_then(Value::as_object) {
            out.push((job.at("env"), format!("job \"{}\"", job.id), env));
        }
        for step in job.steps() {
            if let Some(env) = step.body.get("env").and_then(Value::as_object) {
                out.push((step.at("env"), step.describe(), env));
            }
        }
    }
    out
}

/// The expressions of `text`: the contents of every `${{ … }}`, trimmed.
pub fn expressions(text: &str) -> impl Iterator<Item = &str> {
    text.split("${{").skip(1).filter_map(|rest| rest.split_once("}}").map(|(inner, _)| inner.trim()))
}
