//! Schedule…: a plan the gateway runs itself, with its step timeline in
//! wall-clock time (the zone's, skipped nights and weekends marked)
//! before anything is saved. The calendar is numbers-core's, the one the
//! gateway runs by.

use leptos::prelude::*;
use numbers_core::history::format_time;
use numbers_core::models::schedule::NewPlan;
use numbers_core::rollout::{timeline, Calendar, End, Planned, Window, Zone, WEEKDAYS};

use super::card_state::Card;
use super::plans::Plans;
use crate::components::dialog::Dialog;
use crate::components::form_error::FormError;
use crate::components::radio_choice::RadioChoice;
use crate::components::slider::Slider;
use crate::fetch::{Change, Fetched};
use crate::tasks::on_page;

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
/// Zones offered as the name is typed (any the time-zone database knows works).
const ZONES: [&str; 10] = [
    "UTC",
    "Europe/Athens",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Australia/Sydney",
];
/// Seconds in each unit the interval can be given in.
const UNITS: [(&str, u32); 3] = [("seconds", 1), ("minutes", 60), ("hours", 3600)];

/// What the dialog's fields say.
#[derive(Clone, Copy)]
struct Form {
    every: RwSignal<u32>,
    unit: RwSignal<u32>,
    windowed: RwSignal<bool>,
    days: RwSignal<u8>,
    from: RwSignal<String>,
    until: RwSignal<String>,
    zone: RwSignal<String>,
    completes: RwSignal<bool>,
    hold: RwSignal<i64>,
}

fn minutes(hh_mm: &str) -> Option<u16> {
    let (h, m) = hh_mm.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 1440).then_some(h * 60 + m)
}

impl Form {
    fn window(&self) -> Result<Option<Window>, String> {
        if !self.windowed.get() {
            return Ok(None);
        }
        let (Some(start_min), Some(end_min)) =
            (minutes(&self.from.get()), minutes(&self.until.get()))
        else {
            return Err("Write the window's hours as HH:MM, e.g. 09:00 and 17:00.".into());
        };
        let w = Window {
            days: self.days.get(),
            start_min,
            end_min,
        };
        w.check().map_err(|e| format!("The window: {e}."))?;
        Ok(Some(w))
    }

    fn end(&self) -> End {
        if self.completes.get() {
            End::Complete
        } else {
            End::HoldAt {
                target: u8::try_from(self.hold.get()).unwrap_or(100),
            }
        }
    }

    fn interval_secs(&self) -> u32 {
        self.every.get().saturating_mul(self.unit.get())
    }
}

#[component]
pub fn ScheduleDialog(open: RwSignal<bool>, card: Card, plans: Plans) -> impl IntoView {
    let form = Form {
        every: RwSignal::new(30),
        unit: RwSignal::new(60),
        windowed: RwSignal::new(false),
        days: RwSignal::new(WEEKDAYS),
        from: RwSignal::new("09:00".into()),
        until: RwSignal::new("17:00".into()),
        zone: RwSignal::new(crate::api::gateway::browser_zone()),
        completes: RwSignal::new(false),
        hold: RwSignal::new(100),
    };
    // The zone's offsets come from the gateway as its name is typed.
    let zone_read = Fetched::<Zone>::default();
    Effect::new(move |_| {
        let name = form.zone.get();
        if open.get() {
            zone_read.start(async move { crate::api::gateway::timezone(&name).await });
        }
    });
    let saving = Change::default();
    let save = move || {
        let window = match form.window() {
            Ok(w) => w,
            Err(e) => return saving.refuse(e),
        };
        let plan = NewPlan {
            router_id: card.id(),
            interval_secs: form.interval_secs(),
            window,
            zone: form.zone.get_untracked().trim().to_string(),
            end: form.end(),
            first_at_ms: None,
        };
        let app = card.app;
        let create = async move { app.ocp().create_schedule(&plan).await };
        saving.run(create, move |p| {
            open.set(false);
            app.ok(format!(
                "Schedule {} saved: the gateway runs it from now on.",
                p.id
            ));
            on_page(plans.read(app));
        });
    };
    let id = card.id();
    view! {
        <Dialog open=open title="Schedule the rollout">
            <form class="form schedule-form" on:submit=move |ev| { ev.prevent_default(); save() }>
                <p class="hint">"The gateway takes each step itself, under its automation account, whether or not a console is open. Before each step it reads the router again; if someone changed it, the plan pauses and says what changed."</p>
                <div class="inline-form">
                    <label for=format!("every-{id}")>"A next step every"</label>
                    <input id=format!("every-{id}") type="number" min="1" prop:value=move || form.every.get().to_string()
                        on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u32>() { form.every.set(v.max(1)) } } />
                    <select aria-label="Unit" on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u32>() { form.unit.set(v) } }>
                        {UNITS.into_iter().map(|(name, secs)| view! { <option value=secs.to_string() selected=move || form.unit.get() == secs>{name}</option> }).collect_view()}
                    </select>
                </div>
                <WindowFields form=form/>
                <label for=format!("zone-{id}")>"Time zone"</label>
                <input id=format!("zone-{id}") list="zones" prop:value=move || form.zone.get() on:change=move |ev| form.zone.set(event_target_value(&ev)) />
                <datalist id="zones">{ZONES.into_iter().map(|z| view! { <option value=z></option> }).collect_view()}</datalist>
                <RadioChoice legend="At the end" name="schedule-end" value=form.completes options=vec![(false, "Stop and hold at a share on the target"), (true, "Complete: attach the number to the target and delete the router")]/>
                <Show when=move || !form.completes.get()>
                    <Slider id="schedule-hold" label="Hold at (% on the target)" value=form.hold/>
                </Show>
                <SchedulePreview card=card form=form zone=zone_read/>
                <FormError error=zone_read.error/>
                <FormError error=saving.error/>
                <div class="actions"><button type="submit" class="primary">{move || if form.completes.get() { "Save the plan (completes at the end)" } else { "Save the plan" }}</button></div>
            </form>
        </Dialog>
    }
}

