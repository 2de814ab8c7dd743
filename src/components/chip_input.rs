use leptos::prelude::*;
use numbers_core::phone::normalise_list;

/// Phone numbers as chips: type or paste (lists split on newlines, commas,
/// spaces); each is checked as E.164 by numbers-core. A chip also present in
/// `conflicts` is marked (e.g. a number on both sides of an allocation).
#[component]
pub fn ChipInput(
    id: &'static str,
    label: &'static str,
    chips: RwSignal<Vec<String>>,
    #[prop(into)] conflicts: Signal<Vec<String>>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let invalid = RwSignal::new(Vec::<String>::new());
    let commit = move || {
        let list = normalise_list(&text.get_untracked());
        chips.update(|c| {
            for n in list.valid {
                if !c.contains(&n) {
                    c.push(n);
                }
            }
        });
        invalid.set(list.invalid.iter().map(|(_, e)| e.to_string()).collect());
        text.set(
            list.invalid
                .into_iter()
                .map(|(n, _)| n)
                .collect::<Vec<_>>()
                .join(" "),
        );
    };
    view! {
        <div class="chip-field">
            <label for=id>{label}</label>
            <div class="chips">
                <For each=move || chips.get() key=|c| c.clone() let:chip>
                    {
                        let c1 = chip.clone();
                        let c2 = chip.clone();
                        let clash = Signal::derive(move || conflicts.with(|o| o.contains(&c1)));
                        view! {
                            <span class="chip" class:conflict=clash title=move || if clash.get() { "This number is on the other side too" } else { "" }>
                                <span class="mono">{chip.clone()}</span>
                                <button type="button" class="icon" aria-label=format!("Remove {chip}") on:click=move |_| chips.update(|c| c.retain(|x| *x != c2))>"×"</button>
                            </span>
                        }
                    }
                </For>
                <input
                    id=id
                    placeholder="+919876543210, then Enter"
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        let pasted_list = v.contains(['\n', ',', ';']) || v.trim().contains(' ');
                        text.set(v);
                        if pasted_list {
                            commit();
                        }
                    }
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" || ev.key() == "," {
                            ev.prevent_default();
                            commit();
                        }
                    }
                    on:blur=move |_| commit()
                />
            </div>
            <Show when=move || invalid.with(|i| !i.is_empty())>
                <ul class="invalid-list" role="alert" tabindex="0">{move || invalid.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
            </Show>
        </div>
    }
}
