//! Estimates as text for a terminal and as Markdown (`plinth cost --output markdown`, REPORT.md),
//! with the comparison between environments. Plain strings: no colours, no IO.

use plinth_spec::capacity::{NodePlan, Resources};
use serde::Serialize;

use crate::estimate::{Estimate, Group, Line, NOT_COUNTED, PriceStatus, Range, number};

/// One environment against the one before it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Environment.
    pub environment: String,
    /// Its monthly total.
    pub total_usd: Range,
    /// The previous environment with a non-zero total.
    pub relative_to: Option<String>,
    /// This total over that one, at the top of both ranges, to two decimals.
    pub ratio: Option<f64>,
    /// Lines without a price: the total is a lower bound.
    pub missing: usize,
}

/// Each environment compared with the previous one (in spec order) that costs something.
pub fn compare(estimates: &[Estimate]) -> Vec<Comparison> {
    let mut previous: Option<&Estimate> = None;
    let mut out = Vec::new();
    for estimate in estimates {
        let top = estimate.total_cents().1;
        let against = previous.filter(|_| top > 0);
        #[allow(clippy::cast_precision_loss)]
        let ratio = against.map(|p| (top as f64 / p.total_cents().1 as f64 * 100.0).round() / 100.0);
        out.push(Comparison {
            environment: estimate.environment.clone(),
            total_usd: estimate.total_usd,
            relative_to: against.map(|p| p.environment.clone()),
            ratio,
            missing: estimate.missing,
        });
        if top > 0 {
            previous = Some(estimate);
        }
    }
    out
}

/// `$1,234.56`.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}${}.{:02}", thousands(cents / 100), cents % 100)
}

/// `$10.00` or `$10.00–$20.00`.
pub fn money_range((min, max): (i64, i64)) -> String {
    if min == max { money(min) } else { format!("{}–{}", money(min), money(max)) }
}

fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (idx, digit) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `1,460 hours`, `2,190–4,380 hours`, `90 GB-months`.
fn quantity(line: &Line) -> String {
    let show = |value: f64| {
        if value.fract() == 0.0 && value.abs() < 1e15 {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let whole = thousands(value as u64);
            whole
        } else {
            number(value)
        }
    };
    let unit = plural(&line.unit, line.quantity.max);
    if line.quantity.is_range() {
        format!("{}–{} {unit}", show(line.quantity.min), show(line.quantity.max))
    } else {
        format!("{} {unit}", show(line.quantity.min))
    }
}

fn plural(unit: &str, amount: f64) -> String {
    let countable = unit.ends_with("hour") || unit.ends_with("month");
    if countable && amount != 1.0 { format!("{unit}s") } else { unit.to_owned() }
}

/// `$0.0416/hour`, `$0.10/hour`.
fn unit_price(line: &Line) -> String {
    match line.unit_usd {
        Some(usd) => {
            let mut text = number(usd);
            match text.split_once('.') {
                None => text.push_str(".00"),
                Some((_, decimals)) if decimals.len() == 1 => text.push('0'),
                Some(_) => {}
            }
            format!("${text}/{}", line.unit)
        }
        None => "—".to_owned(),
    }
}

fn monthly(line: &Line) -> String {
    line.cents().map_or_else(|| "missing".to_owned(), money_range)
}

/// `*` usage-based, `?` unverified price, `!` missing price.
fn flags(line: &Line) -> String {
    let mut out = String::new();
    if line.usage.is_some() {
        out.push('*');
    }
    match line.price_status {
        PriceStatus::Unverified => out.push('?'),
        PriceStatus::Missing => out.push('!'),
        PriceStatus::Verified => {}
    }
    out
}

fn cpu(millis: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let cores = millis as f64 / 1000.0;
    format!("{} CPU", number((cores * 100.0).round() / 100.0))
}

fn gib(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let gib = bytes as f64 / f64::from(1u32 << 30);
    format!("{} GiB", number((gib * 10.0).round() / 10.0))
}

fn requests(min: Resources, max: Resources) -> String {
    if min == max {
        format!("{}, {}", cpu(min.cpu_millis), gib(min.memory_bytes))
    } else {
        format!("{}–{}, {}–{}", cpu(min.cpu_millis), cpu(max.cpu_millis), gib(min.memory_bytes), gib(max.memory_bytes))
    }
}

fn span(min: u32, max: u32) -> String {
    if min == max { min.to_string() } else { format!("{min}–{max}") }
}

