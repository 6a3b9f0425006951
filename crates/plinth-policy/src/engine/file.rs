//! One file of a check run: classified, parsed, checked by the rules of its format that look at
//! one thing at a time, with its suppressions read; its parsed Kubernetes documents are kept for
//! the set rules, and [`Checked::finish`] applies its suppressions once those have run.

use plinth_spec::yaml::{Document, escape};

use super::{Options, locate, problems};
use crate::dockerfile::Dockerfile;
use crate::finding::Finding;
use crate::input::{Format, Input, classify};
use crate::kubernetes::Object;
use crate::lines::LineIndex;
use crate::report::{InputError, Report, Suppressed};
use crate::rule::{Hit, RuleDoc};
use crate::rules;
use crate::suppression::{Suppression, annotations, comments, labels, service_of};

/// A file checked on its own, waiting for the set rules and its suppressions.
pub struct Checked<'a> {
    /// Its path.
    pub path: &'a str,
    /// Its lines, to locate findings.
    pub lines: LineIndex<'a>,
    /// Its counts, input errors and the findings about its suppressions.
    report: Report,
    /// Its rules' findings, each with the index of the object of the file it is about (a
    /// Kubernetes document, a compose service), when the file holds several.
    pub located: Vec<(Finding, Option<usize>)>,
    /// The suppressions written in it.
    pub suppressions: Vec<Suppression>,
    /// Its documents when it holds Kubernetes objects (empty otherwise), for the set rules.
    pub kubernetes: Vec<Document>,
    /// Its body when it is a Terraform file, for the rules over its module directory.
    pub terraform: Option<hcl_edit::structure::Body>,
}

/// Checks the file at `path` with contents `text`.
pub fn check<'a>(path: &'a str, text: &'a str, options: &Options) -> Checked<'a> {
    let mut checked = Checked {
        path,
        lines: LineIndex::new(text),
        report: Report::default(),
        located: Vec::new(),
        suppressions: Vec::new(),
        kubernetes: Vec::new(),
        terraform: None,
    };
    if text.len() > options.max_bytes {
        checked.report.errors.push(InputError::too_large(path, text.len() as u64, options.max_bytes));
        return checked;
    }
    if text.contains('\0') {
        checked.report.errors.push(InputError::binary(path));
        return checked;
    }
    let (format, documents) = match classify(path, text) {
        Input::Yaml(format, documents) => (format, documents),
        Input::Dockerfile(dockerfile) => {
            checked.dockerfile(&dockerfile, options);
            (Format::Dockerfile, Vec::new())
        }
        Input::Terraform(body) => {
            checked.terraform = Some(body);
            (Format::Terraform, Vec::new())
        }
        Input::Unrecognised => {
            checked.report.skipped = 1;
            return checked;
        }
        Input::Broken(error) => {
            checked.report.errors.push(error);
            return checked;
        }
    };
    checked.report.files = 1;
    checked.suppressions = comments(path, &checked.lines);
    if let Err(error) = checked.rules(format, text, &documents, options) {
        checked.report.errors.push(error);
        checked.suppressions.clear();
        return checked;
    }
    for suppression in &checked.suppressions {
        checked.report.findings.extend(problems(suppression, options));
    }
    if format == Format::Kubernetes {
        checked.kubernetes = documents;
    }
    checked
}

