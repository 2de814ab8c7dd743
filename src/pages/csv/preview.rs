//! The preview of a dropped file: counts, the file's own problems, formula
//! cells, rows the server would refuse, every problem, and the rows with
//! their cells marked and what each would change.

use leptos::prelude::*;
use numbers_core::csv::{self, Operation, Problem, ProblemCode};
use numbers_core::text::count;

use super::check::{Check, Comparison};
use super::loaded::{load, Shared};
use super::plan_card::PlanCard;
use super::run::RunState;
use crate::components::download::download;
use crate::components::virtual_rows::VirtualRows;
use crate::state::use_app;

/// Problems listed in full; the rest are counted.
const LISTED_PROBLEMS: usize = 200;

/// Rows counted as invalid: their own errors, and rows the server would
/// refuse against its current state (until left out).
fn invalid_rows(loaded: &Shared, check: Check) -> usize {
    loaded.validation.invalid_rows() + check.refused().len()
}

#[component]
fn PreviewSummary(loaded: Shared, check: Check) -> impl IntoView {
    let v = &loaded.validation;
    let counts = v.counts;
    let valid = v.valid_rows();
    let (errors, warnings) = (v.errors().count(), v.warnings().count());
    let rows = loaded.table.len();
    let (bytes, checked_ms) = (loaded.table.source().len(), loaded.checked_ms);
    let l = loaded.clone();
    let invalid = Memo::new(move |_| invalid_rows(&l, check));
    let left_out = move || check.left_out.with(Vec::len);
    view! {
        <div class="summary">
            {Operation::ALL.map(|op| view! { <span class="badge">{format!("{op}: {}", counts.get(op))}</span> }).collect_view()}
            <span class="badge ok">{move || count(valid - check.refused().len() - left_out(), "valid row", "valid rows")}</span>
            <span class=move || { if invalid.get() > 0 { "badge error" } else { "badge" } }>{move || count(invalid.get(), "invalid row", "invalid rows")}</span>
            {move || (left_out() > 0).then(|| view! { <span class="badge">{format!("{} left out", count(left_out(), "row", "rows"))}</span> })}
            <span class="badge">{format!("{}, {}", count(errors, "error", "errors"), count(warnings, "warning", "warnings"))}</span>
        </div>
        <p class="hint timing">{format!(
            "{} ({:.1} MB) read and checked in {checked_ms:.0} ms, in this browser.",
            count(rows, "row", "rows"), bytes as f64 / 1_048_576.0
        )}</p>
    }
}

/// Problems of the file as a whole (its header), apart from any row's.
#[component]
fn FileProblems(loaded: Shared) -> impl IntoView {
    let problems: Vec<Problem> = loaded.validation.file_problems().cloned().collect();
    (!problems.is_empty()).then(|| {
        view! {
            <div class="file-problems" role="alert">
                <strong>"The file itself: "</strong>
                <ul>{problems.iter().map(|p| view! { <li class=if p.is_error() { "error-text" } else { "warn-text" }>{p.message.clone()}</li> }).collect_view()}</ul>
            </div>
        }
    })
}

/// Cells a spreadsheet would run as formulas, and the one click that
/// strips their leading character.
#[component]
fn FormulaNotice(loaded: Shared, #[prop(into)] on_replace: Callback<Shared>) -> impl IntoView {
    let cells = loaded
        .validation
        .warnings()
        .filter(|p| p.code == ProblemCode::FormulaCell)
        .count();
    let strip = move |_| {
        let text = csv::strip_formulas(&loaded.table);
        if let Ok(stripped) = load(loaded.name.clone(), text.into_bytes()) {
            on_replace.run(stripped);
        }
    };
    (cells > 0).then(|| {
        view! {
            <div class="formula-notice warn-text" role="status">
                <p>{if cells == 1 {
                    "1 cell would run as a spreadsheet formula (it starts with =, +, -, @, tab or a carriage return). The provider stores it as it is; the console's exports neutralise it, but other tools may not.".to_string()
                } else {
                    format!("{cells} cells would run as spreadsheet formulas (they start with =, +, -, @, tab or a carriage return). The provider stores them as they are; the console's exports neutralise them, but other tools may not.")
                }}</p>
                <button on:click=strip>"Strip the leading character"</button>
            </div>
        }
    })
}