#[component]
fn WindowFields(form: Form) -> impl IntoView {
    view! {
        <label class="check-label"><input type="checkbox" prop:checked=move || form.windowed.get() on:change=move |ev| form.windowed.set(event_target_checked(&ev)) />" Only inside a window"</label>
        <Show when=move || form.windowed.get()>
            <fieldset class="window">
                <legend>"Days and hours"</legend>
                {DAYS.iter().enumerate().map(|(i, d)| view! {
                    <label class="check-label"><input type="checkbox" prop:checked=move || form.days.get() & (1 << i) != 0
                        on:change=move |ev| { let on = event_target_checked(&ev); form.days.update(|days| if on { *days |= 1 << i } else { *days &= !(1 << i) }) } />{format!(" {d}")}</label>
                }).collect_view()}
                <label>"From "<input type="time" prop:value=move || form.from.get() on:input=move |ev| form.from.set(event_target_value(&ev)) /></label>
                <label>" to "<input type="time" prop:value=move || form.until.get() on:input=move |ev| form.until.set(event_target_value(&ev)) /></label>
            </fieldset>
        </Show>
    }
}

/// The plan's next steps at their wall-clock times in the chosen zone.
#[component]
fn SchedulePreview(card: Card, form: Form, zone: Fetched<Zone>) -> impl IntoView {
    let steps = move || -> Result<(Zone, Vec<Planned>), String> {
        let router = card
            .state
            .get()
            .ok_or("The router cannot be read as a rollout.")?;
        let end = form.end();
        end.check(&router).map_err(|e| format!("{e}."))?;
        // A name the gateway does not know is no zone (not the last one known).
        let zone = (zone.error.with(Option::is_none))
            .then(|| zone.data.get())
            .flatten()
            .ok_or("Choose a time zone the gateway knows (e.g. Europe/Athens).")?;
        let calendar = Calendar {
            interval_ms: i64::from(form.interval_secs()) * 1000,
            window: form.window()?,
            zone: zone.clone(),
        };
        let now = js_sys::Date::now() as i64;
        Ok((zone, timeline(&router, end, &calendar, now, 40)))
    };
    view! {
        <figure class="schedule-preview">
            {move || match steps() {
                Err(why) => view! { <p class="warn-text">{why}</p> }.into_any(),
                Ok((zone, plan)) => view! {
                    <figcaption>{format!("{} steps, the last at {} ({}).", plan.len(), plan.last().map(|p| format_time(zone.local(p.at_ms))).unwrap_or_default(), zone.name)}</figcaption>
                    <ol class="plan-steps">
                        {plan.into_iter().map(|p| view! {
                            <li class:waited=p.waited>
                                <span class="mono">{format_time(zone.local(p.at_ms))}</span>
                                {format!(" · {}", if p.completes { "complete".to_string() } else { format!("{}% / {}%", p.weights.source(), p.weights.target()) })}
                                {p.waited.then_some(" · after the window opens")}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any(),
            }}
        </figure>
    }
}