impl Checked<'_> {
    /// Runs the rules of `format` that look at one thing at a time, and reads the suppressions
    /// its objects declare (Kubernetes annotations, compose labels).
    fn rules(
        &mut self,
        format: Format,
        text: &str,
        documents: &[Document],
        options: &Options,
    ) -> Result<(), InputError> {
        let enabled = |doc: &RuleDoc| !options.config.disabled(doc.id);
        let mut hits = Vec::new();
        match format {
            Format::Kubernetes => {
                for (idx, document) in documents.iter().enumerate() {
                    self.suppressions.extend(annotations(self.path, idx, document, &self.lines));
                    let object = Object::new(&document.value);
                    if object.kind().is_empty() {
                        continue;
                    }
                    for rule in rules::kubernetes::RULES.iter().filter(|r| enabled(&r.doc)) {
                        (rule.check)(&object, &mut hits);
                        for hit in hits.drain(..) {
                            self.add(document, &rule.doc, hit, &object.display(), Some(idx));
                        }
                    }
                }
            }
            Format::Compose | Format::GithubActions => {
                let compose = format == Format::Compose;
                let rules = if compose { rules::compose::RULES } else { rules::github::RULES };
                let Some(document) = documents.iter().find(|d| d.value.is_object()) else { return Ok(()) };
                if compose {
                    self.suppressions.extend(labels(self.path, document, &self.lines));
                }
                for rule in rules.iter().filter(|r| enabled(&r.doc)) {
                    (rule.check)(&document.value, &mut hits);
                    for hit in hits.drain(..) {
                        let service = if compose { service_of(&document.value, &hit.pointer) } else { None };
                        self.add(document, &rule.doc, hit, "", service);
                    }
                }
            }
            Format::Spec => self.spec(text, &documents[0], options)?,
            Format::Terraform | Format::Dockerfile => {}
        }
        Ok(())
    }

    /// Runs the Dockerfile rules; a hit is reported at the first character of its line.
    fn dockerfile(&mut self, dockerfile: &Dockerfile, options: &Options) {
        let mut hits = Vec::new();
        for rule in rules::dockerfile::RULES.iter().filter(|r| !options.config.disabled(r.doc.id)) {
            (rule.check)(dockerfile, &mut hits);
            for hit in hits.drain(..) {
                let indent = self.lines.line(hit.line).chars().take_while(|c| c.is_whitespace()).count();
                let finding = Finding {
                    path: self.path.to_owned(),
                    line: hit.line,
                    column: indent + 1,
                    rule: rule.doc.id,
                    severity: rule.doc.severity,
                    message: hit.message,
                    object: String::new(),
                };
                self.located.push((finding, None));
            }
        }
    }

    /// Runs the spec rules over every environment of a `plinth.yaml`; a hit is reported at the
    /// environment's override of the field when it has one.
    fn spec(&mut self, text: &str, document: &Document, options: &Options) -> Result<(), InputError> {
        let compiled = plinth_spec::compile(text);
        if let Some(error) = compiled.diagnostics.iter().find(|d| d.is_error()) {
            let (line, column) = self.lines.position(error.span.start);
            return Err(InputError {
                path: self.path.to_owned(),
                line,
                column,
                message: format!("the spec does not compile: {} (see `plinth validate`)", error.message),
            });
        }
        let mut hits = Vec::new();
        for platform in &compiled.platforms {
            let overrides = format!("/environments/{}/overrides", escape(&platform.environment.name));
            for rule in rules::spec::RULES.iter().filter(|r| !options.config.disabled(r.doc.id)) {
                (rule.check)(platform, &mut hits);
                for mut hit in hits.drain(..) {
                    let overridden = format!("{overrides}{}", hit.pointer);
                    if document.spans.contains(&overridden) {
                        hit.pointer = overridden;
                    }
                    self.add(document, &rule.doc, hit, &platform.environment.name, None);
                }
            }
        }
        Ok(())
    }

    /// Adds the finding of `rule` for `hit` in `document`, about object `index` of the file.
    fn add(&mut self, document: &Document, rule: &RuleDoc, hit: Hit, object: &str, index: Option<usize>) {
        let finding = locate::finding(self.path, &self.lines, &document.spans, rule, hit, object);
        self.located.push((finding, index));
    }

    /// Adds a suppression found once the file's unit is read (a Terraform resource's
    /// `#checkov:skip`), with the findings about it.
    pub fn suppress(&mut self, suppression: Suppression, options: &Options) {
        self.report.findings.extend(problems(&suppression, options));
        self.suppressions.push(suppression);
    }

    /// The file's report: its findings, less those its suppressions or the config file silence.
    pub fn finish(mut self, options: &Options) -> Report {
        for (finding, object) in self.located {
            let by = self
                .suppressions
                .iter()
                .chain(&options.config.ignore)
                .find(|s| s.active(options.today) && s.covers(&finding, object));
            match by {
                Some(suppression) => self
                    .report
                    .suppressed
                    .push(Suppressed { finding, reason: suppression.reason.clone().unwrap_or_default() }),
                None => self.report.findings.push(finding),
            }
        }
        self.report
    }
}
