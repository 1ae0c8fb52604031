//! Output for people (aligned tables, colour only on a terminal) and for scripts (`--json`).

use std::io::IsTerminal;

/// Where a command prints.
pub(crate) struct Out {
    pub(crate) json: bool,
    color: bool,
}

impl Out {
    pub(crate) fn new(json: bool) -> Self {
        let color = !json && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Self { json, color }
    }

    /// One value as JSON, on one line.
    pub(crate) fn json(&self, value: &serde_json::Value) {
        println!("{value}");
    }

    /// A line of text (not in JSON mode).
    pub(crate) fn line(&self, text: impl std::fmt::Display) {
        if !self.json {
            println!("{text}");
        }
    }

    /// A table whose columns line up; the header is bold on a terminal.
    pub(crate) fn table(&self, headers: &[&str], rows: &[Vec<String>]) {
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
        for row in rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let render = |cells: &mut dyn Iterator<Item = &str>| {
            let padded: Vec<String> =
                cells.zip(&widths).map(|(cell, width)| format!("{cell:<width$}", width = *width)).collect();
            padded.join("  ").trim_end().to_owned()
        };
        let header = render(&mut headers.iter().copied());
        if self.color {
            println!("\x1b[1m{header}\x1b[0m");
        } else {
            println!("{header}");
        }
        for row in rows {
            println!("{}", render(&mut row.iter().map(String::as_str)));
        }
        if rows.is_empty() {
            println!("(none)");
        }
    }
}

pub(crate) fn yes_no(flag: bool) -> String {
    if flag { "yes" } else { "no" }.to_owned()
}
