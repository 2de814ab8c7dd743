//! Demo data for a new database: numbers over groups ocp and ocp-qa, miniApps,
//! two sets, a router in progress, purchasable inventory, a GreenVN pool and
//! 250 cloud phones. Generated from a fixed seed, so every new sandbox looks
//! the same.

use numbers_core::routing::SplitMix64;
use rusqlite::{params, Connection};

use crate::db::{in_transaction, NOW_MILLIS};

pub const DEFAULT_NUMBERS: usize = 300;
pub const CLOUD_PHONES: usize = 250;

/// (id, name, type, group)
const MINIAPPS: [(&str, &str, &str, &str); 8] = [
    (
        "3781bcc1-7c76-439b-ba26-05d22217b316",
        "SND_dmt_test_app_vp",
        "Flow",
        "ocp-qa",
    ),
    (
        "9a0f41de-2b9c-4f0e-8d11-5e2f6c1b7a20",
        "billing_ivr",
        "Flow",
        "ocp",
    ),
    (
        "c4d2a7e8-61f3-4b55-9e0a-3b7d8f2c9e14",
        "card_activation",
        "Numeric",
        "ocp",
    ),
    (
        "e1b3c5d7-8f9a-4b2c-a6d8-0e1f2a3b4c5d",
        "appointment_bot",
        "Flow",
        "ocp",
    ),
    (
        "5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f",
        "claims_intake",
        "Flow",
        "ocp",
    ),
    (
        "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        "survey_numeric",
        "Numeric",
        "ocp-qa",
    ),
    (
        "7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e",
        "voice_biometrics",
        "Flow",
        "ocp-qa",
    ),
    (
        "2c3d4e5f-6a7b-4c8d-8e9f-0a1b2c3d4e5f",
        "smart_router",
        "Flow",
        "ocp",
    ),
];

pub fn miniapp_id(i: usize) -> String {
    let (uuid, name, kind, group) = MINIAPPS[i % MINIAPPS.len()];
    format!("{uuid}.{name}.{kind}.{group}@{name}.{group}")
}

const NOTES: [&str; 10] = [
    "Main support line",
    "Billing hotline",
    "Campaign Q3 landing number",
    "DiaManT - vpolitis",
    "Escalations after hours",
    "Spanish queue",
    "Test number, do not publish",
    "Partner referral line",
    "Outbound caller ID",
    "",
];
const LOCALES: [&str; 5] = ["en-US", "en-GB", "de-DE", "fr-FR", "es-ES"];
const REGIONS: [&str; 11] = [
    "DL", "MU", "MH", "WB", "AP", "TN", "GJ", "KA", "KL", "RJ", "MP",
];

fn pick<'a, T>(rng: &mut SplitMix64, items: &'a [T]) -> &'a T {
    &items[(rng.next_u64() % items.len() as u64) as usize]
}

