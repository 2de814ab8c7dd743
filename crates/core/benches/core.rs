//! `cargo bench -p numbers-core`: CSV throughput, simulation and schedule.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use numbers_core::csv;
use numbers_core::limits::Limits;
use numbers_core::routing::{simulate, Router, Weights};
use numbers_core::sample::operations_csv;
use std::hint::black_box;

fn csv_benches(c: &mut Criterion) {
    let text = operations_csv(100_000);
    let bytes = text.as_bytes();
    let mut g = c.benchmark_group("csv 10^5 rows");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| csv::read(black_box(bytes)).map(|t| t.len()))
    });
    g.bench_function("parse + validate", |b| {
        b.iter(|| {
            let table = csv::read(black_box(bytes)).expect("valid file");
            csv::validate(&table).counts
        })
    });
    g.bench_function("parse + validate + plan", |b| {
        b.iter(|| {
            let table = csv::read(black_box(bytes)).expect("valid file");
            let v = csv::validate(&table);
            csv::plan(&v, &Limits::default()).map(|p| p.batches.len())
        })
    });
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("parse + validate + plan (rows)", |b| {
        b.iter_batched(
            || bytes,
            |bytes| {
                let table = csv::read(bytes).expect("valid file");
                let v = csv::validate(&table);
                csv::plan(&v, &Limits::default()).map(|p| p.batches.len())
            },
            BatchSize::SmallInput,
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
