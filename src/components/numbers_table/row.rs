//! One number's row, and its note edited in place.

use leptos::prelude::*;
use numbers_core::endpoints::Provider;

use crate::components::history_panel::HistoryButton;
use numbers_core::models::ocp::NumberRecord;

use crate::components::selection::Selection;

/// Which note is being edited (one at a time), what is typed, and where an
/// edited note is saved (None: notes are read-only).
#[derive(Clone, Copy)]
pub struct NoteEditing {
    editing: RwSignal<Option<String>>,
    draft: RwSignal<String>,
    on_note: Option<Callback<(String, String)>>,
}

impl NoteEditing {
    pub fn new(on_note: Option<Callback<(String, String)>>) -> Self {
        Self {
            editing: RwSignal::new(None),
            draft: RwSignal::new(String::new()),
            on_note,
        }
    }

    fn save(self, number: &str) {
        if let Some(cb) = self.on_note {
            cb.run((number.to_string(), self.draft.get_untracked()));
        }
        self.editing.set(None);
    }

    fn is_editing(self, number: &str) -> bool {
        self.editing.with(|e| e.as_deref() == Some(number))
    }

    fn is_editing_untracked(self, number: &str) -> bool {
        self.editing
            .with_untracked(|e| e.as_deref() == Some(number))
    }
}

#[component]
pub fn NumberRow(
    index: usize,
    record: NumberRecord,
    selection: RwSignal<Selection>,
    numbers: Memo<Vec<String>>,
    notes: NoteEditing,
) -> impl IntoView {
    let n = record;
    let number = StoredValue::new(n.number.clone());
    let selected = Signal::derive(move || selection.with(|s| number.with_value(|x| s.contains(x))));
    view! {
        <tr class:selected=selected data-number=n.number.clone() aria-rowindex=index + 2>
            <td class="check">
                <input
                    type="checkbox"
                    aria-label=format!("Select {}", n.number)
                    prop:checked=selected
                    on:click=move |ev: leptos::ev::MouseEvent| {
                        let shift = ev.shift_key();
                        numbers.with_untracked(|rows| selection.update(|s| s.click(rows, index, shift)));
                    }
                />
            </td>
            <td class="mono"><HistoryButton provider=Provider::Ocp id=n.number.clone() kind="Number" text=n.number.clone()/></td>
            <td>{n.country.clone().unwrap_or_default()}</td>
            <td>{n.group_id.clone().unwrap_or_default()}</td>
            <td title=n.mini_app_id.clone().unwrap_or_default()>
                {n.mini_app_name.clone().unwrap_or_else(|| "—".into())}
            </td>
            <td>{n.mini_app_type.clone().unwrap_or_default()}</td>
            <td>{n.locale.clone().unwrap_or_default()}</td>
            <td class="note"><div class="note-cell">
                <NoteCell number=number note=n.note.clone().unwrap_or_default() notes=notes/>
            </div></td>
            <td>{n.application_tag.clone().unwrap_or_default()}</td>
            <td>{n.phone_numbers_set_name.clone().or_else(|| n.set_id().map(str::to_string)).unwrap_or_default()}</td>
        </tr>
    }
}

/// The note, with a pencil to edit it; while edited, a field: Enter saves,
/// Escape drops, leaving the field keeps what was typed.
#[component]
fn NoteCell(number: StoredValue<String>, note: String, notes: NoteEditing) -> impl IntoView {
    let note = StoredValue::new(note);
    let NoteEditing { editing, draft, .. } = notes;
    let start = move |_| {
        draft.set(note.get_value());
        editing.set(Some(number.get_value()));
    };
    let shown = move || {
        view! {
            <span class="note-text">{note.get_value()}</span>
            {notes.on_note.is_some().then(|| view! {
                <button class="icon edit" aria-label=format!("Edit the note of {}", number.get_value()) on:click=start>"✎"</button>
            })}
        }
    };
    view! {
        <Show when=move || number.with_value(|n| notes.is_editing(n)) fallback=shown>
            <input
                class="note-input"
                aria-label="Note"
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
                on:keydown=move |ev| match ev.key().as_str() {
                    "Enter" => number.with_value(|n| notes.save(n)),
                    "Escape" => editing.set(None),
                    _ => {}
                }
                // Leaving the field keeps what was typed (Escape is the way
                // to drop it): nothing is lost silently.
                on:blur=move |_| {
                    if number.with_value(|n| notes.is_editing_untracked(n)) {
                        if note.with_value(|o| draft.with_untracked(|d| d != o)) {
                            number.with_value(|n| notes.save(n));
                        } else {
                            editing.set(None);
                        }
                    }
                }
                autofocus
            />
        </Show>
    }
}