/// One sentence about the node plan.
pub fn describe_nodes(plan: &NodePlan) -> String {
    let od = &plan.on_demand;
    let mut text = format!("{} {} on demand", span(od.min_nodes, od.max_nodes), plan.instance_type);
    if let Some(spot) = &plan.spot {
        text.push_str(&format!(" + {} spot", span(spot.min_nodes, spot.max_nodes)));
    }
    if let Some(allocatable) = plan.allocatable {
        text.push_str(&format!(
            "; allocatable per node {}, {}; pods request {} (HPA minimum–maximum, DaemonSets aside)",
            cpu(allocatable.cpu_millis),
            gib(allocatable.memory_bytes),
            requests(od.requested_at_min, od.requested_at_max)
        ));
    }
    text
}

fn heading(estimate: &Estimate) -> String {
    format!("{} ({}, {})", estimate.environment, estimate.stage, estimate.region)
}

fn budget_sentence(estimate: &Estimate) -> Option<String> {
    let cents = estimate.budget_cents()?;
    let top = estimate.total_cents().1;
    let lower = if estimate.missing > 0 { " (a lower bound: prices are missing)" } else { "" };
    Some(if estimate.over_budget {
        format!("budget {}: over by {} at the top of the range{lower}", money(cents), money(top - cents))
    } else {
        format!("budget {}: within, {} to spare at the top of the range{lower}", money(cents), money(cents - top))
    })
}

/// Why `estimate` fails its budget, naming its three largest items; `None` within budget.
pub fn budget_failure(estimate: &Estimate) -> Option<String> {
    let budget = estimate.budget_cents().filter(|_| estimate.over_budget)?;
    let largest: Vec<String> = estimate
        .largest(3)
        .iter()
        .map(|l| format!("{} / {} {}", l.resource, l.component, l.cents().map_or_else(String::new, |c| money(c.1))))
        .collect();
    Some(format!(
        "{} costs up to {} a month, over its budget of {}; the largest items: {}",
        estimate.environment,
        money(estimate.total_cents().1),
        money(budget),
        largest.join("; ")
    ))
}

/// The notes under an estimate: each usage assumption once (`*`), unverified (`?`) and missing
/// (`!`) prices, then the lines' and the plan's notes (`-`).
fn footnotes(estimate: &Estimate) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |note: String| {
        if !out.contains(&note) {
            out.push(note);
        }
    };
    for line in &estimate.lines {
        if let Some(usage) = &line.usage {
            push(format!("* assumed: {usage}"));
        }
    }
    for line in &estimate.lines {
        let what = format!("{} / {}", line.resource, line.component);
        match line.price_status {
            PriceStatus::Unverified => {
                push(format!("? `{}` is unverified (found only in unattributed code): {what}", line.price_id));
            }
            PriceStatus::Missing => {
                push(format!("! `{}` is not in the price file, so not in the total: {what}", line.price_id))
            }
            PriceStatus::Verified => {}
        }
    }
    for line in &estimate.lines {
        if let Some(note) = &line.note {
            push(format!("- {} / {}: {note}", line.resource, line.component));
        }
    }
    for note in &estimate.notes {
        push(format!("- {note}"));
    }
    out
}

/// ` (2 prices missing)`, or nothing.
fn missing_text(missing: usize) -> String {
    match missing {
        0 => String::new(),
        1 => " (1 price missing)".to_owned(),
        n => format!(" ({n} prices missing)"),
    }
}

fn ratio_text(comparison: &Comparison) -> String {
    match (&comparison.relative_to, comparison.ratio) {
        (Some(other), Some(ratio)) => format!("{}× {other}", number(ratio)),
        _ => "—".to_owned(),
    }
}