/// Rows the server would refuse: the admin fixes the file, or leaves them
/// out in one click (they go to errors.csv).
#[component]
fn RefusedNotice(check: Check) -> impl IntoView {
    let refused = Memo::new(move |_| check.refused());
    let leave_out = move |_| {
        let rows: Vec<usize> = refused.get_untracked().iter().map(|(r, _)| *r).collect();
        check.left_out.update(|l| l.extend(rows));
    };
    view! {
        <Show when=move || refused.with(|r| !r.is_empty())>
            <div class="refused-notice" role="alert">
                <p class="error-text">{move || format!(
                    "{} would be refused by the server against its current state (marked below; each batch is applied whole or not at all). Fix the file and drop it again, or leave them out of the run: they will be listed in errors.csv.",
                    count(refused.with(Vec::len), "row", "rows")
                )}</p>
                <button on:click=leave_out>{move || format!("Leave {} out", count(refused.with(Vec::len), "row", "rows"))}</button>
            </div>
        </Show>
        <Show when=move || check.left_out.with(|l| !l.is_empty())>
            <p class="hint">
                {move || format!("{} left out of the run (in errors.csv). ", count(check.left_out.with(Vec::len), "row", "rows"))}
                <button class="link" on:click=move |_| check.left_out.set(Vec::new())>"Put them back"</button>
            </p>
        </Show>
    }
}

/// What the comparison column shows, and why when it shows nothing.
#[component]
fn ComparisonNote(loaded: Shared, check: Check) -> impl IntoView {
    let invalid = loaded.validation.invalid_rows();
    move || {
        match check.comparison.get() {
        Comparison::Off => Some(view! { <p class="hint">"Not compared with the current state: turn the comparison on to see what each row changes and what the server would refuse."</p> }.into_any()),
        Comparison::Reading => Some(view! { <p class="hint" role="status">"Reading the current state to compare…"</p> }.into_any()),
        Comparison::Failed(e) => Some(view! { <p class="warn-text">{e}</p> }.into_any()),
        Comparison::Done { .. } if invalid > 0 => Some(view! { <p class="hint">{format!("{} with errors {} not compared: fix them first.", count(invalid, "row", "rows"), if invalid == 1 { "is" } else { "are" })}</p> }.into_any()),
        Comparison::Done { .. } => None,
    }
    }
}

#[component]
fn ProblemList(loaded: Shared) -> impl IntoView {
    let problems: Vec<Problem> = loaded
        .validation
        .problems
        .iter()
        .filter(|p| !p.is_file_level())
        .cloned()
        .collect();
    let total = problems.len();
    let errors = loaded.validation.errors().count();
    (total > 0).then(|| view! {
        <details open={errors > 0} class="problem-list">
            <summary>{count(total, "problem", "problems")}</summary>
            <ul>
                {problems.iter().take(LISTED_PROBLEMS).map(|p| view! { <li class=if p.is_error() { "error-text" } else { "warn-text" }>{p.to_string()}</li> }).collect_view()}
                {(total > LISTED_PROBLEMS).then(|| view! { <li>{format!("and {} more: download errors.csv for all", total - LISTED_PROBLEMS)}</li> })}
            </ul>
        </details>
    })
}

