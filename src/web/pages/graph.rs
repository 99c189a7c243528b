//! `/graph`: supersession and links between records, drawn by the server as SVG.
//!
//! Layout, in O(nodes + edges × depth): records joined by an edge form components; within a
//! component a record's column is the length of the supersession chain behind it (so a chain
//! reads left to right, oldest first) and records of the same column stack downwards; the
//! components stack below each other, largest first. No JavaScript draws anything: the SVG
//! is part of the page, each node a link to its record.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::error::UserError;
use crate::record::Record;

use super::{ReadModel, frame};
use crate::web::html::{Ctx, esc};
use crate::web::model::Snapshot;

/// At most this many records are drawn on the graph page (the oldest connected ones).
pub const MAX_NODES: usize = 400;

const COL: i64 = 230;
const ROW: i64 = 48;
const BOX_W: i64 = 200;
const BOX_H: i64 = 32;

/// An edge between two drawn records, by their index in the node list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    /// The newer record (the one that supersedes, or that links).
    pub from: usize,
    /// The older record.
    pub to: usize,
    /// Supersession (else a link).
    pub supersedes: bool,
}

/// The graph page.
pub fn render(model: &dyn ReadModel, ctx: &Ctx) -> Result<String, UserError> {
    let all = model.all()?;
    let (nodes, edges, left_out) = whole_graph(&all);
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<p>{} records joined by supersession (solid) or links (dashed); each box opens its record.</p>",
        nodes.len()
    );
    if left_out > 0 {
        let _ = writeln!(
            body,
            "<p class=\"note\">{left_out} more connected records are not drawn.</p>"
        );
    }
    if nodes.is_empty() {
        body.push_str("<p class=\"empty\">No record supersedes or links another yet.</p>\n");
    }
    body.push_str(&svg(ctx, &nodes, &edges, "Supersession and links"));
    Ok(frame(ctx, "graph", "Graph", "graph.html", &body))
}

/// The records with at least one edge to another record, and the edges, at most
/// [`MAX_NODES`] records; the third value counts the connected records left out.
pub fn whole_graph(all: &Snapshot) -> (Vec<&Record>, Vec<Edge>, usize) {
    let mut connected: Vec<&Record> = Vec::new();
    for r in &all.records {
        let targets = r.supersedes.iter().chain(&r.superseded_by).chain(&r.links);
        if targets.into_iter().any(|t| all.get(t).is_some()) {
            connected.push(r);
        }
    }
    let left_out = connected.len().saturating_sub(MAX_NODES);
    connected.truncate(MAX_NODES);
    let edges = edges_among(&connected);
    (connected, edges, left_out)
}

/// The edges between `nodes`: supersession (from `supersedes`) and links.
pub fn edges_among(nodes: &[&Record]) -> Vec<Edge> {
    let at: BTreeMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut edges = Vec::new();
    for (i, r) in nodes.iter().enumerate() {
        for old in &r.supersedes {
            if let Some(&j) = at.get(old.as_str()) {
                edges.push(Edge {
                    from: i,
                    to: j,
                    supersedes: true,
                });
            }
        }
        for new in &r.superseded_by {
            if let Some(&j) = at.get(new.as_str()) {
                edges.push(Edge {
                    from: j,
                    to: i,
                    supersedes: true,
                });
            }
        }
        for link in &r.links {
            if let Some(&j) = at.get(link.as_str())
                && j != i
            {
                edges.push(Edge {
                    from: i,
                    to: j,
                    supersedes: false,
                });
            }
        }
    }
    edges.sort();
    edges.dedup();
    edges
}

/// Where each node goes: (column, row) in grid units.
fn layout(n: usize, edges: &[Edge]) -> Vec<(i64, i64)> {
    // Components, by union-find over every edge.
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for e in edges {
        let (a, b) = (find(&mut parent, e.from), find(&mut parent, e.to));
        if a != b {
            parent[a.max(b)] = a.min(b);
        }
    }
    // Column: the longest supersession chain behind a node (bounded, so a cycle in hostile
    // records cannot loop forever).
    let mut depth = vec![0i64; n];
    for _ in 0..n.min(64) {
        let mut changed = false;
        for e in edges.iter().filter(|e| e.supersedes) {
            if depth[e.from] < depth[e.to] + 1 {
                depth[e.from] = depth[e.to] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut components: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let root = find(&mut parent, i);
        components.entry(root).or_default().push(i);
    }
    let mut ordered: Vec<Vec<usize>> = components.into_values().collect();
    ordered.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
    let mut place = vec![(0, 0); n];
    let mut top = 0i64;
    for members in ordered {
        let mut rows_used: BTreeMap<i64, i64> = BTreeMap::new();
        for &i in &members {
            let row = rows_used.entry(depth[i]).or_default();
            place[i] = (depth[i], top + *row);
            *row += 1;
        }
        top += rows_used.values().copied().max().unwrap_or(1);
    }
    place
}

/// The SVG of `nodes` and `edges`, each node a link to its record.
pub fn svg(ctx: &Ctx, nodes: &[&Record], edges: &[Edge], label: &str) -> String {
    let place = layout(nodes.len(), edges);
    let cols = place.iter().map(|p| p.0).max().unwrap_or(0) + 1;
    let rows = place.iter().map(|p| p.1).max().unwrap_or(0) + 1;
    let (w, h) = (cols * COL + 20, rows * ROW + 20);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg class=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\">",
        esc(label)
    );
    out.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\"/></marker></defs>\n");
    let center = |i: usize| {
        let (c, r) = place[i];
        (10 + c * COL + BOX_W / 2, 10 + r * ROW + BOX_H / 2)
    };
    for e in edges {
        let (x1, y1) = center(e.from);
        let (x2, y2) = center(e.to);
        let class = if e.supersedes { "supersedes" } else { "link" };
        // From the newer record's left edge to the older one's right edge when they are in
        // different columns; centre to centre otherwise.
        let (x1, x2) = if x1 > x2 {
            (x1 - BOX_W / 2, x2 + BOX_W / 2)
        } else {
            (x1, x2)
        };
        let _ = writeln!(
            out,
            "<line class=\"edge {class}\" x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" marker-end=\"url(#arrow)\"/>"
        );
    }
    for (i, r) in nodes.iter().enumerate() {
        let (c, row) = place[i];
        let (x, y) = (10 + c * COL, 10 + row * ROW);
        let short: String = r.title.chars().take(26).collect();
        let short = if short.len() < r.title.len() {
            format!("{short}…")
        } else {
            short
        };
        let _ = writeln!(
            out,
            "<a href=\"{href}\" class=\"node status-{status}\"><title>{title} ({status})</title><rect x=\"{x}\" y=\"{y}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"6\"/><text x=\"{tx}\" y=\"{ty}\">{short}</text></a>",
            href = ctx.record(r.id.as_str()),
            status = r.status,
            title = esc(&r.title),
            tx = x + 8,
            ty = y + 21,
            short = esc(&short),
        );
    }
    out.push_str("</svg>\n");
    out
}