/// Fills a new database. `numbers` numbers are spread over the two groups.
pub fn load(conn: &mut Connection, numbers: usize) -> rusqlite::Result<()> {
    let mut rng = SplitMix64::new(20_261_123);
    in_transaction(conn, |tx| {
        for (i, (_, name, kind, group)) in MINIAPPS.iter().enumerate() {
            tx.execute(
            "INSERT OR IGNORE INTO miniapps (id, name, type, diamant_app_name, group_id) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![miniapp_id(i), name, kind, format!("{group}@{name}"), group],
        )?;
        }
        // National lengths: +1 and 10 digits, +44 20 and 8, +49 30 and 7.
        let countries = [
            ("US", "+1201", 7),
            ("US", "+1312", 7),
            ("GB", "+4420", 8),
            ("DE", "+4930", 7),
        ];
        {
            let mut insert = tx.prepare(
            "INSERT INTO numbers (number, country, group_id, locale, note, application_tag, log_ani, log_dnis, provider, purchased) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, 1, ?7, ?8)",
        )?;
            let mut attach = tx.prepare(
            "UPDATE numbers SET mini_app_id = ?2, mini_app_name = ?3, mini_app_type = ?4, mini_app_diamant_app_name = ?5, mini_app_group = ?6 WHERE number = ?1",
        )?;
            for i in 0..numbers {
                let (country, prefix, width) = countries[i % countries.len()];
                let number = format!("{prefix}{:0width$}", 5_550_000 + i / countries.len());
                let group = if i % 5 < 3 { "ocp" } else { "ocp-qa" };
                let note = *pick(&mut rng, &NOTES);
                let tag = rng
                    .next_u64()
                    .is_multiple_of(4)
                    .then_some(if i.is_multiple_of(2) { "blue" } else { "green" });
                let purchased = i % 3 != 0;
                insert.execute(params![
                    number,
                    country,
                    group,
                    *pick(&mut rng, &LOCALES),
                    (!note.is_empty()).then_some(note),
                    tag,
                    purchased.then_some("twilio"),
                    purchased
                ])?;
                if rng.next_u64() % 10 < 7 {
                    let candidates: Vec<usize> = (0..MINIAPPS.len())
                        .filter(|&k| MINIAPPS[k].3 == group)
                        .collect();
                    let k = *pick(&mut rng, &candidates);
                    let (_, name, kind, g) = MINIAPPS[k];
                    attach.execute(params![
                        number,
                        miniapp_id(k),
                        name,
                        kind,
                        format!("{g}@{name}"),
                        g
                    ])?;
                }
            }
        }
        tx.execute(
            "INSERT INTO sets (id, name, group_id) VALUES ('set-support', 'Support lines', 'ocp')",
            [],
        )?;
        tx.execute(
            "INSERT INTO sets (id, name, group_id) VALUES ('set-qa', 'QA canaries', 'ocp-qa')",
            [],
        )?;
        tx.execute(
        "UPDATE numbers SET set_id = 'set-support' WHERE number IN (SELECT number FROM numbers WHERE group_id = 'ocp' ORDER BY number LIMIT 12)",
        [],
    )?;
        tx.execute(
        "UPDATE numbers SET set_id = 'set-qa' WHERE number IN (SELECT number FROM numbers WHERE group_id = 'ocp-qa' ORDER BY number LIMIT 6)",
        [],
    )?;
        tx.execute(
        &format!(
            "INSERT INTO routers (id, number, group_id, step, enabled, last_update, source_app_id, source_tag, source_weight, target_app_id, target_tag) \
             SELECT 'router-demo', number, group_id, 10, 1, {NOW_MILLIS}, mini_app_id, application_tag, 70, ?1, 'v2' \
             FROM numbers WHERE group_id = 'ocp' AND mini_app_id IS NOT NULL AND mini_app_id <> ?1 ORDER BY number DESC LIMIT 1"
        ),
        [miniapp_id(7)],
    )?;
        {
            let mut stock = tx.prepare(
            "INSERT OR IGNORE INTO inventory (number, provider, country, locality, region, price) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
            let places = [
                ("US", "+1415", "San Francisco", "CA"),
                ("US", "+1646", "New York", "NY"),
                ("GB", "+44161", "Manchester", "England"),
                ("DE", "+4989", "Munich", "Bavaria"),
            ];
            for (p, provider) in ["twilio", "vonage"].iter().enumerate() {
                for (country, prefix, locality, region) in places {
                    for k in 0..25 {
                        let number = format!("{prefix}{}{:06}", 7 + p, 200_000 + k * 37);
                        let price = if country == "US" {
                            1.15
                        } else {
                            1.5 + p as f64 * 0.25
                        };
                        stock
                            .execute(params![number, provider, country, locality, region, price])?;
                    }
                }
            }
        }
        {
            let mut vn = tx.prepare(
                "INSERT OR IGNORE INTO vn_pool (number, region, kind) VALUES (?1, ?2, ?3)",
            )?;
            for (r, region) in REGIONS.iter().enumerate() {
                for k in 0..4 {
                    let kind = if k % 2 == 0 { "mobile" } else { "landline" };
                    vn.execute(params![
                        format!("+9180{:02}{:06}", r, 100_000 + k),
                        region,
                        kind
                    ])?;
                }
            }
        }
        {
            let mut phone = tx.prepare(
            "INSERT OR IGNORE INTO phones (phone_id, phone_name, server_id, status, traffic_type) VALUES (?1, ?2, ?3, 2, 'direct')",
        )?;
            for i in 0..CLOUD_PHONES {
                let id = format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64());
                let server = format!("server{:02}{:024x}", i / 50, i / 50);
                phone.execute(params![id, format!("phone-{:04}", i + 1), server])?;
            }
        }
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('demo', 'loaded')",
            [],
        )?;
        Ok(())
    })
}
