//! YAML text → a JSON value plus the source span of every key and value, using saphyr's event parser.
//!
//! The value is what the schema and serde see; the [`SpanMap`] lets every later diagnostic point
//! at the exact line and column the user wrote. Scalars follow the YAML 1.2 core schema.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YamlSpan, SpannedEventReceiver};
use serde_json::{Map, Number, Value};

use crate::diagnostic::{Diagnostic, Span};

/// Where each node of a document came from, keyed by JSON pointer (`/services/api/port`).
#[derive(Debug, Clone, Default)]
pub struct SpanMap {
    values: HashMap<String, Span>,
    keys: HashMap<String, Span>,
}

impl SpanMap {
    /// The span of the value at `pointer`, or of its nearest ancestor that has one.
    pub fn value(&self, pointer: &str) -> Span {
        let mut pointer = pointer;
        loop {
            if let Some(span) = self.values.get(pointer) {
                return *span;
            }
            match pointer.rfind('/') {
                Some(idx) => pointer = &pointer[..idx],
                None => return Span::default(),
            }
        }
    }

    /// The span of the key that introduces `pointer`, falling back to the value's span.
    pub fn key(&self, pointer: &str) -> Span {
        self.keys.get(pointer).copied().unwrap_or_else(|| self.value(pointer))
    }

    /// Whether the document has a node at `pointer`.
    pub fn contains(&self, pointer: &str) -> bool {
        self.values.contains_key(pointer)
    }

    /// Records the spans of an overlay's nodes under `target`, taken from `source` under `from`.
    pub fn graft(&mut self, source: &SpanMap, from: &str, target: &str) {
        for (map, source_map) in [(&mut self.values, &source.values), (&mut self.keys, &source.keys)] {
            for (pointer, span) in source_map {
                if let Some(rest) = pointer.strip_prefix(from) {
                    if rest.is_empty() || rest.starts_with('/') {
                        map.insert(format!("{target}{rest}"), *span);
                    }
                }
            }
        }
    }
}

/// Escapes one segment of a JSON pointer (RFC 6901).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The deepest nesting of mappings and sequences accepted; deeper documents are rejected with a
/// diagnostic instead of exhausting memory or the stack.
pub const MAX_DEPTH: usize = 256;

/// One document of a YAML stream and the spans of its nodes (byte offsets into the whole text).
#[derive(Debug, Clone)]
pub struct Document {
    /// The document as JSON.
    pub value: Value,
    /// Where each of its nodes is.
    pub spans: SpanMap,
}

/// Parses one YAML document. Syntax errors, duplicate keys and unsupported constructs are returned
/// as diagnostics; the value is `None` only when the text is not YAML at all.
pub fn parse(source: &str) -> (Option<Value>, SpanMap, Vec<Diagnostic>) {
    let mut parsed = build(source, false);
    let last = parsed.documents.pop();
    if parsed.failed {
        return (None, last.map_or(parsed.partial, |d| d.spans), parsed.diagnostics);
    }
    match last {
        Some(document) => (Some(document.value), document.spans, parsed.diagnostics),
        None => {
            if parsed.diagnostics.is_empty() {
                parsed.diagnostics.push(
                    Diagnostic::error("empty-document", "the file is empty", Span::default())
                        .with_hint("start with `plinth: 1` and a `name:`; `plinth init` writes a starting spec"),
                );
            }
            (None, parsed.partial, parsed.diagnostics)
        }
    }
}

/// Parses every document of a YAML stream (`---`-separated, as Kubernetes manifests are). Empty
/// documents are `null`. Any diagnostic means the stream is broken; the documents before the
/// error are still returned.
pub fn parse_documents(source: &str) -> (Vec<Document>, Vec<Diagnostic>) {
    let parsed = build(source, true);
    (parsed.documents, parsed.diagnostics)
}

/// What [`build`] produced.
struct Parsed {
    documents: Vec<Document>,
    /// The spans of the document that was being built when parsing stopped.
    partial: SpanMap,
    /// Whether parsing stopped early (a syntax error, or nesting beyond [`MAX_DEPTH`]).
    failed: bool,
    diagnostics: Vec<Diagnostic>,
}

