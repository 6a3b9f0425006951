//! A Grafana dashboard as data: panels laid out left to right on Grafana's 24-column grid, template
//! variables, and a `uid` derived from the application, environment and dashboard names, so the
//! same spec always gives the same dashboard identity.

use plinth_spec::model::Platform;
use serde_json::{Value, json};

use super::DATASOURCE_UID;

/// The dashboard JSON model version of Grafana 11 (the current model).
pub const SCHEMA_VERSION: u32 = 39;
/// Columns of Grafana's grid.
pub const GRID_WIDTH: u32 = 24;
/// Height of every panel, in grid rows.
const PANEL_HEIGHT: u32 = 8;
/// Grafana's limit on a `uid`.
const MAX_UID: usize = 40;

/// The Grafana variable for a range that adapts to the scrape interval and the zoom.
pub const RATE_INTERVAL: &str = "$__rate_interval";

/// One query of a panel.
#[derive(Debug, Clone)]
pub struct Target {
    /// PromQL.
    pub expr: String,
    /// Series name (`{{service}}`).
    pub legend: String,
}

/// A target `expr` whose series are named `legend`.
pub fn target(expr: impl Into<String>, legend: impl Into<String>) -> Target {
    Target { expr: expr.into(), legend: legend.into() }
}

/// The legend of a series by one of its labels: `{{label}}`.
pub fn series(label: &str) -> String {
    format!("{{{{{label}}}}}")
}

/// A panel before layout.
#[derive(Debug, Clone)]
pub struct Panel {
    kind: &'static str,
    title: String,
    description: String,
    unit: &'static str,
    width: u32,
    targets: Vec<Target>,
    /// The colour below the first threshold.
    base: &'static str,
    /// Threshold steps above the base: `(value, colour)`.
    thresholds: Vec<(f64, &'static str)>,
    range: (Option<f64>, Option<f64>),
}

impl Panel {
    /// A time series panel, half the grid wide.
    pub fn timeseries(title: impl Into<String>, description: impl Into<String>, unit: &'static str) -> Self {
        Panel {
            kind: "timeseries",
            title: title.into(),
            description: description.into(),
            unit,
            width: GRID_WIDTH / 2,
            targets: Vec::new(),
            base: "green",
            thresholds: Vec::new(),
            range: (None, None),
        }
    }

    /// A single-value panel, a quarter of the grid wide.
    pub fn stat(title: impl Into<String>, description: impl Into<String>, unit: &'static str) -> Self {
        Panel { kind: "stat", width: GRID_WIDTH / 4, ..Panel::timeseries(title, description, unit) }
    }

    /// Adds a query.
    pub fn target(mut self, target: Target) -> Self {
        self.targets.push(target);
        self
    }

    /// Adds queries.
    pub fn targets(mut self, targets: impl IntoIterator<Item = Target>) -> Self {
        self.targets.extend(targets);
        self
    }

    /// Colours values below the first threshold (green unless set).
    pub fn base(mut self, colour: &'static str) -> Self {
        self.base = colour;
        self
    }

    /// Colours values from `value` up (`"red"`); drawn as a line on time series.
    pub fn threshold(mut self, value: f64, colour: &'static str) -> Self {
        self.thresholds.push((value, colour));
        self.thresholds.sort_by(|a, b| a.0.total_cmp(&b.0));
        self
    }

    /// Fixes the axis (or gauge) bounds.
    pub fn range(mut self, min: Option<f64>, max: Option<f64>) -> Self {
        self.range = (min, max);
        self
    }

    /// Sets the width in grid columns (of 24).
    pub fn width(mut self, width: u32) -> Self {
        self.width = width.clamp(1, GRID_WIDTH);
        self
    }

    fn to_json(&self, id: u32, x: u32, y: u32) -> Value {
        let datasource = datasource();
        let targets: Vec<Value> = self
            .targets
            .iter()
            .enumerate()
            .map(|(idx, t)| {
                json!({
                    "datasource": datasource,
                    "expr": t.expr,
                    "legendFormat": t.legend,
                    "range": true,
                    "refId": ref_id(idx),
                })
            })
            .collect();
        let mut steps = vec![json!({ "color": self.base, "value": null })];
        steps.extend(self.thresholds.iter().map(|(value, colour)| json!({ "color": colour, "value": value })));
        let mut defaults = json!({
            "unit": self.unit,
            "thresholds": { "mode": "absolute", "steps": steps },
        });
        if let Some(min) = self.range.0 {
            defaults["min"] = json!(min);
        }
        if let Some(max) = self.range.1 {
            defaults["max"] = json!(max);
        }
        let options = if self.kind == "stat" {
            json!({ "reduceOptions": { "calcs": ["lastNotNull"], "fields": "", "values": false }, "colorMode": "value", "graphMode": "area" })
        } else {
            if !self.thresholds.is_empty() {
                defaults["custom"] = json!({ "thresholdsStyle": { "mode": "line" } });
            }
            json!({ "legend": { "displayMode": "list", "placement": "bottom", "showLegend": true }, "tooltip": { "mode": "multi", "sort": "desc" } })
        };
        json!({
            "id": id,
            "type": self.kind,
            "title": self.title,
            "description": self.description,
            "datasource": datasource,
            "gridPos": { "h": PANEL_HEIGHT, "w": self.width, "x": x, "y": y },
            "targets": targets,
            "fieldConfig": { "defaults": defaults, "overrides": [] },
            "options": options,
        })
    }
}

/// `A`, `B`, … `Z`, `AA`, …: Grafana's query ids.
fn ref_id(idx: usize) -> String {
    let letter = |n: usize| char::from(b'A' + u8::try_from(n % 26).expect("below 26"));
    if idx < 26 { letter(idx).to_string() } else { format!("{}{}", letter(idx / 26 - 1), letter(idx)) }
}

/// The provisioned Prometheus data source every panel and query uses.
fn datasource() -> Value {
    json!({ "type": "prometheus", "uid": DATASOURCE_UID })
}

/// A custom template variable whose values are `options` (from the model, not a query, so the
/// dashboard lists exactly the spec's names); `multi` allows several values and "All".
pub fn variable(name: &str, label: &str, options: &[String], multi: bool) -> Value {
    let all = multi.then(|| json!({ "selected": true, "text": "All", "value": "$__all" }));
    let mut listed: Vec<Value> = all.iter().cloned().collect();
    listed.extend(
        options
            .iter()
            .enumerate()
            .map(|(idx, option)| json!({ "selected": !multi && idx == 0, "text": option, "value": option })),
    );
    let current = if multi {
        json!({ "selected": true, "text": ["All"], "value": ["$__all"] })
    } else {
        let first = options.first().cloned().unwrap_or_default();
        json!({ "selected": true, "text": first, "value": first })
    };
    json!({
        "type": "custom",
        "name": name,
        "label": label,
        "query": options.join(","),
        "options": listed,
        "current": current,
        "multi": multi,
        "includeAll": multi,
        "hide": 0,
    })
}

/// A dashboard being assembled.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// File name without `.json`, and the `uid`'s readable part.
    pub slug: &'static str,
    title: String,
    description: String,
    variables: Vec<Value>,
    rows: Vec<(String, Vec<Panel>)>,
}

