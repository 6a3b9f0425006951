//! The Kubernetes rules over several objects ([`SET_RULES`]), run once per unit over every
//! Kubernetes object of its files (a Kustomization's `images:` included), each hit reported in the
//! file and document of the object it is about.

use rayon::prelude::*;

use super::Options;
use super::file::Checked;
use super::locate;
use crate::kubernetes::Object;
use crate::rules::kubernetes::SET_RULES;

/// Runs the enabled set rules over the Kubernetes objects of `files` and adds their findings to
/// the files of the objects.
pub fn check(files: &mut [Checked<'_>], options: &Options) {
    let view: &[Checked<'_>] = files;
    let mut objects = Vec::new();
    // For each object, the index of its file and of its document in that file.
    let mut owners = Vec::new();
    for (f, file) in view.iter().enumerate() {
        for (d, document) in file.kubernetes.iter().enumerate() {
            let object = Object::new(&document.value);
            if !object.kind().is_empty() {
                objects.push(object);
                owners.push((f, d));
            }
        }
    }
    if objects.is_empty() {
        return;
    }
    let found: Vec<_> = SET_RULES
        .par_iter()
        .filter(|rule| !options.config.disabled(rule.doc.id))
        .flat_map_iter(|rule| {
            let mut hits = Vec::new();
            (rule.check)(&objects, &mut hits);
            hits.into_iter().filter_map(|(idx, hit)| {
                let &(f, d) = owners.get(idx)?;
                let file = &view[f];
                let spans = &file.kubernetes[d].spans;
                let finding = locate::finding(file.path, &file.lines, spans, &rule.doc, hit, &objects[idx].display());
                Some((f, finding, d))
            })
        })
        .collect();
    for (f, finding, d) in found {
        files[f].located.push((finding, Some(d)));
    }
}