/// Runs the event parser over `source`, one event at a time (saphyr's own `load` recurses once per
/// nesting level), building every document (`multi`) or the first and an error for any other.
fn build(source: &str, multi: bool) -> Parsed {
    let offsets = CharOffsets::new(source);
    let mut builder = Builder {
        offsets: &offsets,
        stack: Vec::new(),
        spans: SpanMap::default(),
        done: Vec::new(),
        diagnostics: Vec::new(),
        anchors: HashMap::new(),
        documents: 0,
        multi,
        too_deep: false,
    };
    let mut failed = false;
    for event in Parser::new_from_str(source) {
        match event {
            Ok((event, span)) => builder.on_event(event, span),
            Err(err) => {
                let at = offsets.byte(err.marker().index());
                builder.diagnostics.push(syntax_error(source, err.info(), at, &builder.stack));
                failed = true;
            }
        }
        if failed || builder.too_deep {
            break;
        }
    }
    Parsed {
        documents: builder.done,
        partial: builder.spans,
        failed: failed || builder.too_deep,
        diagnostics: builder.diagnostics,
    }
}

/// The diagnostic for a syntax error the parser reported at byte `at`, in plain words for the
/// mistakes people make most: tabs, misaligned keys and unclosed `{`/`[`.
fn syntax_error(source: &str, info: &str, at: usize, open: &[Frame]) -> Diagnostic {
    let line_of = |byte: usize| source[..byte.min(source.len())].matches('\n').count();
    if info.contains("tab") {
        // Point at the tab itself, not past it.
        let start = source[..at].trim_end_matches('\t').len();
        return Diagnostic::error(
            "yaml-syntax",
            "invalid YAML: a tab is used for indentation",
            Span::new(start, start + 1),
        )
        .with_hint("indent with spaces; YAML does not allow tabs in indentation");
    }
    // A `{` or `[` still open when the parser gave up on a later line was never closed.
    let unclosed = open.iter().rev().map(Frame::start).find(|start| {
        matches!(source.as_bytes().get(start.start), Some(b'{' | b'['))
            && line_of(start.start) < line_of(at)
            && !closed(&source[start.start..])
    });
    if let Some(start) = unclosed {
        let (opening, closing) = if source.as_bytes()[start.start] == b'{' { ('{', '}') } else { ('[', ']') };
        return Diagnostic::error(
            "yaml-syntax",
            format!("invalid YAML: this `{opening}` is never closed"),
            Span::new(start.start, start.start + 1),
        )
        .with_hint(format!("add `{closing}` at the end of its last entry"))
        .with_note(Span::new(at, at), format!("the parser expected `,` or `{closing}` here"));
    }
    if info.contains("flow mapping, did not find expected ',' or '}'") && source[at..].starts_with(':') {
        // `{ image: x port: 80 }`: the value ran on into the next key; point at that key.
        let key = source[..at].trim_end().rfind(char::is_whitespace).map_or(at, |idx| idx + 1);
        return Diagnostic::error("yaml-syntax", "invalid YAML: a `,` is missing before this key", Span::new(key, at))
            .with_hint("separate the entries of a `{ … }` mapping with commas");
    }
    if info.contains("block mapping, did not find expected key") {
        return Diagnostic::error(
            "yaml-syntax",
            "invalid YAML: this line is not aligned with the keys of its mapping",
            Span::new(at, at),
        )
        .with_hint("indent it exactly like the other keys of the same mapping (or nest it under one of them)");
    }
    Diagnostic::error("yaml-syntax", format!("invalid YAML: {info}"), Span::new(at, at))
        .with_hint("check the indentation and quoting around this position")
}

/// Whether the `{` or `[` that `text` starts with has its closing bracket (quotes and comments skipped).
fn closed(text: &str) -> bool {
    let mut depth = 0usize;
    let mut quote = None;
    let mut comment = false;
    let mut previous = ' ';
    for c in text.chars() {
        match (quote, c) {
            _ if comment => comment = c != '\n',
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') if previous.is_whitespace() => comment = true,
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => {
                depth -= 1;
                if depth == 0 {
                    return true;
                }
            }
            _ => {}
        }
        previous = c;
    }
    false
}

/// Converts the parser's character indices into byte offsets.
struct CharOffsets {
    bytes: Vec<usize>,
}

impl CharOffsets {
    fn new(source: &str) -> Self {
        let mut bytes: Vec<usize> = source.char_indices().map(|(idx, _)| idx).collect();
        bytes.push(source.len());
        CharOffsets { bytes }
    }

    fn byte(&self, char_index: usize) -> usize {
        self.bytes.get(char_index).copied().unwrap_or_else(|| *self.bytes.last().unwrap_or(&0))
    }