/// The rows of the file, only what is on screen drawn.
#[component]
fn RowsGrid(
    loaded: Shared,
    check: Check,
    only_errors: RwSignal<bool>,
    op_filter: RwSignal<Option<Operation>>,
) -> impl IntoView {
    let rows: Vec<usize> = (0..loaded.table.len()).collect();
    let lf = loaded.clone();
    let shown = Memo::new(move |_| {
        let oe = only_errors.get();
        let op = op_filter.get();
        let refused: Vec<usize> = check.refused().iter().map(|(r, _)| *r).collect();
        rows.iter()
            .copied()
            .filter(|&r| !oe || !lf.validation.row_is_valid(r) || refused.contains(&r))
            .filter(|&r| op.is_none() || lf.validation.operations[r] == op)
            .collect::<Vec<_>>()
    });
    let columns: Vec<String> = loaded.table.headers().to_vec();
    let virtual_rows = VirtualRows::new(move || shown.with(Vec::len));
    let grid_rows = move || {
        let (a, b) = virtual_rows.range();
        shown.with(|s| s[a..b].to_vec())
    };
    view! {
        <div class="table-scroll grid" tabindex="0" role="region" aria-label="Rows of the file" on:scroll=move |ev| virtual_rows.on_scroll(&ev)>
            <table class="numbers-table csv-grid" aria-rowcount=move || shown.with(Vec::len) + 1>
                <thead><tr>
                    <th scope="col">"Line"</th>
                    {columns.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view()}
                    <th scope="col">"Before → after"</th>
                </tr></thead>
                <tbody>
                    <tr class="spacer" aria-hidden="true" style:height=move || virtual_rows.spacer(true)></tr>
                    <For each=grid_rows key=|r| *r let:row>
                        {
                            let line = loaded.table.line(row);
                            let ok = loaded.validation.row_is_valid(row);
                            let cells: Vec<(String, Option<String>)> = loaded.table.fields(row).enumerate().map(|(i, f)| {
                                let col = loaded.table.headers().get(i).map(|h| h.to_ascii_uppercase()).unwrap_or_default();
                                (f.to_string(), loaded.bad.get(&(line, col)).cloned())
                            }).collect();
                            view! {
                                <tr class:invalid=!ok data-line=line>
                                    <td class="mono">{line}</td>
                                    {cells.into_iter().map(|(text, why)| view! {
                                        <td class:bad=why.is_some() title=why.clone().unwrap_or_default()>{text}</td>
                                    }).collect_view()}
                                    <td class="change">{move || if !ok {
                                        Some(view! { <span class="hint">"(not compared: the row has errors)"</span> }.into_any())
                                    } else {
                                        check.change(row).map(|x| {
                                            let text = format!("{} → {}", x.before, x.after);
                                            view! { <span class=if x.problem.is_some() { "error-text" } else { "" } title=text.clone()>{text.clone()}</span> }.into_any()
                                        })
                                    }}</td>
                                </tr>
                            }
                        }
                    </For>
                    <tr class="spacer" aria-hidden="true" style:height=move || virtual_rows.spacer(false)></tr>
                </tbody>
            </table>
        </div>
    }
}

/// The preview of one file and its plan: everything is checked here,
/// before anything is sent.
#[component]
pub fn Preview(
    loaded: Shared,
    run: RwSignal<Option<RunState>>,
    #[prop(into)] on_replace: Callback<Shared>,
) -> impl IntoView {
    let app = use_app();
    let check = Check::new(app, loaded.clone());
    let only_errors = RwSignal::new(false);
    let op_filter = RwSignal::new(None::<Operation>);
    let le = loaded.clone();
    let errors_csv = move |_| {
        let text = csv::errors_report_with(&le.table, &le.validation, &check.left_out_problems());
        if let Err(e) = download("errors.csv", "text/csv;charset=utf-8", &text) {
            app.error(format!("errors.csv could not be saved: {e}."));
        }
    };
    let nothing_to_report =
        loaded.validation.problems.is_empty() && check.left_out.with_untracked(Vec::is_empty);
    view! {
        <section class="card" aria-label="Preview">
            <h2>{format!("Preview of {}", loaded.name)}</h2>
            <PreviewSummary loaded=loaded.clone() check=check/>
            <FileProblems loaded=loaded.clone()/>
            <FormulaNotice loaded=loaded.clone() on_replace=on_replace/>
            <div class="toolbar">
                <label class="check-label"><input type="checkbox" prop:checked=move || only_errors.get() on:change=move |ev| only_errors.set(event_target_checked(&ev)) />" Only rows with errors"</label>
                <label class="inline">"Operation "
                    <select on:change=move |ev| op_filter.set(Operation::parse(&event_target_value(&ev)))>
                        <option value="">"All"</option>
                        {Operation::ALL.map(|op| view! { <option value=op.as_str()>{op.to_string()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="check-label"><input type="checkbox" prop:checked=move || check.compare.get() on:change=move |ev| check.compare.set(event_target_checked(&ev)) />" Compare with the current state"</label>
                <button disabled=move || nothing_to_report && check.left_out.with(Vec::is_empty) on:click=errors_csv>"Download errors.csv"</button>
            </div>
            <ProblemList loaded=loaded.clone()/>
            <ComparisonNote loaded=loaded.clone() check=check/>
            <RefusedNotice check=check/>
            <RowsGrid loaded=loaded.clone() check=check only_errors=only_errors op_filter=op_filter/>
        </section>
        <PlanCard loaded=loaded.clone() run=run check=check/>
    }
}