impl Dashboard {
    /// An empty dashboard `<application> <title>`.
    pub fn new(platform: &Platform, slug: &'static str, title: &str, description: impl Into<String>) -> Self {
        Dashboard {
            slug,
            title: format!("{} ({}) — {title}", platform.name, platform.environment.name),
            description: description.into(),
            variables: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// Adds a template variable (see [`variable`]).
    pub fn variable(&mut self, variable: Value) {
        self.variables.push(variable);
    }

    /// Adds a titled row of panels, laid out left to right and wrapped at the grid's width.
    pub fn row(&mut self, title: impl Into<String>, panels: Vec<Panel>) {
        self.rows.push((title.into(), panels));
    }

    /// The dashboard JSON, pretty-printed, as Grafana's file provisioning reads it.
    pub fn to_json(&self, platform: &Platform) -> String {
        let mut panels = Vec::new();
        let mut id = 0;
        let mut y = 0;
        for (title, row) in &self.rows {
            id += 1;
            panels.push(json!({
                "id": id,
                "type": "row",
                "title": title,
                "collapsed": false,
                "gridPos": { "h": 1, "w": GRID_WIDTH, "x": 0, "y": y },
                "panels": [],
            }));
            y += 1;
            let mut x = 0;
            for panel in row {
                if x + panel.width > GRID_WIDTH {
                    x = 0;
                    y += PANEL_HEIGHT;
                }
                id += 1;
                panels.push(panel.to_json(id, x, y));
                x += panel.width;
            }
            if x > 0 {
                y += PANEL_HEIGHT;
            }
        }
        let dashboard = json!({
            "uid": uid(platform, self.slug),
            "title": self.title,
            "description": self.description,
            "tags": ["plinth", platform.name, platform.environment.name],
            "timezone": "utc",
            "editable": false,
            "graphTooltip": 1,
            "schemaVersion": SCHEMA_VERSION,
            "version": 1,
            "refresh": "1m",
            "time": { "from": "now-6h", "to": "now" },
            "templating": { "list": self.variables },
            "annotations": { "list": [] },
            "links": [],
            "panels": panels,
        });
        let mut text = serde_json::to_string_pretty(&dashboard).expect("dashboards serialize");
        text.push('\n');
        text
    }
}

/// The dashboard's `uid`: `<slug>-` and the FNV-1a hash of application, environment and slug, so
/// that two applications' or environments' dashboards never collide in one Grafana.
pub fn uid(platform: &Platform, slug: &str) -> String {
    let key = format!("{}/{}/{slug}", platform.name, platform.environment.name);
    let hash = key
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3));
    let uid = format!("{slug}-{hash:016x}");
    uid[..uid.len().min(MAX_UID)].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_ids_go_on_after_z() {
        assert_eq!(ref_id(0), "A");
        assert_eq!(ref_id(25), "Z");
        assert_eq!(ref_id(26), "AA");
        assert_eq!(ref_id(27), "AB");
    }

    #[test]
    fn panels_wrap_at_the_grid_width() {
        let source = "plinth: 1\nname: shop\ncloud: { provider: aws, region: us-east-1 }\nservices:\n  api: { image: ghcr.io/s/api }\nenvironments:\n  production: {}\n";
        let platform = plinth_spec::compile(source).platforms.remove(0);
        let mut dashboard = Dashboard::new(&platform, "test", "Test", "");
        let panel = || Panel::timeseries("p", "", "short").target(target("up", "{{job}}"));
        dashboard.row("first", vec![panel(), panel(), panel()]);
        let value: Value = serde_json::from_str(&dashboard.to_json(&platform)).unwrap();
        let positions: Vec<(u64, u64)> = value["panels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["gridPos"]["x"].as_u64().unwrap(), p["gridPos"]["y"].as_u64().unwrap()))
            .collect();
        assert_eq!(positions, [(0, 0), (0, 1), (12, 1), (0, 9)]);
        assert!(uid(&platform, "test").len() <= MAX_UID);
        assert_ne!(uid(&platform, "test"), uid(&platform, "other"));
    }
}