    fn span(&self, span: YamlSpan) -> Span {
        Span::new(self.byte(span.start.index()), self.byte(span.end.index()))
    }
}

enum Frame {
    Sequence {
        pointer: String,
        items: Vec<Value>,
        start: Span,
        anchor: usize,
    },
    Mapping {
        pointer: String,
        entries: Map<String, Value>,
        pending_key: Option<(String, Span)>,
        start: Span,
        anchor: usize,
    },
}

impl Frame {
    fn start(&self) -> Span {
        match self {
            Frame::Sequence { start, .. } | Frame::Mapping { start, .. } => *start,
        }
    }
}

struct Builder<'a> {
    offsets: &'a CharOffsets,
    stack: Vec<Frame>,
    /// The spans of the document being built.
    spans: SpanMap,
    /// The documents built so far.
    done: Vec<Document>,
    diagnostics: Vec<Diagnostic>,
    anchors: HashMap<usize, Value>,
    documents: usize,
    /// Whether every document is kept, or only the first.
    multi: bool,
    /// Set when a node nests deeper than [`MAX_DEPTH`]; building stops.
    too_deep: bool,
}

impl Builder<'_> {
    /// Records a mapping or sequence opening at `span`; false (and an error) beyond [`MAX_DEPTH`].
    fn enter(&mut self, span: Span) -> bool {
        if self.stack.len() < MAX_DEPTH {
            return true;
        }
        self.diagnostics.push(
            Diagnostic::error(
                "yaml-depth",
                format!("the document nests mappings and sequences deeper than {MAX_DEPTH} levels"),
                Span::new(span.start, span.start),
            )
            .with_hint("no configuration needs this; the file is probably generated wrongly or malicious"),
        );
        self.too_deep = true;
        false
    }

    /// The pointer of the node about to be produced, or `None` when it is a mapping key.
    fn next_pointer(&self) -> Option<String> {
        match self.stack.last() {
            None => Some(String::new()),
            Some(Frame::Sequence { pointer, items, .. }) => Some(format!("{pointer}/{}", items.len())),
            Some(Frame::Mapping { pointer, pending_key: Some((key, _)), .. }) => {
                Some(format!("{pointer}/{}", escape(key)))
            }
            Some(Frame::Mapping { pending_key: None, .. }) => None,
        }
    }

    fn push_value(&mut self, value: Value, span: Span, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, value.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.documents > 1 && !self.multi {
                    self.diagnostics.push(
                        Diagnostic::error(
                            "multiple-documents",
                            "plinth.yaml holds one YAML document, found more",
                            span,
                        )
                        .with_hint("remove the `---` separator and merge the documents"),
                    );
                } else {
                    self.spans.values.insert(String::new(), span);
                    self.done.push(Document { value, spans: std::mem::take(&mut self.spans) });
                }
            }
            Some(Frame::Sequence { pointer, items, .. }) => {
                self.spans.values.insert(format!("{pointer}/{}", items.len()), span);
                items.push(value);
            }
            Some(Frame::Mapping { pointer, entries, pending_key, .. }) => match pending_key.take() {
                Some((key, key_span)) => {
                    let child = format!("{pointer}/{}", escape(&key));
                    if entries.contains_key(&key) {
                        let first = self.spans.keys.get(&child).copied();
                        let mut diagnostic =
                            Diagnostic::error("duplicate-key", format!("duplicate key `{key}`"), key_span)
                                .with_hint("each key may appear once in a mapping; merge the two entries");
                        if let Some(first) = first {
                            diagnostic = diagnostic.with_note(first, "first defined here");
                        }
                        self.diagnostics.push(diagnostic);
                    } else {
                        self.spans.keys.insert(child.clone(), key_span);
                        self.spans.values.insert(child, span);
                        entries.insert(key, value);
                    }
                }
                None => {
                    let key = match value {
                        Value::String(text) => text,
                        Value::Number(number) => number.to_string(),
                        Value::Bool(flag) => flag.to_string(),
                        Value::Null => "null".to_owned(),
                        _ => {
                            self.diagnostics.push(Diagnostic::error(
                                "complex-key",
                                "mapping keys must be plain scalars",
                                span,
                            ));
                            String::new()
                        }
                    };
                    *pending_key = Some((key, span));
                }
            },
        }
    }
}

