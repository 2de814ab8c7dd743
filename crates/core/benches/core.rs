//! `cargo bench -p numbers-core`: CSV throughput, simulation and schedule.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use numbers_core::csv;
use numbers_core::limits::Limits;
use numbers_core::routing::{simulate, Router, Weights};
use numbers_core::sample::operations_csv;
use std::hint::black_box;

/// `rows` of the sample with their order shuffled (a fixed permutation),
/// so that numbers do not come in rising order.
fn shuffled(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    let body = &mut lines[1..];
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for i in (1..body.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        body.swap(i, (state % (i as u64 + 1)) as usize);
    }
    lines.join("\n") + "\n"
}

fn csv_benches(c: &mut Criterion) {
    let text = operations_csv(100_000);
    let bytes = text.as_bytes();
    let mut g = c.benchmark_group("csv 10^5 rows");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    // As the console runs it: the dropped file's bytes are handed over.
    g.bench_function("read", |b| {
        b.iter_batched(
            || bytes.to_vec(),
            |owned| csv::read_owned(owned).map(|t| t.len()),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("read + validate + plan", |b| {
        b.iter_batched(
            || bytes.to_vec(),
            |owned| {
                let table = csv::read_owned(owned).expect("valid file");
                let v = csv::validate(&table);
                csv::plan(&v, &Limits::default()).map(|p| p.batches.len())
            },
            BatchSize::LargeInput,
        )
    });
    // The same from a borrowed slice, which `read` copies: the figure the
    // benchmark gave before the table owned its text.
    g.bench_function("parse + validate + plan", |b| {
        b.iter(|| {
            let table = csv::read(black_box(bytes)).expect("valid file");
            let v = csv::validate(&table);
            csv::plan(&v, &Limits::default()).map(|p| p.batches.len())
        })
    });
    let shuffled = shuffled(&text);
    g.bench_function("read + validate + plan, rows shuffled", |b| {
        b.iter_batched(
            || shuffled.as_bytes().to_vec(),
            |owned| {
                let table = csv::read_owned(owned).expect("valid file");
                let v = csv::validate(&table);
                csv::plan(&v, &Limits::default()).map(|p| p.batches.len())
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn routing_benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("routing");
    g.throughput(Throughput::Elements(1_000_000));
    g.bench_function("simulate 10^6 calls", |b| {
        b.iter(|| simulate(black_box(Weights::with_source(90)), 1_000_000, 42))
    });
    g.throughput(Throughput::Elements(1));
    let router = Router::new(100, 1, true).expect("valid");
    g.bench_function("schedule 100 steps", |b| {
        b.iter(|| black_box(router).schedule())
    });
    g.finish();
}

criterion_group!(benches, csv_benches, routing_benches);
criterion_main!(benches);