/// The estimates as aligned text tables, one per environment, then the comparison.
pub fn text(estimates: &[Estimate]) -> String {
    let mut out = String::new();
    for estimate in estimates {
        out.push_str(&format!("{}\n", heading(estimate)));
        if let Some(plan) = &estimate.nodes {
            out.push_str(&format!("  nodes: {}\n", describe_nodes(plan)));
        }
        let rows: Vec<[String; 6]> = estimate
            .lines
            .iter()
            .map(|l| [l.resource.clone(), l.component.clone(), quantity(l), unit_price(l), monthly(l), flags(l)])
            .collect();
        let width = |col: usize| rows.iter().map(|r| r[col].chars().count()).max().unwrap_or(0);
        let widths = [width(0), width(1), width(2), width(3), width(4)];
        let mut group: Option<Group> = None;
        for (line, row) in estimate.lines.iter().zip(&rows) {
            if group != Some(line.group) {
                out.push_str(&format!("  {}\n", line.group.title()));
                group = Some(line.group);
            }
            let text = format!(
                "    {:<w0$}  {:<w1$}  {:>w2$}  {:>w3$}  {:>w4$} {}",
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2],
                w3 = widths[3],
                w4 = widths[4]
            );
            out.push_str(text.trim_end());
            out.push('\n');
        }
        out.push_str(&format!("  total {} a month\n", money_range(estimate.total_cents())));
        if let Some(budget) = budget_sentence(estimate) {
            out.push_str(&format!("  {budget}\n"));
        }
        for note in footnotes(estimate) {
            out.push_str(&format!("  {note}\n"));
        }
        out.push('\n');
    }
    if estimates.len() > 1 {
        out.push_str("comparison (monthly; ratios at the top of the ranges)\n");
        let comparisons = compare(estimates);
        let name = comparisons.iter().map(|c| c.environment.chars().count()).max().unwrap_or(0);
        let totals: Vec<String> = estimates.iter().map(|e| money_range(e.total_cents())).collect();
        let total = totals.iter().map(|t| t.chars().count()).max().unwrap_or(0);
        for (comparison, amount) in comparisons.iter().zip(&totals) {
            let missing = missing_text(comparison.missing);
            let line =
                format!("  {:<name$}  {amount:>total$}  {}{missing}", comparison.environment, ratio_text(comparison));
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(NOT_COUNTED);
    out.push('\n');
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The estimates as Markdown: a `##` heading, one table per environment, the comparison.
pub fn markdown(estimates: &[Estimate]) -> String {
    let mut out = String::from("## Monthly cost\n\n");
    out.push_str(
        "On-demand USD prices from the price file; `*` usage-based (the assumption is listed), `?` unverified price, \
         `!` missing price (excluded from the total). Ranges run from the HPA minimum to the maximum.\n\n",
    );
    for estimate in estimates {
        out.push_str(&format!("### {}\n\n", heading(estimate)));
        if let Some(plan) = &estimate.nodes {
            out.push_str(&format!("Nodes: {}.\n\n", describe_nodes(plan)));
        }
        if !estimate.lines.is_empty() {
            out.push_str("| group | resource | component | quantity | unit price | monthly | price id |\n");
            out.push_str("| --- | --- | --- | ---: | ---: | ---: | --- |\n");
            for line in &estimate.lines {
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {}{} | `{}` |\n",
                    line.group.title(),
                    cell(&line.resource),
                    cell(&line.component),
                    quantity(line),
                    unit_price(line),
                    monthly(line),
                    flags(line),
                    line.price_id
                ));
            }
            out.push_str(&format!("| **total** | | | | | **{}** | |\n\n", money_range(estimate.total_cents())));
        }
        if let Some(budget) = budget_sentence(estimate) {
            out.push_str(&format!("{}{}.\n\n", budget[..1].to_uppercase(), &budget[1..]));
        }
        let notes = footnotes(estimate);
        if !notes.is_empty() {
            for note in notes {
                let (mark, rest) = note.split_at(1);
                let mark = if mark == "-" { String::new() } else { format!("`{mark}` ") };
                out.push_str(&format!("- {mark}{}\n", rest.trim_start()));
            }
            out.push('\n');
        }
    }
    if estimates.len() > 1 {
        out.push_str("### Comparison\n\n| environment | monthly | budget | compared (top of the ranges) |\n| --- | ---: | ---: | --- |\n");
        for (comparison, estimate) in compare(estimates).iter().zip(estimates) {
            let budget = estimate.budget_cents().map_or_else(|| "—".to_owned(), money);
            let missing = missing_text(comparison.missing);
            out.push_str(&format!(
                "| {} | {}{missing} | {budget} | {} |\n",
                comparison.environment,
                money_range(estimate.total_cents()),
                ratio_text(comparison)
            ));
        }
        out.push('\n');
    }
    out.push_str(NOT_COUNTED);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_has_thousands_and_cents() {
        assert_eq!(money(0), "$0.00");
        assert_eq!(money(7300), "$73.00");
        assert_eq!(money(123_456_789), "$1,234,567.89");
        assert_eq!(money_range((100, 250)), "$1.00–$2.50");
    }
}