impl<'input> SpannedEventReceiver<'input> for Builder<'_> {
    fn on_event(&mut self, event: Event<'input>, span: YamlSpan) {
        let span = self.offsets.span(span);
        match event {
            Event::DocumentStart(_) => self.documents += 1,
            Event::Scalar(text, style, anchor, tag) => {
                let value = if tag.is_some() || style != ScalarStyle::Plain || self.next_pointer().is_none() {
                    Value::String(text.into_owned())
                } else {
                    resolve_plain(&text)
                };
                self.push_value(value, span, anchor);
            }
            Event::Alias(anchor) => {
                let value = self.anchors.get(&anchor).cloned().unwrap_or(Value::Null);
                self.push_value(value, span, 0);
            }
            Event::SequenceStart(..) | Event::MappingStart(..) if !self.enter(span) => {}
            Event::SequenceStart(anchor, _) => {
                let pointer = self.next_pointer().unwrap_or_default();
                self.stack.push(Frame::Sequence { pointer, items: Vec::new(), start: span, anchor });
            }
            Event::MappingStart(anchor, _) => {
                let pointer = self.next_pointer().unwrap_or_default();
                self.stack.push(Frame::Mapping {
                    pointer,
                    entries: Map::new(),
                    pending_key: None,
                    start: span,
                    anchor,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, start, anchor) = match self.stack.pop() {
                    Some(Frame::Sequence { items, start, anchor, .. }) => (Value::Array(items), start, anchor),
                    Some(Frame::Mapping { entries, start, anchor, .. }) => (Value::Object(entries), start, anchor),
                    None => return,
                };
                self.push_value(value, Span::new(start.start, span.end.max(start.end)), anchor);
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }
}

/// Resolves a plain scalar by the YAML 1.2 core schema.
pub(crate) fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(int) = text.parse::<i64>() {
            return Value::Number(int.into());
        }
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if let Ok(int) = i64::from_str_radix(hex, 16) {
            return Value::Number(int.into());
        }
    }
    if let Some(oct) = text.strip_prefix("0o") {
        if let Ok(int) = i64::from_str_radix(oct, 8) {
            return Value::Number(int.into());
        }
    }
    let looks_numeric = digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && digits.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if looks_numeric {
        if let Some(number) = text.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(number);
        }
    }
    Value::String(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_keys_and_values() {
        let source = "a: 1\nb:\n  c: [x, 'y']\n";
        let (value, spans, diagnostics) = parse(source);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(value.unwrap(), serde_json::json!({"a": 1, "b": {"c": ["x", "y"]}}));
        let span = spans.value("/b/c/1");
        assert_eq!(&source[span.start..span.end], "'y'");
        let key = spans.key("/b/c");
        assert_eq!(&source[key.start..key.end], "c");
    }

    #[test]
    fn duplicate_keys_are_reported() {
        let (_, _, diagnostics) = parse("a: 1\na: 2\n");
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0].message, "duplicate key `a`");
    }

    #[test]
    fn core_schema_scalars() {
        let (value, _, _) = parse("[1, -2, 1.5, true, ~, '3', 10m, yes, 0x1f]");
        assert_eq!(value.unwrap(), serde_json::json!([1, -2, 1.5, true, null, "3", "10m", "yes", 31]));
    }

    #[test]
    fn every_document_of_a_stream_with_its_spans() {
        let source = "a: 1\n---\n# comment\n---\nkind: Service\nspec: {x: [1]}\n";
        let (documents, diagnostics) = parse_documents(source);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let values: Vec<_> = documents.iter().map(|d| d.value.clone()).collect();
        assert_eq!(
            values,
            [serde_json::json!({"a": 1}), Value::Null, serde_json::json!({"kind": "Service", "spec": {"x": [1]}})]
        );
        let span = documents[2].spans.value("/spec/x/0");
        assert_eq!(span.line_col(source), (6, 12));
        let (_, _, diagnostics) = parse(source);
        assert_eq!(diagnostics[0].code, "multiple-documents");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        // saphyr's scanner allows 255 levels of `[`/`{`; MAX_DEPTH bounds block nesting too.
        for source in ["[".repeat(10_000), nested(10_000)] {
            let (documents, diagnostics) = parse_documents(&source);
            assert!(documents.is_empty());
            assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        }
        let (documents, diagnostics) = parse_documents(&nested(200));
        assert_eq!((documents.len(), diagnostics.len()), (1, 0));
        let block: String = (0..1_000).map(|depth| format!("{}k:\n", " ".repeat(depth))).collect();
        let (value, _, diagnostics) = parse(&block);
        assert!(value.is_none());
        assert_eq!(diagnostics[0].code, "yaml-depth");
    }
}
